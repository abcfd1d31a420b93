"""The library and playbook layers of the lock: `lint` fails when a locked clause is weakened."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from contractkit import api
from contractkit.checking.lint import GUARANTEED

Workspace = Callable[..., Path]


def _lint(cli: Callable[..., Result], root: Path, *extra: str) -> Result:
    return cli("--library", root, "lint", *extra)


def test_shipped_library_is_clean(cli: Callable[..., Result]) -> None:
    result = cli("lint", "--strict")
    assert result.exit_code == 0, result.stderr
    assert "clauses" in result.output


def test_json_output_lists_issues(cli: Callable[..., Result], workspace: Workspace) -> None:
    root = workspace({"clauses/transparency.yaml": None})
    result = _lint(cli, root, "--format", "json")
    assert result.exit_code == 1
    assert '"ok": false' in result.output
    assert "transparency" in result.output


@pytest.mark.parametrize("clause_id", sorted(GUARANTEED))
def test_missing_guaranteed_clause_fails(cli: Callable[..., Result], workspace: Workspace, clause_id: str) -> None:
    root = workspace({f"clauses/{clause_id}.yaml": None})
    result = _lint(cli, root)
    assert result.exit_code == 1
    assert f"locked clause {clause_id!r} ({GUARANTEED[clause_id]}) is missing from the library" in result.stderr


@pytest.mark.parametrize("clause_id", sorted(GUARANTEED))
def test_guaranteed_clause_must_stay_locked(cli: Callable[..., Result], workspace: Workspace, clause_id: str) -> None:
    root = workspace()
    path = root / "clauses" / f"{clause_id}.yaml"
    path.write_text(path.read_text().replace("status: locked", "status: required"))
    result = _lint(cli, root)
    assert result.exit_code == 1
    assert f"clauses/{clause_id}.yaml" in result.stderr
    assert "status: must be locked (got 'required')" in result.stderr


def test_guaranteed_clause_must_keep_its_principle(cli: Callable[..., Result], workspace: Workspace) -> None:
    root = workspace()
    path = root / "clauses" / "transparency.yaml"
    path.write_text(re.sub(r"principles: \[.*\]", "principles: [P1]", path.read_text()))
    result = _lint(cli, root)
    assert result.exit_code == 1
    assert "principles: must include P4" in result.stderr


def test_locked_clause_has_exactly_one_position(cli: Callable[..., Result], workspace: Workspace) -> None:
    root = workspace()
    path = root / "clauses" / "non-exclusivity.yaml"
    path.write_text(path.read_text() + "  weaker:\n    text: |\n      The Partner may have a head start.\n")
    result = _lint(cli, root)
    assert result.exit_code == 1
    assert "a locked clause has exactly one position (got 2)" in result.stderr


def _without(text: str, clause_id: str) -> str:
    out = re.sub(rf"\n\s*- {clause_id}\n", "\n", text)
    out = re.sub(rf"(\[[^\]]*?)\b{clause_id}\b,?\s*", r"\1", out)
    return out.replace(", ]", "]")


@pytest.mark.parametrize("clause_id", sorted(GUARANTEED))
def test_playbook_leaving_out_a_locked_clause_fails(
    cli: Callable[..., Result], workspace: Workspace, clause_id: str
) -> None:
    root = workspace()
    for path in (root / "playbooks").glob("*.yaml"):
        path.write_text(_without(path.read_text(), clause_id))
    result = _lint(cli, root)
    assert result.exit_code == 1
    assert f"leaves out locked clause {clause_id!r}" in result.stderr


def test_playbook_must_cover_every_principle(workspace: Workspace) -> None:
    root = workspace()

    def drop_p1(match: re.Match[str]) -> str:
        kept = [p for p in re.findall(r"P[1-5]", match.group(0)) if p != "P1"] or ["P5"]
        return f"principles: [{', '.join(kept)}]"

    for path in (root / "clauses").glob("*.yaml"):
        path.write_text(re.sub(r"^principles: \[.*\]$", drop_p1, path.read_text(), flags=re.M))
    issues = api.lint(api.load_library(root))
    assert any("no clause serves P1 (explicit aim and benefit)" in i.message for i in issues)


def test_unknown_approver_role_is_located(cli: Callable[..., Result], workspace: Workspace) -> None:
    root = workspace()
    path = next(p for p in (root / "playbooks").glob("*.yaml") if "approver: board" in p.read_text())
    path.write_text(path.read_text().replace("approver: board", "approver: boss", 1))
    result = _lint(cli, root)
    assert result.exit_code == 1
    assert re.search(r"playbooks/.*\.yaml:\d+ .*approver: unknown role 'boss' \(known: negotiator", result.stderr)


TEXT_CASES = [
    ("{{ deal.purpose.goal }}", r"template error: .*goal"),
    ("{{ ref('no-such-clause') }}", r"cross-reference to 'no-such-clause', which is not in this agreement"),
    ("{{ deal.purpose.aim", r"unexpected end of template|expected token"),
]


@pytest.mark.parametrize(("replacement", "expected"), TEXT_CASES, ids=["unknown variable", "dangling ref", "syntax"])
def test_clause_text_errors_name_the_failing_line(
    cli: Callable[..., Result], workspace: Workspace, replacement: str, expected: str
) -> None:
    root = workspace()
    path = root / "clauses" / "purpose.yaml"
    path.write_text(path.read_text().replace("{{ deal.purpose.aim }}", replacement))
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if replacement in text)
    result = _lint(cli, root)
    assert result.exit_code == 1
    assert re.search(rf"clauses/purpose.yaml:{line} positions\.\w+\.text: .*{expected}", result.stderr), result.stderr


def test_exclusivity_in_a_negotiable_position_fails(cli: Callable[..., Result], workspace: Workspace) -> None:
    root = workspace()
    path = root / "clauses" / "intellectual-property.yaml"
    text = path.read_text()
    path.write_text(
        text.replace(
            "Foreground IP vests in the Partner on creation.",
            "Foreground IP vests in the Partner, which has a right of first refusal over new data.",
            1,
        )
    )
    result = _lint(cli, root)
    assert result.exit_code == 1
    assert (
        "exclusivity language: a right of first refusal" in result.stderr
        and "(rule first-right, preferential)" in result.stderr
    )


def test_template_without_clauses_is_caught_at_draft(
    tmp_path: Path, cli: Callable[..., Result], workspace: Workspace
) -> None:
    """Output layer: a template that forgets the clauses never produces a document."""
    root = workspace()
    edit_template(root, "word/document.xml", b"{{ clauses }}", b"")
    deal = tmp_path / "deal.yaml"
    from contractkit.library import yamlio
    from contractkit.library.scaffold import specimen

    deal.write_text(yamlio.dump(specimen("research-collaboration")))
    out = tmp_path / "out.docx"
    result = cli("--library", root, "draft", deal, "-o", out)
    assert result.exit_code == 1
    assert "the marker for the clause block ({{ clauses }}) was deleted from the template" in result.stderr
    assert not out.exists()


def edit_template(root: Path, part: str, old: bytes, new: bytes) -> None:
    """Change one part of the workspace's Word template, as an editor in Word might."""
    import zipfile

    template = root / "templates" / "agreement.docx"
    with zipfile.ZipFile(template) as src:
        parts = {i.filename: src.read(i.filename) for i in src.infolist()}
    assert old in parts[part], old
    parts[part] = parts[part].replace(old, new)
    with zipfile.ZipFile(template, "w") as dst:
        for name, data in parts.items():
            dst.writestr(name, data)


TEMPLATE_CASES = [
    (
        "word/document.xml",
        b"{{ library_version }}",
        b"{{ library_verison }}",
        "uses unknown variable 'library_verison'",
    ),
    ("word/document.xml", b"{{ clauses }}", b"", "the marker for the clause block ({{ clauses }}) was deleted"),
    ("word/document.xml", b"{{ agreement.project }}", b"{{ agreement.project }", "broken template tag"),
    ("word/styles.xml", b'w:val="Clause 3"', b'w:val="Clause Three"', "style 'Clause 3' is missing"),
    ("word/document.xml", b"{{ agreement.project }}", b"{{ agreement.projct }}", "has no attribute 'projct'"),
]


@pytest.mark.parametrize(("part", "old", "new", "expected"), TEMPLATE_CASES, ids=[c[3] for c in TEMPLATE_CASES])
def test_lint_checks_the_template(
    cli: Callable[..., Result], workspace: Workspace, *, part: str, old: bytes, new: bytes, expected: str
) -> None:
    root = workspace()
    edit_template(root, part, old, new)
    result = _lint(cli, root)
    assert result.exit_code == 1
    assert "templates/agreement.docx" in result.stderr
    assert expected in result.stderr


def test_every_clause_problem_is_reported_once(cli: Callable[..., Result], workspace: Workspace) -> None:
    """Two broken clauses shared by all three playbooks: both reported, each on one line."""
    root = workspace()
    for name, old, new in [
        ("purpose", "deal.purpose.aim", "deal.purpose.goal"),
        ("audit", "deal.term.review", "deal.term.reveiw"),
    ]:
        path = root / "clauses" / f"{name}.yaml"
        assert old in path.read_text()
        path.write_text(path.read_text().replace(old, new, 1))
    lines = _lint(cli, root).stderr.strip().splitlines()
    assert len([line for line in lines if "'goal'" in line]) == 1, lines
    assert len([line for line in lines if "'reveiw'" in line]) == 1, lines
