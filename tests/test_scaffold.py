"""`contractkit new --playbook ID`: a scaffold per playbook, every field it uses explained, optional
fields commented out, negotiable clauses listed, placeholders reported as "not filled in"; and the
specimen deal that lint drafts stays complete."""

from __future__ import annotations

import json
import re
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from pydantic import BaseModel

from contractkit.library import yamlio
from contractkit.library.checks import check_deal
from contractkit.library.deal import Deal
from contractkit.library.deal_loading import read_deal
from contractkit.library.fieldplan import MECHANISM_FIELDS, offered_models
from contractkit.library.loading import Library
from contractkit.library.scaffold import new_deal, specimen
from contractkit.library.shapes import is_placeholder

PLAYBOOKS = ["research-collaboration", "ai-development", "academic-access"]


def _paths(model: type[BaseModel], prefix: str = "") -> list[str]:
    out = []
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        out.append(path)
        for arg in [info.annotation, *typing.get_args(info.annotation)]:
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                out += _paths(arg, f"{path}.")
    return out


def uncommented(text: str) -> str:
    """The scaffold with every optional field switched on: '# name: value' lines lose their '# '."""
    field = re.compile(r'^(\s*)# (\s*(- )?[a-z_0-9]+:(\s*$| "\[| [a-zA-Z0-9_]+$)|\s*- "\[)')
    return "\n".join(re.sub(r"^(\s*)# ", r"\1", line) if field.match(line) else line for line in text.splitlines())


@pytest.mark.parametrize("playbook", PLAYBOOKS)
def test_unedited_scaffold_reports_every_placeholder_and_never_drafts(
    library: Library, cli: Callable[..., Result], tmp_path: Path, playbook: str
) -> None:
    deal = tmp_path / "deal.yaml"
    assert cli("new", "--playbook", playbook, "-o", deal).exit_code == 0
    doc = yamlio.load(deal)
    placeholders = {yamlio.format_loc(loc): v for loc, v in yamlio.strings(doc.data) if is_placeholder(v)}
    _, issues, _ = read_deal(doc)
    reported = {i.field: i for i in issues}
    assert set(reported) == set(placeholders), "each placeholder is reported once, and nothing else"
    for field, issue in reported.items():
        assert issue.message == f"not filled in: {placeholders[field]}"
        assert issue.line == doc.line_of(_loc(field))
    errors = {f for f, i in reported.items() if i.severity == "error"}
    assert {"agreement.date", "term.start", "partners[0].company_number", "purpose.commercial"} <= errors
    assert {"partners[0].name", "agreement.title", "signatories[0].name"} <= set(reported) - errors
    result = cli("draft", deal, "-o", tmp_path / "out.docx")
    assert result.exit_code == 1
    assert "Example Analytics" not in deal.read_text() and "A. Person" not in deal.read_text()
    assert not (tmp_path / "out.docx").exists()


def _loc(field: str) -> list[str | int]:
    return [int(p) if p.isdigit() else p for p in re.split(r"[.\[\]]+", field) if p]


@pytest.mark.parametrize("playbook", PLAYBOOKS)
def test_filled_in_scaffold_drafts(library: Library, cli: Callable[..., Result], tmp_path: Path, playbook: str) -> None:
    """Every placeholder replaced with a fact (here, the specimen's) gives a deal that drafts."""
    text = new_deal(library, playbook)
    facts = specimen(playbook)
    facts["data"]["access_model"] = "nhs-analysts"  # the scaffold leaves the environment commented out
    doc = yamlio.parse(text, "deal.yaml")
    lines = text.splitlines()
    for loc, value in yamlio.strings(doc.data):
        if is_placeholder(value):
            line = doc.line_of(loc) - 1
            lines[line] = lines[line].replace(json.dumps(value, ensure_ascii=False), _yaml(_at(facts, loc)))
    deal = tmp_path / "deal.yaml"
    deal.write_text("\n".join(lines) + "\n")
    result = cli("draft", deal, "-o", tmp_path / "out.docx")
    assert result.exit_code == 0, result.stderr


def _at(data: Any, loc: tuple[str | int, ...]) -> Any:
    for key in loc:
        data = data[key]
    return data


def _yaml(value: Any) -> str:
    return ("yes" if value else "no") if isinstance(value, bool) else json.dumps(str(value))


@pytest.mark.parametrize("playbook", PLAYBOOKS)
def test_scaffold_shows_the_fields_the_playbook_uses(library: Library, playbook: str) -> None:
    text = new_deal(library, playbook)
    offered = offered_models(library, library.playbooks[playbook])
    hidden = {f for m, fields in MECHANISM_FIELDS.items() if m not in offered for f in fields}
    for path in _paths(Deal):
        name = path.rsplit(".", 1)[-1]
        if path.startswith("history.") or set(path.split(".")[:-1]) & hidden:
            continue  # swap writes the log; a hidden list's own fields have names used elsewhere
        if name in hidden:
            assert not re.search(rf"^[\s#-]*{name}:", text, re.M), f"{playbook} does not use {path}"
        else:
            assert re.search(rf"^[\s#-]*{name}:", text, re.M), f"{path} is missing from the {playbook} scaffold"
    for always in ("title_cy", "lay_summary_cy", "governing_law", "value_withheld_reason"):
        assert re.search(rf"^\s*# {always}: \"\[", text, re.M), f"{always} is offered, commented out"


def test_value_share_fields_follow_the_ladder(library: Library) -> None:
    research, ai, academic = (new_deal(library, p) for p in PLAYBOOKS)
    assert "upfront_amount" in research and "royalty_percent" in research
    assert "upfront_amount" not in ai and "royalty_percent" in ai and "subscription_amount" in ai
    assert not re.search(
        r"^[\s#-]*(milestones|royalty_percent|in_kind|upfront_amount|subscription_\w+):", academic, re.M
    )
    assert "    model: cost-recovery\n" in academic, "the only mechanism on the ladder is filled in"
    assert 'model: "[milestones, royalty, subscription or in-kind]"' in ai


@pytest.mark.parametrize("playbook", PLAYBOOKS)
def test_negotiable_clauses_listed_with_rungs_and_approvers(library: Library, playbook: str) -> None:
    text = new_deal(library, playbook)
    block = text[text.index("# Negotiated positions") : text.index("positions: {}")]
    pb = library.playbooks[playbook]
    for entry in pb.entries():
        if entry.ladder is None:
            assert f"#   {entry.clause} (" not in block
            continue
        clause = library.clauses[entry.clause]
        assert f"#   {clause.id} ({clause.title}):" in block
        for n, rung in enumerate(entry.ladder.rungs):
            label = clause.positions[rung.position].label
            who = "preferred" if n == 0 else f"approver: {rung.approver}"
            assert f"#     {rung.position}: {label} ({who})" in block
    for role in {r.approver for e in pb.entries() if e.ladder for r in e.ladder.fallbacks}:
        assert f"#   {role}: {library.meta.roles[role]}" in block


@pytest.mark.parametrize("playbook", PLAYBOOKS)
def test_switched_on_optional_fields_are_reported_too(library: Library, playbook: str) -> None:
    """Every commented-out field, switched on as it stands, is valid YAML and reported as not filled in."""
    text = uncommented(new_deal(library, playbook))
    doc = yamlio.parse(text, "deal.yaml")
    _, issues, _ = read_deal(doc)
    assert issues
    assert all(i.message.startswith("not filled in: [") for i in issues), [str(i) for i in issues]
    assert any(i.field == "agreement.title_cy" for i in issues)
    assert any(i.field == "governing_law" and i.severity == "error" for i in issues)


@pytest.mark.parametrize("playbook", PLAYBOOKS)
def test_specimen_is_complete_and_valid(library: Library, playbook: str) -> None:
    """lint's trial deal: a complete deal with no placeholder and no problem."""
    doc = yamlio.parse(yamlio.dump(specimen(playbook)), "specimen.yaml")
    deal, issues, broken = read_deal(doc)
    assert (issues, broken) == ([], frozenset())
    assert [i for i in check_deal(deal, doc, library) if i.severity == "error"] == []
    assert not [v for _, v in yamlio.strings(specimen(playbook)) if is_placeholder(v)]


def test_swap_works_on_a_filled_in_scaffold(library: Library, cli: Callable[..., Result], tmp_path: Path) -> None:
    """The scaffold's `positions: {}` and missing history are what `swap` edits."""
    text = new_deal(library, "research-collaboration")
    facts = specimen("research-collaboration")
    facts["data"]["access_model"] = "nhs-analysts"
    doc = yamlio.parse(text, "deal.yaml")
    lines = text.splitlines()
    for loc, value in yamlio.strings(doc.data):
        if is_placeholder(value):
            line = doc.line_of(loc) - 1
            lines[line] = lines[line].replace(json.dumps(value, ensure_ascii=False), _yaml(_at(facts, loc)))
    deal = tmp_path / "deal.yaml"
    deal.write_text("\n".join(lines) + "\n")
    result = cli("swap", deal, "confidentiality", "five-years", "--by", "A Negotiator")
    assert result.exit_code == 0, result.stderr
    assert "confidentiality: five-years" in deal.read_text()
    assert "# Negotiated positions" in deal.read_text(), "the comments are kept"
