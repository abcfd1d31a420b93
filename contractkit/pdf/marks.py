"""What paint records of a page: characters with their boxes and paint, shapes and images drawn."""

from __future__ import annotations

from dataclasses import dataclass, field

from contractkit.pdf.colour import GRAY, RGB, Space
from contractkit.pdf.fonts import Font
from contractkit.pdf.geometry import IDENTITY, Box, Matrix, Region


@dataclass(slots=True)
class Glyph:
    """One character as drawn: its box on the page (default user space) and how it is painted."""

    char: str
    box: Box
    x: float  # centre
    y: float
    size: float  # effective height of the font in pt
    width: float  # effective horizontal size (font size x horizontal scaling) in pt
    colour: RGB | None
    alpha: float
    order: int
    hidden: str = ""  # why nothing is drawn, whatever the colour ("rendering mode 3", ...)
    clipped: bool = False  # its centre is outside the clipping path
    masked: bool = False  # drawn through a soft mask or with a blend mode other than Normal


@dataclass(slots=True)
class Paint:
    """A filled shape, thick stroke, image or shading, with the clip that limits it."""

    region: Region
    colour: RGB | None  # None: an image or a colour that cannot be told
    alpha: float
    order: int
    what: str
    clip: tuple[Region, ...] = ()

    def covers(self, x: float, y: float) -> bool:
        return self.region.contains(x, y) and all(c.contains(x, y) for c in self.clip)


@dataclass
class Drawing:
    """Everything one page draws, in drawing order (`order` numbers glyphs and paints together)."""

    glyphs: list[Glyph] = field(default_factory=list)
    paints: list[Paint] = field(default_factory=list)


@dataclass
class GraphicsState:
    """The part of the PDF graphics state (text state included) that decides what is visible."""

    ctm: Matrix = IDENTITY
    fill_space: Space = GRAY
    fill: tuple[float, ...] = (0.0,)
    stroke_space: Space = GRAY
    stroke: tuple[float, ...] = (0.0,)
    fill_alpha: float = 1.0
    stroke_alpha: float = 1.0
    soft_mask: bool = False  # a soft mask, or a blend mode other than Normal: what shows cannot be told
    line_width: float = 1.0
    clip: tuple[Region, ...] = ()
    font: Font | None = None
    size: float = 0.0
    char_spacing: float = 0.0
    word_spacing: float = 0.0
    scale: float = 1.0
    leading: float = 0.0
    rise: float = 0.0
    mode: int = 0
