"""What a received file is, decided by its content: one Word (.docx) or one PDF, never both at once.

A polyglot (a file that is a valid ZIP and a valid PDF) shows one document in a PDF viewer and
another to anything that opens it as an archive or a Word file, so it cannot be verified. The
checks are structural rather than a search for four bytes, so that compressed data which happens to
contain "PK" does not make a genuine PDF unverifiable.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile

from contractkit.errors import CannotVerify

OLE = b"\xd0\xcf\x11\xe0"
LOCAL_HEADER = b"PK\x03\x04"
_PDF_HEADER = re.compile(rb"%PDF-\d")
_PDF_BODY = re.compile(rb"\bstartxref\b|\d+\s+\d+\s+obj\b")
_EOF = b"%%EOF"
_PADDING = b" \t\r\n\x00\x0c"
_ZIP_METHODS = {0, 8, 9, 12, 14, 93, 95, 98}  # stored, deflate(64), bzip2, lzma, zstd, xz, ppmd
POLYGLOT_HINT = "ask for the agreement as a plain .docx or .pdf file"


def classify(data: bytes) -> str:
    """'docx' or 'pdf'; CannotVerify for anything else, including a file that is two formats at once."""
    zip_like = data.startswith(LOCAL_HEADER) or _has_zip_directory(data)
    pdf_like = _looks_like_pdf(data)
    if zip_like and pdf_like:
        raise CannotVerify("the file is both a ZIP archive (such as a Word file) and a PDF", hint=POLYGLOT_HINT)
    if zip_like:
        if not data.startswith(LOCAL_HEADER):
            raise CannotVerify("the file has other data before its ZIP (Word) content", hint=POLYGLOT_HINT)
        return "docx"
    if pdf_like:
        _check_pdf_bounds(data)
        return "pdf"
    if data.startswith(OLE):
        raise CannotVerify("an encrypted Word file or an old binary .doc", hint="ask for an unencrypted .docx or a PDF")
    raise CannotVerify("not a Word (.docx) or PDF document")


def _looks_like_pdf(data: bytes) -> bool:
    """A PDF header anywhere with PDF structure after it (viewers accept a header past byte 0)."""
    header = _PDF_HEADER.search(data)
    return header is not None and (header.start() < 1024 or _PDF_BODY.search(data, header.end()) is not None)


def _check_pdf_bounds(data: bytes) -> None:
    """A PDF must start at its header and end at its last %%EOF: anything around it is another payload."""
    header = _PDF_HEADER.search(data)
    assert header is not None
    if data[: header.start()].strip(_PADDING):
        raise CannotVerify("the file has other data before its PDF header", hint=POLYGLOT_HINT)
    end = data.rfind(_EOF)
    if end >= 0 and data[end + len(_EOF) :].strip(_PADDING):
        extra = len(data) - end - len(_EOF)
        raise CannotVerify(f"the file has {extra} bytes of other data after the end of the PDF", hint=POLYGLOT_HINT)
    if _has_local_header(data):
        raise CannotVerify("the file is both a PDF and a ZIP archive (a ZIP entry inside it)", hint=POLYGLOT_HINT)


def _has_zip_directory(data: bytes) -> bool:
    """True if a ZIP reader finds a central directory (it looks at the end, so appended archives count)."""
    if b"PK\x05\x06" not in data[-(65536 + 22) :]:
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return bool(archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, struct.error):
        return False


def _has_local_header(data: bytes) -> bool:
    """A plausible ZIP local file header anywhere: readers that stream an archive accept it."""
    at = data.find(LOCAL_HEADER)
    while at >= 0:
        if _plausible_entry(data, at):
            return True
        at = data.find(LOCAL_HEADER, at + 1)
    return False


def _plausible_entry(data: bytes, at: int) -> bool:
    fixed = data[at + 4 : at + 30]
    if len(fixed) < 26:
        return False
    version, _flags, method, *_rest, name_len, _extra_len = struct.unpack("<HHHHHIIIHH", fixed)
    name = data[at + 30 : at + 30 + name_len]
    return (
        version <= 63
        and method in _ZIP_METHODS
        and 0 < name_len <= 512
        and len(name) == name_len
        and all(32 <= b < 127 for b in name)
    )
