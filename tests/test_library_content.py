"""The shipped library: topic coverage, locked clauses, ladders, examples and the generated reference."""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

import pytest
from conftest import EXAMPLES, ROOT, agreeing, needs_soffice, paragraphs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contractkit import api
from contractkit.core.text import normalise
from contractkit.drafting.assemble import Agreement
from contractkit.library import libdoc
from contractkit.library.deal import Deal, HistoryApproval
from contractkit.library.exclusivity import detect
from contractkit.library.exclusivity_checks import plain_source
from contractkit.library.loading import Library
from contractkit.library.model import Playbook

# The domain table (shared/domain.md): topic -> (principles, status).
TOPICS: dict[int, tuple[set[str], str]] = {
    1: ({"P5"}, "required"),
    2: ({"P2", "P3"}, "locked"),
    3: ({"P1"}, "required"),
    4: ({"P1", "P4"}, "required"),
    5: ({"P1", "P5"}, "locked"),
    6: ({"P3"}, "locked"),
    7: ({"P3"}, "locked"),
    8: ({"P3"}, "locked"),
    9: ({"P3", "P5"}, "required"),
    10: ({"P5"}, "required"),
    11: ({"P5"}, "required"),
    12: ({"P5"}, "required"),
    13: ({"P5"}, "locked"),
    14: ({"P5"}, "conditional"),
    15: ({"P3", "P5"}, "negotiable"),
    16: ({"P5"}, "locked"),
    17: ({"P2"}, "required"),
    18: ({"P2"}, "negotiable"),
    19: ({"P2"}, "conditional"),
    20: ({"P2", "P3"}, "negotiable"),
    21: ({"P4"}, "locked"),
    22: ({"P4", "P1"}, "required"),
    23: ({"P4", "P1"}, "negotiable"),
    24: ({"P1", "P4", "P5"}, "locked"),
    25: ({"P5"}, "required"),
    26: ({"P5"}, "required"),
    27: ({"P2", "P3", "P4", "P5"}, "required"),
    28: ({"P3", "P4"}, "locked"),
    29: ({"P2"}, "negotiable"),
    30: ({"P4", "P5"}, "negotiable"),
    31: ({"P5"}, "required"),
    32: ({"P4", "P5"}, "locked"),
}
PLAYBOOKS = ("research-collaboration", "ai-development", "academic-access")
FIXED_CLAUSES = (
    "non-exclusivity",
    "national-benefit",
    "open-standards",
    "transparency",
    "entire-agreement",
    "definitions",
    "purpose",
    "intellectual-property",
    "value-share",
    "governing-law",
    "processor-terms",
)
ROLES = {"negotiator", "legal-lead", "information-governance", "caldicott-guardian", "board", "centre"}
SCHEDULES = {
    "Data Specification": "datasets",
    "Expected Benefits": "benefits",
    "Fees and Value Share": "fees",
    "Transparency Register Entry": "register",
    "Approved Deviations": "deviations",
}
# Any form of "exclusive" outside a locked clause must be one of these harmless phrases.
HARMLESS_EXCLUSIVE = re.compile(r"non-exclusive|exclusive jurisdiction|exclusive of", re.IGNORECASE)


def _deals() -> dict[str, Deal]:
    library = api.load_library(ROOT)
    return {path.stem: api.load_deal(path, library) for path in EXAMPLES}


DEALS = _deals()


# ----------------------------------------------------------------------------- coverage


@pytest.mark.parametrize("topic", sorted(TOPICS))
def test_every_domain_topic_is_covered_with_its_status_and_principles(library: Library, topic: int) -> None:
    principles, status = TOPICS[topic]
    clauses = [c for c in library.clauses.values() if topic in c.topics]
    assert clauses, f"no clause covers topic {topic}"
    assert status in {c.status for c in clauses}, f"topic {topic} needs a {status} clause"
    for clause in clauses:
        assert principles <= set(clause.principles), f"{clause.id} must carry {sorted(principles)}"


def test_clause_topics_are_domain_topics(library: Library) -> None:
    for clause in library.clauses.values():
        assert set(clause.topics) <= set(TOPICS), clause.id


def test_fixed_ids_and_roles_exist(library: Library) -> None:
    assert set(FIXED_CLAUSES) <= set(library.clauses)
    assert set(PLAYBOOKS) <= set(library.playbooks)
    assert set(library.meta.roles) == ROLES


def test_lint_strict_is_clean(library: Library) -> None:
    assert [str(i) for i in api.lint(library)] == []


# ----------------------------------------------------------------------------- locked clauses


@pytest.mark.parametrize("playbook_id", PLAYBOOKS)
def test_every_playbook_includes_every_locked_clause_unconditionally(library: Library, playbook_id: str) -> None:
    playbook = library.playbooks[playbook_id]
    entries = {e.clause: e for e in playbook.entries()}
    for clause in library.clauses.values():
        if clause.status == "locked":
            assert clause.id in entries, f"{playbook_id} leaves out {clause.id}"
            entry = entries[clause.id]
            assert entry.when is None and not entry.choose and entry.ladder is None


@pytest.mark.parametrize(
    "phrase",
    [
        "option",
        "right of first refusal",
        "right of first negotiation",
        "right to match",
        "a period of any length",
        "same, similar or overlapping data available to others",
        "no less favourable than",
        "better terms to someone else",
        "competitors",
        "reconstruct or substantially replicate raw data",
        "side letter",
        "void",
    ],
)
def test_non_exclusivity_closes_every_route(library: Library, phrase: str) -> None:
    text = library.clause("non-exclusivity").positions["standard"].text.lower()
    assert phrase.lower() in text


def test_no_side_agreement_may_vary_a_locked_clause(library: Library) -> None:
    text = normalise(library.clause("entire-agreement").positions["standard"].text)
    assert "No side letter, collateral agreement" in text
    assert "may vary, waive, limit or suspend a Locked Clause" in text
    assert "is void" in text


def test_national_benefit_keeps_the_nhs_free_to_share(library: Library) -> None:
    text = library.clause("national-benefit").positions["standard"].text
    assert "to share with any other person on any terms it chooses" in text
    assert "competes with" in text


def test_no_clause_grants_exclusivity(library: Library) -> None:
    """The detector passes every clause; the locked ones speak of exclusivity only to deny it."""
    for clause in library.clauses.values():
        for pid, position in clause.positions.items():
            hits = detect(plain_source(position.text), library.rules)
            assert not hits, f"{clause.id}/{pid}: {[h.summary() for h in hits]}"
            if clause.status == "locked":
                continue
            stray = [
                m for m in re.findall(r"\S*exclusiv\w*\s+\w+", position.text, re.I) if not HARMLESS_EXCLUSIVE.search(m)
            ]
            assert not stray, f"{clause.id}/{pid}: {stray}"


# ----------------------------------------------------------------------------- negotiable clauses


def _ladders(library: Library) -> list[tuple[Playbook, str]]:
    return [(p, e.clause) for p in library.playbooks.values() for e in p.entries() if e.ladder]


def test_every_negotiable_clause_has_a_ladder_with_two_fallbacks_everywhere(library: Library) -> None:
    pairs = _ladders(library)
    assert pairs
    for playbook in library.playbooks.values():
        for entry in playbook.entries():
            clause = library.clause(entry.clause)
            if clause.status != "negotiable":
                continue
            assert entry.ladder is not None, f"{playbook.id}/{clause.id}"
            assert len(entry.ladder.fallbacks) >= 2, f"{playbook.id}/{clause.id}"
            assert len(clause.positions) >= 3, clause.id
            for rung in entry.ladder.rungs:
                assert rung.approver in ROLES and rung.guidance.strip()
            assert entry.ladder.walk_away.strip()


def test_value_share_offers_every_value_sharing_framework_mechanism(library: Library) -> None:
    positions = set(library.clause("value-share").positions)
    assert {"cost-recovery", "upfront", "subscription", "milestones", "royalty", "in-kind"} <= positions


def test_intellectual_property_offers_the_three_ownership_models(library: Library) -> None:
    positions = library.clause("intellectual-property").positions
    assert {"partner-owns", "joint", "nhs-owns"} <= set(positions)
    licence_back = normalise(positions["partner-owns"].text)
    assert "non-exclusive, royalty-free, perpetual and irrevocable licence" in licence_back
    assert "every other NHS Body" in licence_back
    assert "grant the Partner a non-exclusive, worldwide licence" in positions["nhs-owns"].text
    assert "owned jointly" in positions["joint"].text


def test_wales_variants_are_wired_into_every_playbook(library: Library) -> None:
    for playbook in library.playbooks.values():
        entries = {e.clause: e for e in playbook.entries()}
        assert entries["welsh-language"].when == "deal.wales"
        assert "governing-law" in entries and not entries["governing-law"].choose  # the law's fact picks it
        assert entries["consent-to-commercialise"].when == "not deal.purpose.commercial"
    assert library.clause("governing-law").positions["wales"].states == {"governing_law": "wales"}


@pytest.mark.parametrize("playbook_id", PLAYBOOKS)
def test_every_playbook_has_the_required_schedules(library: Library, playbook_id: str) -> None:
    schedules = {s.title: s.tables for s in library.playbooks[playbook_id].schedules}
    for title, table in SCHEDULES.items():
        assert table in schedules.get(title, []), f"{playbook_id}: schedule {title!r} with the {table} table"


# ----------------------------------------------------------------------------- examples


def test_one_example_per_playbook_and_the_required_variants() -> None:
    assert {d.playbook for d in DEALS.values()} >= set(PLAYBOOKS)
    assert DEALS["northby-sepsis"].playbook == "research-collaboration"
    assert DEALS["northby-sepsis"].positions == {}
    welsh = [d for d in DEALS.values() if d.wales]
    assert welsh and all(d.agreement.title_cy and d.agreement.lay_summary_cy for d in welsh)


def test_one_example_uses_several_fallbacks_with_recorded_approvals(library: Library) -> None:
    best = max(DEALS.values(), key=lambda d: len(d.positions))
    assert len(best.positions) >= 3
    agreement = api.assemble(library, best)
    assert len(agreement.deviations) == len(best.positions)
    approved = [d for d in agreement.deviations if d.approver != "negotiator"]
    assert len(approved) >= 3 and not agreement.pending
    for deviation in approved:
        record = next(h for h in reversed(best.history) if h.clause == deviation.clause and h.to == deviation.position)
        assert isinstance(record.approval, HistoryApproval) and record.approval.role == deviation.approver


@pytest.fixture(scope="module")
def drafted() -> dict[str, tuple[Agreement, bytes]]:
    library = api.load_library(ROOT)
    out = {}
    for name, deal in DEALS.items():
        agreement = api.assemble(library, deal)
        out[name] = (agreement, api.render_docx(library, agreement))
    return out


@pytest.mark.parametrize("name", sorted(DEALS))
def test_every_example_drafts_cleanly(drafted: dict[str, tuple[Agreement, bytes]], name: str) -> None:
    agreement, data = drafted[name]
    text = "\n".join(paragraphs(data))
    for placed in agreement.all_clauses():
        assert placed.clause.title in text
    assert "[amount to be agreed]" not in text and "[percentage to be agreed]" not in text
    assert "None" not in re.findall(r"\bNone\b", text.replace("None: every clause", ""))
    assert not re.search(r"\{\{|\}\}|\{%|%\}", text)


def test_the_welsh_example_carries_the_welsh_text(drafted: dict[str, tuple[Agreement, bytes]]) -> None:
    name, deal = next((n, d) for n, d in DEALS.items() if d.wales)
    agreement, data = drafted[name]
    text = "\n".join(paragraphs(data))
    assert "Welsh language" in [c.clause.title for c in agreement.clauses]
    assert next(c for c in agreement.clauses if c.id == "governing-law").position == "wales"
    assert deal.agreement.title_cy and normalise(deal.agreement.title_cy) in normalise(text)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_combination_of_approved_rungs_assembles(library: Library, data: st.DataObject) -> None:
    """Whatever rungs a negotiation lands on, the agreement assembles and the locked text is unchanged."""
    deal = data.draw(st.sampled_from(sorted(DEALS.items())))[1]
    playbook = library.playbooks[deal.playbook]
    positions = {
        e.clause: data.draw(st.sampled_from([r.position for r in e.ladder.rungs]))
        for e in playbook.entries()
        if e.ladder
    }
    baseline = {c.id: c.text() for c in api.assemble(library, deal).all_clauses() if c.locked}
    moved = agreeing(library, deal.model_dump(mode="json", by_alias=True) | {"positions": positions})
    agreement = api.assemble(library, Deal.model_validate(moved))
    assert {c.id: c.text() for c in agreement.all_clauses() if c.locked} == baseline
    for placed in agreement.all_clauses():
        assert placed.paragraphs
        if not placed.locked:
            assert not detect(placed.text(), library.rules), placed.id


# ----------------------------------------------------------------------------- documentation and template


def test_library_doc_is_current(library: Library) -> None:
    current = (ROOT / "docs" / "library.md").read_text(encoding="utf-8")
    assert current == libdoc.render(library), "run: python -m contractkit.library.libdoc > docs/library.md"


def test_library_doc_lists_every_clause_and_position(library: Library) -> None:
    doc = libdoc.render(library)
    for clause in library.clauses.values():
        assert f"### {clause.title} (`{clause.id}`)" in doc
        for pid in clause.positions:
            assert f"`{pid}`" in doc


@needs_soffice()
def test_examples_lay_out_in_libreoffice(drafted: dict[str, tuple[Agreement, bytes]]) -> None:
    """One LibreOffice run for every example: each PDF has a contents page, every schedule and the signatures."""
    from pypdf import PdfReader

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, (_, data) in drafted.items():
            (folder / f"{name}.docx").write_bytes(data)
        profile = (folder / "profile").as_uri()
        command = ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf"]
        docs = sorted(str(p) for p in folder.glob("*.docx"))
        subprocess.run([*command, "--outdir", str(folder), *docs], check=True, capture_output=True, timeout=180)
        for name, (agreement, _) in drafted.items():
            reader = PdfReader(str(folder / f"{name}.pdf"))
            text = normalise(" ".join(page.extract_text() for page in reader.pages))
            assert f"Page 1 of {len(reader.pages)}" in text or f"Page 2 of {len(reader.pages)}" in text
            for schedule in agreement.schedules:
                assert f"SCHEDULE {schedule.number}: {schedule.title.upper()}" in text.upper()
            assert text.upper().count("SIGNED FOR AND ON BEHALF OF") == len(agreement.deal.signatories)
