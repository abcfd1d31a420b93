"""Judge a PDF by what it draws: text that is extracted but cannot be seen, and content beside the text.

For each character paint found, decide whether a reader sees it: not when it is drawn
invisibly (rendering mode 3 or 7, a layer switched off, no ink), outside the page's CropBox or
clipped away, in (nearly) the colour of what lies beneath it, covered by a shape or image drawn
after it, or too small to read. Annotations, form fields and attached files are reported too: a
signing copy from contractkit has none. Each finding names the page and the words concerned.
"""

from __future__ import annotations

import bisect
import math
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from contractkit.core.findings import Finding, Kind, Severity
from contractkit.pdf.colour import WHITE, blend, contrast, luminance
from contractkit.pdf.geometry import Box, inside, intersect
from contractkit.pdf.marks import Drawing, Glyph, Paint
from contractkit.pdf.paint import Painter

TINY_TEXT = 4.0  # pt: effective size (height, or width after horizontal scaling) below which text is unreadable
LOW_CONTRAST = 1.5  # WCAG contrast ratio below which text does not stand out from what lies beneath it
OPAQUE = 0.5  # an image or unknown colour painted at least this opaque hides what is under it
DARK = 0.18  # relative luminance below which a background is dark (mid grey is about 0.21)
PRINCIPLE = "P4"  # what is signed must be what is read
MANIFEST_NAME = "contractkit-manifest.json"
_QUOTE_LIMIT = 200
_CELL = 8.0  # pt: grid cell for finding characters near one another
_LIGATURES = frozenset({"ff", "fi", "fl", "ffi", "ffl", "ft", "fj", "st", "ct", "ij", "ae", "oe"})
_SHOWN_ANNOTATIONS_OK = {"/Link", "/Popup"}


@dataclass(frozen=True)
class Verdict:
    kind: Kind
    reason: str
    severity: Severity = "error"


@dataclass
class Inspection:
    """The findings, and for each page the dark opaque rectangles (table headings) that carry light text."""

    findings: list[Finding]
    dark: list[list[Box]]


def inspect(reader: Any, on_page: Callable[[int, Any, list[Box]], None] | None = None) -> Inspection:
    """Every drawing, annotation, form and attachment finding of a PDF (pypdf reader), page by page;
    `on_page(index, page, dark rectangles)` hears of each page as soon as it is done."""
    painter = Painter(reader, hidden_layers(reader))
    result = Inspection([], [])
    for number, page in enumerate(reader.pages, 1):
        drawing = painter.page(page)
        result.findings += judge(drawing, page_area(page), number)
        result.findings += annotation_findings(page, number)
        result.dark.append(dark_rectangles(drawing))
        if on_page is not None:
            on_page(number - 1, page, result.dark[-1])
    result.findings += form_fields(reader) + attachments(reader)
    return result


def dark_rectangles(drawing: Drawing) -> list[Box]:
    """Opaque dark rectangles: OCR reads the light text on them better once they are printed inverted."""
    return [
        p.region.box
        for p in drawing.paints
        if not p.region.polygons and p.colour is not None and p.alpha >= 0.9 and luminance(p.colour) < DARK
    ]


def page_area(page: Any) -> Box:
    """What a viewer shows of a page: its CropBox within its MediaBox, in default user space."""
    media = _box(page.mediabox)
    crop = _box(page.cropbox) if "/CropBox" in page else media
    return intersect(media, crop)


def _box(rect: Any) -> Box:
    x0, y0, x1, y1 = (float(v) for v in (rect.left, rect.bottom, rect.right, rect.top))
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def hidden_layers(reader: Any) -> set[tuple[int, int]]:
    """Optional content groups that the default configuration switches off."""
    props = _resolve(_resolve(reader.trailer["/Root"]).get("/OCProperties"))
    default = _resolve(props.get("/D")) if isinstance(props, dict) else None
    if not isinstance(default, dict):
        return set()
    every = _refs(props.get("/OCGs"))
    if default.get("/BaseState") == "/OFF":
        return every - _refs(default.get("/ON"))
    return _refs(default.get("/OFF"))


def _refs(value: Any) -> set[tuple[int, int]]:
    items = _resolve(value)
    return {(i.idnum, i.generation) for i in items if hasattr(i, "idnum")} if isinstance(items, list) else set()


# ----------------------------------------------------------------------------- characters


def judge(drawing: Drawing, area: Box, page: int) -> list[Finding]:
    """Findings for the characters of one page that a reader cannot see or read."""
    glyphs = drawing.glyphs
    under = _paints_at(glyphs, drawing.paints)
    overprinted = _overprinted(glyphs)
    flagged: dict[tuple[Kind, Severity], dict[int, str]] = {}
    for i, glyph in enumerate(glyphs):
        if glyph.char.isspace() or not glyph.char:
            continue
        verdict = _verdict(glyph, area, under.get(i, []))
        if verdict is None and i in overprinted:
            verdict = Verdict("covered-text", "covered by other characters drawn over it")
        if verdict is None and not _one_letter(glyph.char):
            verdict = Verdict("hidden-text", "read from glyphs that each draw one letter but claim several")
        if verdict is not None:
            flagged.setdefault((verdict.kind, verdict.severity), {})[i] = verdict.reason
    return [_finding(kind, severity, reasons, glyphs, page) for (kind, severity), reasons in flagged.items()]


def _verdict(glyph: Glyph, area: Box, paints: list[Paint]) -> Verdict | None:
    plain = _unseen(glyph, area)
    if plain is not None:
        return plain
    seen = _seen(glyph, paints, exact=False)
    if seen is not None:
        seen = _seen(glyph, paints, exact=True)  # the cheap pass took shapes as their boxes
    if seen is not None:
        return seen
    if min(glyph.size, glyph.width) < TINY_TEXT:
        return Verdict("tiny-text", f"smaller than {TINY_TEXT:g} pt")
    if any(p.colour is None and p.order < glyph.order and p.covers(glyph.x, glyph.y) for p in paints):
        reason = "drawn over an image or shading whose colours the verifier cannot tell (look at it)"
        return Verdict("low-contrast-text", reason, "warning")
    return None


def _unseen(glyph: Glyph, area: Box) -> Verdict | None:
    """Reasons a character is not seen whatever lies around it."""
    if glyph.hidden:
        return Verdict("hidden-text", f"drawn {glyph.hidden}")
    if not inside(area, glyph.x, glyph.y):
        return Verdict("clipped-text", "outside the visible page (its CropBox)")
    if glyph.clipped:
        return Verdict("clipped-text", "clipped away by a clipping path")
    if glyph.colour is None:
        return Verdict("low-contrast-text", "drawn in a colour the verifier cannot evaluate (a pattern?)")
    if glyph.masked:
        return Verdict("low-contrast-text", "drawn through a soft mask or blend mode the verifier cannot evaluate")
    return None


def _seen(glyph: Glyph, paints: list[Paint], *, exact: bool) -> Verdict | None:
    """Compare the character's colour with what is beneath it, then with what is painted over both."""
    assert glyph.colour is not None
    background = WHITE
    hits = [p for p in paints if not exact or p.covers(glyph.x, glyph.y)]
    for paint in (p for p in hits if p.order < glyph.order and p.colour is not None):
        background = blend(paint.colour, paint.alpha, background)  # type: ignore[arg-type]
    shown = blend(glyph.colour, glyph.alpha, background)
    if contrast(shown, background) < LOW_CONTRAST:
        return Verdict("low-contrast-text", "drawn in (nearly) the colour of what lies beneath it")
    for paint in (p for p in hits if p.order > glyph.order):
        if paint.colour is None:
            if paint.alpha >= OPAQUE:
                return Verdict("covered-text", f"covered by {paint.what} drawn over it")
            continue
        shown, background = blend(paint.colour, paint.alpha, shown), blend(paint.colour, paint.alpha, background)
        if contrast(shown, background) < LOW_CONTRAST:
            return Verdict("covered-text", _cover(paint, glyph))
    return None


def _cover(paint: Paint, glyph: Glyph) -> str:
    """How a paint hides a character: a thin line through it strikes it out; anything else covers it."""
    x0, y0, x1, y1 = paint.region.box
    if min(x1 - x0, y1 - y0) < glyph.size / 4:
        return f"struck through by {paint.what} drawn across it"
    return f"covered by {paint.what} drawn over it"


def _paints_at(glyphs: list[Glyph], paints: list[Paint]) -> dict[int, list[Paint]]:
    """For each character, the paints whose box holds its centre (found through the centres sorted by height)."""
    order = sorted(range(len(glyphs)), key=lambda i: glyphs[i].y)
    heights = [glyphs[i].y for i in order]
    out: dict[int, list[Paint]] = {}
    for paint in sorted(paints, key=lambda p: p.order):
        x0, y0, x1, y1 = paint.region.box
        for k in range(bisect.bisect_left(heights, y0), bisect.bisect_right(heights, y1)):
            i = order[k]
            if x0 <= glyphs[i].x <= x1:
                out.setdefault(i, []).append(paint)
    return out


def _one_letter(text: str) -> bool:
    """Whether a glyph's text is what one glyph can draw: one character (with its accents) or a
    typographic ligature. A font map that gives one glyph the text "non-" adds words nobody sees."""
    base = [c for c in text if not unicodedata.combining(c)]
    return len(base) <= 1 or "".join(base).casefold() in _LIGATURES


def _overprinted(glyphs: list[Glyph]) -> set[int]:
    """Characters over whose centre a later, different character is drawn (text stacked on text,
    or a block glyph over words). Combining accents, drawn over their letter, do not count."""
    grid: dict[tuple[int, int], list[int]] = {}
    for i, glyph in enumerate(glyphs):
        if glyph.char.strip():
            grid.setdefault((math.floor(glyph.x / _CELL), math.floor(glyph.y / _CELL)), []).append(i)
    out: set[int] = set()
    for j, top in enumerate(glyphs):
        if top.hidden or not top.char.strip() or unicodedata.combining(top.char[0]):
            continue
        x0, y0, x1, y1 = top.box
        for i in _near(grid, top.box):
            under = glyphs[i]
            if i < j and under.char != top.char and x0 <= under.x <= x1 and y0 <= under.y <= y1:
                out.add(i)
    return out


def _near(grid: dict[tuple[int, int], list[int]], box: Box) -> list[int]:
    """Indices of the characters whose centre falls in the grid cells `box` touches."""
    cols = range(math.floor(box[0] / _CELL), math.floor(box[2] / _CELL) + 1)
    rows = range(math.floor(box[1] / _CELL), math.floor(box[3] / _CELL) + 1)
    if len(cols) * len(rows) > len(grid):
        return [i for found in grid.values() for i in found]
    return [i for col in cols for row in rows for i in grid.get((col, row), ())]


def _finding(kind: Kind, severity: Severity, reasons: dict[int, str], glyphs: list[Glyph], page: int) -> Finding:
    reason = Counter(reasons.values()).most_common(1)[0][0]
    words = quote(sorted(reasons), glyphs)
    detail = f"{len(reasons)} character(s) on page {page} {reason}: {words!r}"
    return Finding(kind, None, PRINCIPLE, detail, severity=severity, location=f"page {page}")


def quote(indices: list[int], glyphs: list[Glyph]) -> str:
    """The flagged characters as text: spaces where the page has them or leaves a gap, '…' between passages."""
    out: list[str] = []
    last: int | None = None
    for i in indices:
        if last is not None:
            between = glyphs[last + 1 : i]
            if between and all(g.char.isspace() for g in between):
                out.append(" ")
            elif between:
                out.append(" … ")
            elif _gap(glyphs[last], glyphs[i]):
                out.append(" ")
        out.append(glyphs[i].char)
        last = i
        if sum(map(len, out)) > _QUOTE_LIMIT:
            out.append("…")
            break
    return "".join(out)


def _gap(one: Glyph, two: Glyph) -> bool:
    """A word break without a space character: a new line, or a horizontal gap of a quarter of the size."""
    return abs(one.y - two.y) > one.size / 2 or two.box[0] - one.box[2] > one.size / 4


# ----------------------------------------------------------------------------- beside the text


def annotation_findings(page: Any, number: int) -> list[Finding]:
    """Annotations a viewer draws on the page (a plain link is allowed; form widgets are form fields)."""
    out = []
    for item in _list(page.get("/Annots"))[:1000]:
        annot = _resolve(item)
        if not isinstance(annot, dict):
            continue
        subtype = str(annot.get("/Subtype", "/Unknown"))
        if subtype in _SHOWN_ANNOTATIONS_OK and "/AP" not in annot:
            continue
        out.append(_annotation(annot, subtype, number))
    return out


def _annotation(annot: Any, subtype: str, number: int) -> Finding:
    keys = ("/T", "/V") if subtype == "/Widget" else ("/Contents", "/RC")
    text = " ".join(str(annot.get(k, "")) for k in keys if annot.get(k)).strip()
    shown = f": {text[:_QUOTE_LIMIT]!r}" if text else ""
    if subtype == "/Widget":
        detail = f"a form field on page {number}, whose value is shown over the agreement{shown}"
        return Finding("form-field", None, PRINCIPLE, detail, location=f"page {number}")
    detail = f"a {subtype[1:]} annotation on page {number}, drawn over the agreement{shown}"
    return Finding("annotation", None, PRINCIPLE, detail, location=f"page {number}")


def form_fields(reader: Any) -> list[Finding]:
    """An interactive form (AcroForm fields or XFA): a viewer shows its values over the page."""
    form = _resolve(_resolve(reader.trailer["/Root"]).get("/AcroForm"))
    if not isinstance(form, dict):
        return []
    fields = [_resolve(f) for f in _list(form.get("/Fields"))[:1000]]
    names = [f"{f.get('/T', '?')}={str(f.get('/V', ''))[:60]!r}" for f in fields if isinstance(f, dict)]
    if not names and "/XFA" not in form:
        return []
    what = ", ".join(names[:10]) + (" …" if len(names) > 10 else "") if names else "an XFA form"
    detail = f"the PDF has an interactive form whose fields are shown over its pages: {what}"
    return [Finding("form-field", None, PRINCIPLE, detail, location="AcroForm")]


def attachments(reader: Any) -> list[Finding]:
    """Files attached to the PDF other than contractkit's own manifest (a side letter would be one)."""
    root = _resolve(reader.trailer["/Root"])
    names = [n for n in reader.attachments if n != MANIFEST_NAME]
    out = [
        Finding("attachment", None, "P3, P4", f"a file {name!r} is attached to the PDF", location="attachments")
        for name in names[:20]
    ]
    if "/Collection" in root:
        detail = "the PDF is a portfolio: a viewer may show an attached file instead of the agreement"
        out.append(Finding("attachment", None, "P3, P4", detail, location="catalog"))
    return out


def _list(value: Any) -> list[Any]:
    value = _resolve(value)
    return list(value) if isinstance(value, list) else []


def _resolve(value: Any) -> Any:
    return value.get_object() if hasattr(value, "get_object") else value
