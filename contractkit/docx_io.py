"""WordprocessingML: the only module that builds or reads DOCX XML.

Writing: paragraphs, tables, content controls, bookmarks and fields as lxml elements, custom
properties, and a deterministic zip. Reading: a hardened reader for files we did not make
(zip limits, no entity resolution) that returns blocks of text tagged with their clause.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from lxml import etree

from .docx_order import insert_ordered
from .errors import CannotVerify, ContractkitError

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
CLAUSE_TAG = "ck:"
CUSTOM_CT = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CUSTOM_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
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
    """Rewrite a DOCX zip with fixed timestamps and attributes, keeping entry order."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        names = src.namelist()
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:  # Word refuses such a file; it means a part was added where one should have been replaced
            raise ContractkitError(f"internal error: the package would hold {', '.join(twice)} twice")
        for item in src.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            info.create_system = 0
            dst.writestr(info, src.read(item.filename))
    return out.getvalue()


# ----------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Limits:
    """Caps for files we did not make (see docs/security.md)."""

    max_entries: int = 1000
    max_total_bytes: int = 100 * 1024 * 1024
    max_ratio: int = 200
    max_part_bytes: int = 50 * 1024 * 1024


@dataclass
class Block:
    """A paragraph as read back: its style name, visible text and clause content control, if any."""

    style: str
    text: str
    clause: str | None = None
    inserted: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    locked: bool = False
    hidden: list[str] = field(default_factory=list)  # text formatted as hidden (w:vanish)

    @property
    def has_revisions(self) -> bool:
        return bool(self.inserted or self.deleted)


@dataclass
class DocxContent:
    blocks: list[Block]
    custom: dict[str, str]
    notes: list[Block] = field(default_factory=list)  # headers, footers, footnotes and endnotes


_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
)


def safe_xml(data: bytes) -> etree._Element:
    """Parse XML from an untrusted file: no DTD, no entities, no network."""
    if b"<!DOCTYPE" in data[:2048] or b"<!ENTITY" in data[:4096]:
        raise CannotVerify("the document contains a DTD or entity declarations, which are refused")
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise CannotVerify(f"malformed XML: {exc}") from None


def open_zip(data: bytes, limits: Limits) -> dict[str, bytes]:
    """Read the parts we need from a DOCX zip, refusing bombs and oversized archives."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise CannotVerify(f"not a DOCX file (not a readable zip: {exc})") from None
    if len(infos) > limits.max_entries:
        raise CannotVerify(f"zip has {len(infos)} entries (limit {limits.max_entries})")
    total = sum(i.file_size for i in infos)
    if total > limits.max_total_bytes:
        raise CannotVerify(f"zip expands to {total} bytes (limit {limits.max_total_bytes})")
    parts = {}
    for info in infos:
        if info.filename not in ("word/document.xml", "word/styles.xml", "docProps/custom.xml") and not (
            _NOTE_PART.match(info.filename)
        ):
            continue
        if info.compress_size and info.file_size / info.compress_size > limits.max_ratio:
            raise CannotVerify(
                f"{info.filename} is compressed {info.file_size // info.compress_size}:1 "
                f"(limit {limits.max_ratio}:1): a zip bomb?"
            )
        if info.file_size > limits.max_part_bytes:
            raise CannotVerify(f"{info.filename} is {info.file_size} bytes (limit {limits.max_part_bytes})")
        try:
            with archive.open(info) as handle:
                parts[info.filename] = handle.read(limits.max_part_bytes + 1)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
            raise CannotVerify(f"{info.filename} cannot be read: {exc}") from None
    if "word/document.xml" not in parts:
        raise CannotVerify("not a Word document (no word/document.xml)")
    return parts


def read_docx(data: bytes, limits: Limits | None = None) -> DocxContent:
    """Every paragraph of the body, in order, with revisions separated from visible text."""
    parts = open_zip(data, limits or Limits())
    names = _style_names(parts.get("word/styles.xml"))
    root = safe_xml(parts["word/document.xml"])
    body = root.find(w("body"))
    if body is None:
        raise CannotVerify("not a Word document (no body)")
    if next(body.iter(w("altChunk")), None) is not None:
        raise CannotVerify("the document embeds content in another format (w:altChunk), which cannot be verified")
    controls = _controls(body)
    blocks = [_block(p, names, controls) for p in body.iter(w("p"))]
    notes = [
        _block(p, names, {})
        for name in sorted(n for n in parts if _NOTE_PART.match(n))
        for p in safe_xml(parts[name]).iter(w("p"))
    ]
    return DocxContent(blocks, _custom(parts.get("docProps/custom.xml")), notes)


_REVISIONS = tuple(w(tag) for tag in ("ins", "del", "moveFrom", "moveTo"))
_SPECIAL = (*_REVISIONS, *(w(tag) for tag in ("delText", "vanish", "tab", "br", "cr")))
_STYLE, _VAL, _T = f"{w('pPr')}/{w('pStyle')}", w("val"), w("t")
_NOTE_PART = re.compile(r"^word/(header\d*|footer\d*|footnotes|endnotes)\.xml$")


def _style_names(data: bytes | None) -> dict[str, str]:
    if not data:
        return {}
    root = safe_xml(data)
    names = {}
    for style in root.iter(w("style")):
        name = style.find(w("name"))
        names[style.get(w("styleId"), "")] = name.get(w("val"), "") if name is not None else ""
    return names


def _controls(body: etree._Element) -> dict[etree._Element, tuple[str, bool]]:
    """Each paragraph inside a clause content control: its clause id and lock (the innermost wins)."""
    found: dict[etree._Element, tuple[str, bool]] = {}
    for sdt in body.iter(w("sdt")):
        tag_el = sdt.find(f"{w('sdtPr')}/{w('tag')}")
        value = tag_el.get(w("val"), "") if tag_el is not None else ""
        if value.startswith(CLAUSE_TAG):
            lock = sdt.find(f"{w('sdtPr')}/{w('lock')}")
            locked = lock is not None and "Content" in (lock.get(w("val")) or "")
            for p in sdt.iter(w("p")):
                found[p] = (value[len(CLAUSE_TAG) :], locked)
    return found


def _block(p: etree._Element, names: dict[str, str], controls: dict[etree._Element, tuple[str, bool]]) -> Block:
    style = p.find(_STYLE)
    style_id = style.get(_VAL, "") if style is not None else ""
    tag, locked = controls.get(p, (None, False))
    if next(p.iter(*_SPECIAL), None) is None:  # the common case: plain runs of text
        return Block(names.get(style_id, style_id), "".join(t.text or "" for t in p.iter(_T)), tag, locked=locked)
    visible, inserted, deleted, hidden = [], [], [], []
    revised = next(p.iter(*_REVISIONS), None) is not None  # only then is each run's ancestry needed
    vanish = next(p.iter(w("vanish")), None) is not None
    for node in p.iter(w("t"), w("delText"), w("tab"), w("br"), w("cr")):
        ancestors = {a.tag for a in node.iterancestors()} if revised else set()
        if node.tag == w("delText") or w("moveFrom") in ancestors:
            deleted.append(node.text or "")
            continue
        text = node.text or "" if node.tag == w("t") else " "
        visible.append(text)
        if ancestors & {w("ins"), w("moveTo")}:
            inserted.append(text)
        run = node.getparent() if vanish else None
        run_pr = run.find(w("rPr")) if run is not None else None
        if run_pr is not None and run_pr.find(w("vanish")) is not None:
            hidden.append(text)
    mark = p.find(f"{w('pPr')}/{w('rPr')}")
    if mark is not None and (mark.find(w("ins")) is not None or mark.find(w("del")) is not None):
        (inserted if mark.find(w("ins")) is not None else deleted).append("\u00b6")
    return Block(names.get(style_id, style_id), "".join(visible), tag, inserted, deleted, locked, hidden)


def _custom(data: bytes | None) -> dict[str, str]:
    if not data:
        return {}
    root = safe_xml(data)
    values: dict[str, str] = {}
    for prop in root:
        name = prop.get("name") or ""
        text = "".join(str(t) for t in prop.itertext())
        base, _, chunk = name.rpartition(".")
        if base and chunk.isdigit() and len(chunk) == 3:
            values[base] = values.get(base, "") + text
        else:
            values[name] = text
    return values


REVISION_TAGS = ("ins", "del", "moveFrom", "moveTo", "rPrChange", "pPrChange")


def tracked_changes(data: bytes) -> int:
    """How many unaccepted revisions our own rendered DOCX holds in its body, headers and footers."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = [
            n
            for n in archive.namelist()
            if n == "word/document.xml" or (n.startswith(("word/header", "word/footer")) and n.endswith(".xml"))
        ]
        return sum(sum(1 for _ in safe_xml(archive.read(n)).iter(*(w(t) for t in REVISION_TAGS))) for n in names)
