"""The reader verify, the draft self-check and lint share: packages, styles, and what a reader sees.

Templates whose clause styles hide, whiten, shrink or strike text are refused by `lint` and by
`draft`; the package layer finds parts through relationships and refuses ambiguous or oversized
packages; the character checks leave English and Welsh alone and fold look-alikes away.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from conftest import example
from hypothesis import given, settings
from hypothesis import strategies as st
from tamper_docx import TARGET, Package, isolate, where

from contractkit import api
from contractkit.checking import verify
from contractkit.core.text import confusables, deconfuse, skeleton, suspicious
from contractkit.errors import CannotVerify
from contractkit.library.loading import Library
from contractkit.word.reader.document import read_docx
from contractkit.word.reader.package import Limits

Workspace = Callable[..., Path]
STYLE = b'w:styleId="Clause2"><w:name w:val="Clause 2"/>'


@pytest.fixture(scope="module")
def drafted(library: Library) -> bytes:
    return api.render_docx(library, api.assemble(library, api.load_deal(example("northby-sepsis"), library)))


def edit_template(root: Path, part: str, change: Callable[[bytes], bytes]) -> None:
    template = root / "templates" / "agreement.docx"
    with zipfile.ZipFile(template) as src:
        parts = {i.filename: src.read(i.filename) for i in src.infolist()}
    new = change(parts[part])
    assert new != parts[part]
    parts[part] = new
    with zipfile.ZipFile(template, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in parts.items():
            dst.writestr(name, data)


def clause_style(props: bytes) -> Callable[[bytes], bytes]:
    """Put run properties first in the 'Clause 2' style (replacing the colour and size it sets)."""

    def change(styles: bytes) -> bytes:
        start = styles.index(STYLE)
        end = styles.index(b"</w:style>", start)
        body = styles[start:end].replace(b'<w:color w:val="1F1F1F"/>', b"").replace(b'<w:sz w:val="21"/>', b"")
        body = body.replace(b"<w:rPr>", b"<w:rPr>" + props, 1)
        return styles[:start] + body + styles[end:]

    return change


def based_on_quiet(styles: bytes) -> bytes:
    """'Clause 2' based on a new style that hides text: the chain, not the style itself, hides it."""
    quiet = b'<w:style w:type="paragraph" w:styleId="Quiet"><w:name w:val="Quiet"/><w:rPr><w:vanish/></w:rPr></w:style>'
    styles = styles.replace(b"</w:styles>", quiet + b"</w:styles>")
    start = styles.index(STYLE)
    end = styles.index(b"</w:style>", start)
    return styles[:start] + styles[start:end].replace(b'w:val="Normal"', b'w:val="Quiet"', 1) + styles[end:]


TEMPLATE_STYLES = {
    "hidden": (clause_style(b"<w:vanish/>"), "hidden-text"),
    "white": (clause_style(b'<w:color w:val="FFFFFF"/>'), "invisible-text"),
    "white-by-theme": (clause_style(b'<w:color w:val="000000" w:themeColor="background1"/>'), "invisible-text"),
    "shrunk": (clause_style(b'<w:sz w:val="8"/>'), "tiny-text"),
    "struck": (clause_style(b"<w:strike/>"), "struck-text"),
    "hidden-through-basedOn": (based_on_quiet, "hidden-text"),
}


@pytest.mark.parametrize("case", TEMPLATE_STYLES)
def test_template_whose_clause_style_hides_text_is_refused(
    cli: Callable[..., Result], workspace: Workspace, tmp_path: Path, case: str
) -> None:
    change, kind = TEMPLATE_STYLES[case]
    root = workspace()
    edit_template(root, "word/styles.xml", change)
    lint = cli("--library", root, "lint")
    assert lint.exit_code == 1
    assert "style 'Clause 2'" in lint.stderr and f"({kind})" in lint.stderr
    out = tmp_path / "out.docx"
    draft = cli("--library", root, "draft", example("northby-sepsis"), "-o", out)
    assert draft.exit_code == 1, draft.output
    assert f"({kind})" in draft.stderr and "templates/agreement.docx" in draft.stderr
    assert not out.exists()


def test_template_text_hidden_in_the_cover_is_refused(cli: Callable[..., Result], workspace: Workspace) -> None:
    root = workspace()

    def hide(document: bytes) -> bytes:
        return document.replace(
            b"<w:rPr/><w:t>relating to", b'<w:rPr><w:color w:val="FFFFFF"/></w:rPr><w:t>relating to', 1
        )

    edit_template(root, "word/document.xml", hide)
    result = cli("--library", root, "lint")
    assert result.exit_code == 1
    assert "invisible-text" in result.stderr and "word/document.xml, paragraph" in result.stderr


def test_shipped_template_and_examples_are_clean(library: Library) -> None:
    from contractkit.word.check import template_problems
    from contractkit.word.render import REQUIRED_STYLES

    template = library.root / "templates" / "agreement.docx"
    assert template_problems(template, list(REQUIRED_STYLES)) == []


# ----------------------------------------------------------------------------- the package


def repackaged(drafted: bytes, change: Callable[[dict[str, bytes]], None]) -> bytes:
    with zipfile.ZipFile(io.BytesIO(drafted)) as src:
        parts = {i.filename: src.read(i.filename) for i in src.infolist()}
    change(parts)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in parts.items():
            dst.writestr(name, data)
    return out.getvalue()


def two_mains(parts: dict[str, bytes]) -> None:
    parts["word/other.xml"] = parts["word/document.xml"]
    kind = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
    rel = b'<Relationship Id="rIdX" Type="%s" Target="word/other.xml"/>' % kind
    parts["_rels/.rels"] = parts["_rels/.rels"].replace(b"</Relationships>", rel + b"</Relationships>")


def strict(parts: dict[str, bytes]) -> None:
    parts["word/document.xml"] = parts["word/document.xml"].replace(
        b"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
        b"http://purl.oclc.org/ooxml/wordprocessingml/main",
    )


def missing_main(parts: dict[str, bytes]) -> None:
    del parts["word/document.xml"]


def not_a_document_type(parts: dict[str, bytes]) -> None:
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(b"document.main+xml", b"spreadsheet+xml")


PACKAGES = {
    "two-main-parts": (two_mains, "more than one main document part"),
    "strict-namespace": (strict, "namespace this reader does not know"),
    "main-part-missing": (missing_main, "does not contain"),
    "main-part-not-word": (not_a_document_type, "is not a Word document"),
}


@pytest.mark.parametrize("case", PACKAGES)
def test_ambiguous_or_foreign_packages_cannot_be_verified(library: Library, drafted: bytes, case: str) -> None:
    change, message = PACKAGES[case]
    with pytest.raises(CannotVerify, match=message):
        verify.verify(library, repackaged(drafted, change))


def test_duplicate_zip_entries_are_refused(library: Library, drafted: bytes) -> None:
    out = io.BytesIO(drafted)
    with zipfile.ZipFile(out, "a") as archive, pytest.warns(UserWarning, match="Duplicate name"):
        archive.writestr("word/document.xml", b"<w:document/>")
    with pytest.raises(CannotVerify, match="twice"):
        verify.verify(library, out.getvalue())


def test_part_names_are_case_insensitive_and_targets_may_be_absolute(library: Library, drafted: bytes) -> None:
    def move(parts: dict[str, bytes]) -> None:
        parts["Word/Main Text.XML"] = parts.pop("word/document.xml")
        parts["word/_rels/Main Text.XML.rels"] = parts.pop("word/_rels/document.xml.rels")
        parts["_rels/.rels"] = parts["_rels/.rels"].replace(
            b'Target="word/document.xml"', b'Target="/word/main text.xml"'
        )
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
            b"/word/document.xml", b"/word/MAIN TEXT.xml"
        )

    report = verify.verify(library, repackaged(drafted, move))
    assert report.compliant, report.findings


def test_markup_and_time_limits(library: Library, drafted: bytes) -> None:
    with pytest.raises(CannotVerify, match="XML elements"):
        read_docx(drafted, Limits(max_markup=1000))
    with pytest.raises(CannotVerify, match="bytes together"):
        read_docx(drafted, Limits(max_read_bytes=10_000))
    with pytest.raises(CannotVerify, match="longer than"):
        verify.verify(library, drafted, limits=Limits(max_seconds=1e-4))


# ----------------------------------------------------------------------------- how Word resolves formatting


def test_hidden_by_both_paragraph_and_character_style_is_still_reported(library: Library, drafted: bytes) -> None:
    """Word toggles: hidden in the paragraph style and again in the character style reads as shown by the
    spec (exclusive OR). A reader that disagrees would be fooled, so the verifier reports it either way."""
    pkg = Package(drafted)
    styles = pkg.xml("word/styles.xml")
    from tamper_docx import el, props, style, w

    style(pkg, "Clause2").find(w("rPr")).append(el("vanish"))
    quiet = el("style", type="character", styleId="Quiet")
    quiet.append(el("name", val="Quiet"))
    rpr = el("rPr")
    rpr.append(el("vanish"))
    quiet.append(rpr)
    styles.append(quiet)
    run = isolate(pkg.document)
    props(run).insert(0, el("rStyle", val="Quiet"))
    report = verify.verify(library, pkg.save())
    hidden = [f for f in report.findings if f.kind == "hidden-text" and f.location == where(pkg, run.getparent())]
    assert hidden and all(f.clause == TARGET for f in hidden)


def test_white_text_on_a_dark_cell_is_readable(drafted: bytes) -> None:
    """Table headings are white on the header row's dark fill: no finding."""
    content = read_docx(drafted)
    assert any(b.table and b.style == "Table Heading" for b in content.blocks)
    assert not [m for m in content.marks if m.kind == "invisible-text"]


# ----------------------------------------------------------------------------- characters

WELSH = st.text(alphabet=st.sampled_from(list("abcdefghilmnoprstuwyâêîôûŵŷäëïöüẅÿáéíóúẃýàèìòùẁỳ ,.'’-")), max_size=80)


@settings(max_examples=200)
@given(text=WELSH)
def test_property_welsh_and_english_are_never_flagged(text: str) -> None:
    assert suspicious(text) == []
    assert deconfuse(text) == text


@settings(max_examples=100)
@given(text=st.text(alphabet=st.characters(max_codepoint=0x7F)))
def test_property_ascii_is_its_own_reading(text: str) -> None:
    assert suspicious(text) == [] and deconfuse(text) == text


@pytest.mark.parametrize(
    ("text", "kind", "reading"),
    [
        ("n\u043en-exclusive", "mixed-script", "non-exclusive"),
        ("\u0435\u0445\u0441lusive", "mixed-script", "exclusive"),
        ("\u0441\u043e\u0440\u0443", "lookalike", "copy"),
        ("non-excl\u200busive", "invisible-character", "non-exclusive"),
        ("non\u2060-exclusive", "invisible-character", "non-exclusive"),
        ("\ufeffnon-exclusive", "invisible-character", "non-exclusive"),
        ("\u202enon-exclusive\u202c", "bidi-control", "non-exclusive"),
        ("\u2067non\u2069-exclusive", "bidi-control", "non-exclusive"),
        ("\uff4e\uff4f\uff4e-exclusive", "lookalike", "non-exclusive"),
        ("\U0001d427\U0001d428\U0001d427-exclusive", "lookalike", "non-exclusive"),
    ],
)
def test_lookalike_and_invisible_characters(text: str, kind: str, reading: str) -> None:
    assert kind in {k for k, _ in suspicious(text)}
    assert deconfuse(text) == reading


def test_confusables_data_and_skeleton() -> None:
    table = confusables()
    assert len(table) > 6000 and table["\u043e"] == "o"
    assert skeleton("p\u0430ypal") == skeleton("paypal")
