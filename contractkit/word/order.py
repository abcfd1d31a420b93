"""Schema order for WordprocessingML property containers: where a child element must go.

ECMA-376 fixes the order of the children of w:pPr, w:rPr, w:sdtPr, w:tblPr, w:trPr, w:tcPr and
w:numPr (Part 1, 17.3 and 17.4). Word treats a child out of place as corruption (Word for the web
opens such a file read-only), so every element contractkit adds goes in at its schema position.
"""

from __future__ import annotations

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


# Children of WordprocessingML property containers in the order ECMA-376 fixes (Part 1, 17.3 and
# 17.4): Word treats a child out of place as corruption. Names not listed (extensions in other
# namespaces) sort last. Run properties are a choice in the Transitional schema; Word writes them
# in this order, so we do too.
_RUN = (
    "ins", "del", "moveFrom", "moveTo", "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps",
    "strike", "dstrike", "outline", "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish",
    "webHidden", "color", "spacing", "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr",
    "shd", "fitText", "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath",
    "rPrChange",
)  # fmt: skip
SCHEMA_ORDER: dict[str, tuple[str, ...]] = {
    "pPr": (
        "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
        "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
        "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid",
        "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection",
        "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange",
    ),
    "rPr": _RUN,
    "sdtPr": (
        "rPr", "alias", "tag", "id", "lock", "placeholder", "temporary", "showingPlcHdr", "dataBinding", "label",
        "tabIndex", "equation", "comboBox", "date", "docPartObj", "docPartList", "dropDownList", "picture",
        "richText", "text", "citation", "group", "bibliography",
    ),
    "tblPr": (
        "tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize", "tblW",
        "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook",
        "tblCaption", "tblDescription", "tblPrChange",
    ),
    "tcPr": (
        "cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar",
        "textDirection", "tcFitText", "vAlign", "hideMark", "headers", "cellIns", "cellDel", "cellMerge",
        "tcPrChange",
    ),
    # The row properties proper are a choice in any order; revision marks come after them.
    "trPr": ("*", "ins", "del", "trPrChange"),
    "numPr": ("ilvl", "numId", "numberingChange", "ins"),
}  # fmt: skip


def _ranks(order: tuple[str, ...]) -> tuple[dict[str, int], int, int]:
    """A container's order as (rank by Clark tag, rank of other W names, rank of other namespaces)."""
    ranks: dict[str, int] = {}
    for index, name in enumerate(order):
        if name != "*":
            ranks.setdefault(_w(name), index)
    return ranks, order.index("*") if "*" in order else len(order), len(order)


_RANKS = {_w(container): _ranks(order) for container, order in SCHEMA_ORDER.items()}
ORDERED = frozenset(_RANKS)  # the Clark tags of the containers whose children have a schema order
_W_PREFIX = f"{{{W}}}"


def _rank(ranks: tuple[dict[str, int], int, int], el: etree._Element) -> int:
    tag = el.tag
    if not isinstance(tag, str):
        return -1  # a comment or processing instruction keeps its place at the front
    return _tag_rank(ranks, tag)


def insert_ordered(parent: etree._Element, child: etree._Element) -> etree._Element:
    """Insert `child` where the schema puts it among `parent`'s children (appended when unordered)."""
    later = follower(parent, child)
    if later is None:
        parent.append(child)
    else:
        later.addprevious(child)
    return child


def follower(parent: etree._Element, child: etree._Element | str) -> etree._Element | None:
    """The child of `parent` that `child` (an element or a Clark tag) must go before; None: at the end."""
    ranks = _RANKS.get(parent.tag) if isinstance(parent.tag, str) else None
    if ranks is None:
        return None
    rank = _rank(ranks, child) if not isinstance(child, str) else _tag_rank(ranks, child)
    return next((c for c in parent if _rank(ranks, c) > rank), None)


def _tag_rank(ranks: tuple[dict[str, int], int, int], tag: str) -> int:
    found = ranks[0].get(tag)
    if found is not None:
        return found
    return ranks[1] if tag.startswith(_W_PREFIX) else ranks[2]


def sort_properties(root: etree._Element) -> int:
    """Put the children of every property container under `root` in schema order; returns how many moved."""
    moved = 0
    for container in root.iter(*ORDERED):
        ranks = _RANKS[container.tag]
        children = list(container)
        ordered = sorted(children, key=lambda c: _rank(ranks, c))  # stable: equal ranks keep their order
        if ordered != children:
            moved += sum(1 for a, b in zip(children, ordered, strict=True) if a is not b)
            container[:] = ordered
    return moved
