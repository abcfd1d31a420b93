"""Every Word file contractkit writes validates against the ECMA-376 Transitional schemas (tests/xsd)."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import EXAMPLES, ROOT, example
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from ooxml import assert_valid_docx, markup_compatibility, validate_package, validate_part

from contractkit import api
from contractkit.errors import ContractkitError
from contractkit.library.loading import Library
from contractkit.negotiation import negotiate
from contractkit.publishing import summary
from contractkit.word import order as docx_order
from contractkit.word import xml as docx_io
from contractkit.word.redline import compare
from contractkit.word.xml import W, w

WHEN = dt.datetime(2026, 3, 4, 5, 6, 7, tzinfo=dt.UTC)
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def document(body: str, *, extra: str = "") -> bytes:
    return (
        f'<w:document xmlns:w="{W}" xmlns:w14="{W14}" xmlns:mc="{MC}" {extra}><w:body>{body}</w:body></w:document>'
    ).encode()


# ----------------------------------------------------------------------------- the validator itself


def test_validator_catches_an_element_out_of_schema_order() -> None:
    wrong = document('<w:p><w:pPr><w:jc w:val="both"/><w:numPr><w:ilvl w:val="0"/></w:numPr></w:pPr></w:p>')
    errors = validate_part("word/document.xml", wrong)
    assert errors and "w:numPr" in errors[0] and errors[0].startswith("word/document.xml:1 /w:document")
    right = document('<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/></w:numPr><w:jc w:val="both"/></w:pPr></w:p>')
    assert validate_part("word/document.xml", right) == []


def test_validator_catches_a_missing_required_attribute() -> None:
    settings = f'<w:settings xmlns:w="{W}"><w:zoom w:val="bestFit"/></w:settings>'.encode()
    assert "w:percent" in validate_part("word/settings.xml", settings)[0]


def test_ignorable_extensions_are_dropped_and_others_are_errors() -> None:
    body = '<w:p w14:paraId="1A2B3C4D"><w14:unknownThing/><w:r><w:t>x</w:t></w:r></w:p>'
    assert validate_part("word/document.xml", document(body, extra='mc:Ignorable="w14"')) == []
    assert validate_part("word/document.xml", document(body))  # not declared ignorable: an error


def test_alternate_content_takes_the_fallback_when_the_choice_is_not_understood() -> None:
    choice = '<mc:Choice Requires="w14"><w14:fancy/></mc:Choice>'
    fallback = "<mc:Fallback><w:t>x</w:t></mc:Fallback>"
    body = f"<w:p><w:r><mc:AlternateContent>{choice}{fallback}</mc:AlternateContent></w:r></w:p>"
    root = markup_compatibility(etree.fromstring(document(body)))
    assert [etree.QName(e).localname for e in root.iter()] == ["document", "body", "p", "r", "t"]
    assert validate_part("word/document.xml", document(body)) == []


def test_a_part_held_twice_is_an_error() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive, pytest.warns(UserWarning, match="Duplicate name"):
        for _ in range(2):
            archive.writestr("docProps/custom.xml", '<Properties xmlns="x"/>')
    assert "docProps/custom.xml: the package holds this part 2 times" in validate_package(buffer.getvalue()).errors


# ----------------------------------------------------------------------------- schema-ordered writing


PPR = docx_order.SCHEMA_ORDER["pPr"]


@given(st.permutations(["pStyle", "keepNext", "numPr", "spacing", "ind", "jc", "outlineLvl", "rPr"]))
def test_properties_inserted_in_any_order_land_in_schema_order(names: list[str]) -> None:
    ppr = etree.Element(w("pPr"))
    for name in names:
        docx_order.insert_ordered(ppr, etree.Element(w(name)))
    assert [etree.QName(c).localname for c in ppr] == sorted(names, key=PPR.index)


def test_sort_properties_fixes_a_style_written_out_of_order() -> None:
    style = etree.fromstring(
        f'<w:style xmlns:w="{W}"><w:pPr><w:spacing/><w:ind/><w:jc w:val="both"/><w:numPr/></w:pPr>'
        "<w:rPr><w:sz w:val='20'/><w:b/></w:rPr></w:style>"
    )
    assert docx_order.sort_properties(style) > 0
    assert [etree.QName(c).localname for c in style.iter()][2:] == ["numPr", "spacing", "ind", "jc", "rPr", "b", "sz"]
    assert docx_order.sort_properties(style) == 0


def test_deterministic_zip_refuses_a_part_held_twice() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive, pytest.warns(UserWarning):
        archive.writestr("docProps/core.xml", "a")
        archive.writestr("docProps/core.xml", "b")
    with pytest.raises(ContractkitError, match=r"docProps/core\.xml twice"):
        docx_io.deterministic_zip(buffer.getvalue())


# ----------------------------------------------------------------------------- every file we write


def test_the_template_is_valid() -> None:
    assert_valid_docx((ROOT / "templates" / "agreement.docx").read_bytes())


@pytest.mark.parametrize("final", [False, True], ids=["draft", "final"])
@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_agreement_is_valid(library: Library, path: Path, *, final: bool) -> None:
    agreement = api.assemble(library, api.load_deal(path, library), final=final)
    report = assert_valid_docx(api.render_docx(library, agreement))
    for part in ("docProps/core.xml", "docProps/custom.xml", "word/numbering.xml", "word/settings.xml"):
        assert part in report.checked
    assert any(p.startswith("word/header") for p in report.checked)


@pytest.mark.parametrize("suffix", [".docx"])
def test_summaries_are_valid(library: Library, suffix: str) -> None:
    for path in EXAMPLES:
        agreement = api.assemble(library, api.load_deal(path, library))
        assert_valid_docx(summary.render(library, agreement, suffix))


def test_redlines_are_valid(library: Library, tmp_path: Path) -> None:
    """Between two different agreements (most paragraphs change) and after a swap, through the CLI path."""
    drafts = [api.render_docx(library, api.assemble(library, api.load_deal(p, library))) for p in EXAMPLES[:2]]
    assert_valid_docx(compare(drafts[0], drafts[1], author="Sam", date=WHEN))
    deal = tmp_path / "deal.yaml"
    shutil.copy(example("northby-sepsis"), deal)
    entry = next(e for e in library.playbooks["research-collaboration"].entries() if e.ladder)
    assert entry.ladder is not None
    rung = entry.ladder.fallbacks[-1]
    request = negotiate.SwapRequest(entry.clause, rung.position, "Sam", "Jo", rung.approver)
    negotiate.swap(library, deal, request, now=WHEN, redline=tmp_path / "swap.docx")
    report = assert_valid_docx((tmp_path / "swap.docx").read_bytes())
    assert "word/document.xml" in report.checked
