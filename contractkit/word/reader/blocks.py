"""What the Word reader produces, and the WordprocessingML vocabulary its parts share.

A Block is a paragraph as a reader sees it; a Mark is something a reader would see differently
from what the text says; a Thing is a field, list label or object to compare with the template.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from lxml import etree

from contractkit.word.reader.style import Props, Styles, w
from contractkit.word.reader.things import MC, Numbering
from contractkit.word.reader.visibility import Ground

CLAUSE_TAG = "ck:"
MAX_MARKS = 500  # marks kept per document: enough to show the problem, bounded for hostile files
_P, _R, _T, _TBL, _TC, _SDT = w("p"), w("r"), w("t"), w("tbl"), w("tc"), w("sdt")
_PPR, _PSTYLE, _VAL, _RSTYLE = w("pPr"), w("pStyle"), w("val"), w("rStyle")
_FLDCHAR, _DELTEXT, _CODE = w("fldChar"), w("delText"), (w("instrText"), w("delInstrText"))
_REVISED = {w("ins"): "ins", w("moveTo"): "ins", w("del"): "del", w("moveFrom"): "del"}
_FLDSIMPLE, _RPR, _INS, _DEL = w("fldSimple"), w("rPr"), w("ins"), w("del")
_SDT_TAG, _SDT_LOCK = f"{w('sdtPr')}/{w('tag')}", f"{w('sdtPr')}/{w('lock')}"
_SIMPLE = {w("tab"): " ", w("ptab"): " ", w("br"): " ", w("cr"): " ", w("noBreakHyphen"): "-"}
_AC = f"{{{MC}}}AlternateContent"
_OBJECTS = (w("drawing"), w("pict"), w("object"), w("contentPart"), w("control"))
_DATES = tuple(w(t) for t in ("dayShort", "dayLong", "monthShort", "monthLong", "yearShort", "yearLong", "pgNum"))
_QUIET = frozenset(
    w(t)
    for t in (
        "rPr", "pPr", "lastRenderedPageBreak", "footnoteReference", "endnoteReference", "commentReference",
        "annotationRef", "footnoteRef", "endnoteRef", "separator", "continuationSeparator", "bookmarkStart",
        "bookmarkEnd", "proofErr", "permStart", "permEnd", "commentRangeStart", "commentRangeEnd", "sectPr",
        "moveFromRangeStart", "moveFromRangeEnd", "moveToRangeStart", "moveToRangeEnd", "tblPr", "tblGrid",
        "trPr", "tcPr", "sdtPr", "sdtEndPr", "customXmlPr", "tblPrEx", "softHyphen",
    )
)  # fmt: skip
_NOTE_SKIP = frozenset({"separator", "continuationSeparator", "continuationNotice"})


@dataclass(slots=True)
class Block:
    """A paragraph as a reader sees it: style name, visible text, clause content control, and what is not seen."""

    style: str
    text: str
    clause: str | None = None
    inserted: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    locked: bool = False
    hidden: list[str] = field(default_factory=list)  # text a reader cannot see: hidden, invisible, tiny, struck
    location: str = ""  # e.g. "word/document.xml, paragraph 214"
    role: str = "body"  # body, header, footer, footnote, endnote or comment
    table: bool = False  # in a table cell
    frame: str | None = None  # "text box" for a paragraph inside a drawing
    label: str = ""  # words a numbering label prints besides the numbers

    @property
    def has_revisions(self) -> bool:
        return bool(self.inserted or self.deleted)


@dataclass(eq=False)
class Mark:
    """Something a reader of the document would see differently from what its text says."""

    kind: str
    detail: str
    location: str
    block: Block | None = None
    clause: str | None = None  # where no block holds it (a control or alternative content around paragraphs)


@dataclass(eq=False)
class Thing:
    """A field, numbering label or object, to be compared with what the template produces."""

    what: str  # "field", "label" or "object"
    kind: str  # field keyword, number format or object kind
    text: str  # field result, level text or the text the object shows
    role: str
    location: str
    block: Block | None = None


@dataclass
class DocxContent:
    blocks: list[Block]
    custom: dict[str, str]
    notes: list[Block] = field(default_factory=list)  # headers, footers, footnotes, endnotes, comments
    marks: list[Mark] = field(default_factory=list)
    things: list[Thing] = field(default_factory=list)
    levels: set[tuple[str, str]] = field(default_factory=set)  # every list level defined: (format, level text)


@dataclass(frozen=True)
class Ctx:
    """Where a paragraph sits: its clause content control, table cell, frame."""

    clause: str | None = None
    locked: bool = False
    table_style: str | None = None
    cell: str | None = None  # cell shading
    table: bool = False
    frame: str | None = None


@dataclass
class _Field:
    code: str = ""
    result: str = ""
    phase: str = "code"
    location: str = ""


@dataclass(frozen=True)
class _Base:
    """A paragraph style's contribution, in a table style or not."""

    name: str
    runs: list[tuple[str, Props]]  # style levels of run properties, for each run's look
    para: Props
    shading: str | None
    numbering: etree._Element | None  # the style's numPr
    problems: list[tuple[str, str]]


class _Para:
    """What one paragraph's runs add up to while it is read (a plain class: one is made per paragraph)."""

    __slots__ = ("boxes", "deleted", "ground", "hidden", "inserted", "key", "layers", "location", "pending",
                 "things", "visible")  # fmt: skip

    def __init__(
        self, location: str, ground: Ground, layers: list[tuple[str, Props]], key: tuple[str | None, str]
    ) -> None:
        self.location, self.ground, self.layers = location, ground, layers
        self.key = key  # table style and paragraph style, for caching run looks
        self.visible: list[str] = []
        self.inserted: list[str] = []
        self.deleted: list[str] = []
        self.hidden: list[str] = []
        self.pending: list[tuple[str, str]] = []  # finding kind, detail
        self.things: list[tuple[str, str, str]] = []
        self.boxes: list[etree._Element] = []


class Reading(Protocol):
    """What a story asks of the document reader (document._Reader): the styles, numbering and page
    colour it reads with, and where its marks and things go. A protocol, so that the stories need
    not import the reader that makes them."""

    styles: Styles
    numbering: Numbering
    page: str | None

    def mark(
        self, kind: str, detail: str, location: str, block: Block | None = None, clause: str | None = None
    ) -> None: ...

    def thing(self, thing: Thing) -> None: ...


def first_child(el: etree._Element, tag: str) -> etree._Element | None:
    """An element's first child with this tag (faster than find() for the few children a w:p or w:r has)."""
    for node in el:
        if node.tag == tag:
            return node
    return None


def _texts(el: etree._Element) -> str:
    return " ".join(" ".join(str(t) for t in el.itertext()).split())


def _keyword(code: str) -> str:
    words = code.split()
    return words[0].upper().lstrip("\\") if words else "(empty)"
