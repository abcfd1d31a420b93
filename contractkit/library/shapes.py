"""The shapes of deal values: UK dates, money, percentages, names, codes and placeholders.

A deal's names, short names, dates and numbers are printed inside locked clauses, so each has a
shape fit for what it is (a short name is a name, not a sentence). Every shape states its rule in
words; the schema's field descriptions (and so docs/formats.md) and the error messages use the
same words. Placeholders (interfaces §5) pass the free-text shapes (names, addresses), so loading
reports them as "not filled in" warnings; a code, date, amount or choice refuses them, and loading
reports that as a "not filled in" error.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_core import PydanticCustomError

PLACEHOLDER = re.compile(r"^\s*\[[^\[\]]+\]\s*$")


def is_placeholder(value: object) -> bool:
    """A scaffold value still to be filled in: a string wholly in square brackets."""
    return isinstance(value, str) and PLACEHOLDER.match(value) is not None


def _fail(kind: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(kind, "{message}", {"message": message})


# --------------------------------------------------------------------------- dates

MONTHS = "January February March April May June July August September October November December".split()  # noqa: SIM905
_MONTH_WORDS = {m.lower(): n for n, m in enumerate(MONTHS, 1)} | {m[:3].lower(): n for n, m in enumerate(MONTHS, 1)}
_MONTH_WORDS["sept"] = 9
DATE_FORMS = "1/4/2027, 01/04/2027, 1 April 2027, 1 Apr 2027 or 2027-04-01"
DATE_RULE = f"a date, day first: {DATE_FORMS}"
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_NUMERIC = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})")
_SHORT_YEAR = re.compile(r"\d{1,2}([/.-])\d{1,2}\1\d{2}")
_WORDS = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+([^\W\d_]+)\.?,?\s+(\d{4})")
YEARS = (1950, 2200)


def parse_date(value: object) -> dt.date:
    """A date written in a common UK form, read day first; anything else is refused in words."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise _fail("date_type", f"should be a date like 1/4/2027, not {_kind(value)}")
    text = " ".join(value.split())
    if m := _ISO.fullmatch(text):
        return _date(int(m[1]), int(m[2]), int(m[3]), text)
    if m := _NUMERIC.fullmatch(text):
        return _date(int(m[4]), int(m[3]), int(m[1]), text)
    if m := _WORDS.fullmatch(text):
        month = _month(m[2])
        if month is None:
            raise _fail("date_form", f"{value!r}: {m[2]!r} is not the name of a month")
        return _date(int(m[3]), month, int(m[1]), text)
    if _SHORT_YEAR.fullmatch(text):
        raise _fail("date_form", f"{value!r}: write the year in full, e.g. 1/4/2027")
    raise _fail("date_form", f"{value!r} is not a date in a form contractkit reads; write it day first: {DATE_FORMS}")


def _month(word: str) -> int | None:
    found = _MONTH_WORDS.get(word.lower())
    if found is None:  # Welsh month names, from CLDR (only looked up when the English fail)
        from babel.dates import get_month_names

        for width in ("wide", "abbreviated"):
            names = {str(n).lower().rstrip("."): k for k, n in get_month_names(width, locale="cy").items()}
            found = found or names.get(word.lower())
    return found


def _date(year: int, month: int, day: int, text: str) -> dt.date:
    if not 1 <= month <= 12:
        swapped = f" (dates are read day first: did you mean {month}/{day}/{year}?)" if 1 <= day <= 12 else ""
        raise _fail("date_value", f"{text!r} is not a date: there is no month {month}{swapped}")
    if not YEARS[0] <= year <= YEARS[1]:
        raise _fail("date_value", f"{text!r}: the year {year} is not plausible for this agreement")
    try:
        return dt.date(year, month, day)
    except ValueError:
        leap = f" ({year} is not a leap year)" if (month, day) == (2, 29) else ""
        raise _fail("date_value", f"{day} {MONTHS[month - 1]} {year} is not a date{leap}") from None


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "yes or no"
    if isinstance(value, (int, float, Decimal)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a group of fields"
    return "nothing" if value is None else type(value).__name__


UkDate = Annotated[dt.date, BeforeValidator(parse_date)]

# --------------------------------------------------------------------------- money and percentages

MONEY_RULE = "an amount in pounds, e.g. 420000, 420,000.00 or £420,000; never negative, at most 2 decimal places"
_AMOUNT = re.compile(r"(?P<sign>-)?(?:£|GBP)?\s*(?P<sign2>-)?(?P<units>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<pence>\d+))?")
MAX_MONEY = Decimal("10000000000000")


def parse_money(value: object) -> Decimal:
    """An amount in pounds: `£`, thousands commas and pence accepted; negatives refused in words."""
    amount = _number(value, "money")
    if isinstance(value, str):
        m = _AMOUNT.fullmatch(value.strip().replace(" ", ""))
        if m is None:
            raise _fail("money", f"{value!r} is not an amount of money; write it like 420000, 420,000.00 or £420,000")
        amount = Decimal(m["units"].replace(",", "") + ("." + m["pence"] if m["pence"] else ""))
        if m["sign"] or m["sign2"]:
            amount = -amount
    if amount < 0:
        raise _fail("money_negative", f"{_show(value)} is negative; an amount here cannot be less than zero")
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise _fail("money_places", f"{_show(value)} has more than 2 decimal places; give pounds and pence")
    if amount >= MAX_MONEY:
        raise _fail("money_size", f"{_show(value)} is too large for an amount in this agreement")
    return amount


def _number(value: object, kind: str) -> Decimal:
    if isinstance(value, bool) or value is None or isinstance(value, (list, dict)):
        what = "an amount like 420,000" if kind == "money" else "a percentage like 3"
        raise _fail(f"{kind}_type", f"should be {what}, not {_kind(value)}")
    if isinstance(value, (int, float, Decimal)):
        return Decimal(str(value))
    return Decimal(0)


def _show(value: object) -> str:
    return repr(value) if isinstance(value, str) else str(value)


PERCENT_RULE = "a percentage more than 0 and at most 100, e.g. 3 or 2.5% (3 means 3%)"
_PERCENT = re.compile(r"(?P<n>-?\d+(?:\.\d+)?)\s*%?")


def parse_percent(value: object) -> Decimal:
    """A percentage written as 3, 3% or 2.5; the number is the percentage (3 means 3%)."""
    number = _number(value, "percent")
    if isinstance(value, str):
        m = _PERCENT.fullmatch(value.strip())
        if m is None:
            raise _fail("percent", f"{value!r} is not a percentage; write it like 3 or 2.5%")
        number = Decimal(m["n"])
    try:
        in_range = Decimal(0) < number <= Decimal(100)
    except InvalidOperation:
        in_range = False
    if not in_range:
        raise _fail("percent_range", f"{_show(value)} is not a percentage more than 0 and at most 100")
    return number


Money = Annotated[Decimal, BeforeValidator(parse_money)]
Percent = Annotated[Decimal, BeforeValidator(parse_percent)]

# --------------------------------------------------------------------------- names and codes


@dataclass(frozen=True)
class Shape:
    """A text value's shape: letters and spaces, plus the digits and punctuation it allows, its
    length and its number of words, all stated in `rule`."""

    what: str
    rule: str
    punctuation: str | None  # None: any printable character
    max_len: int
    max_words: int = 0
    digits: bool = True
    multiline: bool = False

    def __call__(self, value: str) -> str:
        if is_placeholder(value):
            return value
        problem = self.problem(value)
        if problem:
            raise _fail("shape", f"{self.what} is {self.rule}; this one {problem}")
        return value

    def problem(self, value: str) -> str | None:
        """What is wrong with `value`, in words; None when it fits."""
        if len(value) > self.max_len:
            return f"has {len(value):,} characters"
        if not self.multiline and "\n" in value:
            return "runs over more than one line"
        bad = self._bad_char(value)
        if bad:
            return f"contains {bad!r}"
        words = len(value.split())
        if self.max_words and words > self.max_words:
            return f"has {words} words"
        return None

    def _bad_char(self, value: str) -> str | None:
        if self.punctuation is None:
            return None
        for char in value:
            if not (char.isalpha() or char.isspace() or char in self.punctuation or (self.digits and char.isdigit())):
                return char
        return None


@dataclass(frozen=True)
class Code:
    """A value with a fixed form (a reference, a company number), stated in words in `rule`."""

    what: str
    rule: str
    pattern: str

    def __call__(self, value: str) -> str:
        if not re.fullmatch(self.pattern, value):
            raise _fail("code", f"{value!r} is not {self.what}: {self.what} is {self.rule}")
        return value


NAME_MARKS = "&'’.,()/-"
SHORT_NAME = Shape(
    "a short name",
    "1 to 40 characters: letters, digits, spaces, hyphens, apostrophes, ampersands and full stops, in at most 5 words",
    "&'’.-",
    40,
    5,
)
LEGAL_NAME = Shape(
    "a name",
    "up to 160 characters: letters, digits, spaces and & ' . , ( ) / -, in at most 20 words",
    NAME_MARKS,
    160,
    20,
)
PERSON_NAME = Shape(
    "a person's name",
    "up to 80 characters: letters, spaces, hyphens, apostrophes and full stops, in at most 8 words",
    "'’.-",
    80,
    8,
    digits=False,
)
JOB_TITLE = Shape(
    "a job title",
    "up to 100 characters: letters, digits, spaces and & ' . , ( ) / -, in at most 15 words",
    NAME_MARKS,
    100,
    15,
)
ADDRESS = Shape(
    "an address",
    "up to 200 characters on one line: letters, digits, spaces and & ' . , ( ) / - #",
    NAME_MARKS + "#",
    200,
)
APPROVAL_REF = Shape("a reference number", "up to 40 characters: letters, digits, spaces and / - . ( )", "/-.()", 40, 6)
REFERENCE = Code(
    "a reference",
    "capital letters, digits and hyphens, 3 to 40 characters, starting with a letter or digit",
    r"[A-Z0-9][A-Z0-9-]{2,39}",
)
ODS_CODE = Code("an ODS code", "3 to 6 capital letters or digits, as published by the NHS", r"[A-Z0-9]{3,6}")
EMAIL = Code("an email address", "written like name@example.nhs.uk", r"[^@\s]+@[^@\s]+\.[^@\s]+")
COMPANY_RULE = "8 digits, such as 01234567, or 2 capital letters and 6 digits, such as SC123456"


def company_number(value: str) -> str:
    """A Companies House number, kept as written (its leading zeros matter)."""
    if len(value) != 8:
        raise _fail("code", f"must be 8 characters (got {value!r}): {COMPANY_RULE}")
    if not re.fullmatch(r"[0-9]{8}|[A-Z]{2}[0-9]{6}", value):
        raise _fail("code", f"{value!r} is not a Companies House number: it is {COMPANY_RULE}")
    return value


LINE_RULE = "up to 200 characters on one line"
TEXT_RULE = "up to 1,000 characters"
LONG_TEXT_RULE = "up to 4,000 characters"

NonEmpty = Annotated[str, Field(min_length=1)]
ShortName = Annotated[str, Field(min_length=1), AfterValidator(SHORT_NAME)]
LegalName = Annotated[str, Field(min_length=1), AfterValidator(LEGAL_NAME)]
PersonName = Annotated[str, Field(min_length=1), AfterValidator(PERSON_NAME)]
JobTitle = Annotated[str, Field(min_length=1), AfterValidator(JOB_TITLE)]
Address = Annotated[str, Field(min_length=1), AfterValidator(ADDRESS)]
ApprovalRef = Annotated[str, Field(min_length=1), AfterValidator(APPROVAL_REF)]
Reference = Annotated[str, AfterValidator(REFERENCE)]
OdsCode = Annotated[str, AfterValidator(ODS_CODE)]
Email = Annotated[str, AfterValidator(EMAIL)]
CompanyNumber = Annotated[str, AfterValidator(company_number)]
Line = Annotated[str, Field(min_length=1), AfterValidator(Shape("this text", LINE_RULE, None, 200))]
Text = Annotated[str, Field(min_length=1), AfterValidator(Shape("this text", TEXT_RULE, None, 1000, multiline=True))]
LongText = Annotated[
    str, Field(min_length=1), AfterValidator(Shape("this text", LONG_TEXT_RULE, None, 4000, multiline=True))
]
