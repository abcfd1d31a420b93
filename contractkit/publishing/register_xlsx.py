"""The transparency register as an Excel workbook: one row per agreement under a frozen, filtered
header row, with dates as dates, amounts and counts as numbers and yes/no fields as booleans.

The workbook is built from the same entries as the CSV and JSON. Their dates are text in the
register's language; each is turned back into a date only when formatting that date again gives
exactly the same text, so a cell is never typed wrongly (anything else stays text).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from contractkit.core import formatting
from contractkit.core.i18n import labels
from contractkit.drafting.register_entry import Entry
from contractkit.publishing.register_schema import cell, columns, flatten, header_label

# Windows language ids in number formats, so Excel and LibreOffice show month names in the
# register's language whatever the reader's own settings are.
LANGUAGE_IDS = {"en_GB": "809", "cy_GB": "452"}
MONEY_COLUMNS = ("headline_value", "headline_value_gbp")  # both hold the headline amount in GBP
ISO_DATE_FORMAT = "yyyy-mm-dd"
DAY_MONTH_YEAR = re.compile(r"^(\d{1,2}) (\S+) (\d{4})$")


def workbook(entries: Sequence[Entry], locale: str) -> bytes:
    """The register as .xlsx bytes: typed cells, widths set, header frozen and filtered."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    text, names = labels(locale), columns(entries)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = text("register.sheet")
    sheet.append([header_label(n, text) for n in names])
    for item in entries:
        flat = flatten(item)
        typed = [typed_cell(name, flat, locale) for name in names]
        sheet.append([value for value, _ in typed])
        for target, (_, number_format) in zip(sheet[sheet.max_row], typed, strict=True):
            if number_format:
                target.number_format = number_format
            if target.data_type == "f":  # deal text that starts with '=' is text, never a formula
                target.data_type = "s"
    for header in sheet[1]:
        header.font = Font(bold=True)
        header.alignment = Alignment(wrap_text=True, vertical="top")
    _widths(sheet)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    return _save(book, max((e["iso_dates"]["agreement"] for e in entries), default="2000-01-01"))


def typed_cell(name: str, flat: dict[str, Any], locale: str) -> tuple[Any, str | None]:
    """The value of column `name` as Excel should hold it, with its number format (None: general)."""
    value = flat.get(name)
    if value is None or isinstance(value, bool):
        return value, None
    if isinstance(value, int):
        return value, "0"
    if name in MONEY_COLUMNS:
        amount = _decimal(flat.get("headline_value_gbp"))
        if amount is not None:
            return amount, f"[$£-{LANGUAGE_IDS.get(locale, '809')}]#,##0.00" if name == "headline_value" else "0.00"
    leaf = name.rsplit(".", 1)[-1]
    if name.startswith("iso_dates."):
        return dt.date.fromisoformat(value), ISO_DATE_FORMAT
    if leaf == "date" or leaf.endswith("_date"):
        day = parse_date(str(value), locale)
        if day is not None:
            return day, f"[$-{LANGUAGE_IDS.get(locale, '809')}]d mmmm yyyy"
    return cell(value), None


def parse_date(text: str, locale: str) -> dt.date | None:
    """The date that formatting.date writes as `text` in `locale`, or None if there is none."""
    from babel import Locale

    match = DAY_MONTH_YEAR.match(text)
    if match is None:
        return None
    months = {name.lower(): n for n, name in Locale.parse(locale).months["format"]["wide"].items()}
    month = months.get(match.group(2).lower())
    try:
        day = dt.date(int(match.group(3)), month or 0, int(match.group(1)))
    except ValueError:
        return None
    return day if formatting.date(day, locale) == text else None


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value is not None else None
    except InvalidOperation:
        return None


def _widths(sheet: Any) -> None:
    from openpyxl.utils import get_column_letter

    for index, column in enumerate(sheet.iter_cols(min_row=2), 1):
        longest = max((len(_shown(c.value)) for c in column), default=0)
        sheet.column_dimensions[get_column_letter(index)].width = min(max(longest, 12) + 2, 60)


def _shown(value: Any) -> str:
    return "30 September 2027" if isinstance(value, dt.date) else str(value if value is not None else "")


def _save(book: Any, iso_date: str) -> bytes:
    """Save with fixed properties and zip timestamps (openpyxl's own save stamps the clock)."""
    import zipfile

    from openpyxl.writer.excel import ExcelWriter

    from contractkit.word.xml import deterministic_zip

    stamp = dt.datetime.fromisoformat(iso_date)
    book.properties.creator = book.properties.lastModifiedBy = "contractkit"
    book.properties.created = book.properties.modified = stamp
    buffer = io.BytesIO()
    ExcelWriter(book, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)).save()
    return deterministic_zip(buffer.getvalue())
