"""WordprocessingML: the only module that builds or reads DOCX XML.

Writing: paragraphs, tables, content controls, bookmarks and fields as lxml elements, custom
properties, and a deterministic zip. Reading files we did not make is word.reader's job (through
word.reader.package's hardened zip); its entry points are re-exported here.
"""

from __future__ import annotations

import html
import io
import zipfile
from collections.abc import Iterable, Mapping, Sequence

from lxml import etree

from contractkit.word.order import insert_ordered

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
CLAUSE_TAG = "ck:"
CUSTOM_CT = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CUSTOM_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
CHUNK = 240  # Word keeps custom property text up to 255 characters; longer values are split


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _el(tag: str, parent: etree._Element | None = None, **attrs: str) -> etree._Element:
    el = etree.Element(w(tag))
    for key, value in attrs.items():
        el.set(w(key), value)
    if parent is not None:
        insert_ordered(parent, el)
    return el


def complete_settings(settings: etree._Element) -> None:
    """Give w:zoom the w:percent the schema requires (python-docx's default template omits it)."""
    for zoom in settings.iter(w("zoom")):
        if zoom.get(w("percent")) is None:
            zoom.set(w("percent"), "100")


# ----------------------------------------------------------------------------- writing


def paragraph(
    style_id: str, runs: Iterable[tuple[str, bool]], *, num: tuple[int, int] | None = None, keep_next: bool = False
) -> etree._Element:
    """A w:p with a paragraph style and plain or bold runs; `num` = (numId, level) restarts a list."""
    p = _el("p")
    ppr = _el("pPr", p)
    _el("pStyle", ppr, val=style_id)
    if keep_next:
        _el("keepNext", ppr)
    if num is not None:
        numpr = _el("numPr", ppr)
        _el("ilvl", numpr, val=str(num[1]))
        _el("numId", numpr, val=str(num[0]))
    for text, bold in runs:
        append_run(p, text, bold=bold)
    return p


def append_run(p: etree._Element, text: str, *, bold: bool = False, tag: str = "t") -> etree._Element:
    r = _el("r", p)
    if bold:
        _el("b", _el("rPr", r))
    t = _el(tag, r)
    t.text = text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return r


def add_field(p: etree._Element, instruction: str, cached: str) -> None:
    """A complex field with a cached result (Word shows the cache; LibreOffice recomputes it)."""
    _el("fldChar", _el("r", p), fldCharType="begin")
    append_run(p, f" {instruction} ", tag="instrText")
    _el("fldChar", _el("r", p), fldCharType="separate")
    append_run(p, cached)
    _el("fldChar", _el("r", p), fldCharType="end")


def bookmark(p: etree._Element, name: str, ident: int) -> None:
    start = _el("bookmarkStart", id=str(ident), name=name)
    ppr = p.find(w("pPr"))
    if ppr is not None:
        ppr.addnext(start)
    else:
        p.insert(0, start)
    _el("bookmarkEnd", p, id=str(ident))


def content_control(
    children: Sequence[etree._Element], tag: str, alias: str, ident: int, *, locked: bool
) -> etree._Element:
    """Wrap block content in a content control; locked ones cannot be deleted or edited in Word."""
    sdt = _el("sdt")
    pr = _el("sdtPr", sdt)
    _el("alias", pr, val=alias)
    _el("tag", pr, val=tag)
    _el("id", pr, val=str(ident))
    if locked:
        _el("lock", pr, val="sdtContentLocked")
    content = _el("sdtContent", sdt)
    for child in children:
        content.append(child)
    return sdt


def num_ids(numbering: etree._Element) -> list[int]:
    """The ids of the list instances (w:num) a numbering part defines."""
    values = (num.get(w("numId"), "") for num in numbering.iterchildren(w("num")))
    return [int(v) for v in values if v.isdigit()]


def restart_list(numbering: etree._Element, abstract_id: int, num_id: int) -> None:
    """Add a list instance that restarts at 1 (used for each schedule's paragraphs)."""
    num = _el("num", numId=str(num_id))
    _el("abstractNumId", num, val=str(abstract_id))
    for level in range(4):
        override = _el("lvlOverride", num, ilvl=str(level))
        _el("startOverride", override, val="1")
    cleanup = numbering.find(w("numIdMacAtCleanup"))  # the schema puts this after every w:num
    if cleanup is not None:
        cleanup.addprevious(num)
    else:
        numbering.append(num)


def table(
    rows: Sequence[Sequence[str]],
    style_id: str,
    widths_cm: Sequence[float],
    *,
    head_style: str,
    cell_style: str,
    fill: str = "003087",
) -> etree._Element:
    """A table whose first row is a repeated, shaded header."""
    tbl = _el("tbl")
    pr = _el("tblPr", tbl)
    _el("tblStyle", pr, val=style_id)
    _el("tblW", pr, w=str(int(sum(widths_cm) * 567)), type="dxa")
    _el("tblLayout", pr, type="fixed")
    grid = _el("tblGrid", tbl)
    for width in widths_cm:
        _el("gridCol", grid, w=str(int(width * 567)))
    for index, row in enumerate(rows):
        tr = _el("tr", tbl)
        trpr = _el("trPr", tr)
        _el("cantSplit", trpr)
        if index == 0:
            _el("tblHeader", trpr)
        for width, value in zip(widths_cm, row, strict=True):
            tc = _el("tc", tr)
            tcpr = _el("tcPr", tc)
            _el("tcW", tcpr, w=str(int(width * 567)), type="dxa")
            if index == 0:
                _el("shd", tcpr, val="clear", color="auto", fill=fill)
            tc.append(paragraph(head_style if index == 0 else cell_style, [(value, False)]))
    return tbl


def custom_properties_xml(properties: dict[str, str]) -> bytes:
    """docProps/custom.xml; long values are split into numbered chunks Word will not truncate."""
    items = []
    for name, value in properties.items():
        chunks = [value[i : i + CHUNK] for i in range(0, len(value), CHUNK)] or [""]
        names = [name] if len(chunks) == 1 else [f"{name}.{n:03d}" for n in range(len(chunks))]
        items += list(zip(names, chunks, strict=True))
    props = "".join(
        f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{pid}" name="{html.escape(name)}">'
        f"<vt:lpwstr>{html.escape(value, quote=False)}</vt:lpwstr></property>"
        for pid, (name, value) in enumerate(items, start=2)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        f"{props}</Properties>"
    ).encode()


def deterministic_zip(data: bytes) -> bytes:
    """Rewrite a DOCX zip with fixed timestamps and attributes, keeping entry order (word.save)."""
    from contractkit.word.save import zip_parts

    with zipfile.ZipFile(io.BytesIO(data)) as src:
        return zip_parts([(item.filename, src.read(item)) for item in src.infolist()])


# ----------------------------------------------------------------------------- reading
# Reading received files lives in word.reader.package (the zip, its relationships and limits) and
# word.reader.document (what Word shows); these names stay here for callers that import them from here.

from contractkit.word.reader.document import Block, DocxContent, read_docx  # noqa: E402
from contractkit.word.reader.package import Limits, Package, safe_xml  # noqa: E402

__all__ = ["Block", "DocxContent", "Limits", "open_zip", "read_docx", "safe_xml", "tracked_changes"]


def open_zip(data: bytes, limits: Limits) -> dict[str, bytes]:
    """The main document part of a DOCX (found through its relationships), keyed by its part name."""
    package = Package(data, limits)
    return {package.main: package.read(package.main)}


REVISION_TAGS = ("ins", "del", "moveFrom", "moveTo", "rPrChange", "pPrChange")


def tracked_changes(data: bytes | Mapping[str, bytes]) -> int:
    """How many unaccepted revisions a DOCX (its zip, or its parts by name) holds in its body, headers and footers."""
    package = Package(data, Limits())
    parts = [package.main] + [r.target for r in package.related(package.main, "header", "footer")]
    return sum(sum(1 for _ in package.xml(n).iter(*(w(t) for t in REVISION_TAGS))) for n in parts)
