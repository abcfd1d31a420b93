"""CLI: every library command, through click's CliRunner."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from click.testing import Result
from conftest import ROOT, example

from contractkit.library.loading import Library
from contractkit.word import xml as docx_io

Cli = Callable[..., Result]


def test_clauses_list_json(cli: Cli, library: Library) -> None:
    result = cli("clauses", "list", "--format", "json")
    assert result.exit_code == 0
    items = json.loads(result.output)
    assert {i["id"] for i in items} == set(library.clauses)
    assert {"id", "title", "version", "principles", "status"} <= set(items[0])


def test_clauses_list_filters(cli: Cli) -> None:
    items = json.loads(cli("clauses", "list", "--principle", "P3", "--status", "locked", "--format", "json").output)
    assert items and all(i["status"] == "locked" and "P3" in i["principles"] for i in items)
    assert "non-exclusivity" in {i["id"] for i in items}
    assert "non-exclusivity" in cli("clauses", "list", "--status", "locked").output


def test_clauses_show_json_gives_source_text(cli: Cli) -> None:
    result = cli("clauses", "show", "purpose", "--format", "json")
    data = json.loads(result.output)
    assert data["id"] == "purpose"
    assert any("{{ deal.purpose.aim }}" in text for text in data["positions"].values())


def test_clauses_show_text_and_unknown(cli: Cli) -> None:
    assert "--- position" in cli("clauses", "show", "intellectual-property").output
    result = cli("clauses", "show", "nope")
    assert result.exit_code == 2
    assert "unknown clause 'nope'" in result.stderr


def test_playbooks_list_and_show(cli: Cli) -> None:
    listed = json.loads(cli("playbooks", "list", "--format", "json").output)
    assert "research-collaboration" in {p["id"] for p in listed}
    shown = cli("playbooks", "show", "research-collaboration")
    assert shown.exit_code == 0
    assert "walk away:" in shown.output and "approver:" in shown.output
    data = json.loads(cli("playbooks", "show", "research-collaboration", "--format", "json").output)
    assert data["id"] == "research-collaboration" and data["sections"]
    assert cli("playbooks", "show", "nope").exit_code == 2


def test_new_scaffolds_a_deal_that_does_not_draft_until_filled_in(cli: Cli, tmp_path: Path) -> None:
    """An unedited scaffold never drafts with made-up names (see tests/test_scaffold.py for more)."""
    deal = tmp_path / "deal.yaml"
    result = cli("new", "--playbook", "research-collaboration", "-o", deal)
    assert result.exit_code == 0, result.stderr
    text = deal.read_text()
    assert "# Companies House number" in text and "playbook: research-collaboration" in text
    assert cli("new", "--playbook", "research-collaboration", "-o", deal).exit_code == 1, "no overwrite"
    out = tmp_path / "agreement.docx"
    drafted = cli("draft", deal, "-o", out)
    assert drafted.exit_code == 1
    assert "term.start: not filled in: [start date, e.g. 1/4/2027]" in drafted.stderr
    assert not out.exists()


def test_new_unknown_playbook_is_usage_error(cli: Cli, tmp_path: Path) -> None:
    result = cli("new", "--playbook", "nope", "-o", tmp_path / "d.yaml")
    assert result.exit_code == 2
    assert not (tmp_path / "d.yaml").exists()


def test_draft_example(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "northby.docx"
    result = cli("draft", example("northby-sepsis"), "-o", out)
    assert result.exit_code == 0, result.stderr
    assert f"wrote {out}" in result.stderr
    texts = [b.text for b in docx_io.read_docx(out.read_bytes()).blocks]
    assert any("Non-exclusivity of NHS Data" in t for t in texts)


def test_draft_rejects_other_suffixes(cli: Cli, tmp_path: Path) -> None:
    result = cli("draft", example("northby-sepsis"), "-o", tmp_path / "x.txt")
    assert result.exit_code == 1
    assert "output must end in .docx or .pdf" in result.stderr


def test_library_option_and_env(cli: Cli, tmp_path: Path) -> None:
    result = cli("--library", tmp_path, "lint")
    assert result.exit_code == 1
    assert "not a contractkit library (no library.yaml)" in result.stderr
    assert cli("lint", env={"CONTRACTKIT_LIBRARY": str(tmp_path)}).exit_code == 1
    assert cli("lint", env={"CONTRACTKIT_LIBRARY": str(ROOT)}).exit_code == 0


def test_malformed_library_file_is_located(cli: Cli, workspace: Callable[..., Path]) -> None:
    root = workspace({"clauses/purpose.yaml": "id: purpose\ntitle: [oops\n"})
    result = cli("--library", root, "lint")
    assert result.exit_code == 1
    assert "clauses/purpose.yaml:" in result.stderr and "YAML syntax error" in result.stderr


def test_help_is_fast_and_light() -> None:
    """`contractkit --help` must not import the document libraries."""
    code = (
        "import sys; from contractkit.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "mods = ('docxtpl', 'docx', 'pypdf', 'openpyxl', 'lxml', 'jinja2', 'pydantic', 'cryptography')\n"
        "heavy = [m for m in mods if m in sys.modules]\n"
        "print('HEAVY', heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "HEAVY []" in out


def test_entry_point_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "contractkit", "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert "version" in result.stdout


def test_closed_pipe_is_not_an_error() -> None:
    """`contractkit clauses list | head -1`: a reader that goes away is not an internal error."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "contractkit", "clauses", "list"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None
    proc.stdout.close()  # before the command has written anything: its first write meets a closed pipe
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 0, stderr
    assert b"error" not in stderr
