"""Transparency register: schema, CSV/JSON/XLSX output, the Welsh locale and the message catalogues."""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import openpyxl
import pytest
from click.testing import Result
from conftest import EXAMPLES, ROOT, agreeing
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contractkit import api
from contractkit.core import i18n
from contractkit.core.text import normalise
from contractkit.drafting.assemble import Agreement
from contractkit.errors import ContractkitError
from contractkit.library import scaffold
from contractkit.library.loading import Library
from contractkit.publishing import catalogue, register

GOLDEN = ROOT / "tests" / "golden"
REGEN = bool(os.environ.get("CONTRACTKIT_REGEN_GOLDEN"))
PLAYBOOK = "research-collaboration"


# ----------------------------------------------------------------------------- inline deals


def english_deal(**changes: Any) -> dict[str, Any]:
    """The scaffold specimen, with `changes` merged in at the top level."""
    deal = scaffold.specimen(PLAYBOOK)
    deal["agreement"]["reference"] = "NHS-DPA-2026-0101"  # the examples use the specimen's own
    deal.update(copy.deepcopy(changes))
    return deal


def welsh_deal() -> dict[str, Any]:
    """A fictitious NHS Wales health board deal, in cy_GB, with the Welsh text written by people."""
    deal = scaffold.specimen(PLAYBOOK)
    deal["agreement"].update(
        reference="NHS-DPA-2026-0107",
        title="Early detection of sepsis in Glanmor emergency departments",
        title_cy="Canfod sepsis yn gynnar yn adrannau achosion brys Glanmor",
        lay_summary_cy="Bydd ymchwilwyr yn astudio cofnodion ysbyty mewn amgylchedd diogel y GIG i ganfod "
        "arwyddion cynharach o sepsis.",
        date="2026-11-16",
        locale="cy_GB",
    )
    deal["nhs_organisations"] = [
        {
            "name": "Glanmor University Health Board",
            "short_name": "Glanmor",
            "address": "Heol yr Ysbyty, Glanmor CF99 1ZZ",
            "role": "controller",
            "ods_code": "7ZZ",
            "nation": "wales",
        }
    ]
    deal["data"]["datasets"][0]["source"] = "Glanmor"
    deal["data"]["environment"] = "Glanmor Secure Data Environment"
    deal["benefits"][0]["owner"] = "Glanmor"
    deal["signatories"][0]["party"] = "Glanmor"
    deal["contact"]["email"] = "partneriaethau@glanmor.example"
    return deal


def write_deal(folder: Path, name: str, deal: dict[str, Any]) -> Path:
    """Deal files are YAML; JSON is YAML, and keeps the test free of a YAML writer."""
    path = folder / f"{name}.yaml"
    path.write_text(json.dumps(deal, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def agreement_of(library: Library, folder: Path, name: str, deal: dict[str, Any]) -> Agreement:
    return api.assemble(library, api.load_deal(write_deal(folder, name, deal), library))


@pytest.fixture(scope="module")
def deals(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("deals")
    return {
        "english": write_deal(folder, "english", english_deal()),
        "welsh": write_deal(folder, "welsh", welsh_deal()),
    }


@pytest.fixture(scope="module")
def agreements(library: Library, deals: dict[str, Path]) -> dict[str, Agreement]:
    return {name: api.assemble(library, api.load_deal(path, library)) for name, path in deals.items()}


def all_deals(deals: dict[str, Path]) -> list[Path]:
    return [*EXAMPLES, deals["english"], deals["welsh"]]


# ----------------------------------------------------------------------------- schema


def test_schema_is_a_valid_json_schema_and_is_printed_verbatim(cli: Callable[..., Result]) -> None:
    shipped = (ROOT / "contractkit" / "schemas" / "register-entry.schema.json").read_text(encoding="utf-8")
    jsonschema.Draft202012Validator.check_schema(json.loads(shipped))
    result = cli("register", "--schema")
    assert result.exit_code == 0
    assert result.stdout == shipped


def test_schema_requires_every_published_field() -> None:
    required = set(register.schema()["required"])
    published = (
        "agreement_id",
        "version",
        "status",
        "nhs_organisations",
        "partners",
        "title",
        "lay_summary",
        "purpose",
        "expected_benefits",
        "commercial_purpose",
        "value_share_model",
        "headline_value",
        "ip_arrangement",
        "exclusivity",
        "datasets",
        "identifiability",
        "access_model",
        "onward_sharing",
        "legal_basis",
        "national_data_opt_out",
        "approvals",
        "start_date",
        "end_date",
        "review_date",
        "deviations",
        "contact",
    )
    for key in published:
        assert key in required, key
    assert register.schema()["properties"]["exclusivity"] == {
        "const": "non-exclusive",
        "description": register.schema()["properties"]["exclusivity"]["description"],
    }


@pytest.mark.parametrize("locale", ["en_GB", "cy_GB"])
def test_every_example_entry_validates(library: Library, deals: dict[str, Path], locale: str) -> None:
    for path in all_deals(deals):
        item = register.entry(api.assemble(library, api.load_deal(path, library)), locale)
        assert register.problems(item) == [], path.name
        assert item["exclusivity"] == "non-exclusive"
        assert item["locale"] == locale


def test_schema_rejects_what_cannot_be_published(agreements: dict[str, Agreement]) -> None:
    good = register.entry(agreements["english"])
    exclusive = good | {"exclusivity": "exclusive"}
    assert any(p.startswith("exclusivity:") for p in register.problems(exclusive))
    welsh = register.entry(agreements["welsh"])
    untranslated = {k: v for k, v in welsh.items() if k != "title_cy"}
    assert register.problems(untranslated)  # an NHS Wales party needs the Welsh title
    with pytest.raises(Exception, match="does not match its schema"):
        register.check([exclusive])


def test_welsh_text_comes_from_the_deal_and_only_where_wales_is_a_party(agreements: dict[str, Agreement]) -> None:
    welsh = register.entry(agreements["welsh"], "cy_GB")
    assert welsh["title_cy"] == welsh_deal()["agreement"]["title_cy"]
    assert welsh["lay_summary_cy"] == welsh_deal()["agreement"]["lay_summary_cy"]
    assert "title_cy" not in register.entry(agreements["english"])


# ----------------------------------------------------------------------------- facts


def test_status_rule(library: Library, tmp_path: Path) -> None:
    agreed = agreement_of(library, tmp_path, "a", english_deal())
    assert register.status(agreed) == "agreed"
    approvals = [{"body": "Confidentiality Advisory Group", "reference": "26/CAG/0001", "status": "pending"}]
    waiting = agreement_of(library, tmp_path, "b", english_deal(approvals=approvals))
    assert register.status(waiting) == "draft"
    royalty = english_deal(positions={"value-share": "royalty"})
    deviating = agreement_of(library, tmp_path, "c", agreeing(library, royalty))
    assert deviating.pending and register.status(deviating) == "draft"
    row = register.entry(deviating)["deviations"][0]
    assert (row["clause_id"], row["approver"], row["pending"], row["approved_by"]) == (
        "value-share",
        "board",
        True,
        None,
    )


def test_money_dates_and_fixed_fields(agreements: dict[str, Agreement]) -> None:
    item = register.entry(agreements["english"])
    assert item["headline_value"] == "£250,000.00"
    assert item["headline_value_gbp"] == "250000.00"
    assert item["start_date"] == "1 January 2027"
    assert item["iso_dates"]["start"] == "2027-01-01"
    placed = {c.id: c for c in agreements["english"].all_clauses()}
    ip = placed["intellectual-property"]
    assert item["ip_arrangement"] == ip.clause.positions[ip.position].label
    onward = register.position_label(agreements["english"], register.ONWARD_SHARING_TOPIC)
    assert item["onward_sharing"] == (onward or "not permitted")


def test_withheld_value_is_published_as_a_reason(library: Library, tmp_path: Path) -> None:
    deal = english_deal()
    share = deal["commercial"]["value_share"]
    share.pop("headline_value")
    share["value_withheld_reason"] = "commercially sensitive until the product is approved"
    item = register.entry(agreement_of(library, tmp_path, "w", deal))
    assert item["headline_value"] is None and item["headline_value_gbp"] is None
    assert item["value_withheld_reason"] == share["value_withheld_reason"]
    assert register.problems(item) == []


# ----------------------------------------------------------------------------- files


@pytest.fixture(scope="module")
def written(
    deals: dict[str, Path], tmp_path_factory: pytest.TempPathFactory, cli_module: Callable[..., Result]
) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("register")
    files = {}
    for name, args in {
        "csv": ["-o", out / "register.csv"],
        "json": ["-o", out / "register.json"],
        "xlsx": ["-o", out / "register.xlsx"],
        "cy.csv": ["-o", out / "register.cy.csv", "--locale", "cy_GB"],
        "cy.xlsx": ["-o", out / "register.cy.xlsx", "--locale", "cy_GB"],
    }.items():
        result = cli_module("register", *all_deals(deals), *args)
        assert result.exit_code == 0, result.stderr
        files[name] = Path(args[1])
    return files


@pytest.fixture(scope="module")
def cli_module() -> Callable[..., Result]:
    from click.testing import CliRunner

    from contractkit.cli import main

    def invoke(*args: object) -> Result:
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)

    return invoke


def test_csv_has_one_row_per_deal(written: dict[str, Path], deals: dict[str, Path]) -> None:
    with written["csv"].open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(all_deals(deals))
    assert rows[-1]["agreement_id"] == "NHS-DPA-2026-0107"
    assert {r["exclusivity"] for r in rows} == {"non-exclusive"}
    assert rows[-1]["nhs_organisations.1.nation"] == "wales"
    assert rows[0]["commercial_purpose"] in ("true", "false")


def test_json_register_is_a_list_of_valid_entries(written: dict[str, Path], deals: dict[str, Path]) -> None:
    entries = json.loads(written["json"].read_text(encoding="utf-8"))
    assert len(entries) == len(all_deals(deals))
    validator = jsonschema.Draft202012Validator(register.schema())
    for item in entries:
        assert list(validator.iter_errors(item)) == []


def test_xlsx_opens_with_a_header_row_and_widths(written: dict[str, Path], deals: dict[str, Path]) -> None:
    book = openpyxl.load_workbook(written["xlsx"])
    sheet = book.active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + len(all_deals(deals))
    assert rows[0][:3] == ("Agreement ID", "Version", "Status")
    assert "Expected benefits 1: target" in rows[0]
    assert sheet.freeze_panes == "A2"
    assert all(sheet.column_dimensions[c].width > 10 for c in ("A", "B", "L"))


def test_deal_text_is_never_a_spreadsheet_formula(agreements: dict[str, Agreement]) -> None:
    item = register.entry(agreements["english"]) | {"title": '=HYPERLINK("http://x.example","click")'}
    sheet = openpyxl.load_workbook(io.BytesIO(register.render([item], ".xlsx", "en_GB"))).active
    assert sheet is not None
    cell = sheet.cell(row=2, column=register.columns([item]).index("title") + 1)
    assert cell.data_type == "s" and cell.value == item["title"]


def test_welsh_register_has_welsh_dates_and_labels(written: dict[str, Path]) -> None:
    with written["cy.csv"].open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    welsh = rows[-1]
    assert "Tachwedd" in welsh["agreement_date"]  # 16 November 2026, from CLDR
    assert welsh["start_date"] == "1 Ionawr 2027"
    assert welsh["title_cy"].startswith("Canfod sepsis")
    sheet = openpyxl.load_workbook(written["cy.xlsx"]).active
    assert sheet is not None and sheet.title == "Cofrestr"
    assert next(sheet.iter_rows(max_row=1, values_only=True))[0] == "Cyfeirnod y cytundeb"


def test_default_locale_is_the_deals_shared_locale(
    library: Library, deals: dict[str, Path], agreements: dict[str, Agreement]
) -> None:
    assert register.register_locale([agreements["welsh"]], None) == "cy_GB"
    assert register.register_locale(list(agreements.values()), None) == "en_GB"
    assert register.register_locale([agreements["english"]], "cy_GB") == "cy_GB"


def test_register_rows_match_golden(agreements: dict[str, Agreement]) -> None:
    entries = [register.entry(agreements["english"], "en_GB"), register.entry(agreements["welsh"], "cy_GB")]
    check_golden("register-rows.csv", register.to_csv(entries).decode())
    check_golden("register-entry-cy.json", register.to_json(entries[1:]).decode())


def check_golden(name: str, actual: str) -> None:
    """Compare normalised lines; CONTRACTKIT_REGEN_GOLDEN=1 rewrites the golden file instead."""
    path = GOLDEN / name
    if REGEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8", newline="")
    if not path.exists():
        pytest.fail(f"{path} is missing; create it with CONTRACTKIT_REGEN_GOLDEN=1")
    expected = path.read_text(encoding="utf-8")
    assert [normalise(x) for x in actual.splitlines()] == [normalise(x) for x in expected.splitlines()], (
        f"{name} differs; if the change is intended, rerun with CONTRACTKIT_REGEN_GOLDEN=1"
    )


@pytest.fixture(scope="module")
def specimen_entry(agreements: dict[str, Agreement]) -> dict[str, Any]:
    return register.entry(agreements["english"])


TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=TEXT, summary=TEXT)
def test_any_text_survives_the_csv(specimen_entry: dict[str, Any], title: str, summary: str) -> None:
    item = specimen_entry | {"title": title, "lay_summary": summary}
    row = next(csv.DictReader(io.StringIO(register.to_csv([item]).decode(), newline="")))
    flat = register.flatten(item)
    assert row == {name: register.cell(flat.get(name)) for name in register.columns([item])}
    assert (row["title"], row["lay_summary"]) == (title, summary)


# ----------------------------------------------------------------------------- command line


def test_refuses_to_overwrite_and_leaves_no_partial_file(
    cli: Callable[..., Result], deals: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "register.csv"
    out.write_text("mine", encoding="utf-8")
    result = cli("register", deals["english"], "-o", out)
    assert result.exit_code == 1
    assert "already exists" in result.stderr and out.read_text(encoding="utf-8") == "mine"
    assert cli("register", deals["english"], "-o", out, "--force").exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("agreement_id,")


def test_usage_errors_exit_2(cli: Callable[..., Result], deals: dict[str, Path], tmp_path: Path) -> None:
    assert cli("register", deals["english"], "-o", tmp_path / "register.txt").exit_code == 2
    assert cli("register", "-o", tmp_path / "register.csv").exit_code == 2
    assert not list(tmp_path.iterdir())


def test_bad_deal_is_one_located_line_and_nothing_written(
    cli: Callable[..., Result], deals: dict[str, Path], tmp_path: Path
) -> None:
    bad = english_deal()
    bad["partners"][0]["company_number"] = "123"
    path = write_deal(tmp_path, "bad", bad)
    out = tmp_path / "register.json"
    result = cli("register", deals["english"], path, "-o", out)
    assert result.exit_code == 1
    assert re.search(r"bad\.yaml:\d+ partners\[0\]\.company_number: must be 8 characters", result.stderr)
    assert "Traceback" not in result.stderr and not out.exists()


def test_the_same_agreement_twice_is_refused(
    cli: Callable[..., Result], deals: dict[str, Path], tmp_path: Path
) -> None:
    result = cli("register", deals["english"], deals["english"], "-o", tmp_path / "r.csv")
    assert result.exit_code == 1 and "already in the register" in result.stderr


# ----------------------------------------------------------------------------- catalogues


@pytest.mark.parametrize("locale", i18n.LOCALES)
def test_compiled_catalogue_matches_its_po_file(locale: str) -> None:
    from babel.messages.mofile import read_mo
    from babel.messages.pofile import read_po

    folder = i18n.LOCALE_DIR / locale / "LC_MESSAGES"
    with (folder / "contractkit.po").open("rb") as handle:
        po = {m.id: m.string for m in read_po(handle) if m.id and not m.fuzzy}
    with (folder / "contractkit.mo").open("rb") as handle:
        mo = {m.id: m.string for m in read_mo(handle) if m.id}
    assert mo == po, "recompile with: pybabel compile -d contractkit/locale -D contractkit"


@pytest.mark.parametrize("locale", i18n.LOCALES)
def test_every_key_is_translated_with_the_same_placeholders(locale: str) -> None:
    keys = [m.id for m in catalogue.template() if m.id]
    english, labels = i18n.labels("en_GB"), i18n.labels(locale)
    assert labels.missing(keys) == []
    for key in keys:
        assert set(re.findall(r"{(\w+)}", labels(key))) == set(re.findall(r"{(\w+)}", english(key))), key


def test_pot_template_is_up_to_date() -> None:
    from babel.messages.pofile import read_po

    with (i18n.LOCALE_DIR / "contractkit.pot").open("rb") as handle:
        shipped = {m.id for m in read_po(handle) if m.id}
    assert shipped == {m.id for m in catalogue.template() if m.id}, (
        "regenerate: python -c 'from contractkit.publishing import catalogue; catalogue.write_template()', "
        "then pybabel update"
    )


def test_a_missing_label_is_an_error_never_a_bare_key() -> None:
    with pytest.raises(ContractkitError, match=r"has no label 'summary\.no-such-label'"):
        i18n.labels("cy_GB")("summary.no-such-label")


def test_unknown_locale_is_an_error() -> None:
    with pytest.raises(Exception, match="unsupported locale"):
        i18n.labels("fr_FR")
