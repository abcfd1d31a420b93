"""Agreements as PDF/A through LibreOffice, with their metadata and provenance manifest inside.

LibreOffice (run by pdf.soffice) lays out the same DOCX the Word output is, so the two
documents agree. The metadata and the manifest are then appended as an incremental update, which
leaves LibreOffice's bytes untouched; the attachment makes the file PDF/A-3b. `read_manifest`
reads the manifest back from a PDF that may be hostile.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import tempfile
from pathlib import Path
from typing import Any, cast

from contractkit.drafting.assemble import Agreement
from contractkit.errors import CannotVerify
from contractkit.pdf.soffice import (
    INSTALL_HINT,
    PDFA2,
    PDFA3,
    SOFFICE_ENV,
    Conversion,
    ConversionFailed,
    Converter,
    convert_many,
    soffice,
    soffice_command,
    split,
)

__all__ = [
    "INSTALL_HINT",
    "MANIFEST_NAME",
    "PDFA2",
    "PDFA3",
    "SOFFICE_ENV",
    "Conversion",
    "ConversionFailed",
    "Converter",
    "cold_docx_to_pdf",
    "convert_many",
    "docx_to_pdf",
    "finish",
    "metadata",
    "read_manifest",
    "soffice",
    "soffice_command",
    "split",
    "to_pdf",
]

MANIFEST_NAME = "contractkit-manifest.json"
NOT_PDFA = "LibreOffice wrote a PDF without XMP metadata, so it is not PDF/A"
MANIFEST_LIMIT = 5 * 1024 * 1024  # bytes: a manifest is a few kB; anything huge is hostile
XMP_NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
}


def docx_to_pdf(data: bytes, *, timeout: float = 120.0, pdfa: int = PDFA2) -> bytes:
    """One DOCX to PDF/A-2b (or PDF/A-3b with pdfa=3). Raises ConversionFailed with the reason.

    A warm converter does it when a pool is running (this process's, or the one `contractkit pool
    start` runs; see pdf/pool.py); otherwise, or when none of its converters can take it, a cold
    soffice does, as before."""
    from contractkit.pdf.pool import warm_pdf

    warm = warm_pdf(data, pdfa=pdfa, timeout=timeout)
    if warm is not None:
        return warm
    return cold_docx_to_pdf(data, timeout=timeout, pdfa=pdfa)


def cold_docx_to_pdf(data: bytes, *, timeout: float = 120.0, pdfa: int = PDFA2) -> bytes:
    """One DOCX to PDF/A through a soffice started for it alone (about a second and a half)."""
    with tempfile.TemporaryDirectory(prefix="contractkit-pdf-") as tmp:
        source = Path(tmp) / "agreement.docx"
        source.write_bytes(data)
        (result,) = convert_many([source], Path(tmp) / "out", pdfa=pdfa, timeout=timeout)
        if result.pdf is None:
            raise ConversionFailed(result.error or "LibreOffice did not convert the document")
        return result.pdf.read_bytes()


# ----------------------------------------------------------------------------- metadata and manifest


def to_pdf(agreement: Agreement, docx: bytes) -> bytes:
    """The agreement as PDF/A-3b: LibreOffice's rendering of `docx`, its metadata and its manifest."""
    return finish(agreement, docx_to_pdf(docx, pdfa=PDFA3))


def metadata(agreement: Agreement) -> dict[str, str]:
    """Title, subject and keywords (agreement reference, clause-library and playbook versions)."""
    deal, playbook = agreement.deal, agreement.playbook
    ref = deal.agreement.reference
    return {
        "title": f"{playbook.title}: {deal.agreement.title}",
        "subject": f"{deal.agreement.title} (agreement {ref}, version {deal.agreement.version})",
        "keywords": "; ".join(
            [
                f"agreement {ref}",
                f"version {deal.agreement.version}",
                f"clause library {agreement.library_version}",
                f"playbook {playbook.id} {playbook.version}",
                "final" if agreement.final else "draft",
            ]
        ),
    }


def finish(agreement: Agreement, pdf: bytes) -> bytes:
    """Set the metadata and attach the manifest to a PDF/A-3b that LibreOffice wrote.

    The changes are an incremental update appended to LibreOffice's bytes, which stay untouched:
    fast (no re-serialising of the whole file) and allowed by PDF/A. The manifest is signed with
    this installation's key, as in the DOCX.
    """
    from contractkit.trust.keys import installation_signer

    update = _Update(pdf)
    root = update.trailer.raw_get("/Root")
    catalog = update.copy(root)
    _describe(update, catalog, metadata(agreement))
    stamp = dt.datetime.combine(agreement.deal.agreement.date, dt.time(0, 0))
    _attach(update, catalog, agreement.manifest_json(installation_signer()).encode(), stamp)
    update.put(root.idnum, catalog)
    return update.write()


def _describe(update: _Update, catalog: Any, meta: dict[str, str]) -> None:
    """Title, subject and keywords in the document information and, to match, in the XMP."""
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    if "/Metadata" not in catalog:
        raise ConversionFailed(NOT_PDFA, hint="PDF/A export options need LibreOffice 7.4 or later")
    catalog[NameObject("/Metadata")] = update.add(_xmp_stream(catalog["/Metadata"].get_object().get_data(), meta))
    info_ref = update.trailer.raw_get("/Info") if "/Info" in update.trailer else None
    info = update.copy(info_ref) if info_ref is not None else DictionaryObject()
    for key in ("title", "subject", "keywords"):
        info[NameObject(f"/{key.capitalize()}")] = TextStringObject(meta[key])
    if info_ref is not None:
        update.put(info_ref.idnum, info)
    else:
        update.info = update.add(info)


def _attach(update: _Update, catalog: Any, data: bytes, stamp: dt.datetime) -> None:
    """The manifest as an embedded file, listed in the name tree and as an associated file."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    filespec = update.add(_filespec(update, data, stamp))
    names = DictionaryObject(dict(catalog["/Names"].get_object().items())) if "/Names" in catalog else None
    names = names if names is not None else DictionaryObject()
    names[NameObject("/EmbeddedFiles")] = DictionaryObject(
        {NameObject("/Names"): ArrayObject([TextStringObject(MANIFEST_NAME), filespec])}
    )
    catalog[NameObject("/Names")] = update.add(names)
    catalog[NameObject("/AF")] = ArrayObject([filespec])


class _Update:
    """New and replaced objects, written after the original file with their own xref section."""

    def __init__(self, pdf: bytes) -> None:
        from pypdf import PdfReader

        self.pdf = pdf
        self.reader = PdfReader(io.BytesIO(pdf))
        self.trailer: Any = self.reader.trailer
        self.size = int(cast(Any, self.trailer["/Size"]))
        self.objects: dict[int, Any] = {}
        self.info: Any = self.trailer.raw_get("/Info") if "/Info" in self.trailer else None

    def copy(self, ref: Any) -> Any:
        """A shallow copy of an existing dictionary, keeping its references unresolved."""
        from pypdf.generic import DictionaryObject

        return DictionaryObject(dict(ref.get_object().items()))

    def put(self, number: int, obj: Any) -> None:
        self.objects[number] = obj

    def add(self, obj: Any) -> Any:
        from pypdf.generic import IndirectObject

        self.objects[self.size] = obj
        self.size += 1
        return IndirectObject(self.size - 1, 0, self.reader)

    def write(self) -> bytes:
        from pypdf.generic import ArrayObject, ByteStringObject, DictionaryObject, NameObject, NumberObject

        out = io.BytesIO()
        out.write(self.pdf if self.pdf.endswith(b"\n") else self.pdf + b"\n")
        offsets = {}
        for number, obj in sorted(self.objects.items()):
            offsets[number] = out.tell()
            out.write(f"{number} 0 obj\n".encode())
            obj.write_to_stream(out)
            out.write(b"\nendobj\n")
        xref = out.tell()
        out.write(b"xref\n")
        for number, offset in offsets.items():
            out.write(f"{number} 1\n{offset:010d} 00000 n\r\n".encode())
        previous = int(self.pdf[self.pdf.rindex(b"startxref") + 9 :].split()[0])
        trailer = DictionaryObject(
            {NameObject("/Size"): NumberObject(self.size), NameObject("/Prev"): NumberObject(previous)}
        )
        trailer[NameObject("/Root")] = self.trailer.raw_get("/Root")
        if self.info is not None:
            trailer[NameObject("/Info")] = self.info
        if "/ID" in self.trailer:  # PDF/A needs it; keep LibreOffice's bytes exactly
            ids = [getattr(i, "original_bytes", i) for i in self.trailer["/ID"]]
            trailer[NameObject("/ID")] = ArrayObject([ByteStringObject(bytes(i)) for i in ids])
        out.write(b"trailer\n")
        trailer.write_to_stream(out)
        out.write(f"\nstartxref\n{xref}\n%%EOF\n".encode())
        return out.getvalue()


def _xmp_stream(xmp: bytes, meta: dict[str, str]) -> Any:
    """The XMP packet with title, description and keywords matching the document information."""
    from lxml import etree
    from pypdf.generic import DecodedStreamObject, NameObject

    root = etree.fromstring(xmp, etree.XMLParser(resolve_entities=False, no_network=True))
    rdf = root.find("rdf:RDF", XMP_NS)
    if rdf is None:
        raise ConversionFailed(NOT_PDFA, hint="PDF/A export options need LibreOffice 7.4 or later")
    _xmp_alt(rdf, "dc", "title", meta["title"])
    _xmp_alt(rdf, "dc", "description", meta["subject"])
    _xmp_value(rdf, "pdf", "Keywords", meta["keywords"])
    stream = DecodedStreamObject()  # PDF/A forbids filters on the metadata stream
    stream.set_data(
        b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        + etree.tostring(root, encoding="utf-8")
        + b'\n<?xpacket end="w"?>'
    )
    stream.update({NameObject("/Type"): NameObject("/Metadata"), NameObject("/Subtype"): NameObject("/XML")})
    return stream


def _description(rdf: Any, prefix: str) -> Any:
    """The rdf:Description holding `prefix` properties, created if LibreOffice wrote none."""
    from lxml import etree

    for desc in rdf.findall("rdf:Description", XMP_NS):
        if any(child.tag.startswith(f"{{{XMP_NS[prefix]}}}") for child in desc):
            return desc
    desc = etree.SubElement(rdf, f"{{{XMP_NS['rdf']}}}Description", nsmap={prefix: XMP_NS[prefix]})
    desc.set(f"{{{XMP_NS['rdf']}}}about", "")
    return desc


def _xmp_value(rdf: Any, prefix: str, name: str, value: str) -> None:
    from lxml import etree

    desc = _description(rdf, prefix)
    el = desc.find(f"{prefix}:{name}", XMP_NS)
    if el is None:
        el = etree.SubElement(desc, f"{{{XMP_NS[prefix]}}}{name}")
    el.text = value


def _xmp_alt(rdf: Any, prefix: str, name: str, value: str) -> None:
    """A language alternative (rdf:Alt) with one x-default entry, as dc:title and dc:description are."""
    from lxml import etree

    desc = _description(rdf, prefix)
    el = desc.find(f"{prefix}:{name}", XMP_NS)
    if el is not None:
        desc.remove(el)
    el = etree.SubElement(desc, f"{{{XMP_NS[prefix]}}}{name}")
    li = etree.SubElement(etree.SubElement(el, f"{{{XMP_NS['rdf']}}}Alt"), f"{{{XMP_NS['rdf']}}}li")
    li.set("{http://www.w3.org/XML/1998/namespace}lang", "x-default")
    li.text = value


def _filespec(update: _Update, data: bytes, stamp: dt.datetime) -> Any:
    """The manifest as a PDF/A-3 associated file: MIME type, dates, size and its relationship."""
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject, NumberObject, TextStringObject

    date = TextStringObject(stamp.strftime("D:%Y%m%d%H%M%S+00'00'"))
    stream = DecodedStreamObject()
    stream.set_data(data)
    stream.update(
        {
            NameObject("/Type"): NameObject("/EmbeddedFile"),
            NameObject("/Subtype"): NameObject("/application/json"),  # written as /application#2Fjson
            NameObject("/Params"): DictionaryObject(
                {
                    NameObject("/Size"): NumberObject(len(data)),
                    NameObject("/CreationDate"): date,
                    NameObject("/ModDate"): date,
                }
            ),
        }
    )
    ref = update.add(stream)
    name = TextStringObject(MANIFEST_NAME)
    return DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Filespec"),
            NameObject("/F"): name,
            NameObject("/UF"): name,
            NameObject("/Desc"): TextStringObject(
                "contractkit provenance manifest: library, playbook and clause hashes"
            ),
            NameObject("/AFRelationship"): NameObject("/Data"),
            NameObject("/EF"): DictionaryObject({NameObject("/F"): ref, NameObject("/UF"): ref}),
        }
    )


# ----------------------------------------------------------------------------- reading back


def read_manifest(pdf: bytes) -> dict[str, Any] | None:
    """The manifest attached to a PDF, or None if it has none. Raises CannotVerify on a bad file."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(pdf), strict=False)
        if reader.is_encrypted:
            raise CannotVerify("the PDF is encrypted, so its manifest cannot be read")
        found = reader.attachments.get(MANIFEST_NAME)
    except CannotVerify:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError, OSError) as exc:
        raise CannotVerify(f"not a readable PDF ({type(exc).__name__}: {exc})") from None
    if not found:
        return None
    if len(found[0]) > MANIFEST_LIMIT:
        raise CannotVerify(f"attached manifest is {len(found[0])} bytes (limit {MANIFEST_LIMIT})")
    try:
        manifest = json.loads(found[0])
    except (ValueError, UnicodeDecodeError) as exc:
        raise CannotVerify(f"attached {MANIFEST_NAME} is not valid JSON: {exc}") from None
    if not isinstance(manifest, dict):
        raise CannotVerify(f"attached {MANIFEST_NAME} is not a JSON object")
    return manifest
