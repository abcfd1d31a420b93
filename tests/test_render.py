"""Rendering: injection-proof values, determinism, content controls, manifest and self-check."""

from __future__ import annotations

import json
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from conftest import paragraphs
from docx import Document

from contractkit import api
from contractkit.core.text import normalise
from contractkit.errors import ValidationFailed
from contractkit.library.deal import Deal
from contractkit.library.loading import Library
from contractkit.library.scaffold import specimen
from contractkit.trust import keys
from contractkit.word import xml as docx_io
from contractkit.word.render import MANIFEST_PROPERTY, self_check


def deal_with(**changes: object) -> Deal:
    data = specimen("research-collaboration")
    for dotted, value in changes.items():
        node = data
        *path, last = dotted.split("__")
        for key in path:
            node = node[key] if not key.isdigit() else node[int(key)]
        node[last] = value
    return Deal.model_validate(data)


def render(library: Library, deal: Deal) -> bytes:
    return api.render_docx(library, api.assemble(library, deal))


PAYLOADS = [
    "{{ 7*7 }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{% for x in range(3) %}loop{% endfor %}",
    "{%p if true %}",
    "<w:p><w:r><w:t>injected</w:t></w:r></w:p>",
    "Smith & Jones <Holdings> \"quoted\" 'single'",
    "**not bold** and ]]> and &amp;",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_deal_values_are_data_not_template_code(library: Library, payload: str) -> None:
    """Free text takes any characters and prints them literally. (Names have a shape that refuses
    these payloads outright: tests/test_deal_values.py.)"""
    deal = deal_with(agreement__title=payload, purpose__description=payload)
    text = "\n".join(paragraphs(render(library, deal)))
    assert normalise(payload) in normalise(text)
    assert "49" not in text.replace(payload, "")
    assert "uid=" not in text


def test_bold_markup_in_values_stays_literal(library: Library) -> None:
    data = render(library, deal_with(purpose__description="**not bold**"))
    xml = zipfile.ZipFile(BytesIO(data)).read("word/document.xml").decode()
    assert "**not bold**" in xml


def test_two_renders_are_byte_identical(library: Library) -> None:
    deal = deal_with()
    assert render(library, deal) == render(library, deal)


def test_zip_entries_have_fixed_timestamps(library: Library) -> None:
    with zipfile.ZipFile(BytesIO(render(library, deal_with()))) as archive:
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_core_properties_come_from_the_deal(library: Library) -> None:
    doc = Document(BytesIO(render(library, deal_with())))
    props = doc.core_properties
    assert props.identifier == "NHS-DPA-2026-0001"
    assert props.created is not None and props.created.date().isoformat() == "2026-12-01"
    assert props.author == "contractkit"
    assert props.revision == 1
    assert "library" in props.keywords and "playbook research-collaboration" in props.keywords


def test_locked_clauses_are_locked_content_controls(library: Library) -> None:
    blocks = docx_io.read_docx(render(library, deal_with())).blocks
    locked = {c.id for c in library.clauses.values() if c.status == "locked"}
    tagged = {b.clause for b in blocks if b.clause and b.locked}
    assert locked <= tagged
    assert not {b.clause for b in blocks if b.clause and b.locked} - locked, "only locked clauses are locked"
    xml = zipfile.ZipFile(BytesIO(render(library, deal_with()))).read("word/document.xml").decode()
    assert xml.count('w:val="sdtContentLocked"') == len([c for c in locked if f'"ck:{c}"' in xml])
    for clause_id in locked:  # titled with the clause id, as Word shows it on the control
        assert f'<w:alias w:val="{clause_id}"/><w:tag w:val="ck:{clause_id}"/>' in xml


def test_manifest_is_in_custom_properties(library: Library) -> None:
    agreement = api.assemble(library, deal_with())
    custom = docx_io.read_docx(api.render_docx(library, agreement)).custom
    manifest = json.loads(custom[MANIFEST_PROPERTY])
    assert manifest == json.loads(agreement.manifest_json(keys.installation_signer()))
    assert manifest["signature"]["key"] == keys.installation_signer().key_id
    assert manifest["library_version"] == library.version
    entry = next(c for c in manifest["clauses"] if c["id"] == "non-exclusivity")
    placed = next(c for c in agreement.all_clauses() if c.id == "non-exclusivity")
    assert entry["sha256"] == placed.sha256() and len(entry["sha256"]) == 64


def test_custom_properties_survive_python_docx(library: Library) -> None:
    """Core properties stay valid XML even though docxtpl rebinds python-docx's 'cp' prefix."""
    data = render(library, deal_with())
    core = zipfile.ZipFile(BytesIO(data)).read("docProps/core.xml").decode()
    assert "http://schemas.openxmlformats.org/package/2006/metadata/core-properties" in core
    assert Document(BytesIO(data)).core_properties.identifier == "NHS-DPA-2026-0001"


def test_self_check_refuses_an_altered_locked_clause(library: Library) -> None:
    agreement = api.assemble(library, deal_with())
    data = api.render_docx(library, agreement)
    with zipfile.ZipFile(BytesIO(data)) as src:
        parts = {i.filename: src.read(i.filename) for i in src.infolist()}
    parts["word/document.xml"] = parts["word/document.xml"].replace(b"non-exclusive", b"exclusive", 1)
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name, part in parts.items():
            dst.writestr(name, part)
    with pytest.raises(ValidationFailed) as caught:
        self_check(agreement, out.getvalue(), Path("t.docx"))
    assert "locked clause 'non-exclusivity' is altered" in str(caught.value.issues[0])


def test_numbering_and_cross_references(library: Library) -> None:
    agreement = api.assemble(library, deal_with())
    numbers = [c.number for c in agreement.clauses]
    assert numbers == [str(n) for n in range(1, len(numbers) + 1)]
    purpose = next(c for c in agreement.clauses if c.id == "purpose")
    assert [p.number for p in purpose.paragraphs[:2]] == [f"{purpose.number}.1", f"{purpose.number}.2"]
    nonex = next(c for c in agreement.clauses if c.id == "non-exclusivity")
    nested = [p.number for p in nonex.paragraphs if p.level == 2]
    assert nested and nested[0] == f"{nonex.number}.2.1"
    text = " ".join(p.text for c in agreement.all_clauses() for p in c.paragraphs)
    assert f"clause {nonex.number}" in text


def test_conditional_clause_follows_the_deal(library: Library) -> None:
    without = api.assemble(library, deal_with(data__processor_used=False))
    with_it = api.assemble(library, deal_with(data__processor_used=True))
    assert "processor-terms" not in {c.id for c in without.all_clauses()}
    assert "processor-terms" in {c.id for c in with_it.all_clauses()}


def test_chosen_position_follows_the_facts(library: Library) -> None:
    agreement = api.assemble(library, deal_with(governing_law="wales"))
    law = next(c for c in agreement.all_clauses() if c.id == "governing-law")
    assert law.position == "wales"


def test_money_and_dates_are_formatted_by_babel(library: Library) -> None:
    text = "\n".join(paragraphs(render(library, deal_with())))
    assert "1 December 2026" in text
    assert "£48,000.00" in text


def test_fees_schedule_shows_only_the_agreed_mechanism(library: Library) -> None:
    """The schedule must not list a royalty when the clause drafted is milestone payments."""
    from contractkit.drafting.tables import value_share

    preferred = [row[0] for row in value_share(api.assemble(library, deal_with()))[0]]
    assert "Royalty rate" not in preferred
    assert any(r.startswith("Milestone:") for r in preferred)
    agreement = api.assemble(library, deal_with(commercial__value_share__model="royalty"))
    royalty = [row[0] for row in value_share(agreement)[0]]
    assert "Royalty rate" in royalty
    assert not any(r.startswith("Milestone:") for r in royalty)


def test_board_summary_shows_only_the_agreed_mechanism(library: Library) -> None:
    """The summary's P2 evidence agrees with the drafted value-share clause, as the schedule does."""
    from contractkit.publishing import summary

    royalty = api.assemble(library, deal_with(commercial__value_share__model="royalty"))
    text = summary.render(library, royalty, ".md").decode()
    assert "Royalty: 2.5% of net revenue" in text
    assert "regulatory approval of a product" not in text
    milestones = summary.render(library, api.assemble(library, deal_with()), ".md").decode()
    assert "regulatory approval of a product" in milestones
    assert "Royalty: 2.5%" not in milestones


def test_the_deals_value_share_model_picks_the_wording(library: Library) -> None:
    """The deal says royalty and names no position: the royalty wording is drafted, off the
    preferred rung, so the board's approval is pending; the register says royalty too."""
    from contractkit.drafting.register_entry import entry

    agreement = api.assemble(library, deal_with(commercial__value_share__model="royalty"))
    assert agreement.value_share_clause is not None and agreement.value_share_clause.position == "royalty"
    assert agreement.value_share_model == "royalty"
    assert entry(agreement, "en_GB")["value_share_model"] == "royalty"
    assert [(d.clause, d.approver, d.pending) for d in agreement.deviations] == [("value-share", "board", True)]
