"""Whether a reader can see a run's text: hidden, coloured like what is behind it, too small, struck, moved.

Thresholds: text under 6 pt (after width scaling, and as a superscript) is too small to read; a
colour contrast under 2:1 against the background (WCAG's ratio; body text asks 4.5:1) is as good
as invisible; an exact line height under 6 pt clips the glyphs; an indent beyond the height of an
A4 page puts text off the page.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from contractkit.word.reader.style import _HIGHLIGHT, _VAL, Look, Props, Theme, contrast, number, on, w

MIN_POINTS = 6.0  # text smaller than this, after scaling, is too small to read
MIN_CONTRAST = 2.0  # WCAG contrast ratio below which text is as good as invisible
MIN_LINE_TWIPS = 120  # an exact line height under 6 pt clips the glyphs
MAX_INDENT_TWIPS = 16838  # an indent beyond the height of an A4 page puts text off the page


UNSEEN = frozenset({"hidden-text", "invisible-text", "tiny-text", "struck-text"})  # left out of the text read


@dataclass(frozen=True)
class Ground:
    """What lies behind a run: the nearest shading (run, paragraph, cell, table) and the page colour."""

    shading: str | None = None
    page: str | None = None

    def colours(self) -> tuple[str, ...]:
        if self.shading is not None:
            return (self.shading,)
        return ("FFFFFF",) if self.page in (None, "FFFFFF") else ("FFFFFF", self.page)


def _size(run: Props) -> float:
    """The run's font size in points (complex-script size when the run is marked complex script)."""
    complex_script = bool(on(run.get("cs")) or on(run.get("rtl")))
    el = run.get("szCs") if complex_script and "szCs" in run else run.get("sz")
    return number(el.get(_VAL), 20) / 2 if el is not None else 10.0


def problems(look: Look, ground: Ground, theme: Theme, symbol_fonts: set[str], chars: int) -> list[tuple[str, str]]:
    """Why a run with this look cannot be read as written: (finding kind, how), empty when it can."""
    out = []
    for name, label in (("vanish", "hidden"), ("specVanish", "hidden (special)"), ("webHidden", "hidden in web view")):
        if name in look.toggles:
            out.append(("hidden-text", f"formatted as {label} by {look.toggles[name]}"))
    for name, label in (("strike", "struck through"), ("dstrike", "double struck through")):
        if name in look.toggles:
            out.append(("struck-text", f"{label} by {look.toggles[name]}"))
    run = look.run
    out += _small(run, chars)
    out += _moved(run)
    color = theme.resolve(run["color"]) if "color" in run else None
    back = _run_ground(run, theme) or ground.shading
    grounds = (back,) if back is not None else Ground(None, ground.page).colours()
    if color is not None and any(contrast(color, g) < MIN_CONTRAST for g in grounds):
        out.append(("invisible-text", f"coloured #{color} on a #{'/#'.join(grounds)} background"))
    if "twice" in run:
        out.append(("distorted-text", f"formatted with {etree.QName(run['twice']).localname!r} given twice"))
    symbol = sorted(_fonts(run, theme) & symbol_fonts)
    if symbol:
        out.append(
            ("distorted-text", f"set in the symbol font {symbol[0]!r}, which draws other shapes than the letters")
        )
    return out


def _fonts(run: Props, theme: Theme) -> set[str]:
    """The typefaces a run's Latin text is drawn in: named, or the theme's major or minor font."""
    fonts = run.get("rFonts")
    if fonts is None:
        return set()
    names = set()
    for key in ("ascii", "hAnsi"):
        name = fonts.get(w(key))
        themed = fonts.get(w(f"{key}Theme"))
        if name:
            names.add(name.lower())
        elif themed:
            names.add(theme.fonts.get("major" if themed.startswith("major") else "minor", ""))
    return names


def _run_ground(run: Props, theme: Theme) -> str | None:
    highlight = run.get("highlight")
    if highlight is not None and (highlight.get(_VAL) or "none") in _HIGHLIGHT:
        return _HIGHLIGHT[highlight.get(_VAL) or ""]
    return theme.shading(run.get("shd"))


def _small(run: Props, chars: int) -> list[tuple[str, str]]:
    size = _size(run)
    scale = number(run["w"].get(_VAL), 100) if "w" in run else 100.0
    vert = run.get("vertAlign")
    lifted = vert is not None and vert.get(_VAL) in ("superscript", "subscript")
    shown = size * min(scale, 100.0) / 100 * (0.65 if lifted else 1.0)
    out = []
    if shown < MIN_POINTS:
        how = (
            f"{size:g} pt" + (f" at {scale:g}% width" if scale < 100 else "") + (" raised or lowered" if lifted else "")
        )
        out.append(("tiny-text", f"too small to read ({how}; the minimum is {MIN_POINTS:g} pt)"))
    fit = run.get("fitText")
    if fit is not None and chars and number(fit.get(_VAL), 1e9) / chars < MIN_POINTS * 10:
        out.append(("tiny-text", f"squeezed into {number(fit.get(_VAL)) / 20:g} pt of width"))
    layout = run.get("eastAsianLayout")
    if layout is not None and (layout.get(w("combine")) or "").lower() in ("1", "true", "on"):
        out.append(("tiny-text", "two lines combined into one"))
    return out


def _moved(run: Props) -> list[tuple[str, str]]:
    size = _size(run)
    out = []
    position = number(run["position"].get(_VAL)) / 2 if "position" in run else 0.0
    if abs(position) > size:
        out.append(("displaced-text", f"raised or lowered by {position:g} pt, off its line"))
    spacing = number(run["spacing"].get(_VAL)) / 20 if "spacing" in run else 0.0
    if spacing < -size / 4:
        out.append(("displaced-text", f"letters condensed by {-spacing:g} pt, so that they overlap"))
    if on(run.get("rtl")):
        out.append(("distorted-text", "laid out right to left"))
    return out


def paragraph_problems(para: Props) -> list[tuple[str, str]]:
    """Paragraph formatting that hides or moves its text: frames, clipped lines, off-page indents, right to left."""
    out = []
    if "twice" in para:
        out.append(("distorted-text", f"formatted with {etree.QName(para['twice']).localname!r} given twice"))
    if "framePr" in para:
        out.append(("displaced-text", "placed in a frame, outside the flow of the text"))
    spacing = para.get("spacing")
    if (
        spacing is not None
        and spacing.get(w("lineRule")) == "exact"
        and number(spacing.get(w("line")), 240) < MIN_LINE_TWIPS
    ):
        out.append(("tiny-text", f"lines clipped to {number(spacing.get(w('line'))) / 20:g} pt high"))
    ind = para.get("ind")
    if ind is not None:
        for key in ("left", "right", "start", "end", "hanging", "firstLine"):
            if abs(number(ind.get(w(key)))) > MAX_INDENT_TWIPS:
                out.append(("displaced-text", f"indented {number(ind.get(w(key))) / 20:g} pt, off the page"))
                break
    if on(para.get("bidi")):
        out.append(("distorted-text", "laid out right to left"))
    return out
