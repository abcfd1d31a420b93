"""The register's workbook: typed cells, a frozen header row and a filter, read back with openpyxl."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import Result
from conftest import EXAMPLES
from hypothesis import given
from hypothesis import strategies as st

from contractkit import api
from contractkit.core import formatting
from contractkit.library.loading import Library
from contractkit.publishing import register
from contractkit.publishing.register_xlsx import parse_date, typed_cell


@pytest.fixture(scope="module")
def entries(library: Library) -> list[dict[str, Any]]:
    return [register.entry(api.assemble(library, api.load_deal(p, library))) for p in EXAMPLES]


def column(sheet: Any, names: list[str], name: str) -> list[Any]:
    index = names.index(name) + 1
    return [sheet.cell(row=r, column=index) for r in range(2, sheet.max_row + 1)]


def test_cells_are_typed(entries: list[dict[str, Any]]) -> None:
    data = register.render(entries, ".xlsx", "en_GB")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    names = register.columns(entries)
    cells = {name: column(sheet, names, name) for name in names}
    first = entries[0]
    start = cells["start_date"][0]
    assert start.is_date and start.value.date() == dt.date.fromisoformat(first["iso_dates"]["start"])
    assert "mmmm" in start.number_format
    assert cells["iso_dates.end"][0].is_date and cells["iso_dates.end"][0].number_format == "yyyy-mm-dd"
    assert all(c.is_date for c in cells["expected_benefits.1.date"] if c.value is not None)
    assert all(c.is_date for c in cells["approvals.1.date"] if c.value is not None)
    assert {type(c.value) for c in cells["version"]} == {int}
    assert {type(c.value) for c in cells["commercial_purpose"]} == {bool}
    assert {type(c.value) for c in cells["deviations.1.pending"] if c.value is not None} <= {bool}
    for entry, money, gbp in zip(entries, cells["headline_value"], cells["headline_value_gbp"], strict=True):
        if entry["headline_value_gbp"] is None:
            assert money.value is None and gbp.value is None
            continue
        assert money.data_type == gbp.data_type == "n"
        assert money.value == gbp.value == float(entry["headline_value_gbp"])
        assert "£" in money.number_format
    assert cells["partners.1.company_number"][0].data_type == "s"  # numbers that are codes stay text
    assert cells["title"][0].value == first["title"]


def test_header_is_frozen_and_filtered(entries: list[dict[str, Any]]) -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(register.render(entries, ".xlsx", "en_GB"))).active
    assert sheet is not None
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == sheet.dimensions
    assert sheet.auto_filter.ref.startswith("A1:") and sheet.auto_filter.ref.endswith(str(len(entries) + 1))


def test_welsh_dates_are_dates_with_welsh_month_names(library: Library) -> None:
    welsh = [register.entry(api.assemble(library, api.load_deal(EXAMPLES[0], library)), "cy_GB")]
    sheet = openpyxl.load_workbook(io.BytesIO(register.render(welsh, ".xlsx", "cy_GB"))).active
    assert sheet is not None
    start = column(sheet, register.columns(welsh), "start_date")[0]
    assert start.is_date and start.number_format.startswith("[$-452]")


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2999, 12, 31)), st.sampled_from(["en_GB", "cy_GB"]))
def test_a_formatted_date_reads_back_as_itself(day: dt.date, locale: str) -> None:
    assert parse_date(formatting.date(day, locale), locale) == day


@pytest.mark.parametrize(
    "text", ["31 February 2027", "1 Smarch 2027", "2027-01-01", "1 April 2027 (approx.)", "", "01 April 2027"]
)
def test_text_that_is_not_exactly_a_date_stays_text(text: str) -> None:
    assert parse_date(text, "en_GB") is None
    assert typed_cell("approvals.1.date", {"approvals.1.date": text}, "en_GB") == (text, None)


def test_cli_writes_the_typed_workbook(cli: Callable[..., Result], tmp_path: Path) -> None:
    out = tmp_path / "register.xlsx"
    result = cli("register", *EXAMPLES, "-o", out)
    assert result.exit_code == 0, result.stderr
    sheet = openpyxl.load_workbook(out).active
    assert sheet is not None and sheet.max_row == len(EXAMPLES) + 1
    assert sheet.auto_filter.ref and sheet.freeze_panes == "A2"
    assert any(isinstance(c.value, dt.datetime) for c in sheet[2])
