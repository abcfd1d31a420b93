"""What Word shows besides runs of text: numbering labels, drawings and objects, alternative content.

Each is described in a few words ("image", "text box", "WordArt 'DRAFT'", a list level's format
and text) so that a received document can be compared with what its template contains.
"""

from __future__ import annotations

import re

from lxml import etree

from contractkit.word.reader.package import W
from contractkit.word.reader.style import Styles, w

MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
M = "http://schemas.openxmlformats.org/officeDocument/2006/math"
V = "urn:schemas-microsoft-com:vml"
OFFICE = "urn:schemas-microsoft-com:office:office"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
TEXT_TAGS = (w("t"), f"{{{A}}}t", f"{{{M}}}t")
_VAL, _NUMID, _ILVL = w("val"), w("numId"), w("ilvl")
_GRAPHICS = {
    "picture": "image", "wordprocessingShape": "shape", "wordprocessingGroup": "group of shapes",
    "wordprocessingCanvas": "drawing canvas", "chart": "chart", "diagram": "SmartArt diagram",
    "lockedCanvas": "drawing canvas", "wordprocessingInk": "ink drawing",
}  # fmt: skip
_PLACEHOLDER = re.compile(r"%[1-9]")


def collapse(text: str) -> str:
    return " ".join(text.split())


def text_of(el: etree._Element) -> str:
    """All the text under an element (w:t, a:t, m:t and WordArt strings), whitespace collapsed."""
    parts = [t.text or "" for t in el.iter(*TEXT_TAGS)]
    parts += [p.get("string") or "" for p in el.iter(f"{{{V}}}textpath")]
    return collapse(" ".join(parts))


# ----------------------------------------------------------------------------- alternative content


def branches(alternate: etree._Element) -> list[etree._Element]:
    """The Choice branches then the Fallback of an mc:AlternateContent, in order."""
    return [c for c in alternate if c.tag in (f"{{{MC}}}Choice", f"{{{MC}}}Fallback")]


def chosen(alternate: etree._Element) -> etree._Element | None:
    """The branch Word displays: the first Choice (Word knows every namespace it uses), else the Fallback."""
    found = branches(alternate)
    return found[0] if found else None


def disagreement(alternate: etree._Element) -> tuple[str, str] | None:
    """The first two different texts among the branches, or None when they all read the same."""
    texts = [text_of(b) for b in branches(alternate)]
    for other in texts[1:]:
        if other != texts[0]:
            return texts[0], other
    return None


# ----------------------------------------------------------------------------- drawings and objects


def describe(el: etree._Element) -> tuple[str, str, list[etree._Element]]:
    """A drawing, VML picture or embedded object as (kind, text it shows, text boxes in it)."""
    boxes = list(el.iter(w("txbxContent")))
    if el.tag == w("object"):
        ole = el.find(f".//{{{OFFICE}}}OLEObject")
        program = ole.get("ProgID") if ole is not None else None
        return f"embedded object ({program or 'OLE'})", "", boxes
    if el.tag == w("drawing"):
        return _drawing(el, boxes)
    if el.tag == w("pict"):
        return _vml(el, boxes)
    return etree.QName(el).localname, text_of(el), boxes


def _drawing(el: etree._Element, boxes: list[etree._Element]) -> tuple[str, str, list[etree._Element]]:
    graphic = el.find(f".//{{{A}}}graphicData")
    uri = graphic.get("uri", "") if graphic is not None else ""
    kind = _GRAPHICS.get(uri.rstrip("/").rsplit("/", 1)[-1], "drawing")
    if boxes:
        kind = "text box"
    return kind, text_of(el), boxes


def _vml(el: etree._Element, boxes: list[etree._Element]) -> tuple[str, str, list[etree._Element]]:
    path = next((p for p in el.iter(f"{{{V}}}textpath") if p.get("string")), None)
    if path is not None:
        return "WordArt", collapse(path.get("string") or ""), boxes
    if boxes:
        return "text box", text_of(el), boxes
    if next(el.iter(f"{{{OFFICE}}}OLEObject"), None) is not None:
        return "embedded object", "", boxes
    if next(el.iter(f"{{{V}}}imagedata"), None) is not None:
        return "image", "", boxes
    return "shape", text_of(el), boxes


# ----------------------------------------------------------------------------- numbering


class Numbering:
    """List definitions: which level format and text (e.g. 'decimal', '%1.%2') a paragraph's number takes."""

    def __init__(self, root: etree._Element | None, styles: Styles) -> None:
        self.styles = styles
        self.abstract: dict[str, etree._Element] = {}
        self.nums: dict[str, etree._Element] = {}
        self.cache: dict[tuple[str, str], tuple[str, str] | None] = {}
        for item in root if root is not None else ():
            if item.tag == w("abstractNum"):
                self.abstract.setdefault(item.get(w("abstractNumId"), ""), item)
            elif item.tag == w("num"):
                self.nums.setdefault(item.get(w("numId"), ""), item)

    def label(self, num_id: str, ilvl: str) -> tuple[str, str] | None:
        """The number format and level text of the list level that numbers a paragraph (None: no such level)."""
        key = (num_id, ilvl)
        if key not in self.cache:
            lvl = self._level(num_id, ilvl, 0)
            self.cache[key] = label_of(lvl) if lvl is not None else None
        return self.cache[key]

    def _level(self, num_id: str, ilvl: str, depth: int) -> etree._Element | None:
        num = self.nums.get(num_id)
        if num is None or depth > 3:
            return None
        for override in num.iterchildren(w("lvlOverride")):
            if override.get(w("ilvl")) == ilvl and override.find(w("lvl")) is not None:
                return override.find(w("lvl"))
        ref = num.find(w("abstractNumId"))
        abstract = self.abstract.get(ref.get(_VAL, "") if ref is not None else "")
        if abstract is None:
            return None
        link = abstract.find(w("numStyleLink"))
        if link is not None:  # the list is defined by a numbering style: follow it to its list
            linked = self._styled(link.get(_VAL, ""))
            return self._level(linked, ilvl, depth + 1) if linked else None
        return next((lvl for lvl in abstract.iterchildren(w("lvl")) if lvl.get(w("ilvl")) == ilvl), None)

    def all_levels(self) -> set[tuple[str, str]]:
        """Every list level the part defines, as (number format, level text)."""
        found = set()
        for container in (*self.abstract.values(), *self.nums.values()):
            for lvl in container.iter(w("lvl")):
                found.add(label_of(lvl))
        return found

    def _styled(self, style_id: str) -> str | None:
        style = self.styles.by_id.get(style_id)
        num = style.find(f"{w('pPr')}/{w('numPr')}/{w('numId')}") if style is not None else None
        return num.get(_VAL) if num is not None else None


def label_of(lvl: etree._Element) -> tuple[str, str]:
    """A list level's number format and level text, e.g. ('decimal', '%1.%2')."""
    fmt = lvl.find(w("numFmt"))
    text = lvl.find(w("lvlText"))
    return (fmt.get(_VAL, "decimal") if fmt is not None else "decimal"), (
        text.get(_VAL, "") if text is not None else ""
    )


def label_words(text: str) -> str:
    """What a level text prints besides the numbers themselves (e.g. 'Article ' in 'Article %1.')."""
    return _PLACEHOLDER.sub("", text)


def numbered(para_direct: etree._Element | None, para_style: etree._Element | None) -> tuple[str, str] | None:
    """(numId, ilvl) of a paragraph: its own numPr, completed from its style's (numId 0 means not numbered)."""

    def get(numpr: etree._Element | None, tag: str) -> str | None:
        for node in numpr if numpr is not None else ():
            if node.tag == tag:
                return node.get(_VAL)
        return None

    if para_direct is None and para_style is None:
        return None
    num_id = get(para_direct, _NUMID) or get(para_style, _NUMID)
    ilvl = get(para_direct, _ILVL) or get(para_style, _ILVL) or "0"
    if not num_id or num_id == "0":
        return None
    return num_id, ilvl


__all__ = ["Numbering", "W", "describe", "disagreement", "label_of", "label_words", "numbered"]
