"""A table of bad deal files: each gets located lines on stderr, exit 1, no traceback, no output."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from contractkit.scaffold import new_deal

BASE = new_deal("research-collaboration")


def edit(old: str, new: str) -> Callable[[str], str]:
    def apply(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)

    return apply


CASES: list[tuple[str, Callable[[str], str] | bytes, str]] = [
    ("missing field", edit("  reference: NHS-DPA-2026-0001\n", ""), "agreement.reference: required field is missing"),
    ("wrong type", edit("  version: 1\n", "  version: first\n"), "agreement.version: Input should be a valid integer"),
    ("company number", edit("'09999999'", "'123'"), "partners[0].company_number: must be 8 characters (got '123')"),
    ("ods code", edit("ods_code: RZZ01", "ods_code: rzz"), "nhs_organisations[0].ods_code: must be 3 to 6"),
    ("unknown clause", edit("positions: {}", "positions:\n  warp-drive: fast"), "positions.warp-drive: unknown clause"),
    (
        "position off the ladder",
        edit("positions: {}", "positions:\n  intellectual-property: partner-owns-everything"),
        "is not on the approved ladder",
    ),
    (
        "locked clause in positions",
        edit("positions: {}", "positions:\n  non-exclusivity: standard"),
        "positions.non-exclusivity: clause 'non-exclusivity' is locked: it protects P3",
    ),
    (
        "exclusion of a locked clause",
        edit("positions: {}", "positions: {}\nexclude: [transparency]"),
        "exclude: tries to exclude or override locked clause 'transparency', which protects P4",
    ),
    (
        "exclusivity in free text",
        edit("special_conditions: []", "special_conditions:\n  - The Partner has an exclusive licence to the data."),
        "conflicts with locked clause 'non-exclusivity', which protects P3",
    ),
    ("unknown field", edit("positions: {}", "positions: {}\ncolour: blue"), "colour: unknown field"),
    ("yaml syntax", edit("playbook: research-collaboration", "playbook: [unclosed"), "YAML syntax error"),
    (
        "python object tag",
        edit("  title: Early", "  title: !!python/object/apply:os.system ['id']\n  subtitle: Early"),
        "agreement.title: YAML tag tag:yaml.org,2002:python/object/apply:os.system is not allowed",
    ),
    (
        "non-utf8 bytes",
        BASE.replace("Northby NB1", "Northby \udcff NB1").encode("utf-8", "surrogateescape"),
        "not valid UTF-8 (byte 0xff)",
    ),
    ("control character", edit("Early detection", "Early\\x07 detection"), "contains control character U+0007"),
    (
        "escaped control character",
        edit("  title: Early detection of sepsis in emergency departments", '  title: "Early\\a detection"'),
        "agreement.title: contains control character U+0007",
    ),
    ("unknown signatory", edit("party: Example Analytics", "party: Nobody"), "'Nobody' is not a party"),
    ("dates out of order", edit("end: '2029-12-31'", "end: '2026-01-01'"), "end must be after start"),
]


def _write(tmp_path: Path, case: Callable[[str], str] | bytes) -> Path:
    deal = tmp_path / "deal.yaml"
    if isinstance(case, bytes):
        deal.write_bytes(case)
    else:
        text = case(BASE).replace("\\x07", "\x07")
        deal.write_bytes(text.encode())
    return deal


@pytest.mark.parametrize(("name", "case", "expected"), CASES, ids=[c[0] for c in CASES])
def test_bad_deal_is_reported_and_nothing_written(
    tmp_path: Path, cli: Callable[..., Result], name: str, case: Callable[[str], str] | bytes, expected: str
) -> None:
    deal = _write(tmp_path, case)
    out = tmp_path / "out.docx"
    result = cli("draft", deal, "-o", out)
    assert result.exit_code == 1, result.output
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()
    assert not list(tmp_path.glob(".out.docx*")), "no temporary file left behind"
    for line in result.stderr.strip().splitlines():
        assert line.startswith(str(deal)), f"every problem is located in the deal file: {line}"


def test_errors_name_the_line(tmp_path: Path, cli: Callable[..., Result]) -> None:
    deal = _write(tmp_path, edit("'09999999'", "'123'"))
    line = next(
        n for n, text in enumerate(deal.read_text().splitlines(), 1) if text.strip().startswith("company_number:")
    )
    result = cli("draft", deal, "-o", tmp_path / "out.docx")
    assert f"{deal}:{line} partners[0].company_number" in result.stderr


def test_every_problem_is_reported_at_once(tmp_path: Path, cli: Callable[..., Result]) -> None:
    text = edit("'09999999'", "'123'")(edit("ods_code: RZZ01", "ods_code: rzz")(BASE))
    deal = tmp_path / "deal.yaml"
    deal.write_text(text)
    result = cli("draft", deal, "-o", tmp_path / "out.docx")
    assert "company_number" in result.stderr
    assert "ods_code" in result.stderr


def test_existing_output_is_not_overwritten(tmp_path: Path, cli: Callable[..., Result]) -> None:
    deal = tmp_path / "deal.yaml"
    deal.write_text(BASE)
    out = tmp_path / "out.docx"
    out.write_bytes(b"the lawyer's own edits")
    result = cli("draft", deal, "-o", out)
    assert result.exit_code == 1
    assert f"{out}: already exists (hint: use --force to overwrite it)" in result.stderr
    assert out.read_bytes() == b"the lawyer's own edits"
    assert cli("draft", deal, "-o", out, "--force").exit_code == 0
    assert out.read_bytes()[:2] == b"PK"


def test_missing_output_directory(tmp_path: Path, cli: Callable[..., Result]) -> None:
    deal = tmp_path / "deal.yaml"
    deal.write_text(BASE)
    result = cli("draft", deal, "-o", tmp_path / "nowhere" / "out.docx")
    assert result.exit_code == 1
    assert "directory does not exist" in result.stderr


def test_usage_error_exits_2(cli: Callable[..., Result]) -> None:
    result = cli("draft")
    assert result.exit_code == 2
    assert "Missing argument" in result.stderr


def test_write_failure_is_one_line_and_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Even when the temporary file cannot be created, the error is a ContractkitError."""
    import tempfile

    from contractkit.errors import ContractkitError
    from contractkit.files import write_atomic

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(ContractkitError, match="cannot write"):
        write_atomic(tmp_path / "out.docx", b"data", force=False)
    assert list(tmp_path.iterdir()) == []
