"""Build tampered PDFs from a genuine one: the moves a hostile counterparty makes with ordinary PDF tools.

Every helper takes the bytes of a PDF and returns new bytes; pages are 0-based here. Content is
added by rewriting a page's content stream (the original wrapped in q/Q so that what follows starts
from the default graphics state), fonts by adding Helvetica (a standard font) as /CKH.
"""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
import zipfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    RectangleObject,
    TextStringObject,
)

from contractkit.pdf.geometry import Box
from contractkit.pdf.marks import Glyph
from contractkit.pdf.paint import Painter

FONT = b"/CKH"


@lru_cache(maxsize=4)
def glyphs(pdf: bytes) -> list[list[Glyph]]:
    """Every page's characters as contractkit's interpreter sees them."""
    reader = PdfReader(io.BytesIO(pdf))
    painter = Painter(reader, set())
    return [painter.page(page).glyphs for page in reader.pages]


def locate(pdf: bytes, phrase: str) -> tuple[int, list[Glyph]]:
    """The page and the characters of the first place where `phrase` is drawn."""
    for number, page in enumerate(glyphs(pdf)):
        text = "".join(g.char for g in page)
        at = text.find(phrase)
        if at >= 0 and all(len(g.char) == 1 for g in page[: at + len(phrase)]):
            return number, page[at : at + len(phrase)]
    raise AssertionError(f"{phrase!r} is not drawn in the PDF")


def union(chars: list[Glyph]) -> Box:
    return (
        min(g.box[0] for g in chars),
        min(g.box[1] for g in chars),
        max(g.box[2] for g in chars),
        max(g.box[3] for g in chars),
    )


def rewrite(pdf: bytes, page: int, change: Callable[[PdfWriter, Any], None]) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    change(writer, writer.pages[page])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _set_contents(writer: PdfWriter, page: Any, data: bytes) -> None:
    stream = DecodedStreamObject()
    stream.set_data(data)
    page[NameObject("/Contents")] = writer._add_object(stream)
    resources = page["/Resources"].get_object()
    fonts = resources.setdefault(NameObject("/Font"), DictionaryObject()).get_object()
    helvetica = {"/Type": "/Font", "/Subtype": "/Type1", "/BaseFont": "/Helvetica", "/Encoding": "/WinAnsiEncoding"}
    fonts[NameObject(FONT.decode())] = DictionaryObject({NameObject(k): NameObject(v) for k, v in helvetica.items()})


def draw(pdf: bytes, page: int, ops: bytes, *, before: bytes = b"") -> bytes:
    """Add `ops` after the page's own drawing (and `before` it)."""

    def change(writer: PdfWriter, target: Any) -> None:
        original = target.get_contents().get_data()
        _set_contents(writer, target, before + b"\nq\n" + original + b"\nQ\n" + ops)

    return rewrite(pdf, page, change)


def text(words: str, x: float, y: float, *, size: float = 10.5, colour: bytes = b"0 g", mode: int = 0) -> bytes:
    """A text object that draws `words` in Helvetica."""
    escaped = words.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("cp1252")
    return b"q %s BT %s %g Tf %d Tr %g %g Td (%s) Tj ET Q\n" % (colour, FONT, size, mode, x, y, escaped)


def box_over(chars: list[Glyph], colour: bytes = b"1 g", pad: float = 0.5) -> bytes:
    x0, y0, x1, y1 = union(chars)
    return b"q %s %g %g %g %g re f Q\n" % (colour, x0 - pad, y0 - pad, x1 - x0 + 2 * pad, y1 - y0 + 2 * pad)


def crop(pdf: bytes, page: int, bottom: float) -> bytes:
    """Raise the bottom of the page's CropBox to `bottom` pt, hiding what lies below."""

    def change(writer: PdfWriter, target: Any) -> None:
        media = target.mediabox
        target.cropbox = RectangleObject((float(media.left), bottom, float(media.right), float(media.top)))

    return rewrite(pdf, page, change)


def keep_pages(pdf: bytes, pages: list[int]) -> bytes:
    writer = PdfWriter()
    reader = PdfReader(io.BytesIO(pdf))
    for n in pages:
        writer.add_page(reader.pages[n])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def free_text(pdf: bytes, page: int, words: str) -> bytes:
    from pypdf.annotations import FreeText

    def change(writer: PdfWriter, target: Any) -> None:
        writer.add_annotation(page, FreeText(text=words, rect=(70, 90, 520, 130), font_size="10pt"))

    return rewrite(pdf, page, change)


def form_field(pdf: bytes, page: int, name: str, value: str) -> bytes:
    """A text field (widget annotation in an AcroForm) whose value is shown on the page."""

    def change(writer: PdfWriter, target: Any) -> None:
        widget = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Widget"),
                NameObject("/FT"): NameObject("/Tx"),
                NameObject("/T"): TextStringObject(name),
                NameObject("/V"): TextStringObject(value),
                NameObject("/DA"): TextStringObject("/Helv 10 Tf 0 g"),
                NameObject("/F"): NumberObject(4),
                NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (70, 90, 520, 110)]),
            }
        )
        added = writer.add_annotation(page, widget)
        form = DictionaryObject(
            {
                NameObject("/Fields"): ArrayObject([added.indirect_reference]),
                NameObject("/NeedAppearances"): BooleanObject(True),
            }
        )
        writer._root_object[NameObject("/AcroForm")] = form

    return rewrite(pdf, page, change)


def lying_map(pdf: bytes, swaps: dict[str, str]) -> bytes:
    """Rewrite every ToUnicode map so that the glyphs of some letters claim to be other letters."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    done = set()
    for page in writer.pages:
        for ref in page["/Resources"].get_object()["/Font"].get_object().values():
            stream = ref.get_object().get("/ToUnicode")
            if stream is None or stream.idnum in done:
                continue
            done.add(stream.idnum)
            target = stream.get_object()
            target.set_data(_swap(target.get_data(), swaps))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _swap(cmap: bytes, swaps: dict[str, str]) -> bytes:
    table = {f"{ord(a):04X}".encode(): f"{ord(b):04X}".encode() for a, b in swaps.items()}

    def one(match: re.Match[bytes]) -> bytes:
        return match.group(1) + b"<" + table.get(match.group(2).upper(), match.group(2)) + b">"

    return re.sub(rb"(<[0-9A-Fa-f]{2,4}>\s*)<([0-9A-Fa-f]{4})>", one, cmap)


def rasterised(pdf: bytes, page: int, *, shown: bytes | None = None, text_on_top: bool = True) -> bytes:
    """The page replaced by a picture of `shown` (default: itself), its own text kept invisibly on top
    (rendering mode 3) or drawn beneath the picture."""
    picture = _picture(shown or pdf, page)
    width, height, pixels = picture

    def change(writer: PdfWriter, target: Any) -> None:
        image = DecodedStreamObject()
        image.set_data(pixels)
        image.update(
            {
                NameObject("/Type"): NameObject("/XObject"),
                NameObject("/Subtype"): NameObject("/Image"),
                NameObject("/Width"): NumberObject(width),
                NameObject("/Height"): NumberObject(height),
                NameObject("/ColorSpace"): NameObject("/DeviceGray"),
                NameObject("/BitsPerComponent"): NumberObject(8),
            }
        )
        resources = target["/Resources"].get_object()
        xobjects = resources.setdefault(NameObject("/XObject"), DictionaryObject()).get_object()
        xobjects[NameObject("/CKPage")] = writer._add_object(image)
        media = target.mediabox
        paint = b"q %g 0 0 %g 0 0 cm /CKPage Do Q\n" % (float(media.width), float(media.height))
        original = target.get_contents().get_data()
        own = b"q\n" + original + b"\nQ\n"
        _set_contents(writer, target, paint + b"3 Tr\n" + own if text_on_top else own + paint)

    return rewrite(pdf, page, change)


def _picture(pdf: bytes, page: int) -> tuple[int, int, bytes]:
    """A page rendered by pdftoppm at 100 dpi, as 8-bit grey pixels."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "in.pdf"
        source.write_bytes(pdf)
        command = ["pdftoppm", "-r", "100", "-gray", "-f", str(page + 1), "-l", str(page + 1), "-singlefile"]
        subprocess.run([*command, str(source), str(Path(tmp) / "out")], check=True, capture_output=True)
        data = (Path(tmp) / "out.pgm").read_bytes()
    header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+255\s", data)
    assert header is not None
    width, height = int(header.group(1)), int(header.group(2))
    return width, height, data[header.end() : header.end() + width * height]


def soffice_pdf(docx: Path, outdir: Path) -> Path:
    """A "Word-style" PDF export: LibreOffice converts the DOCX with its default settings, no manifest."""
    profile = f"-env:UserInstallation=file://{outdir / 'profile'}"
    command = ["soffice", profile, "--headless", "--convert-to", "pdf", "--outdir", str(outdir), str(docx)]
    subprocess.run(command, check=True, capture_output=True, timeout=240)
    return outdir / f"{docx.stem}.pdf"


def zipped(entries: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()
