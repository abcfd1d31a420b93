"""The shapes of deal values (dates, money, percentages, names, codes) and the cross-field
warnings: unit tables, and properties where the invariant is crisp."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from pydantic_core import PydanticCustomError

from contractkit.errors import Issue
from contractkit.library import yamlio
from contractkit.library.checks import check_deal
from contractkit.library.deal import Partner
from contractkit.library.deal_loading import read_deal
from contractkit.library.loading import Library
from contractkit.library.scaffold import specimen
from contractkit.library.shapes import (
    ADDRESS,
    LEGAL_NAME,
    MONTHS,
    SHORT_NAME,
    is_placeholder,
    parse_date,
    parse_money,
    parse_percent,
)

# --------------------------------------------------------------------------- dates

FORMS = [
    lambda d: f"{d.day}/{d.month}/{d.year}",
    lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}",
    lambda d: f"{d.day}.{d.month}.{d.year}",
    lambda d: f"{d.day}-{d.month}-{d.year}",
    lambda d: f"{d.day} {MONTHS[d.month - 1]} {d.year}",
    lambda d: f"{d.day} {MONTHS[d.month - 1][:3]} {d.year}",
    lambda d: f"{d.day:02d} {MONTHS[d.month - 1].lower()} {d.year}",
    lambda d: f"{d.day}{_ordinal(d.day)} {MONTHS[d.month - 1]} {d.year}",
    lambda d: d.isoformat(),
    lambda d: f"{d.year}-{d.month}-{d.day}",
]


def _ordinal(day: int) -> str:
    return "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


@given(date=st.dates(dt.date(1950, 1, 1), dt.date(2200, 12, 31)), form=st.sampled_from(FORMS))
def test_any_date_in_an_accepted_form_reads_as_that_date(date: dt.date, form: object) -> None:
    written = form(date)  # type: ignore[operator]
    assert parse_date(written) == date
    assert parse_date(f"  {written}  ") == date


def test_welsh_month_names_from_cldr() -> None:
    assert parse_date("1 Chwefror 2027") == dt.date(2027, 2, 1)
    assert parse_date("5 Rhagfyr 2030") == dt.date(2030, 12, 5)


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("2030-02-30", "30 February 2030 is not a date"),
        ("31/4/2027", "31 April 2027 is not a date"),
        ("29/2/2027", "29 February 2027 is not a date (2027 is not a leap year)"),
        ("12/31/2029", "there is no month 31 (dates are read day first: did you mean 31/12/2029?)"),
        ("1/13/2027", "there is no month 13 (dates are read day first: did you mean 13/1/2027?)"),
        ("31/12/29", "write the year in full"),
        ("February 1, 2027", "is not a date in a form contractkit reads; write it day first: 1/4/2027"),
        ("1 Smarch 2027", "'Smarch' is not the name of a month"),
        ("1/1/0207", "the year 207 is not plausible"),
        ("", "is not a date in a form contractkit reads"),
    ],
)
def test_dates_refused_in_words(written: str, message: str) -> None:
    with pytest.raises(PydanticCustomError) as caught:
        parse_date(written)
    assert message in str(caught.value)


def test_a_leap_day_is_a_date() -> None:
    assert parse_date("29/2/2028") == dt.date(2028, 2, 29)


# --------------------------------------------------------------------------- money and percentages


@given(pence=st.integers(0, 10**12))
def test_any_amount_in_pounds_reads_as_that_amount(pence: int) -> None:
    amount = Decimal(pence) / 100
    grouped = f"{amount:,.2f}"
    for written in (grouped, f"£{grouped}", f"{amount:.2f}", f"£ {amount:.2f}", amount, f"GBP{grouped}"):
        assert parse_money(written) == amount


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("-5", "is negative"),
        ("£-5.00", "is negative"),
        (Decimal("-1"), "is negative"),
        ("1.234", "has more than 2 decimal places"),
        (0.125, "has more than 2 decimal places"),
        ("4,20,000", "is not an amount of money"),
        ("$400", "is not an amount of money"),
        ("1e6", "is not an amount of money"),
        (True, "should be an amount like 420,000, not yes or no"),
        ("10000000000000", "is too large"),
    ],
)
def test_money_refused_in_words(written: object, message: str) -> None:
    with pytest.raises(PydanticCustomError) as caught:
        parse_money(written)
    assert message in str(caught.value)


@pytest.mark.parametrize(("written", "value"), [("3", 3), ("3%", 3), ("2.5 %", Decimal("2.5")), (Decimal(100), 100)])
def test_percentages(written: object, value: Decimal) -> None:
    assert parse_percent(written) == value


@pytest.mark.parametrize("written", ["0", "-3", "101", "150%", "three"])
def test_percentages_refused(written: str) -> None:
    with pytest.raises(PydanticCustomError):
        parse_percent(written)


# --------------------------------------------------------------------------- names and codes


@pytest.mark.parametrize(
    "name", ["Northby", "Example Analytics", "St. Mary's", "A&E Labs", "Cwm Alarch UHB", "Ysbyty Gwynedd", "3M"]
)
def test_short_names(name: str) -> None:
    assert SHORT_NAME(name) == name


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("Example Analytics, the sole recipient", "contains ','"),
        ("Kestrel; it alone", "contains ';'"),
        ("Kestrel: the only partner", "contains ':'"),
        ("Kestrel Vale may alone use data", "has 6 words"),
        ("K" * 41, "has 41 characters"),
        ('"Kestrel"', "contains '\"'"),
        ("{{ 7*7 }}", "contains '{'"),
        ("Kestrel\nVale", "runs over more than one line"),
    ],
)
def test_short_names_that_are_sentences_are_refused(name: str, problem: str) -> None:
    with pytest.raises(PydanticCustomError) as caught:
        SHORT_NAME(name)
    assert str(caught.value).endswith(f"this one {problem}")
    assert "1 to 40 characters" in str(caught.value), "the message states the rule"


@pytest.mark.parametrize(
    "payload", ["{{ 7*7 }}", "<w:p>injected</w:p>", 'Smith "quoted"', "Kestrel Limited; which shall have sole access"]
)
def test_legal_names_refuse_template_and_markup_payloads(payload: str) -> None:
    with pytest.raises(PydanticCustomError):
        LEGAL_NAME(payload)


def test_legal_names_and_addresses_people_have() -> None:
    for name in ("Kestrel Vale (UK) Limited", "Smith & Nephew plc", "Bwrdd Iechyd Prifysgol Cwm Alarch"):
        assert LEGAL_NAME(name) == name
    assert ADDRESS("Unit 4/5, 1 Sample Street, London EC1A 9ZZ") == "Unit 4/5, 1 Sample Street, London EC1A 9ZZ"


def test_placeholders_pass_free_text_shapes_but_not_codes() -> None:
    assert is_placeholder("[full legal name of the partner]") and not is_placeholder("[a] and [b]")
    assert SHORT_NAME("[partner's short name, e.g. Kestrel]").startswith("[")
    data = specimen("research-collaboration")["partners"][0] | {"company_number": "[Companies House number]"}
    with pytest.raises(ValidationError):
        Partner.model_validate(data)


def test_company_number_given_as_a_number_is_refused_in_words() -> None:
    """Through the API a JSON number can still arrive: the message says to write it as text."""
    data = specimen("research-collaboration")["partners"][0] | {"company_number": 1234567}
    with pytest.raises(ValidationError) as caught:
        Partner.model_validate(data)
    from contractkit.library.messages import words

    message, hint = words(caught.value.errors()[0], Partner)
    assert message == "should be text (got 1234567)"
    assert hint is not None and "quotes" in hint


# --------------------------------------------------------------------------- judgements: warnings


def _issues(library: Library, **changes: object) -> list[Issue]:
    data = specimen("research-collaboration")
    for dotted, value in changes.items():
        node = data
        *path, last = dotted.split("__")
        for key in path:
            node = node[int(key)] if key.isdigit() else node[key]
        if value is None:
            del node[last]
        else:
            node[last] = value
    doc = yamlio.parse(yamlio.dump(data), "deal.yaml")
    deal, issues, broken = read_deal(doc)
    assert not broken, issues
    return issues + check_deal(deal, doc, library)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"commercial__value_share__royalty_percent": "0.03"},
            "commercial.value_share.royalty_percent",
            "0.03 means a royalty of 0.03%; if you meant 3%, write 3",
        ),
        (
            {"term__start": "2026-11-01"},
            "term.start",
            "the term starts (1 November 2026) before the agreement is dated",
        ),
        ({"benefits__0__date": "2030-06-30"}, "benefits[0].date", "is after the term ends (31 December 2029)"),
        ({"approvals__0__date": None}, "approvals[0].status", "granted, but no date is given"),
        ({"approvals__0__status": "pending"}, "approvals[0].date", "a date is given for an approval that is pending"),
        ({"commercial__value_share__headline_value": "0"}, "commercial.value_share.headline_value", "£0"),
        ({"partners__0__name": "[full legal name of the partner]"}, "partners[0].name", "not filled in: [full"),
    ],
)
def test_judgements_are_located_warnings(
    library: Library, changes: dict[str, object], field: str, message: str
) -> None:
    found = [i for i in _issues(library, **changes) if i.field == field and message in i.message]
    assert found, [str(i) for i in _issues(library, **changes)]
    assert all(i.severity == "warning" and i.line for i in found)


def test_a_complete_deal_has_no_judgements(library: Library) -> None:
    assert _issues(library) == []
