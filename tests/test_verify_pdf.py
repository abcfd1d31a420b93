"""`contractkit verify` on PDFs, judged by what is drawn: a tamper corpus built from a genuine draft.

Every case starts from a PDF that contractkit drafted (real LibreOffice) and changes it the way a
hostile counterparty would with ordinary PDF tools; each must fail (exit 3) with the finding's
kind and page, or be refused (exit 1). Genuine documents (contractkit's PDFs, the Welsh example,
a LibreOffice export of the DOCX without a manifest) must still comply, with the OCR cross-check.
"""

from __future__ import annotations

import json
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from conftest import example, needs_soffice, needs_tesseract
from pdf_tamper import (
    box_over,
    crop,
    draw,
    form_field,
    free_text,
    keep_pages,
    locate,
    lying_map,
    rasterised,
    rewrite,
    soffice_pdf,
    text,
    zipped,
)
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject

from contractkit.cli import main
from contractkit.pdf.read import read_pdf

pytestmark = needs_soffice()
EXCLUSIVE = "The Partner alone may use the NHS Data"
FREE_Y = 68  # pt: a line on page 6 between the last line of text and the footer


def run(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def drafts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Genuine PDFs: two examples drafted by contractkit, and a LibreOffice export of a drafted DOCX."""
    work = tmp_path_factory.mktemp("genuine")
    out = {}
    for name in ("northby-sepsis", "cwm-alarch-diabetes-academic", "harbourside-chest-xray-ai"):
        out[name] = work / f"{name}.pdf"
        assert run("draft", example(name), "-o", out[name]).exit_code == 0
    docx = work / "export.docx"
    assert run("draft", example("northby-sepsis"), "-o", docx).exit_code == 0
    soffice_pdf(docx, work / "lo")
    out["export"] = work / "lo" / "export.pdf"
    return out


@pytest.fixture(scope="module")
def genuine(drafts: dict[str, Path]) -> bytes:
    return drafts["northby-sepsis"].read_bytes()


def verdict(tmp_path: Path, data: bytes, *options: str) -> tuple[int, list[dict[str, Any]], str]:
    """Exit code, findings and stderr of `contractkit verify` on `data`."""
    path = tmp_path / "received.pdf"
    path.write_bytes(data)
    result = run("verify", "--format", "json", *options, path)
    report = json.loads(result.stdout)
    return result.exit_code, report["findings"], result.stderr


def found(findings: list[dict[str, Any]], kind: str, page: int) -> list[dict[str, Any]]:
    return [f for f in findings if f["kind"] == kind and f["location"] == f"page {page}"]


# ----------------------------------------------------------------------------- genuine documents


@needs_tesseract()
def test_genuine_pdf_complies_with_the_ocr_cross_check(drafts: dict[str, Path]) -> None:
    result = run("verify", "--format", "json", drafts["northby-sepsis"])
    assert json.loads(result.stdout)["findings"] == []
    assert result.exit_code == 0, result.stderr


def test_genuine_pdfs_comply(drafts: dict[str, Path]) -> None:
    """contractkit's PDFs carry a manifest this installation signed; LibreOffice's export of the DOCX
    has none, so its deal values are proved against the deal file."""
    ours = [path for name, path in drafts.items() if name != "export"]
    result = run("verify", "--no-ocr", *ours)
    assert result.exit_code == 0, result.stdout + result.stderr
    exported = run("verify", "--no-ocr", "--against", example("northby-sepsis"), drafts["export"])
    assert exported.exit_code == 0, exported.stdout + exported.stderr


def test_a_pdf_with_several_special_conditions_has_no_warnings(drafts: dict[str, Path]) -> None:
    """Each special condition is a numbered paragraph of its own; the numbers PDF text prints
    between them are not part of the deal's values (the manifest hash is over the values alone)."""
    result = run("verify", "--no-ocr", "--format", "json", drafts["harbourside-chest-xray-ai"])
    assert json.loads(result.stdout)["findings"] == []
    assert result.exit_code == 0, result.stderr


@needs_tesseract()
@pytest.mark.parametrize("name", ["cwm-alarch-diabetes-academic", "export"])
def test_other_genuine_pdfs_print_what_they_say(drafts: dict[str, Path], name: str) -> None:
    """The contents page (OCR's hardest), a clause page and the tables, of the Welsh example and of a
    LibreOffice export; bench/ocr_noise.py checks every page of every example."""
    data = drafts[name].read_bytes()
    tables = [n for n, page in enumerate(read_pdf(data).page_texts) if "SCHEDULE" in page][:3]
    assert read_pdf(keep_pages(data, [1, 6, *tables]), ocr=True).issues == []


def test_genuine_pdf_has_no_drawing_findings(genuine: bytes) -> None:
    assert read_pdf(genuine).issues == []


# ----------------------------------------------------------------------------- text a reader cannot see


def white_box_over_non(pdf: bytes) -> tuple[bytes, int, str]:
    page, chars = locate(pdf, "non-exclusive.")
    return draw(pdf, page, box_over(chars[:4])), page, "non-"


def white_text(pdf: bytes) -> tuple[bytes, int, str]:
    return draw(pdf, 5, text(EXCLUSIVE, 72, FREE_Y, colour=b"1 1 1 rg")), 5, EXCLUSIVE


def invisible_text(pdf: bytes) -> tuple[bytes, int, str]:
    return draw(pdf, 5, text(EXCLUSIVE, 72, FREE_Y, mode=3)), 5, EXCLUSIVE


def invisible_clip_mode(pdf: bytes) -> tuple[bytes, int, str]:
    return draw(pdf, 5, text(EXCLUSIVE, 72, FREE_Y, mode=7)), 5, EXCLUSIVE


def text_like_its_shape(pdf: bytes) -> tuple[bytes, int, str]:
    shape = b"q 0 0.19 0.53 rg 60 60 400 25 re f Q\n"
    return draw(pdf, 5, shape + text(EXCLUSIVE, 72, FREE_Y, colour=b"0 0.2 0.53 rg")), 5, EXCLUSIVE


def nearly_white_cmyk(pdf: bytes) -> tuple[bytes, int, str]:
    return draw(pdf, 5, text(EXCLUSIVE, 72, FREE_Y, colour=b"0.02 0 0.03 0 k")), 5, EXCLUSIVE


def tiny_text(pdf: bytes) -> tuple[bytes, int, str]:
    return draw(pdf, 5, text(EXCLUSIVE, 72, FREE_Y, size=1.5)), 5, EXCLUSIVE


def squeezed_text(pdf: bytes) -> tuple[bytes, int, str]:
    ops = text(EXCLUSIVE, 72, FREE_Y).replace(b"BT", b"BT 3 Tz", 1)
    return draw(pdf, 5, ops), 5, EXCLUSIVE


def outside_the_page(pdf: bytes) -> tuple[bytes, int, str]:
    return draw(pdf, 5, text(EXCLUSIVE, -900, FREE_Y)), 5, EXCLUSIVE


def clipped_away(pdf: bytes) -> tuple[bytes, int, str]:
    return draw(pdf, 5, b"q 0 0 5 5 re W n " + text(EXCLUSIVE, 72, FREE_Y) + b"Q\n"), 5, EXCLUSIVE


def crop_box_hides_lines(pdf: bytes) -> tuple[bytes, int, str]:
    page, chars = locate(pdf, "non-exclusive.")
    return crop(pdf, page, chars[0].box[3] + 2), page, "non-exclusive"


def transparent_white_box(pdf: bytes) -> tuple[bytes, int, str]:
    page, chars = locate(pdf, "non-exclusive.")
    ops = b"q /CKGS gs " + box_over(chars[:4]) + b"Q\n"
    data = draw(pdf, page, ops)
    return _with_alpha(data, page, 0.9), page, "non-"


def white_blob_over_non(pdf: bytes) -> tuple[bytes, int, str]:
    """A curved white shape (not a rectangle) over the word."""
    page, chars = locate(pdf, "non-exclusive.")
    x0, y0 = chars[0].box[0] - 1, chars[0].box[1] - 1
    x1, y1 = chars[3].box[2] + 1, chars[3].box[3] + 1
    mid = (y0 + y1) / 2
    blob = b"q 1 g %g %g m %g %g %g %g %g %g c %g %g %g %g %g %g c f Q\n" % (
        x0, mid, x0, y1 + 6, x1, y1 + 6, x1, mid, x1, y0 - 6, x0, y0 - 6, x0, mid
    )  # fmt: skip
    return draw(pdf, page, blob), page, "non-"


def letters_stacked_on_non(pdf: bytes) -> tuple[bytes, int, str]:
    page, chars = locate(pdf, "non-exclusive.")
    x0, y0 = chars[0].box[0], chars[0].y - 0.3 * chars[0].size
    return draw(pdf, page, text("mmmm", x0, y0, size=chars[0].size)), page, "non-"


def struck_through_non(pdf: bytes) -> tuple[bytes, int, str]:
    page, chars = locate(pdf, "non-exclusive.")
    x0, x1, y = chars[0].box[0], chars[3].box[2], chars[0].y
    return draw(pdf, page, b"q 0 g %g %g %g 0.8 re f Q\n" % (x0, y - 0.4, x1 - x0)), page, "non-"


def hidden_layer(pdf: bytes) -> tuple[bytes, int, str]:
    def change(writer: PdfWriter, page: Any) -> None:
        group = writer._add_object(DictionaryObject({NameObject("/Type"): NameObject("/OCG")}))
        writer._root_object[NameObject("/OCProperties")] = DictionaryObject(
            {
                NameObject("/OCGs"): ArrayObject([group]),
                NameObject("/D"): DictionaryObject({NameObject("/OFF"): ArrayObject([group])}),
            }
        )
        resources = page["/Resources"].get_object()
        resources[NameObject("/Properties")] = DictionaryObject({NameObject("/CKLayer"): group})

    layered = rewrite(pdf, 5, change)
    return draw(layered, 5, b"/OC /CKLayer BDC " + text(EXCLUSIVE, 72, FREE_Y) + b"EMC\n"), 5, EXCLUSIVE


def covered_by_a_picture(pdf: bytes) -> tuple[bytes, int, str]:
    return rasterised(pdf, 5, text_on_top=False), 5, ""


def picture_with_invisible_text(pdf: bytes) -> tuple[bytes, int, str]:
    return rasterised(pdf, 5), 5, ""


def _with_alpha(pdf: bytes, page: int, alpha: float) -> bytes:
    def change(writer: PdfWriter, target: Any) -> None:
        resources = target["/Resources"].get_object()
        states = resources.setdefault(NameObject("/ExtGState"), DictionaryObject()).get_object()
        states[NameObject("/CKGS")] = DictionaryObject({NameObject("/ca"): FloatObject(alpha)})

    return rewrite(pdf, page, change)


DRAWN: dict[str, tuple[Callable[[bytes], tuple[bytes, int, str]], str]] = {
    "white box over non-": (white_box_over_non, "covered-text"),
    "curved white shape over non-": (white_blob_over_non, "covered-text"),
    "90% opaque white box over non-": (transparent_white_box, "covered-text"),
    "letters stacked on non-": (letters_stacked_on_non, "covered-text"),
    "line striking out non-": (struck_through_non, "covered-text"),
    "page turned into a picture over its text": (covered_by_a_picture, "covered-text"),
    "picture with the text as an invisible layer": (picture_with_invisible_text, "hidden-text"),
    "white text": (white_text, "low-contrast-text"),
    "text in the colour of the shape beneath": (text_like_its_shape, "low-contrast-text"),
    "nearly white CMYK text": (nearly_white_cmyk, "low-contrast-text"),
    "rendering mode 3": (invisible_text, "hidden-text"),
    "rendering mode 7": (invisible_clip_mode, "hidden-text"),
    "layer switched off": (hidden_layer, "hidden-text"),
    "1.5 pt text": (tiny_text, "tiny-text"),
    "text squeezed to 3% width": (squeezed_text, "tiny-text"),
    "text off the page": (outside_the_page, "clipped-text"),
    "text clipped away": (clipped_away, "clipped-text"),
    "CropBox hides lines": (crop_box_hides_lines, "clipped-text"),
}


@pytest.mark.parametrize("case", list(DRAWN))
def test_text_a_reader_cannot_see_fails(genuine: bytes, tmp_path: Path, case: str) -> None:
    build, kind = DRAWN[case]
    data, page, words = build(genuine)
    code, findings, _ = verdict(tmp_path, data, "--no-ocr")
    assert code == 3
    hits = found(findings, kind, page + 1)
    assert hits, [(f["kind"], f["location"], f["detail"][:120]) for f in findings]
    assert words in hits[0]["detail"]
    assert hits[0]["severity"] == "error" and hits[0]["principle"] == "P4"


# ----------------------------------------------------------------------------- beside the text


def test_free_text_annotation_fails(genuine: bytes, tmp_path: Path) -> None:
    code, findings, _ = verdict(tmp_path, free_text(genuine, 4, EXCLUSIVE), "--no-ocr")
    assert code == 3
    (hit,) = found(findings, "annotation", 5)
    assert "FreeText" in hit["detail"] and EXCLUSIVE in hit["detail"]


def test_form_field_fails(genuine: bytes, tmp_path: Path) -> None:
    code, findings, _ = verdict(tmp_path, form_field(genuine, 4, "Exclusivity", "exclusive"), "--no-ocr")
    assert code == 3
    assert found(findings, "form-field", 5)
    assert any(f["kind"] == "form-field" and "Exclusivity" in f["detail"] for f in findings)


def test_attached_side_letter_fails(genuine: bytes, tmp_path: Path) -> None:
    def attach(writer: PdfWriter, page: Any) -> None:
        writer.add_attachment("side-letter.txt", EXCLUSIVE.encode())

    code, findings, _ = verdict(tmp_path, rewrite(genuine, 0, attach), "--no-ocr")
    assert code == 3
    assert [f["detail"] for f in findings if f["kind"] == "attachment"] == [
        "a file 'side-letter.txt' is attached to the PDF"
    ]


# ----------------------------------------------------------------------------- one file, two formats


def local_header(name: bytes) -> bytes:
    return b"PK\x03\x04" + struct.pack("<HHHHHIIIHH", 20, 0, 0, 0, 0, 0, 3, 3, len(name), 0) + name + b"abc"


POLYGLOTS: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "PDF with a ZIP appended": (
        lambda pdf: pdf + zipped({"word/document.xml": b"<w:document/>"}),
        "both a ZIP archive",
    ),
    "ZIP holding a PDF, stored": (
        lambda pdf: zipped({"agreement.pdf": pdf, "word/document.xml": b"<x/>"}, zipfile.ZIP_STORED),
        "both a ZIP archive",
    ),
    "PDF with a ZIP entry inside": (
        lambda pdf: pdf.replace(b"\n", b"\n%" + local_header(b"word/document.xml") + b"\n", 1),
        "ZIP entry inside",
    ),
    "PDF behind a ZIP local header": (lambda pdf: local_header(b"a.txt") + pdf, "both a ZIP archive"),
    "data after %%EOF": (lambda pdf: pdf + b"<html><body>exclusive</body></html>\n", "after the end of the PDF"),
    "data before the header": (lambda pdf: b"GIF89a\x01\x00\x01\x00" + pdf, "before its PDF header"),
}


@pytest.mark.parametrize("case", list(POLYGLOTS))
def test_file_that_is_two_formats_cannot_be_verified(genuine: bytes, tmp_path: Path, case: str) -> None:
    build, message = POLYGLOTS[case]
    path = tmp_path / "received.pdf"
    path.write_bytes(build(genuine))
    result = run("verify", path)
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and message in result.stderr and "Traceback" not in result.stderr


# ----------------------------------------------------------------------------- the rendered-page cross-check


@needs_tesseract()
def test_lying_font_map_is_caught_by_ocr(genuine: bytes) -> None:
    page = keep_pages(genuine, [5])
    assert read_pdf(page, ocr=True).issues == []
    lied = lying_map(page, {"e": "o", "o": "e"})
    assert read_pdf(lied).issues == []  # nothing drawn differently: only the printed page tells
    (hit,) = read_pdf(lied, ocr=True).issues
    assert (hit.kind, hit.location) == ("ocr-mismatch", "page 1")
    assert "in the text but not printed" in hit.detail and "printed but not in the text" in hit.detail


@needs_tesseract()
def test_words_printed_only_in_a_picture_are_caught_by_ocr(genuine: bytes) -> None:
    page = keep_pages(genuine, [5])
    shown = draw(page, 0, text("The Partner shall have sole and exclusive rights to all NHS Data", 72, FREE_Y))
    issues = read_pdf(rasterised(page, 0, shown=shown), ocr=True).issues
    kinds = {(i.kind, i.location) for i in issues}
    assert kinds == {("hidden-text", "page 1"), ("ocr-mismatch", "page 1")}
    mismatch = next(i for i in issues if i.kind == "ocr-mismatch")
    assert "printed but not in the text: 'the partner shall have sole and exclusive rights" in mismatch.detail


@needs_tesseract()
def test_no_ocr_skips_the_cross_check(genuine: bytes, tmp_path: Path) -> None:
    lied = lying_map(keep_pages(genuine, [0, 5]), {"e": "o", "o": "e"})
    with_ocr = verdict(tmp_path, lied)[1]
    without = verdict(tmp_path, lied, "--no-ocr")[1]
    assert found(with_ocr, "ocr-mismatch", 2) and not [f for f in without if f["kind"] == "ocr-mismatch"]


def test_missing_tesseract_is_one_clear_line(genuine: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pytesseract

    from contractkit.pdf import ocr

    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", str(tmp_path / "no-tesseract"))
    ocr._languages.cache_clear()
    try:
        path = tmp_path / "received.pdf"
        path.write_bytes(genuine)
        result = run("verify", path)
        assert result.exit_code == 1
        assert "Tesseract OCR (with English) is not installed" in result.stderr and "--no-ocr" in result.stderr
        assert result.stderr.count("\n") == 1
        assert run("verify", "--no-ocr", path).exit_code == 0
    finally:
        ocr._languages.cache_clear()


def test_text_report_names_the_page_and_the_words(genuine: bytes, tmp_path: Path) -> None:
    data, page, _ = white_box_over_non(genuine)
    path = tmp_path / "received.pdf"
    path.write_bytes(data)
    result = run("verify", "--no-ocr", path)
    assert result.exit_code == 3
    expected = f"  covered-text (page {page + 1}) [P4]: 4 character(s) on page {page + 1} covered by a filled shape"
    assert expected + " drawn over it: 'non-'" in result.stdout.splitlines()
