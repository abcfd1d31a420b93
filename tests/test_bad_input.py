"""A table of bad deal files: each gets located lines on stderr, exit 1, no traceback, no output.

Each row is an edit of a complete, valid deal, the plain-words message expected (with its field),
and, where the message must point at a particular line, a piece of that line's text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest
from click.testing import Result

from contractkit.library import yamlio
from contractkit.library.scaffold import specimen

BASE = yamlio.dump(specimen("research-collaboration"))


def edit(old: str, new: str) -> Callable[[str], str]:
    def apply(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)

    return apply


class Case(NamedTuple):
    name: str
    change: Callable[[str], str] | bytes
    expected: str
    at: str | None = None  # text of the line the message must name


def title(value: str) -> Callable[[str], str]:
    return edit("  title: Early detection of sepsis in emergency departments", f"  title: {value}")


CASES: list[Case] = [
    # --- schema: required, unknown, wrong type, in words
    Case(
        "missing field", edit("  reference: NHS-DPA-2026-0001\n", ""), "agreement.reference: required field is missing"
    ),
    Case(
        "unknown field, near miss",
        edit("    short_name: Northby\n", "    shortname: Northby\n"),
        "nhs_organisations[0].shortname: unknown field (hint: did you mean 'short_name'?",
        at="shortname: Northby",
    ),
    Case("unknown field", edit("positions: {}", "positions: {}\ncolour: blue"), "colour: unknown field", "colour"),
    Case(
        "wrong type",
        edit("  version: 1\n", "  version: first\n"),
        "agreement.version: should be a whole number, like 12 (got 'first')",
        at="version: first",
    ),
    Case(
        "yes or no",
        edit("commercial: true", "commercial: perhaps"),
        "purpose.commercial: should be yes or no (got 'perhaps')",
        at="commercial: perhaps",
    ),
    Case(
        "choice, near miss",
        edit("    role: controller\n    company", "    role: controler\n    company"),
        "partners[0].role: 'controler' is not one of the choices: controller, joint-controller or processor "
        "(hint: did you mean 'controller'?)",
        at="role: controler",
    ),
    Case("empty text", title(""), "agreement.title: is empty; fill it in", at="  title:"),
    Case("list for text", title("[one, two]"), "agreement.title: should be text, not a list", at="title: [one"),
    Case(
        "id in words",
        edit("playbook: research-collaboration", "playbook: Research_Collaboration"),
        "playbook: should be an id: lower-case letters and digits, in words joined by single hyphens",
        at="playbook: Research",
    ),
    Case(
        "unknown playbook, near miss",
        edit("playbook: research-collaboration", "playbook: research-colaboration"),
        "playbook: unknown playbook 'research-colaboration' (known: ",
        at="playbook: research-colaboration",
    ),
    # --- codes and numbers that must stay text
    Case(
        "company number",
        edit("'09999999'", "'123'"),
        "partners[0].company_number: must be 8 characters (got '123')",
        at="company_number",
    ),
    Case(
        "company number unquoted, zero lost by hand",
        edit("'09999999'", "9999999"),
        "partners[0].company_number: must be 8 characters (got '9999999')",
        at="company_number",
    ),
    Case(
        "ods code",
        edit("ods_code: RZZ01", "ods_code: rzz"),
        "nhs_organisations[0].ods_code: 'rzz' is not an ODS code: an ODS code is 3 to 6 capital letters or digits",
        at="ods_code: rzz",
    ),
    Case(
        "reference in words, not a regex",
        edit("reference: NHS-DPA-2026-0001", "reference: nhs dpa 1"),
        "agreement.reference: 'nhs dpa 1' is not a reference: a reference is capital letters, digits and hyphens, "
        "3 to 40 characters",
        at="reference: nhs",
    ),
    Case(
        "email in words",
        edit("email: partnerships@northby.example", "email: partnerships at northby"),
        "contact.email: 'partnerships at northby' is not an email address",
        at="email:",
    ),
    # --- dates
    Case(
        "impossible date, unquoted",
        edit("end: '2029-12-31'", "end: 2030-02-30"),
        "term.end: 30 February 2030 is not a date",
        at="end: 2030",
    ),
    Case(
        "impossible date, UK form",
        edit("end: '2029-12-31'", "end: 30/2/2030"),
        "term.end: 30 February 2030 is not a date",
        at="end: 30/2",
    ),
    Case(
        "not a leap year",
        edit("end: '2029-12-31'", "end: 29 February 2029"),
        "term.end: 29 February 2029 is not a date (2029 is not a leap year)",
        at="end: 29",
    ),
    Case(
        "month first",
        edit("end: '2029-12-31'", "end: 12/31/2029"),
        "term.end: '12/31/2029' is not a date: there is no month 31 (dates are read day first: did you mean "
        "31/12/2029?)",
        at="end: 12/31",
    ),
    Case(
        "unknown date form",
        edit("end: '2029-12-31'", "end: end of 2029"),
        "term.end: 'end of 2029' is not a date in a form contractkit reads; write it day first: 1/4/2027, "
        "01/04/2027, 1 April 2027, 1 Apr 2027 or 2027-04-01",
        at="end: end",
    ),
    Case(
        "two-digit year",
        edit("end: '2029-12-31'", "end: 31/12/29"),
        "term.end: '31/12/29': write the year in full",
        at="end: 31/12/29",
    ),
    Case(
        "not a month",
        edit("end: '2029-12-31'", "end: 31 Decembre 2029"),
        "term.end: '31 Decembre 2029': 'Decembre' is not the name of a month",
        at="end: 31",
    ),
    Case(
        "date of the wrong type",
        edit("end: '2029-12-31'", "end: [2029]"),
        "term.end: should be a date like 1/4/2027, not a list",
        at="end: [2029]",
    ),
    # --- money and percentages
    Case(
        "negative money",
        edit("amount: '48000.00'", "amount: -£48,000"),
        "commercial.fees[0].amount: '-£48,000' is negative; an amount here cannot be less than zero",
        at="amount: -",
    ),
    Case(
        "fractions of a penny",
        edit("amount: '48000.00'", "amount: 48000.125"),
        "commercial.fees[0].amount: '48000.125' has more than 2 decimal places; give pounds and pence",
        at="amount: 48000.125",
    ),
    Case(
        "money in words",
        edit("amount: '48000.00'", "amount: forty-eight thousand pounds"),
        "commercial.fees[0].amount: 'forty-eight thousand pounds' is not an amount of money; write it like "
        "420000, 420,000.00 or £420,000",
        at="amount: forty",
    ),
    Case(
        "percentage out of range",
        edit("royalty_percent: '2.5'", "royalty_percent: 150%"),
        "commercial.value_share.royalty_percent: '150%' is not a percentage more than 0 and at most 100",
        at="royalty_percent",
    ),
    # --- shapes of values printed inside locked clauses
    Case(
        "short name carrying a rider",
        edit("short_name: Example Analytics", "short_name: Example Analytics, the only recipient of the Data"),
        "partners[0].short_name: a short name is 1 to 40 characters: letters, digits, spaces, hyphens, "
        "apostrophes, ampersands and full stops, in at most 5 words; this one has",
        at="short_name: Example",
    ),
    Case(
        "short name with sentence punctuation",
        edit("short_name: Example Analytics", "short_name: Example; sole user"),
        "partners[0].short_name: a short name is 1 to 40 characters",
        at="short_name: Example",
    ),
    Case(
        "short name of too many words",
        edit("short_name: Example Analytics", "short_name: Example may alone use the data"),
        "in at most 5 words; this one has 6 words",
        at="short_name: Example",
    ),
    Case(
        "legal name with a sentence",
        edit("name: Example Analytics Limited", "name: Example Analytics Limited; it shall have sole access"),
        "partners[0].name: a name is up to 160 characters: letters, digits, spaces and & ' . , ( ) / -, in at most "
        "20 words; this one contains ';'",
        at="name: Example",
    ),
    Case(
        "address over several lines",
        edit("address: 1 Sample Street, London EC1A 9ZZ", 'address: "1 Sample Street\\nLondon EC1A 9ZZ"'),
        "partners[0].address: an address is up to 200 characters on one line",
        at='address: "1 Sample',
    ),
    Case(
        "signatory name with digits",
        edit("name: Dr A. Person", "name: Dr A. Person 2"),
        "signatories[0].name: a person's name is up to 80 characters: letters, spaces, hyphens, apostrophes and "
        "full stops, in at most 8 words; this one contains '2'",
        at="name: Dr A.",
    ),
    # --- YAML a lawyer gets wrong, in words
    Case(
        "colon in a title",
        title("Sepsis: early detection"),
        "agreement.title: YAML syntax error: a colon followed by a space inside a value (hint: put the whole value "
        'in quotes, e.g. title: "Sepsis: early detection")',
        at="title: Sepsis",
    ),
    Case(
        "text after brackets",
        title("[Draft] sepsis study"),
        "agreement.title: YAML syntax error: text follows a value that starts with [, { or a quotation mark",
        at="title: [Draft]",
    ),
    Case(
        "tab indentation",
        edit("  version: 1\n", "\tversion: 1\n"),
        "YAML syntax error: a tab character (hint: indent with spaces, not tabs)",
        at="version: 1",
    ),
    Case("yaml syntax", edit("playbook: research-collaboration", "playbook: [unclosed"), "YAML syntax error"),
    Case(
        "python object tag",
        edit("  title: Early", "  title: !!python/object/apply:os.system ['id']\n  subtitle: Early"),
        "agreement.title: YAML tag tag:yaml.org,2002:python/object/apply:os.system is not allowed",
        at="title: !!python",
    ),
    Case(
        "non-utf8 bytes",
        BASE.replace("Northby NB1", "Northby \udcff NB1").encode("utf-8", "surrogateescape"),
        "not valid UTF-8 (byte 0xff)",
    ),
    Case("control character", edit("Early detection", "Early\\x07 detection"), "contains control character U+0007"),
    Case(
        "escaped control character",
        title('"Early\\a detection"'),
        "agreement.title: contains control character U+0007",
        at="title:",
    ),
    # --- hostile YAML (also run in a subprocess with a time limit in test_yaml_hostile.py)
    Case(
        "alias",
        edit("contact:\n  name: Data Partnerships Office", "contact:\n  name: &office Data Partnerships Office"),
        "contact.name: '&office' marks this value for reuse (a YAML anchor) (hint: deal and library files do not "
        "allow anchors (&) or aliases (*)",
        at="name: &office",
    ),
    Case(
        "merge key",
        edit("contact:\n", "contact:\n  <<: {name: x}\n"),
        "contact: merge key '<<' is not allowed (hint: write the fields out in full)",
        at="<<:",
    ),
    Case(
        "duplicate key",
        edit("playbook: research-collaboration\n", "playbook: research-collaboration\nplaybook: ai-development\n"),
        "playbook: 'playbook' is given twice here (first on line 1) (hint: keep one)",
        at="playbook: ai-development",
    ),
    Case(
        "deep nesting",
        edit("positions: {}", "positions: {}\nnotes: " + "[" * 200 + "]" * 200),
        "notes[0]: nested more than 32 levels deep",
        at="notes:",
    ),
    Case(
        "two documents",
        edit("positions: {}", "positions: {}\n---\nplaybook: ai-development"),
        "a second YAML document starts here ('---'); a file holds one document",
        at="---",
    ),
    # --- cross-file and cross-field checks
    Case(
        "unknown clause",
        edit("positions: {}", "positions:\n  warp-drive: fast"),
        "positions.warp-drive: unknown clause",
        at="warp-drive",
    ),
    Case(
        "clause id typo",
        edit("positions: {}", "positions:\n  valu-share: upfront"),
        "positions.valu-share: unknown clause 'valu-share' (hint: did you mean 'value-share'?)",
        at="valu-share",
    ),
    Case(
        "position off the ladder",
        edit("positions: {}", "positions:\n  intellectual-property: partner-owns-everything"),
        "is not on the approved ladder",
        at="intellectual-property:",
    ),
    Case(
        "locked clause in positions",
        edit("positions: {}", "positions:\n  non-exclusivity: standard"),
        "positions.non-exclusivity: clause 'non-exclusivity' is locked: it protects P3",
        at="non-exclusivity: standard",
    ),
    Case(
        "exclusion of a locked clause",
        edit("positions: {}", "positions: {}\nexclude: [transparency]"),
        "exclude: tries to exclude or override locked clause 'transparency', which protects P4",
        at="exclude:",
    ),
    Case(
        "exclusivity in free text",
        edit("special_conditions: []", "special_conditions:\n  - The Partner has an exclusive licence to the data."),
        "conflicts with locked clause 'non-exclusivity', which protects P3",
        at="exclusive licence",
    ),
    Case(
        "unknown signatory",
        edit("party: Example Analytics", "party: Nobody"),
        "signatories[1].party: 'Nobody' is not a party",
        at="party: Nobody",
    ),
    Case(
        "benefit owner not a party",
        edit("owner: Northby", "owner: Southby"),
        "benefits[0].owner: 'Southby' is not a party",
        at="owner: Southby",
    ),
    Case(
        "Welsh text missing",
        edit("nation: england", "nation: wales"),
        "agreement.title_cy: required because an NHS Wales body is a party",
        at="agreement:",
    ),
    Case(
        "dates out of order",
        edit("end: '2029-12-31'", "end: 1/1/2026"),
        "term.end: the end date (1 January 2026) must be after the start date (1 January 2027)",
        at="end: 1/1/2026",
    ),
    Case(
        "review outside the term",
        edit("review: '2028-01-01'", "review: 1 Jan 2031"),
        "term.review: the benefits review (1 January 2031) must fall inside the term (1 January 2027 to "
        "31 December 2029)",
        at="review:",
    ),
    Case(
        "benefit due before the term",
        edit("date: '2028-03-31'", "date: 31/3/2026"),
        "benefits[0].date: the target date (31 March 2026) is before the term starts (1 January 2027)",
        at="date: 31/3/2026",
    ),
    Case(
        "term ends before the agreement is dated",
        edit("date: '2026-12-01'", "date: 1/1/2030"),
        "term.end: the term ends (31 December 2029) before the agreement is dated (1 January 2030)",
        at="end:",
    ),
    Case(
        "approval granted after the term",
        edit("date: '2026-10-01'", "date: 1/1/2031"),
        "approvals[0].date: granted (1 January 2031) after the term ends (31 December 2029)",
        at="date: 1/1/2031",
    ),
    Case(
        "fee of nothing",
        edit("amount: '48000.00'", "amount: £0"),
        "commercial.fees[0].amount: a fee of £0: give its amount, or remove the fee",
        at="amount: £0",
    ),
    Case(
        "milestone of nothing",
        edit("amount: '200000.00'", "amount: 0.00"),
        "commercial.value_share.milestones[0].amount: a milestone payment of £0",
        at="amount: 0.00",
    ),
    Case(
        "no headline value and no reason",
        edit("    headline_value: '250000.00'\n", ""),
        "commercial.value_share.headline_value: give the headline value, or value_withheld_reason to say why it is "
        "not published",
        at="value_share:",
    ),
    Case(
        "secure data environment unnamed",
        edit("  environment: Northby Secure Data Environment\n", ""),
        "data.environment: name the secure data environment, since the data are to be accessed in one",
        at="data:",
    ),
    Case(
        "opt-out reason missing",
        edit("national_data_opt_out: applied", "national_data_opt_out: not-applicable"),
        "data.opt_out_reason: say why the national data opt-out does not apply",
        at="data:",
    ),
    # --- scaffold placeholders in typed fields
    Case(
        "date not filled in",
        edit("start: '2027-01-01'", 'start: "[start date, e.g. 1/4/2027]"'),
        "term.start: not filled in: [start date, e.g. 1/4/2027] (hint: contractkit cannot draft until this is "
        "filled in)",
        at="start:",
    ),
    Case(
        "choice not filled in",
        edit("access_model: sde", 'access_model: "[nhs-analysts, sde or release]"'),
        "data.access_model: not filled in: [nhs-analysts, sde or release]",
        at="access_model:",
    ),
    Case(
        "code not filled in",
        edit("'09999999'", '"[Companies House number]"'),
        "partners[0].company_number: not filled in: [Companies House number]",
        at="company_number:",
    ),
    Case(
        "empty file",
        b"# nothing here yet\n",
        "should be a deal: fields such as 'playbook:' and 'agreement:', one to a line",
    ),
]


def _write(tmp_path: Path, case: Callable[[str], str] | bytes) -> Path:
    deal = tmp_path / "deal.yaml"
    if isinstance(case, bytes):
        deal.write_bytes(case)
    else:
        text = case(BASE).replace("\\x07", "\x07")
        deal.write_bytes(text.encode())
    return deal


def line_of(deal: Path, text: str) -> int:
    return next(n for n, line in enumerate(deal.read_text(errors="replace").splitlines(), 1) if text in line)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_deal_is_reported_and_nothing_written(tmp_path: Path, cli: Callable[..., Result], case: Case) -> None:
    deal = _write(tmp_path, case.change)
    out = tmp_path / "out.docx"
    result = cli("draft", deal, "-o", out)
    assert result.exit_code == 1, result.output
    assert case.expected in result.stderr
    assert "Traceback" not in result.stderr
    assert "internal error" not in result.stderr
    assert "got 1234567" not in result.stderr
    assert not re.search(r"\^\[|\]\{\d|\\d|\(\?", result.stderr), "no regular expression in a message"
    assert not out.exists()
    assert not list(tmp_path.glob(".out.docx*")), "no temporary file left behind"
    for line in result.stderr.strip().splitlines():
        assert line.startswith(str(deal)), f"every problem is located in the deal file: {line}"
    if case.at is not None:
        where = (f"{deal}:{line_of(deal, case.at)} ", f"{deal}:{line_of(deal, case.at)}:")
        assert any(line.startswith(where) and case.expected in line for line in result.stderr.splitlines()), (
            result.stderr
        )


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


def test_cross_file_problems_come_with_the_schema_errors(tmp_path: Path, cli: Callable[..., Result]) -> None:
    """A typo in a positions clause id, a signatory who is not a party and exclusivity in free text
    are reported in the same pass as an impossible date and a bad company number."""
    changes = [
        edit("positions: {}", "positions:\n  valu-share: upfront"),
        edit("end: '2029-12-31'", "end: 2030-02-30"),
        edit("'09999999'", "'123'"),
        edit("party: Example Analytics", "party: Nobody"),
        edit("special_conditions: []", "special_conditions:\n  - The Partner has an exclusive licence to the data."),
        edit("  title: Early detection of sepsis in emergency departments", "  title: "),
    ]
    text = BASE
    for change in changes:
        text = change(text)
    deal = tmp_path / "deal.yaml"
    deal.write_text(text)
    result = cli("draft", deal, "-o", tmp_path / "out.docx")
    assert result.exit_code == 1
    for expected in (
        "positions.valu-share: unknown clause 'valu-share'",
        "term.end: 30 February 2030 is not a date",
        "partners[0].company_number: must be 8 characters",
        "agreement.title: is empty",
        "special_conditions[0]: an exclusive or sole right",
    ):
        assert expected in result.stderr, expected
    lines = [int(m) for m in re.findall(r"deal\.yaml:(\d+) ", result.stderr)]
    assert lines == sorted(lines), "problems are listed in the order of the file"


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("company_number: 01234567", "01234567"),
        ("company_number: '01234567'", "01234567"),
        ("company_number: SC123456", "SC123456"),
    ],
)
def test_numbers_that_must_stay_text_are_kept_as_written(tmp_path: Path, written: str, kept: str) -> None:
    from contractkit import api

    deal = _write(tmp_path, edit("company_number: '09999999'", written))
    assert api.load_deal(deal, api.load_library()).partners[0].company_number == kept


@pytest.mark.parametrize(
    "written",
    ["1/2/2027", "01/02/2027", "1 February 2027", "1 Feb 2027", "2027-02-01", "'2027-02-01'", "1st February 2027"],
)
def test_uk_date_forms_are_read_day_first(tmp_path: Path, written: str) -> None:
    import datetime as dt

    from contractkit import api

    deal = _write(tmp_path, edit("start: '2027-01-01'", f"start: {written}"))
    assert api.load_deal(deal, api.load_library()).term.start == dt.date(2027, 2, 1)


@pytest.mark.parametrize("written", ["£420,000", "420,000", "420000.00", "£420,000.50", "420000"])
def test_money_in_the_forms_people_write(tmp_path: Path, written: str) -> None:
    from decimal import Decimal

    from contractkit import api

    deal = _write(tmp_path, edit("headline_value: '250000.00'", f"headline_value: {written}"))
    value = api.load_deal(deal, api.load_library()).commercial.value_share.headline_value
    assert value is not None and value.quantize(Decimal(1)) == 420000


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
