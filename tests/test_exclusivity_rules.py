"""The exclusivity rules as library data: loaded and checked with located errors, their examples run
by `lint`, and `lint` reading every clause (locked ones included) and the Word template's text."""

from __future__ import annotations

import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

Workspace = Callable[..., Path]
RULES = Path(__file__).parent.parent / "exclusivity.yaml"


def _lint(cli: Callable[..., Result], root: Path) -> Result:
    return cli("--library", root, "lint", "--strict")


def _line(path: Path, needle: str) -> int:
    return next(n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in text)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_missing_rules_fail_every_command(cli: Callable[..., Result], workspace: Workspace, tmp_path: Path) -> None:
    root = workspace({"exclusivity.yaml": None})
    for args in (["lint"], ["clauses", "list"]):
        result = cli("--library", root, *args)
        assert result.exit_code == 1
        assert f"{root / 'exclusivity.yaml'}: the exclusivity rules are missing" in result.stderr


def test_empty_rules_are_a_located_error(cli: Callable[..., Result], workspace: Workspace) -> None:
    root = workspace()
    path = root / "exclusivity.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("\nrules:")] + "\nrules: []\n", encoding="utf-8")
    result = _lint(cli, root)
    assert result.exit_code == 1
    assert re.search(rf"exclusivity.yaml:{_line(path, 'rules: []')} rules: needs at least one entry", result.stderr)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("    family: sole\n", "    family: solitary\n", "rules[I].family: unknown family 'solitary'"),
        ("\\bmonopol(?:y|ies", "\\bmonopol(?:y|ies(", "rules[I].pattern: not a valid pattern"),
        (
            "\\bmonopol(?:y|ies",
            "\\bmonopol(?:y|{nowhere}|ies",
            "rules[I].pattern: not a valid pattern: unknown term {nowhere}",
        ),
        ("  - id: monopoly\n", "  - id: exclusive-right\n", "rules[I].id: rule id 'exclusive-right' is used twice"),
    ],
    ids=["unknown family", "broken regex", "unknown term", "duplicate id"],
)
def test_broken_rules_are_located(
    cli: Callable[..., Result], workspace: Workspace, old: str, new: str, message: str
) -> None:
    root = workspace()
    path = root / "exclusivity.yaml"
    _edit(path, old, new)
    result = _lint(cli, root)
    assert result.exit_code == 1
    text = path.read_text(encoding="utf-8")
    line = text[: text.rindex(new) + 1].count("\n") + 1
    expected = re.escape(message).replace("\\[I\\]", r"\[\d+\]")
    assert re.search(rf"exclusivity.yaml:{line} {expected}", result.stderr), result.stderr


def test_a_failing_example_is_a_located_lint_error(cli: Callable[..., Result], workspace: Workspace) -> None:
    root = workspace()
    path = root / "exclusivity.yaml"
    _edit(
        path,
        "        - The Parties agree that the Partner shall have a monopoly",
        "        - The Parties agree that the Partner shall have a licence",
    )
    _edit(
        path,
        "        - The courts of England and Wales have exclusive jurisdiction.",
        "        - The Partner shall have an exclusive licence.",
    )
    result = _lint(cli, root)
    assert result.exit_code == 1
    missed = _line(path, "shall have a licence over the commercial")
    caught = _line(path, "- The Partner shall have an exclusive licence.")
    assert (
        f"exclusivity.yaml:{missed} rules[" in result.stderr
        and "rule 'monopoly' does not catch its example" in result.stderr
    )
    assert f"exclusivity.yaml:{caught} rules[0].examples.pass[" in result.stderr
    assert "benign example of rule 'exclusive-right' is caught" in result.stderr


def test_old_pattern_list_in_library_yaml_is_explained(cli: Callable[..., Result], workspace: Workspace) -> None:
    root = workspace()
    path = root / "library.yaml"
    path.write_text(
        path.read_text() + "exclusivity_patterns:\n  - {id: x, description: y, pattern: z}\n", encoding="utf-8"
    )
    result = _lint(cli, root)
    assert result.exit_code == 1
    assert "exclusivity_patterns: exclusivity patterns are no longer read from library.yaml" in result.stderr


def test_a_locked_clause_that_grants_exclusivity_fails_lint(cli: Callable[..., Result], workspace: Workspace) -> None:
    """The locked clauses deny exclusivity and pass; one edited to grant it fails, on its line."""
    root = workspace()
    path = root / "clauses" / "national-benefit.yaml"
    sentence = "Each NHS Party shall make the NHS Data available to the Partner alone."
    _edit(
        path,
        "      Nothing in this Agreement restricts any NHS Body",
        f"      {sentence}\n      Nothing in this Agreement restricts any NHS Body",
    )
    result = _lint(cli, root)
    assert result.exit_code == 1
    line = _line(path, sentence)
    assert re.search(
        rf"clauses/national-benefit.yaml:{line} positions.standard.text: locked clause carries exclusivity language: "
        r".*\(rule to-one-alone, sole\): 'to the Partner alone'",
        result.stderr,
    ), result.stderr


def test_a_locked_clause_negation_deleted_fails_lint(cli: Callable[..., Result], workspace: Workspace) -> None:
    root = workspace()
    path = root / "clauses" / "non-exclusivity.yaml"
    _edit(
        path,
        "The Partner shall not seek, and no NHS Party shall grant or agree to,",
        "Each NHS Party grants the Partner,",
    )
    result = _lint(cli, root)
    assert result.exit_code == 1 and "non-exclusivity.yaml" in result.stderr and "first-right" in result.stderr


def test_a_schedule_position_is_read_too(cli: Callable[..., Result], workspace: Workspace) -> None:
    root = workspace()
    path = root / "clauses" / "data-specification.yaml"
    text = path.read_text(encoding="utf-8")
    first = re.search(r"\n    text: \|\n", text)
    assert first is not None
    sentence = "No other AI company may access the datasets listed below for 24 months."
    path.write_text(text[: first.end()] + f"      {sentence}\n" + text[first.end() :], encoding="utf-8")
    result = _lint(cli, root)
    assert result.exit_code == 1
    assert (
        f"data-specification.yaml:{_line(path, sentence)} positions." in result.stderr
        and "no-other-may" in result.stderr
    )


def test_the_template_text_is_read(cli: Callable[..., Result], workspace: Workspace, tmp_path: Path) -> None:
    root = workspace()
    template = root / "templates" / "agreement.docx"
    edited = tmp_path / "agreement.docx"
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(edited, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                old = b"This Agreement has been entered into on the date stated at the beginning of it."
                assert old in data
                data = data.replace(old, b"The Partner shall have a right of first refusal over any new data.")
            dst.writestr(info, data)
    shutil.copy(edited, template)
    result = _lint(cli, root)
    assert result.exit_code == 1
    assert re.search(
        r"agreement.docx paragraph \d+: exclusivity language in the template's text: .*first-right", result.stderr
    )


def test_the_rules_are_kept_parsed_in_the_private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rule file is large: its parse is kept as JSON under a digest of its bytes, used only for
    exactly those bytes, and a damaged entry is ignored."""
    from contractkit.core.cachedir import CACHE_ENV, private_cache
    from contractkit.library import yamlio

    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    cache = private_cache()
    assert cache is not None
    source = tmp_path / "exclusivity.yaml"
    shutil.copy(RULES, source)
    first = yamlio.load_cached(source, "exclusivity.yaml", cache)
    (entry,) = cache.glob("yaml-*.json")
    assert yamlio.load_cached(source, "exclusivity.yaml", cache).plain() == first.plain()
    entry.write_text("{ not json", encoding="utf-8")
    assert yamlio.load_cached(source, "exclusivity.yaml", cache).plain() == first.plain()
    source.write_text(re.sub(r"(?m)^version: .*$", "version: 9.9.9", source.read_text(encoding="utf-8"), count=1))
    assert yamlio.load_cached(source, "exclusivity.yaml", cache).plain()["version"] == "9.9.9"
    assert len(list(cache.glob("yaml-*.json"))) == 2


def test_a_cache_others_can_write_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from contractkit.core.cachedir import CACHE_ENV, private_cache

    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setenv(CACHE_ENV, str(shared))
    assert private_cache() is None
    monkeypatch.setenv(CACHE_ENV, "")
    assert private_cache() is None
