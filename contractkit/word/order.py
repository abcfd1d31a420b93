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


def _rank(order: tuple[str, ...], el: etree._Element) -> int:
    if not isinstance(el.tag, str):
        return -1  # a comment or processing instruction keeps its place at the front
    name = etree.QName(el)
    if name.namespace != W:
        return len(order)
    if name.localname in order:
        return order.index(name.localname)
    return order.index("*") if "*" in order else len(order)


def insert_ordered(parent: etree._Element, child: etree._Element) -> etree._Element:
    """Insert `child` where the schema puts it among `parent`'s children (appended when unordered)."""
    order = SCHEMA_ORDER.get(etree.QName(parent).localname) if etree.QName(parent).namespace == W else None
    if order is None:
        parent.append(child)
        return child
    rank = _rank(order, child)
    later = next((c for c in parent if _rank(order, c) > rank), None)
    if later is None:
        parent.append(child)
    else:
        later.addprevious(child)
    return child


def sort_properties(root: etree._Element) -> int:
    """Put the children of every property container under `root` in schema order; returns how many moved."""
    moved = 0
    for container in root.iter(*(_w(name) for name in SCHEMA_ORDER)):
        order = SCHEMA_ORDER[etree.QName(container).localname]
        children = list(container)
        ordered = sorted(children, key=lambda c: _rank(order, c))  # stable: equal ranks keep their order
        if ordered != children:
            moved += sum(1 for a, b in zip(children, ordered, strict=True) if a is not b)
            container[:] = ordered
    return moved
