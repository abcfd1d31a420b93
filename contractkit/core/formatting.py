"""Locale-aware formatting of dates, money, numbers and percentages. All of it is babel's."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

GAP_PREFIX = "[not stated: "


class Gap(str):
    """A deal fact a wording needs but the deal does not give, printed as a visible blank.

    It is falsy, so `{% if fact %}` treats it as absent, and the formatting filters pass it through
    unchanged, so `{{ fact | money }}` prints the blank rather than failing."""

    path: str

    def __new__(cls, path: str) -> Gap:
        gap = super().__new__(cls, f"{GAP_PREFIX}{path.rsplit('.', 1)[-1].replace('_', ' ')}]")
        gap.path = path
        return gap

    def __bool__(self) -> bool:
        return False


def date(value: dt.date | str | None, locale: str = "en_GB") -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return format_date(value, format="long", locale=locale)


def money(value: Decimal | int | str | None, locale: str = "en_GB") -> str:
    if value is None:
        return ""
    return format_currency(Decimal(str(value)), "GBP", locale=locale)


def number(value: Any, locale: str = "en_GB") -> str:
    return format_decimal(Decimal(str(value)), locale=locale)


def percent(value: Any, locale: str = "en_GB") -> str:
    """`percent(12.5)` -> '12.5%': the argument is a percentage, not a fraction."""
    return format_percent(Decimal(str(value)) / 100, format="#,##0.##%", locale=locale)


def join_and(items: Any, locale: str = "en_GB") -> str:
    """'A', 'A and B', 'A, B and C' (UK style, no serial comma); Welsh uses 'a'."""
    items = [str(i) for i in items]
    word = " a " if locale.startswith("cy") else " and "
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + word + items[-1] if items else ""


def filters(locale: str) -> dict[str, Any]:
    """Jinja filters bound to a locale, for clause text and templates; a Gap passes through."""
    functions: dict[str, Any] = {
        "date": date,
        "money": money,
        "number": number,
        "percent": percent,
        "join_and": join_and,
    }
    return {name: _keeping_gaps(function, locale) for name, function in functions.items()}


def _keeping_gaps(function: Any, locale: str) -> Any:
    return lambda value: value if isinstance(value, Gap) else function(value, locale)
