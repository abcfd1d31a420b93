"""One source of truth: the deal's facts pick the wordings that state them, and clause text,
Schedule 4, the register, the summary and the manifest agree. Completeness: each wording's needed
facts, blanks in the text, and what a final version refuses."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from ruamel.yaml import YAML

from contractkit import api
from contractkit.drafting.agreement import Agreement
from contractkit.drafting.register_entry import entry
from contractkit.drafting.tables import code, register, value_share
from contractkit.errors import ValidationFailed
from contractkit.library import facts
from contractkit.library.deal import Deal
from contractkit.library.loading import Library
from contractkit.library.model import Position
from contractkit.library.scaffold import specimen
from contractkit.publishing import summary

GOLDEN = ROOT / "tests" / "golden" / "value-share"
REGEN = bool(os.environ.get("CONTRACTKIT_REGEN_GOLDEN"))
MECHANISMS = ["cost-recovery", "upfront", "subscription", "milestones", "royalty", "in-kind"]
# The figure each mechanism's facts put in the agreement, and that no other mechanism may show.
FIGURES = {
    "upfront": "£50,000.00",
    "subscription": "£20,000.00",
    "milestones": "regulatory approval of a product",
    "royalty": "3% of Net Revenue",
    "in-kind": "free use of any resulting product by NHS bodies",
}


def mechanism_deal(mechanism: str, **changes: Any) -> dict[str, Any]:
    """The specimen with `mechanism` as its value share (cost recovery on the academic playbook)."""
    data = specimen("academic-access" if mechanism == "cost-recovery" else "research-collaboration")
    data["commercial"]["value_share"]["model"] = mechanism
    data["commercial"]["value_share"]["royalty_percent"] = "3"
    data["purpose"]["commercial"] = mechanism != "cost-recovery"
    for dotted, value in changes.items():
        node = data
        *path, last = dotted.split("__")
        for key in path:
            node = node[key]
        node[last] = value
    return data


def write_deal(tmp_path: Path, data: dict[str, Any], name: str = "deal") -> Path:
    path = tmp_path / f"{name}.yaml"
    yaml = YAML()
    yaml.default_flow_style = False
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)
    return path


def evidence(library: Library, agreement: Agreement) -> list[str]:
    p2 = next(s for s in summary.build(library, agreement).sections if s.principle == "P2")
    return p2.evidence


def describe(library: Library, agreement: Agreement) -> str:
    """Everything the agreement says about its value share, in one readable text."""
    clause = agreement.value_share_clause
    assert clause is not None
    wording = clause.clause.positions[clause.position]
    lines = [f"clause {clause.number} ({clause.clause.title}), position {clause.position} ({wording.label}):"]
    lines += [f"  {p.number} {p.text}" for p in clause.paragraphs]
    lines += ["Schedule 4, Part 2:"] + [f"  {a} | {b}" for a, b in value_share(agreement)[0]]
    row = next(r for r in register(agreement)[0] if r[0] == "Value share")
    lines += [f"register entry: value_share_model = {entry(agreement)['value_share_model']}"]
    lines += [f"Schedule 5: {row[0]} | {row[1]}"]
    lines += ["summary, P2 evidence:"] + [f"  - {e}" for e in evidence(library, agreement)]
    manifest = next(c for c in agreement.manifest()["clauses"] if c["id"] == "value-share")
    lines += [f"manifest: value-share -> {manifest['position']}"]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("mechanism", MECHANISMS)
def test_every_mechanism_agrees_everywhere(library: Library, mechanism: str) -> None:
    agreement = api.assemble(library, Deal.model_validate(mechanism_deal(mechanism)))
    clause = agreement.value_share_clause
    assert clause is not None and not agreement.warnings
    wording = clause.clause.positions[clause.position]
    assert wording.states == {"commercial.value_share.model": mechanism}
    rows = dict(value_share(agreement)[0][1:])
    assert rows[f"Mechanism (clause {clause.number})"] == wording.label
    assert entry(agreement)["value_share_model"] == agreement.value_share_model == mechanism
    assert dict(register(agreement)[0])["Value share"] == code(mechanism)
    assert f"Value share mechanism: {code(mechanism).lower()}" in evidence(library, agreement)
    text = " ".join(p.text for p in clause.paragraphs) + " " + " ".join(" ".join(r) for r in value_share(agreement)[0])
    said = text + " " + " ".join(evidence(library, agreement))
    for other, figure in FIGURES.items():
        if other == mechanism:
            assert figure in text, figure
        else:
            assert figure not in said, (other, figure)
    golden = GOLDEN / f"{mechanism}.txt"
    if REGEN:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(describe(library, agreement), encoding="utf-8")
    assert describe(library, agreement) == golden.read_text(encoding="utf-8")


def test_the_issue_case_royalty_with_no_position_is_drafted_as_a_royalty(library: Library, tmp_path: Path) -> None:
    """model: royalty, royalty_percent '3', no positions entry: the royalty wording, a royalty row in
    Schedule 4, 'royalty' in the register, and the board's approval pending (royalty is a fallback)."""
    agreement = api.prepare(library, write_deal(tmp_path, mechanism_deal("royalty")))
    clause = agreement.value_share_clause
    assert clause is not None and clause.position == "royalty"
    assert "a royalty of 3% of Net Revenue" in " ".join(p.text for p in clause.paragraphs)
    assert ["Royalty rate", "3% of Net Revenue"] in value_share(agreement)[0]
    assert entry(agreement)["value_share_model"] == "royalty"
    assert [(d.clause, d.position, d.pending) for d in agreement.deviations] == [("value-share", "royalty", True)]


def test_a_position_that_disagrees_with_the_model_is_refused_naming_both_lines(
    library: Library, tmp_path: Path
) -> None:
    path = write_deal(tmp_path, mechanism_deal("royalty", positions={"value-share": "subscription"}))
    lines = path.read_text(encoding="utf-8").splitlines()
    model = next(n for n, line in enumerate(lines, 1) if line.strip() == "model: royalty")
    position = next(n for n, line in enumerate(lines, 1) if line.strip() == "value-share: subscription")
    with pytest.raises(ValidationFailed) as refused:
        api.prepare(library, path)
    (issue,) = refused.value.issues
    assert (issue.line, issue.field) == (position, "positions.value-share")
    assert f"commercial.value_share.model (line {model}) says royalty" in issue.message
    assert "'subscription' (Subscription) is the wording for commercial.value_share.model: subscription" in (
        issue.message
    )
    assert "swap" in (issue.hint or "")


def test_a_model_the_playbook_has_no_wording_for_is_refused(library: Library, tmp_path: Path) -> None:
    data = mechanism_deal("milestones", commercial__value_share__model="cost-recovery", purpose__commercial=False)
    with pytest.raises(ValidationFailed) as refused:
        api.prepare(library, write_deal(tmp_path, data))
    (issue,) = refused.value.issues
    assert issue.field == "commercial.value_share.model" and issue.line
    assert (
        "'cost-recovery' has no approved wording in clause 20 (Value share) of playbook 'research-collaboration'"
        in (issue.message)
    )
    assert "(approved: milestones, upfront, subscription, royalty, in-kind)" in issue.message


@pytest.mark.parametrize(
    ("changes", "field", "message", "severity"),
    [
        (
            {"nhs_organisations": [{**specimen("x")["nhs_organisations"][0], "role": "processor"}]},
            "nhs_organisations[0].role",
            "Northby is a processor, but data.processor_used (line",
            "error",
        ),
        (
            {"purpose__commercial": False},
            "commercial.value_share.model",
            "'royalty' is a share of commercial value, but purpose.commercial (line",
            "error",
        ),
        (
            {"governing_law": "scotland"},
            "governing_law",
            "is scotland, but no NHS party is in that jurisdiction (NHS parties: england)",
            "warning",
        ),
    ],
)
def test_facts_said_twice_must_agree(
    library: Library, tmp_path: Path, changes: dict[str, Any], field: str, message: str, *, severity: str
) -> None:
    path = write_deal(tmp_path, mechanism_deal("royalty", **changes))
    if severity == "error":
        with pytest.raises(ValidationFailed) as refused:
            api.prepare(library, path)
        found = refused.value.issues
    else:
        found = list(api.prepare(library, path).warnings)
    assert [(i.field, i.severity) for i in found if message in i.message] == [(field, severity)], found


def test_cost_recovery_for_commercial_outputs_is_a_warning(library: Library, tmp_path: Path) -> None:
    data = mechanism_deal("cost-recovery", purpose__commercial=True)
    warnings = api.prepare(library, write_deal(tmp_path, data)).warnings
    assert any("the NHS would receive no share of their value" in w.message for w in warnings)


def test_the_access_model_picks_the_data_access_wording(library: Library) -> None:
    for model in ("sde", "nhs-analysts", "release"):
        agreement = api.assemble(library, Deal.model_validate(mechanism_deal("royalty", data__access_model=model)))
        placed = next(c for c in agreement.all_clauses() if c.id == "data-access")
        assert placed.position == model
        assert dict(register(agreement)[0])["Identifiability and access"].endswith(code(model))


# ----------------------------------------------------------------------------- completeness


def test_needs_are_derived_from_the_printed_facts_and_declared_for_the_rest() -> None:
    text = (
        "Pay {{ deal.commercial.value_share.upfront_amount | money }} by {{ ref('fees') }}.\n"
        "{% if deal.data.environment %}In {{ deal.data.environment }}.{% endif %}\n"
        "{% for m in deal.commercial.value_share.milestones %}{{ m.event }}{% endfor %}\n"
    )
    position = Position(text=text, needs=["commercial.fees"])
    assert facts.needs(position) == ["commercial.value_share.upfront_amount", "commercial.fees"]


@pytest.mark.parametrize(
    ("mechanism", "missing"),
    [
        ("upfront", "upfront_amount"),
        ("subscription", "subscription_amount"),
        ("royalty", "royalty_percent"),
        ("in-kind", "in_kind"),
        ("milestones", "milestones"),
    ],
)
def test_a_missing_fact_is_a_located_warning_and_a_visible_blank(
    library: Library, tmp_path: Path, mechanism: str, missing: str
) -> None:
    data = mechanism_deal(mechanism)
    value_share_data = data["commercial"]["value_share"]
    value_share_data.pop(missing)
    agreement = api.prepare(library, write_deal(tmp_path, data))
    field = f"commercial.value_share.{missing}"
    (warning,) = [w for w in agreement.warnings if w.field == field]
    assert warning.severity == "warning" and warning.line
    blank = f"[not stated: {missing.replace('_', ' ')}]"
    clause = agreement.value_share_clause
    assert clause is not None
    shown = " ".join(p.text for p in clause.paragraphs) + " ".join(" ".join(r) for r in value_share(agreement)[0])
    assert blank in shown
    assert "to be agreed" not in shown
    with pytest.raises(ValidationFailed) as refused:
        api.prepare(library, write_deal(tmp_path, data), final=True)
    assert any(i.field == field and "cannot produce a final version" in i.message for i in refused.value.issues)


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        (
            {"commercial__fees": [{"description": "Access fee (amount to be agreed)", "amount": "1.00"}]},
            "commercial.fees[0].description",
            "'to be agreed'",
        ),
        (
            {"partners": [{**specimen("x")["partners"][0], "address": "[registered office of the partner]"}]},
            "partners[0].address",
            "not filled in: [registered office of the partner]",  # a placeholder, reported once by loading
        ),
        ({"special_conditions": ["The Partner shall pay a deposit of TBC."]}, "special_conditions[0]", "'TBC'"),
    ],
)
def test_unfinished_text_in_the_deal_is_a_warning_and_blocks_final(
    library: Library, tmp_path: Path, changes: dict[str, Any], field: str, words: str
) -> None:
    path = write_deal(tmp_path, mechanism_deal("milestones", **changes))
    warnings = api.prepare(library, path).warnings
    assert [w.field for w in warnings if words in w.message] == [field]
    with pytest.raises(ValidationFailed) as refused:
        api.prepare(library, path, final=True)
    assert any(words in line for line in refused.value.lines())


def test_a_benefit_without_target_or_date_is_a_gap(library: Library, tmp_path: Path) -> None:
    benefit = {"metric": "Median time to antibiotics", "baseline": "94 minutes"}
    agreement = api.prepare(library, write_deal(tmp_path, mechanism_deal("milestones", benefits=[benefit])))
    assert {w.field for w in agreement.warnings} == {"benefits[0].target", "benefits[0].date"}


def test_deal_warnings_are_kept_printed_and_refused_by_final(
    library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Any
) -> None:
    """Warnings from the deal checks (placeholders left in, say) reach the lawyer and stop a final."""
    from contractkit.errors import Issue
    from contractkit.library import checks as validate

    path = write_deal(tmp_path, mechanism_deal("milestones"))
    original = validate.check_deal

    def with_warning(deal: Deal, doc: Any, lib: Library, **options: Any) -> list[Issue]:
        warning = doc.issue(["partners", 0, "name"], "not filled in", severity="warning")
        return [*original(deal, doc, lib, **options), warning]

    monkeypatch.setattr(validate, "check_deal", with_warning)
    drafted = cli("draft", path, "-o", tmp_path / "draft.docx")
    assert drafted.exit_code == 0
    assert f"{path}:" in drafted.stderr and "partners[0].name: warning: not filled in" in drafted.stderr
    final = cli("draft", path, "-o", tmp_path / "final.docx", "--final")
    assert final.exit_code == 1 and not (tmp_path / "final.docx").exists()
    assert "partners[0].name: cannot produce a final version: not filled in" in final.stderr


# ----------------------------------------------------------------------------- the library's side


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            ("states: {commercial.value_share.model: royalty}", "states: {commercial.value_share.modle: royalty}"),
            "'commercial.value_share.modle' is not a field of a deal file",
        ),
        (
            ("states: {commercial.value_share.model: royalty}", "states: {commercial.value_share.model: royalties}"),
            "commercial.value_share.model cannot be 'royalties' (allowed: cost-recovery,",
        ),
        (
            ("needs: [commercial.value_share.milestones]", "needs: [commercial.value_share.milestone]"),
            "'commercial.value_share.milestone' is not a field of a deal file",
        ),
        (
            ("{{ deal.commercial.value_share.royalty_percent | percent }}", "[percentage to be agreed]"),
            "the wording leaves a blank: '[percentage to be agreed]'",
        ),
        (
            ("    states: {commercial.value_share.model: in-kind}\n", ""),
            "states nothing about commercial.value_share.model, which the clause's other wordings state",
        ),
    ],
)
def test_lint_checks_states_needs_and_blanks(workspace: Any, edit: tuple[str, str], message: str) -> None:
    root = workspace()
    path = root / "clauses" / "value-share.yaml"
    text = path.read_text(encoding="utf-8")
    assert edit[0] in text
    path.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    issues = api.lint(api.load_library(root))
    assert any(message in i.message and i.file == "clauses/value-share.yaml" and i.line for i in issues), issues
