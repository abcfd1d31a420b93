"""Hostile YAML: files built to hang, exhaust or smuggle are clean, located errors that finish.

Each hostile file is drafted in a separate process with a generous time limit: a regression that
hangs fails the test (the process is killed) instead of hanging the suite. No timing assertions.
"""

from __future__ import annotations

import functools
import re
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contractkit.errors import ValidationFailed
from contractkit.library import yamlio
from contractkit.library.deal_loading import load_deal
from contractkit.library.loading import Library
from contractkit.library.scaffold import specimen

LIMIT = 120  # seconds: far beyond any honest parse, short enough to fail a hang


def alias_bomb(levels: int = 10, width: int = 10) -> str:
    """The 'billion laughs' document: each level refers `width` times to the one before, so a loader
    that expands aliases builds width**levels (ten billion) strings from about a kilobyte of text."""
    lines = ["lol0: &lol0 [" + ", ".join(['"lol"'] * width) + "]"]
    for n in range(1, levels):
        lines.append(f"lol{n}: &lol{n} [" + ", ".join([f"*lol{n - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


HOSTILE = {
    "alias bomb": (alias_bomb(), "lol0: '&lol0' marks this value for reuse (a YAML anchor)"),
    "alias bomb under a deal key": (
        "playbook: research-collaboration\nnotes:\n" + "".join(f"  {line}\n" for line in alias_bomb().splitlines()),
        "notes.lol0: '&lol0' marks this value for reuse",
    ),
    "many aliases": ("a: &a x\nb:\n" + "  - *a\n" * 200_000, "more than 50 problems; fix these first"),
    "merge key with alias": ("base: &b {x: 1}\nc:\n  <<: *b\n", "merge key '<<' is not allowed"),
    "deep nesting": ("a: " + "[" * 50_000 + "]" * 50_000 + "\n", "nested more than 32 levels deep"),
    "deep mappings": ("".join(" " * n + f"k{n}:\n" for n in range(200)) + "\n", "nested more than 32 levels deep"),
    "oversized": ("a: " + "x" * 3_000_000 + "\n", "contractkit reads files up to 2,000,000"),
    "python name tag": ("a: !!python/name:os.system\n", "a: YAML tag tag:yaml.org,2002:python/name:os.system"),
    "local tag": ("a: !custom 1\n", "a: YAML tag !custom is not allowed"),
    "binary tag": ("a: !!binary aGVsbG8=\n", "a: YAML tag tag:yaml.org,2002:binary is not allowed"),
    "complex key": ("? [a, b]\n: 1\n", "a field name must be a plain word"),
    "unclosed at the end": (
        "playbook: x\nagreement: [\n",
        "deal.yaml:2 agreement: YAML syntax error: a value is missing, or a [ or { is not closed",
    ),
    "unclosed quote at the end": ('playbook: "x\n', "YAML syntax error: a quotation mark is opened but never closed"),
    "nested duplicate": ("a:\n  b: 1\n  c: 2\n  b: 3\n", "a.b: 'b' is given twice here (first on line 2)"),
}


def _draft(tmp_path: Path, text: str) -> subprocess.CompletedProcess[str]:
    deal = tmp_path / "deal.yaml"
    deal.write_text(text, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "contractkit", "draft", str(deal), "-o", str(tmp_path / "out.docx")],
        capture_output=True,
        text=True,
        timeout=LIMIT,
        check=False,
    )


@pytest.mark.parametrize(("text", "expected"), HOSTILE.values(), ids=list(HOSTILE))
def test_hostile_deal_is_a_located_error_that_finishes(tmp_path: Path, text: str, expected: str) -> None:
    result = _draft(tmp_path, text)
    assert result.returncode == 1, result.stderr
    assert expected in result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert all(line.startswith(str(tmp_path / "deal.yaml")) for line in result.stderr.splitlines())
    assert not (tmp_path / "out.docx").exists()
    assert result.stdout == ""


def test_alias_bomb_is_about_a_kilobyte() -> None:
    assert 800 < len(alias_bomb()) < 1200


def _finishes(action: object) -> BaseException | None:
    """Run `action` in a thread; it must finish within LIMIT. Returns what it raised."""
    raised: list[BaseException] = []

    def run() -> None:
        try:
            action()  # type: ignore[operator]
        except BaseException as exc:
            raised.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(LIMIT)
    assert not thread.is_alive(), "did not finish"
    return raised[0] if raised else None


def test_every_reading_path_refuses_the_bomb() -> None:
    """parse, the line map, the round-trip tree (used to edit a deal) and plain() are all guarded:
    none of them expands an alias."""
    text = alias_bomb()
    assert isinstance(_finishes(lambda: yamlio.parse(text, "bomb.yaml")), ValidationFailed)
    unparsed = yamlio.Document(None, "bomb.yaml", text)
    assert isinstance(_finishes(lambda: unparsed.tree), ValidationFailed)
    assert isinstance(_finishes(lambda: unparsed.line_of(["lol9"])), ValidationFailed)


def test_plain_data_is_never_shared() -> None:
    """What the reader builds is a tree, not a graph: no value appears twice by reference."""
    doc = yamlio.parse("a: [1, 2]\nb: [1, 2]\n", "x.yaml")
    assert doc.plain() == {"a": ["1", "2"], "b": ["1", "2"]}
    assert doc.data["a"] is not doc.data["b"]


def test_a_library_file_with_an_alias_fails_lint(workspace: object, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from contractkit.cli import main

    root = workspace()  # type: ignore[operator]
    path = root / "clauses" / "fees.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("title: ", "title: &t ", 1), encoding="utf-8")
    result = CliRunner().invoke(main, ["--library", str(root), "lint"])
    assert result.exit_code == 1
    assert "clauses/fees.yaml:" in result.stderr and "(a YAML anchor)" in result.stderr


def test_plain_scalars_stay_as_written() -> None:
    doc = yamlio.parse(
        "n: 01234567\nd: 2030-02-30\nb: yes\nf: 1.50\nz: ~\ne:\nq: '~'\ns: !!str 007\nt: !!null x\n"
        "c: true\nC: FALSE\nw: 'true'\n",
        "x.yaml",
    )
    assert doc.plain() == {
        "n": "01234567",
        "d": "2030-02-30",
        "b": "yes",
        "c": True,
        "C": False,
        "w": "true",
        "f": "1.50",
        "z": None,
        "e": None,
        "q": "~",
        "s": "007",
        "t": None,
    }


def test_lines_of_nested_fields() -> None:
    doc = yamlio.parse("a:\n  b:\n    - x\n    - c: 1\n      d: 2\n", "x.yaml")
    assert doc.line_of(["a", "b", 1, "d"]) == 5
    assert doc.line_of(["a", "b", 0]) == 3
    assert doc.line_of(["a", "missing"]) == 1


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=300) | st.text(alphabet=":-[]{}&*!|>'\"#%@` \n\tab01~<,?", max_size=120))
def test_any_text_is_read_or_refused_in_words(text: str) -> None:
    """Whatever the bytes, reading ends in plain data or in located problems; never a crash."""
    try:
        yamlio.parse(text, "x.yaml")
    except ValidationFailed as exc:
        assert exc.issues and all(i.file == "x.yaml" and i.message for i in exc.issues)


SPECIMEN = yamlio.dump(specimen("research-collaboration")).splitlines()
VALUE_LINES = [i for i, line in enumerate(SPECIMEN) if re.match(r"^\s*(- )?\w+: \S", line)]
TYPED = ["01234567", "2030-02-30", "£1,000", "~", "[x]", "1/2/27", "- a", "{}", "&a x", "*a", "a: b", "1e400"]


@settings(max_examples=80, deadline=None)
@given(n=st.sampled_from(VALUE_LINES), value=st.text(max_size=40) | st.sampled_from(TYPED))
def test_any_edited_value_of_a_deal_is_loaded_or_refused_in_words(n: int, value: str) -> None:
    """A value anywhere in a valid deal replaced by anything a person might type: the deal loads,
    or every problem is located; never an internal error."""
    lines = list(SPECIMEN)
    lines[n] = lines[n].split(": ", 1)[0] + ": " + value
    path = Path(tempfile.mkdtemp()) / "deal.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        load_deal(path, _library())
    except ValidationFailed as exc:
        assert all(i.file == str(path) and i.line for i in exc.issues), [str(i) for i in exc.issues]


@functools.cache
def _library() -> Library:
    """The shipped library, loaded once (a fixture's repr would swamp hypothesis's report)."""
    from contractkit import api

    return api.load_library()
