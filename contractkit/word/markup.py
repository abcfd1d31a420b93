"""The blocks drafting adds to an agreement (paragraphs, runs, fields, bookmarks, content controls
and tables), written as WordprocessingML text and parsed once.

Building each of a draft's few thousand elements through lxml's API cost a fifth of a warm draft;
writing the same markup as text and parsing it in one pass costs a tenth of that. The markup is
exactly what the element builder made (children in schema order, `xml:space="preserve"` on every
text, the same attributes in the same order), so the saved document is byte for byte the same; a
property test compares the two. Every value is escaped: deal values are text, never markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_TEXT_TAGS = (f"{{{W}}}t", f"{{{W}}}instrText")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)
# What lxml escapes when it writes text and attribute values, so that parsing gives them back as they were.
_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTR = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\t": "&#9;", "\n": "&#10;", "\r": "&#13;"}
)


_TEXT_SPECIAL = re.compile(r"[&<>\r]")
_ATTR_SPECIAL = re.compile(r'[&<>"\t\n\r]')


def text(value: str) -> str:
    """Text content escaped as lxml writes it (most text needs nothing: a search is cheaper than a translation)."""
    return value.translate(_TEXT) if _TEXT_SPECIAL.search(value) else value


def attr(value: str | int) -> str:
    value = str(value)
    return value.translate(_ATTR) if _ATTR_SPECIAL.search(value) else value


def run(value: str, *, bold: bool = False, tag: str = "t") -> str:
    """A w:r with one text (or field instruction) element, whose spaces are kept."""
    props = "<w:rPr><w:b/></w:rPr>" if bold else ""
    return f'<w:r>{props}<w:{tag} xml:space="preserve">{text(value)}</w:{tag}></w:r>'


def field(instruction: str, cached: str) -> str:
    """A complex field with a cached result (Word shows the cache; LibreOffice recomputes it)."""
    return (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        + run(f" {instruction} ", tag="instrText")
        + '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        + run(cached)
        + '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def paragraph(
    style_id: str,
    runs: Iterable[tuple[str, bool]],
    *,
    num: tuple[int, int] | None = None,
    keep_next: bool = False,
    bookmark: tuple[str, int] | None = None,
    fields: str = "",
) -> str:
    """A w:p with a paragraph style and plain or bold runs; `num` = (numId, level) restarts a list;
    `bookmark` = (name, id) spans the paragraph's content; `fields` (markup) follow the runs."""
    props = f'<w:pStyle w:val="{attr(style_id)}"/>'
    if keep_next:
        props += "<w:keepNext/>"
    if num is not None:
        props += f'<w:numPr><w:ilvl w:val="{num[1]}"/><w:numId w:val="{num[0]}"/></w:numPr>'
    start = end = ""
    if bookmark is not None:
        start = f'<w:bookmarkStart w:id="{bookmark[1]}" w:name="{attr(bookmark[0])}"/>'
        end = f'<w:bookmarkEnd w:id="{bookmark[1]}"/>'
    body = "".join(run(value, bold=bold) for value, bold in runs)
    return f"<w:p><w:pPr>{props}</w:pPr>{start}{body}{fields}{end}</w:p>"


def content_control(children: str, tag: str, alias: str, ident: int, *, locked: bool) -> str:
    """Wrap block markup in a content control; locked ones cannot be deleted or edited in Word."""
    lock = '<w:lock w:val="sdtContentLocked"/>' if locked else ""
    props = f'<w:alias w:val="{attr(alias)}"/><w:tag w:val="{attr(tag)}"/><w:id w:val="{ident}"/>{lock}'
    return f"<w:sdt><w:sdtPr>{props}</w:sdtPr><w:sdtContent>{children}</w:sdtContent></w:sdt>"


def table(
    rows: Sequence[Sequence[str]],
    style_id: str,
    widths_cm: Sequence[float],
    *,
    head_style: str,
    cell_style: str,
    fill: str = "003087",
) -> str:
    """A table whose first row is a repeated, shaded header."""
    width = int(sum(widths_cm) * 567)
    out = [
        f'<w:tbl><w:tblPr><w:tblStyle w:val="{attr(style_id)}"/><w:tblW w:w="{width}" w:type="dxa"/>'
        '<w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>',
        *(f'<w:gridCol w:w="{int(cm * 567)}"/>' for cm in widths_cm),
        "</w:tblGrid>",
    ]
    for index, row in enumerate(rows):
        head = index == 0
        out.append("<w:tr><w:trPr><w:cantSplit/>" + ("<w:tblHeader/>" if head else "") + "</w:trPr>")
        for cm, value in zip(widths_cm, row, strict=True):
            shading = f'<w:shd w:val="clear" w:color="auto" w:fill="{attr(fill)}"/>' if head else ""
            cell = paragraph(head_style if head else cell_style, [(value, False)])
            out.append(f'<w:tc><w:tcPr><w:tcW w:w="{int(cm * 567)}" w:type="dxa"/>{shading}</w:tcPr>{cell}</w:tc>')
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def blocks(markup: str) -> list[etree._Element]:
    """Block markup parsed into elements, ready to be moved into a document's body."""
    root = etree.fromstring(f'<w:body xmlns:w="{W}">{markup}</w:body>', _PARSER)
    if "></w:t>" in markup or "></w:instrText>" in markup:
        for empty in root.iter(*_TEXT_TAGS):  # an empty text is written <w:t ...></w:t>, as lxml writes ""
            if empty.text is None:
                empty.text = ""
    return list(root)
