"""The transparency register (principle 4): one entry per agreement, checked against a shipped
schema and written as CSV, JSON or XLSX.

Each entry is built by drafting.register_entry (the agreement's own register schedule prints it
too) and laid out as a table by register_schema; their names are re-exported here, so that
`register.entry(agreement)` and `register.columns(entries)` are the register's own.
"""

from __future__ import annotations

import csv
import functools
import io
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from contractkit.drafting.agreement import Agreement
from contractkit.drafting.prepare import prepare
from contractkit.drafting.register_entry import IP_TOPIC, ONWARD_SHARING_TOPIC, Entry, entry, position_label, status
from contractkit.errors import ContractkitError, ValidationFailed
from contractkit.files import check_target, write_atomic
from contractkit.library.loading import Library
from contractkit.publishing.register_schema import (
    SCHEMA_PATH,
    cell,
    columns,
    flatten,
    header_label,
    schema,
    schema_text,
)

FORMATS = (".csv", ".json", ".xlsx")
__all__ = [  # the entry (drafting.register_entry) and its schema's table (register_schema) are the register's too
    "FORMATS",
    "IP_TOPIC",
    "ONWARD_SHARING_TOPIC",
    "SCHEMA_PATH",
    "WRITERS",
    "Entry",
    "cell",
    "check",
    "columns",
    "entry",
    "flatten",
    "header_label",
    "load_agreements",
    "position_label",
    "problems",
    "register_locale",
    "render",
    "schema",
    "schema_text",
    "status",
    "to_csv",
    "to_json",
    "to_xlsx",
    "write",
]


@functools.cache
def _validator() -> Any:
    import jsonschema  # type: ignore[import-untyped]

    return jsonschema.Draft202012Validator(schema(), format_checker=jsonschema.FormatChecker())


def problems(item: Entry) -> list[str]:
    """Every way an entry breaks the schema, as 'field.path: message' lines (empty when valid)."""
    validator = _validator()
    return [
        f"{'.'.join(str(p) for p in error.absolute_path) or '<entry>'}: {error.message}"
        for error in sorted(validator.iter_errors(item), key=lambda e: list(map(str, e.absolute_path)))
    ]


def check(entries: Sequence[Entry]) -> None:
    """Refuse to publish an entry that does not match the schema (a bug, never the user's input)."""
    for item in entries:
        found = problems(item)
        if found:
            raise ContractkitError(
                f"register entry {item.get('agreement_id')} does not match its schema: {'; '.join(found)}"
            )


def to_json(entries: Sequence[Entry]) -> bytes:
    return (json.dumps(list(entries), indent=2, ensure_ascii=False) + "\n").encode()


def to_csv(entries: Sequence[Entry]) -> bytes:
    """One row per agreement, UTF-8, header of flat column names (see docs/register.md)."""
    names = columns(entries)
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=names, lineterminator="\r\n")
    writer.writeheader()
    for item in entries:
        flat = flatten(item)
        writer.writerow({name: cell(flat.get(name)) for name in names})
    return out.getvalue().encode("utf-8")


def to_xlsx(entries: Sequence[Entry], locale: str) -> bytes:
    """A workbook with typed cells, a frozen header row and a filter (see register_xlsx)."""
    from contractkit.publishing.register_xlsx import workbook

    return workbook(entries, locale)


WRITERS: dict[str, Callable[[Sequence[Entry], str], bytes]] = {
    ".csv": lambda entries, _locale: to_csv(entries),
    ".json": lambda entries, _locale: to_json(entries),
    ".xlsx": to_xlsx,
}


def render(entries: Sequence[Entry], suffix: str, locale: str) -> bytes:
    """The register as bytes in the format named by `suffix` (.csv, .json or .xlsx)."""
    check(entries)
    writer = WRITERS.get(suffix.lower())
    if writer is None:
        raise ContractkitError(f"unknown register format {suffix!r}", hint=f"use one of {', '.join(FORMATS)}")
    return writer(entries, locale)


# ----------------------------------------------------------------------------- the whole job


def register_locale(agreements: Sequence[Agreement], locale: str | None) -> str:
    """As asked; else the deals' shared locale; else en_GB (one register, one language)."""
    if locale:
        return locale
    found = {a.deal.agreement.locale for a in agreements}
    return found.pop() if len(found) == 1 else "en_GB"


def load_agreements(library: Library, paths: Sequence[Path]) -> list[Agreement]:
    """Load and assemble every deal, reporting the problems of all of them together."""
    agreements, issues = [], []
    for path in paths:
        try:
            agreements.append(prepare(library, path))
        except ValidationFailed as exc:
            issues += exc.issues
    if issues:
        raise ValidationFailed(issues)
    seen: dict[str, Path] = {}
    for path, agreement in zip(paths, agreements, strict=True):
        ref = agreement.deal.agreement.reference
        if ref in seen:
            raise ContractkitError(f"{path}: agreement {ref} is already in the register (from {seen[ref]})")
        seen[ref] = path
    return agreements


def write(library: Library, paths: Sequence[Path], out: Path, *, locale: str | None = None, force: bool = False) -> int:
    """`contractkit register`: one entry per deal, written atomically to `out`; returns the count."""
    if out.suffix.lower() not in FORMATS:
        raise ContractkitError(f"{out}: unknown register format", hint=f"name the output {', '.join(FORMATS)}")
    check_target(out, force=force)
    agreements = load_agreements(library, paths)
    chosen = register_locale(agreements, locale)
    entries = [entry(a, chosen) for a in agreements]
    write_atomic(out, render(entries, out.suffix, chosen), force=force)
    return len(entries)
