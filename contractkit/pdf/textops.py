"""The text operators of the content-stream interpreter (paint): text state, positioning, showing.

Each shown character becomes a Glyph with its box in default user space, following the text
matrix, the font's widths and the character and word spacing exactly as a viewer advances them.
"""

from __future__ import annotations

from typing import Any

from contractkit.errors import CannotVerify
from contractkit.pdf.colour import to_rgb
from contractkit.pdf.fonts import Font
from contractkit.pdf.geometry import IDENTITY, Box, Matrix, Region, apply, bounds, length, multiply
from contractkit.pdf.geometry import translate as shift
from contractkit.pdf.marks import Drawing, Glyph, GraphicsState

MAX_GLYPHS = 500_000  # characters on one page
_FALLBACK = Font()


class TextOperators:
    """Mixed into the interpreter: BT/ET, the T* family, Tf and the showing operators."""

    state: GraphicsState
    drawing: Drawing
    tm: Matrix
    tlm: Matrix
    text_clip: list[Box]
    order: int
    resources: Any

    @property
    def hidden_content(self) -> bool:
        raise NotImplementedError

    def load_font(self, name: Any) -> Font | None:
        raise NotImplementedError

    def op_BT(self, ops: list[Any], depth: int) -> None:
        self.tm = self.tlm = IDENTITY
        self.text_clip = []

    def op_ET(self, ops: list[Any], depth: int) -> None:
        """Text shown in a clipping mode (4 to 7) limits what is drawn after it; its extent approximates that."""
        if self.text_clip:
            xs0, ys0, xs1, ys1 = zip(*self.text_clip, strict=True)
            self.state.clip = (*self.state.clip, Region((min(xs0), min(ys0), max(xs1), max(ys1))))
        self.text_clip = []

    def op_Tf(self, ops: list[Any], depth: int) -> None:
        self.state.font = self.load_font(ops[0])
        self.state.size = float(ops[1])

    def op_Tc(self, ops: list[Any], depth: int) -> None:
        self.state.char_spacing = float(ops[0])

    def op_Tw(self, ops: list[Any], depth: int) -> None:
        self.state.word_spacing = float(ops[0])

    def op_Tz(self, ops: list[Any], depth: int) -> None:
        self.state.scale = float(ops[0]) / 100

    def op_TL(self, ops: list[Any], depth: int) -> None:
        self.state.leading = float(ops[0])

    def op_Ts(self, ops: list[Any], depth: int) -> None:
        self.state.rise = float(ops[0])

    def op_Tr(self, ops: list[Any], depth: int) -> None:
        self.state.mode = int(ops[0])

    def op_Td(self, ops: list[Any], depth: int) -> None:
        self.tm = self.tlm = shift(self.tlm, float(ops[0]), float(ops[1]))

    def op_TD(self, ops: list[Any], depth: int) -> None:
        self.state.leading = -float(ops[1])
        self.op_Td(ops, depth)

    def op_Tm(self, ops: list[Any], depth: int) -> None:
        a, b, c, d, e, f = (float(v) for v in ops[:6])
        self.tm = self.tlm = (a, b, c, d, e, f)

    def op_Tstar(self, ops: list[Any], depth: int) -> None:
        self.op_Td([0.0, -self.state.leading], depth)

    def op_Tj(self, ops: list[Any], depth: int) -> None:
        self.show(raw_string(ops[0]))

    def op_quote(self, ops: list[Any], depth: int) -> None:
        self.op_Tstar([], depth)
        self.show(raw_string(ops[0]))

    def op_dquote(self, ops: list[Any], depth: int) -> None:
        self.state.word_spacing, self.state.char_spacing = float(ops[0]), float(ops[1])
        self.op_quote(ops[2:], depth)

    def op_TJ(self, ops: list[Any], depth: int) -> None:
        st = self.state
        for item in ops[0] if isinstance(ops[0], list) else []:
            if isinstance(item, int | float):
                self.tm = shift(self.tm, -float(item) / 1000 * st.size * st.scale, 0.0)
            else:
                self.show(raw_string(item))

    def show(self, raw: bytes) -> None:
        """Record each character of one shown string and advance the text matrix past it."""
        st = self.state
        font = st.font or _FALLBACK
        base = multiply(self.tm, st.ctm)
        height, width = length(base, 0.0, st.size), length(base, st.size * st.scale, 0.0)
        colour, alpha = self._paint()
        hidden = self._hidden()
        y0, y1 = st.rise + font.descent * st.size, st.rise + font.ascent * st.size
        glyphs, x = self.drawing.glyphs, 0.0
        for code, word_space in font.codes(raw):
            w = font.width(code) * st.size * st.scale
            box = bounds([apply(base, x, y0), apply(base, x + w, y0), apply(base, x + w, y1), apply(base, x, y1)])
            cx, cy = apply(base, x + w / 2, (y0 + y1) / 2)
            self.order += 1
            why = hidden or ("as a blank glyph" if code in font.type3_blank else "")
            clipped = not all(c.contains(cx, cy) for c in st.clip)
            glyph = Glyph(font.text(code), box, cx, cy, height, width, colour, alpha, self.order, why, clipped)
            glyph.masked = st.soft_mask
            glyphs.append(glyph)
            if st.mode >= 4:
                self.text_clip.append(box)
            x += w + (st.char_spacing + (st.word_spacing if word_space else 0.0)) * st.scale
        if len(glyphs) > MAX_GLYPHS:
            raise CannotVerify(f"a page draws more than {MAX_GLYPHS} characters: too complex to inspect")
        self.tm = shift(self.tm, x, 0.0)

    def _paint(self) -> tuple[Any, float]:
        """The colour that shows the character: its fill, its outline (modes 1, 5), or for text both
        filled and outlined (modes 2, 6) the darker of the two (the one that stands out on paper)."""
        st = self.state
        fill, stroke = to_rgb(st.fill_space, st.fill), to_rgb(st.stroke_space, st.stroke)
        darker_outline = stroke is not None and fill is not None and sum(stroke) < sum(fill)
        if st.mode in (1, 5) or (st.mode in (2, 6) and darker_outline):
            return stroke, st.stroke_alpha
        return fill, st.fill_alpha

    def _hidden(self) -> str:
        st = self.state
        if st.mode in (3, 7):
            return f"in rendering mode {st.mode} (invisible)"
        if self.hidden_content:
            return "in a layer (optional content) that is switched off"
        if (st.stroke_space if st.mode in (1, 5) else st.fill_space).no_ink:
            return "with no ink (colour separation /None)"
        return ""


def raw_string(value: Any) -> bytes:
    """The bytes of a string operand, as the font decodes them (pypdf may have decoded them as text)."""
    if isinstance(value, bytes):
        return bytes(value)
    original = getattr(value, "original_bytes", None)
    if isinstance(original, bytes):
        return original
    return str(value).encode("latin-1", errors="replace")
