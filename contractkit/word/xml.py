"""WordprocessingML: the only module that builds or reads DOCX XML.

Writing: the settings and numbering drafting changes, custom properties, and a deterministic zip
(the blocks drafting adds are written as markup by word.markup). Reading files we did not make is
word.reader's job (through word.reader.package's hardened zip); its entry points are re-exported
here.
"""

from __future__ import annotations

import html
import io
import zipfile
from collections.abc import Mapping

from lxml import etree

from contractkit.word.order import ORDERED, follower

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
CLAUSE_TAG = "ck:"
CUSTOM_CT = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CUSTOM_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
CHUNK = 240  # Word keeps custom property text up to 255 characters; longer values are split


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _el(tag: str, parent: etree._Element | None = None, **attrs: str) -> etree._Element:
    """A w: element with w: attributes, in schema order among `parent`'s children (word.order)."""
    attrib = {w(key): value for key, value in attrs.items()}
    if parent is None:
        return etree.Element(w(tag), attrib)
    later = follower(parent, w(tag)) if parent.tag in ORDERED else None
    if later is None:
        return etree.SubElement(parent, w(tag), attrib)
    el = etree.Element(w(tag), attrib)
    later.addprevious(el)
    return el


def complete_settings(settings: etree._Element) -> None:
    """Give w:zoom the w:percent the schema requires (python-docx's default template omits it)."""
    for zoom in settings.iter(w("zoom")):
        if zoom.get(w("percent")) is None:
            zoom.set(w("percent"), "100")


# ----------------------------------------------------------------------------- writing


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
