"""Units of the PDF inspection: file classification, fonts and CMaps, geometry, colour, the content-stream
interpreter on small hand-made pages, and the OCR word comparison."""

from __future__ import annotations

import io
import re
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader
from test_hostile import pdf

from contractkit.checking.filetype import classify
from contractkit.errors import CannotVerify
from contractkit.pdf import ocr_render
from contractkit.pdf.colour import BLACK, GRAY, WHITE, Space, contrast, space, to_rgb
from contractkit.pdf.fonts import Font, parse_cmap
from contractkit.pdf.geometry import region
from contractkit.pdf.inspect import inspect, quote
from contractkit.pdf.marks import Drawing
from contractkit.pdf.ocr import PageDiff, compare
from contractkit.pdf.paint import MAX_DEPTH, Painter

HELVETICA = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"


def build(content: bytes, *, extra: list[bytes] | None = None, resources: bytes = b"", fonts: bytes = b"") -> bytes:
    """A one-page A4 PDF: object 4 is the content stream, 5 Helvetica (/F1), then `extra` objects from 6."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R " + fonts + b" >> " + resources + b" >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        HELVETICA,
        *(extra or []),
    ]
    return pdf(objects, version=b"1.7")


def drawing(pdf: bytes) -> Drawing:
    reader = PdfReader(io.BytesIO(pdf))
    return Painter(reader, set()).page(reader.pages[0])


def kinds(pdf: bytes) -> list[tuple[str, str | None]]:
    return [(f.kind, f.location) for f in inspect(PdfReader(io.BytesIO(pdf))).findings]


# ----------------------------------------------------------------------------- the interpreter


def test_text_is_placed_where_a_viewer_draws_it() -> None:
    glyphs = drawing(build(b"BT /F1 10 Tf 100 700 Td (AB) Tj ET")).glyphs
    assert [g.char for g in glyphs] == ["A", "B"]
    a, b = glyphs
    assert a.box[0] == pytest.approx(100) and a.box[2] == pytest.approx(100 + 0.5 * 10)  # no /Widths: 500
    assert b.box[0] == pytest.approx(a.box[2]) and a.size == pytest.approx(10)


def test_tj_adjustments_spacing_scaling_and_rise() -> None:
    content = b"BT /F1 10 Tf 2 Tc 50 Tz 3 Ts 100 700 Td [(A) -1000 (B)] TJ ET"
    a, b = drawing(build(content)).glyphs
    assert a.box[2] - a.box[0] == pytest.approx(2.5)  # 500/1000 x 10 pt x 50%
    assert b.box[0] - a.box[0] == pytest.approx((5 + 2) * 0.5 + 10 * 0.5)
    assert a.y == pytest.approx(700 + 3 + 10 * 0.3)  # rise, then the middle of the -0.2..0.8 box


def test_graphics_state_is_saved_and_restored() -> None:
    content = b"q 1 0 0 rg 2 0 0 2 0 0 cm BT /F1 10 Tf 10 10 Td (A) Tj ET Q BT /F1 10 Tf 10 10 Td (B) Tj ET"
    a, b = drawing(build(content)).glyphs
    assert (a.colour, b.colour) == ((1.0, 0.0, 0.0), (0.0, 0.0, 0.0))
    assert a.box[0] == pytest.approx(20) and a.size == pytest.approx(20) and b.size == pytest.approx(10)


def stream(entries: bytes, data: bytes) -> bytes:
    return b"<< %s /Length %d >>\nstream\n%s\nendstream" % (entries, len(data), data)


def test_form_xobject_has_its_own_matrix_and_resources() -> None:
    entries = b"/Type /XObject /Subtype /Form /BBox [0 0 500 500] /Matrix [1 0 0 1 100 200]"
    form = stream(entries, b"BT /F1 10 Tf 5 5 Td (Z) Tj ET")
    pdf = build(b"/X1 Do", extra=[form], resources=b"/XObject << /X1 6 0 R >>")
    (z,) = drawing(pdf).glyphs
    assert z.char == "Z" and z.box[0] == pytest.approx(105) and not z.clipped


def test_forms_nested_too_deep_are_refused() -> None:
    form = stream(b"/Type /XObject /Subtype /Form /BBox [0 0 9 9] /Resources << /XObject << /X1 6 0 R >> >>", b"/X1 Do")
    pdf = build(b"/X1 Do", extra=[form], resources=b"/XObject << /X1 6 0 R >>")
    with pytest.raises(CannotVerify, match=f"nested more than {MAX_DEPTH} deep"):
        drawing(pdf)


def test_filled_shapes_and_images_are_recorded_in_drawing_order() -> None:
    content = b"BT /F1 10 Tf 100 700 Td (A) Tj ET 1 g 90 690 30 30 re f"
    marks = drawing(build(content))
    (paint,) = marks.paints
    assert paint.colour == WHITE and paint.order > marks.glyphs[0].order and paint.covers(105, 703)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"BT /F1 10 Tf 100 700 Td (Hello) Tj ET", []),
        (b"BT /F1 10 Tf 3 Tr 100 700 Td (Hello) Tj ET", [("hidden-text", "page 1")]),
        (b"1 g BT /F1 10 Tf 100 700 Td (Hello) Tj ET", [("low-contrast-text", "page 1")]),
        (b"0 0 1 rg 0 0 595 842 re f 0 0 .9 rg BT /F1 10 Tf 9 700 Td (Hello) Tj ET", [("low-contrast-text", "page 1")]),
        (b"0 0 1 rg 0 0 595 842 re f 1 g BT /F1 10 Tf 100 700 Td (Hello) Tj ET", []),  # white on blue is readable
        (b"BT /F1 10 Tf 100 700 Td (Hello) Tj ET 1 g 90 690 100 30 re f", [("covered-text", "page 1")]),
        (b"BT /F1 10 Tf 100 700 Td (Hello) Tj ET 1 g 300 300 m 310 300 l 305 310 l f", []),  # elsewhere
        (b"BT /F1 10 Tf 100 700 Td (Hello) Tj ET 1 g 12 w 90 703 m 200 703 l S", [("covered-text", "page 1")]),
        (b"BT /F1 10 Tf 100 700 Td (Hello) Tj ET 0.5 w 90 703 m 200 703 l S", []),  # a thin rule
        (b"BT /F1 2 Tf 100 700 Td (Hello) Tj ET", [("tiny-text", "page 1")]),
        (b"BT /F1 10 Tf 100 900 Td (Hello) Tj ET", [("clipped-text", "page 1")]),
        (b"q 0 0 10 10 re W n BT /F1 10 Tf 100 700 Td (Hello) Tj ET Q", [("clipped-text", "page 1")]),
        (b"q 0 0 10 10 re W n Q BT /F1 10 Tf 100 700 Td (Hello) Tj ET", []),  # the clip ended with Q
        (b"/Pattern cs /P1 scn BT /F1 10 Tf 100 700 Td (Hello) Tj ET", [("low-contrast-text", "page 1")]),
        (b"/DeviceRGB cs 1 1 1 scn BT /F1 10 Tf 100 700 Td (Hello) Tj ET", [("low-contrast-text", "page 1")]),
        (b"/DeviceRGB CS 1 1 1 SCN BT /F1 10 Tf 1 Tr 100 700 Td (Hello) Tj ET", [("low-contrast-text", "page 1")]),
        (b"/DeviceCMYK cs 0 0 0 0 sc BT /F1 10 Tf 100 700 Td (Hello) Tj ET", [("low-contrast-text", "page 1")]),
        (b"/DeviceCMYK cs BT /F1 10 Tf 100 700 Td (Hello) Tj ET", []),  # cs selects black
        (b"1 g 0 G BT /F1 10 Tf 2 Tr 100 700 Td (Hello) Tj ET", []),  # white letters outlined in black
        (b"BT /F1 10 Tf 100 700 Td (Hello) Tj ET BT /F1 10 Tf 100 700 Td (XXXXX) Tj ET", [("covered-text", "page 1")]),
        (b"BT /F1 10 Tf 100 700 Td (Hello) Tj ET BT /F1 10 Tf 100.3 700 Td (Hello) Tj ET", []),  # drawn twice: bold
    ],
)
def test_what_a_reader_sees(content: bytes, expected: list[tuple[str, str]]) -> None:
    assert kinds(build(content)) == expected


@pytest.mark.parametrize("state", [b"/BM /Lighten", b"/BM [/Screen /Normal]", b"/SMask << /S /Luminosity >>"])
def test_blend_modes_and_soft_masks_are_not_guessed(state: bytes) -> None:
    pdf = build(b"/G1 gs BT /F1 10 Tf 100 700 Td (Hello) Tj ET", resources=b"/ExtGState << /G1 << %s >> >>" % state)
    assert kinds(pdf) == [("low-contrast-text", "page 1")]


IMAGE = stream(b"/Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8", b"\0")


def test_text_over_an_image_is_a_warning_and_an_image_over_text_covers_it() -> None:
    picture = b"q 200 0 0 40 90 690 cm /Im1 Do Q "
    words = b"BT /F1 10 Tf 100 700 Td (Hello) Tj ET "
    images = b"/XObject << /Im1 6 0 R >>"
    over = inspect(PdfReader(io.BytesIO(build(picture + words, extra=[IMAGE], resources=images))))
    assert [(f.kind, f.severity) for f in over.findings] == [("low-contrast-text", "warning")]
    under = inspect(PdfReader(io.BytesIO(build(words + picture, extra=[IMAGE], resources=images))))
    assert [(f.kind, f.severity) for f in under.findings] == [("covered-text", "error")]
    assert "covered by an image drawn over it" in under.findings[0].detail


def test_a_line_through_the_text_strikes_it_out() -> None:
    pdf = build(b"BT /F1 10 Tf 100 700 Td (Hello) Tj ET 100 702.5 25 1 re f")
    (finding,) = inspect(PdfReader(io.BytesIO(pdf))).findings
    assert finding.kind == "covered-text" and "struck through by a filled shape" in finding.detail


def test_one_glyph_that_claims_several_letters_is_reported() -> None:
    cmap = stream(b"", b"1 begincodespacerange <00> <FF> endcodespacerange 3 beginbfchar "
                  b"<41> <0041> <42> <00660069> <43> <006E006F006E002D> endbfchar")  # fmt: skip
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>"
    pdf = build(b"BT /F2 10 Tf 100 700 Td (ABC) Tj ET", extra=[cmap, font], fonts=b"/F2 7 0 R")
    (finding,) = inspect(PdfReader(io.BytesIO(pdf))).findings
    assert finding.kind == "hidden-text" and finding.detail.endswith("claim several: 'non-'")


def test_colour_spaces_from_the_resources() -> None:
    icc = stream(b"/N 3", b"")
    white = b"/CS0 cs 1 1 1 scn BT /F1 10 Tf 100 700 Td (Hello) Tj ET"
    assert kinds(build(white, extra=[icc], resources=b"/ColorSpace << /CS0 [/ICCBased 6 0 R] >>")) == [
        ("low-contrast-text", "page 1")
    ]
    indexed = b"/CS1 cs 1 sc BT /F1 10 Tf 100 700 Td (Hello) Tj ET"
    palette = b"/ColorSpace << /CS1 [/Indexed /DeviceRGB 1 <000000FFFFFF>] >>"
    assert kinds(build(indexed, resources=palette)) == [("low-contrast-text", "page 1")]
    assert kinds(build(indexed.replace(b"1 sc", b"0 sc"), resources=palette)) == []


def test_a_shape_drawn_before_the_text_is_beneath_it() -> None:
    assert kinds(build(b"1 g 90 690 100 30 re f 0 g BT /F1 10 Tf 100 700 Td (Hello) Tj ET")) == []


def test_the_words_are_quoted() -> None:
    pdf = build(b"BT /F1 10 Tf 100 700 Td (keep ) Tj 3 Tr (hide this) Tj 0 Tr ( keep) Tj ET")
    (finding,) = inspect(PdfReader(io.BytesIO(pdf))).findings
    assert finding.detail == "8 character(s) on page 1 drawn in rendering mode 3 (invisible): 'hide this'"


def test_quote_separates_passages() -> None:
    glyphs = drawing(build(b"BT /F1 10 Tf 100 700 Td (ab cd ef) Tj ET")).glyphs
    assert quote([0, 1, 3, 4], glyphs) == "ab cd"
    assert quote([0, 1, 6, 7], glyphs) == "ab … ef"


# ----------------------------------------------------------------------------- geometry and colour


COORDINATE = st.floats(-1000, 1000)


@given(st.tuples(COORDINATE, COORDINATE, st.floats(0.1, 500), st.floats(0.1, 500)), st.tuples(COORDINATE, COORDINATE))
def test_a_rectangle_holds_exactly_the_points_of_its_box(
    rect: tuple[float, float, float, float], point: tuple[float, float]
) -> None:
    (x, y, w, h), (px, py) = rect, point
    area = region([((x, y), (x + w, y), (x + w, y + h), (x, y + h))])
    assert area is not None and not area.polygons
    assert area.contains(px, py) == (x <= px <= x + w and y <= py <= y + h)


def test_fill_rules() -> None:
    outer = ((0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0))
    inner = ((3.0, 3.0), (7.0, 3.0), (7.0, 7.0), (3.0, 7.0))
    nonzero, even_odd = region([outer, inner]), region([outer, inner], even_odd=True)
    assert nonzero is not None and even_odd is not None
    assert nonzero.contains(5, 5) and not even_odd.contains(5, 5) and even_odd.contains(1, 1)
    triangle = region([((0.0, 0.0), (10.0, 0.0), (0.0, 10.0))])
    assert triangle is not None and triangle.contains(2, 2) and not triangle.contains(8, 8)


def test_colours() -> None:
    assert contrast(BLACK, WHITE) == pytest.approx(21)
    assert to_rgb(space("/DeviceCMYK", None), (0, 0, 0, 1)) == BLACK
    assert to_rgb(space("/DeviceCMYK", None), (0, 0, 0, 0)) == WHITE
    assert to_rgb(GRAY, (0.5,)) == (0.5, 0.5, 0.5)
    assert to_rgb(Space("indexed", 1, space("/DeviceRGB", None), b"\x00\x00\x00\xff\xff\xff"), (1.0,)) == WHITE
    assert to_rgb(Space("separation", 1, GRAY, no_ink=True), (1.0,)) == WHITE
    assert to_rgb(Space("pattern", 0), ()) is None


# ----------------------------------------------------------------------------- fonts


def test_tounicode_cmap_forms() -> None:
    cmap = parse_cmap(
        b"1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        b"2 beginbfchar <0001> <0041> <0002> <00660069> endbfchar\n"
        b"2 beginbfrange <0010> <0012> <0061> <0020> <0021> [<0058> <0059>] endbfrange\n"
        b"1 begincidrange <0100> <0102> 7 endcidrange"
    )
    assert cmap.unicode == {1: "A", 2: "fi", 0x10: "a", 0x11: "b", 0x12: "c", 0x20: "X", 0x21: "Y"}
    assert cmap.cids == {0x100: 7, 0x101: 8, 0x102: 9} and cmap.codespace == [(2, 0, 0xFFFF)]


def test_codes_follow_the_codespace() -> None:
    font = Font(two_byte=True, codespace=((1, 0x00, 0x7F), (2, 0x8000, 0xFFFF)))
    assert font.codes(b"\x41\x80\x01\x20") == [(0x41, False), (0x8001, False), (0x20, True)]


# ----------------------------------------------------------------------------- files that are two formats


def test_classify_by_content() -> None:
    pdf = build(b"BT ET")
    assert classify(pdf) == "pdf"
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("word/document.xml", "<x/>")
    assert classify(archive.getvalue()) == "docx"
    for bad, message in [
        (pdf + archive.getvalue(), "both a ZIP archive"),
        (b"junk" + pdf, "before its PDF header"),
        (pdf + b"junk", "after the end of the PDF"),
        (b"hello", "not a Word (.docx) or PDF"),
    ]:
        with pytest.raises(CannotVerify, match=re.escape(message)):
            classify(bad)


def test_compressed_bytes_that_look_like_zip_do_not_make_a_polyglot() -> None:
    """'PK\\x03\\x04' inside a stream without a plausible entry after it is data, not an archive."""
    pdf = build(b"BT ET % PK\x03\x04\xff\xff\xff\xff")
    assert classify(pdf) == "pdf"


# ----------------------------------------------------------------------------- comparing OCR with the text


def test_ocr_noise_is_forgiven() -> None:
    text = "The Partner shall keep the Register of approvals for a period of ten years."
    misread = "The Partncr shall keep the Register of approvals for aperiod of ten ycars. 12 3"
    assert compare(1, text, misread).differing == 0


def test_accents_and_ligatures_are_not_differences() -> None:
    assert compare(1, "Bwrdd Iechyd ŵyr tŷ café ﬁnal", "Bwrdd Iechyd wyr ty cafe final").differing == 0


def test_systematic_substitution_is_not_noise() -> None:
    """Each pair alone looks like a misread letter; the same edit in five words is a font that lies."""
    text = "partner consent purpose payment project"
    diff = compare(1, text, text.replace("e", "o"))
    assert diff.differing == 10 and diff.beyond_noise
    assert compare(1, text, text.replace("partner", "partnor")).differing == 0


def test_added_words_are_reported() -> None:
    diff = compare(3, "Each Party keeps its rights.", "Each Party keeps its rights. The Partner alone may use them.")
    assert diff == PageDiff(3, 5, [], ["the", "partner", "alone", "may", "use", "them"])


@given(st.text(max_size=300))
def test_a_page_agrees_with_itself(text: str) -> None:
    assert compare(1, text, text).differing == 0


# ----------------------------------------------------------------------------- rendering pages for OCR


def blank_pages(count: int) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(count):
        writer.add_blank_page(width=200, height=300)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("order", [list(range(7)), [6, 0, 3, 1, 2, 5, 4]])
def test_pages_are_rendered_a_few_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, order: list[int]) -> None:
    monkeypatch.setattr(ocr_render, "CHUNK", 3)
    (tmp_path / "in.pdf").write_bytes(blank_pages(7))
    renderer = ocr_render.PageRenderer(tmp_path / "in.pdf", tmp_path, time.monotonic() + 60, RuntimeError)
    try:
        for n in order:
            image = renderer.page(n)
            assert image.name.endswith(f"-{n + 1}.pgm") and image.read_bytes().startswith(b"P5")
            image.unlink()
            assert len(list(tmp_path.glob("*.pgm"))) <= 3 + 3  # a chunk waiting, a chunk being written
        with pytest.raises(CannotVerify, match="page 8 cannot be rendered: the PDF has 7 pages"):
            renderer.page(7)
    finally:
        renderer.close()


def test_a_page_that_cannot_be_rendered_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "in.pdf").write_bytes(b"%PDF-1.7\nnot really\n%%EOF\n")
    renderer = ocr_render.PageRenderer(tmp_path / "in.pdf", tmp_path, time.monotonic() + 60, RuntimeError)
    try:
        with pytest.raises(CannotVerify, match="cannot be rendered"):
            renderer.page(0)
    finally:
        renderer.close()
