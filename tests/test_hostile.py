"""Received files are hostile: each attack ends in exit 1 with one line on stderr, never a traceback."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from conftest import example

from contractkit import api
from contractkit.errors import CannotVerify
from contractkit.library.loading import Library
from contractkit.pdf.read import PdfLimits, clean_pages, read_pdf

W_DOC = b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'


@pytest.fixture(scope="module")
def drafted(library: Library) -> bytes:
    return api.render_docx(library, api.assemble(library, api.load_deal(example("northby-sepsis"), library)))


def zipped(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def pdf(objects: list[bytes], *, version: bytes = b"1.4") -> bytes:
    """A well-formed PDF (correct xref) around the given objects; object 1 is the catalog."""
    out = bytearray(b"%PDF-" + version + b"\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


MAIN_TYPE = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def word_package(document: bytes, main: str = "word/document.xml", **extra: bytes) -> bytes:
    """A minimal Word package: content types, the package relationship to `main`, and the main part."""
    types = (
        b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        b'<Default Extension="xml" ContentType="%s"/></Types>' % MAIN_TYPE
    )
    rels = (
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Target="%s" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/officeDocument"/></Relationships>' % main.encode()
    )
    return zipped({"[Content_Types].xml": types, "_rels/.rels": rels, main: document, **extra})


def zip_bomb() -> bytes:
    return word_package(W_DOC + b" " * 30_000_000)


def many_entries() -> bytes:
    return zipped({f"word/media/{n}.bin": b"x" for n in range(1001)})


def xxe() -> bytes:
    doc = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        + W_DOC
        + b"<w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>"
    )
    return word_package(doc)


def billion_laughs() -> bytes:
    entities = b"".join(b'<!ENTITY l%d "&l%d;&l%d;&l%d;&l%d;">' % (n, n - 1, n - 1, n - 1, n - 1) for n in range(1, 9))
    doc = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY l0 "lol">' + entities + b"]>" + W_DOC + b"&l8;</w:body>"
    return word_package(doc)


def page_tree_loop() -> bytes:
    return pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Pages /Kids [2 0 R] /Parent 2 0 R /Count 1 >>",
        ]
    )


def encrypted_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt("", "owner")  # even an empty user password is refused
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def not_an_agreement() -> bytes:
    from docx import Document

    document = Document()
    document.add_paragraph("Minutes of the meeting. The parties discussed the weather.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


ATTACKS: dict[str, tuple[Callable[[], bytes], str]] = {
    "zip-bomb": (zip_bomb, "zip bomb"),
    "zip-entries": (many_entries, "entries"),
    "xxe": (xxe, "DTD or entity"),
    "billion-laughs": (billion_laughs, "DTD or entity"),
    "page-tree-loop": (page_tree_loop, "cyclic"),
    "encrypted-pdf": (encrypted_pdf, "encrypted"),
    "ole-file": (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000), "encrypted Word file"),
    "plain-text": (lambda: b"This is not a contract.\n" * 20, "not a Word (.docx) or PDF"),
    "empty": (lambda: b"", "not a Word (.docx) or PDF"),
    # Since issue 11 the main part is found through _rels/.rels, never by its file name.
    "zip-not-word": (lambda: zipped({"hello.txt": b"hi"}), "no main document part"),
    "broken-xml": (lambda: word_package(W_DOC + b"<w:p>"), "malformed XML"),
    "pdf-garbage": (lambda: b"%PDF-1.7\n" + bytes(range(256)) * 4, "not a readable PDF"),
    "not-an-agreement": (not_an_agreement, "not an agreement"),
}


@pytest.mark.parametrize("name", ATTACKS)
def test_attack_cannot_be_verified(cli: Callable[..., Result], tmp_path: Path, name: str) -> None:
    make, message = ATTACKS[name]
    path = tmp_path / f"{name}.docx"
    path.write_bytes(make())
    result = cli("verify", path)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert message in result.stderr and str(path) in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr and "root:" not in result.output


def test_truncated_docx(cli: Callable[..., Result], tmp_path: Path, drafted: bytes) -> None:
    for cut in (len(drafted) // 2, len(drafted) - 30, 200):
        path = tmp_path / f"cut-{cut}.docx"
        path.write_bytes(drafted[:cut])
        result = cli("verify", path, "--format", "json")
        assert result.exit_code == 1 and "cannot verify" in result.stderr
        assert '"compliant": null' in result.stdout


def test_pdf_page_and_time_bounds(library: Library) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(3):
        writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(CannotVerify, match="3 pages"):
        read_pdf(out.getvalue(), PdfLimits(max_pages=2))
    with pytest.raises(CannotVerify, match="limit 100"):
        read_pdf(out.getvalue(), PdfLimits(max_bytes=100))
    with pytest.raises(CannotVerify, match="longer than"):
        read_pdf(out.getvalue(), PdfLimits(max_seconds=1e-9))


def test_page_furniture_and_hyphenation_are_cleaned() -> None:
    bodies = [
        ["1. NON-EXCLUSIVITY", "Every right of access is non-", "exclusive and free."],
        ["2. NATIONAL BENEFIT", "Each NHS Party remains free", "to share the data."],
        ["3. OPEN STANDARDS", "Outputs use open formats", "and no lock-in."],
    ]
    pages = ["\n".join(["REF-1 · Version 1 · DRAFT", *body, f"Page {n} of 3"]) for n, body in enumerate(bodies, 1)]
    text = clean_pages(pages)
    assert "DRAFT" not in text and "Page" not in text
    assert "non-exclusive and free." in text and "3. OPEN STANDARDS" in text and "and no lock-in." in text
