"""The register entry's JSON Schema, as shipped, and the flat table it gives: column names in
schema order, entries flattened to scalars, cell text and column headings in the register's
language. The CSV writer (register) and the workbook writer (register_xlsx) both lay entries out
with these.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from contractkit.core.i18n import Labels
from contractkit.drafting.register_entry import Entry

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "schemas" / "register-entry.schema.json"


@functools.cache
def schema_text() -> str:
    """The JSON Schema of one entry, exactly as shipped in the package."""
    return SCHEMA_PATH.read_text(encoding="utf-8")


def schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(schema_text())
    return data


def columns(entries: Sequence[Entry]) -> list[str]:
    """Flat column names in schema order; a list gets numbered columns for its longest instance."""
    return _columns(schema(), list(entries), "")


def _columns(node: dict[str, Any], values: list[Any], prefix: str) -> list[str]:
    if "properties" in node:
        out: list[str] = []
        for key, sub in node["properties"].items():
            inner = [v[key] for v in values if isinstance(v, dict) and key in v]
            out += _columns(sub, inner, f"{prefix}{key}.")
        return out
    if node.get("type") == "array":
        longest = max((len(v) for v in values if isinstance(v, list)), default=0)
        return [
            name
            for n in range(1, max(longest, 1) + 1)
            for name in _columns(node["items"], [v[n - 1] for v in values if len(v) >= n], f"{prefix}{n}.")
        ]
    return [prefix.rstrip(".")]


def flatten(item: Any, prefix: str = "") -> dict[str, Any]:
    """Nested entry -> {'legal_basis.article_6': ..., 'expected_benefits.1.metric': ...} of scalars."""
    if isinstance(item, dict):
        return {k: v for key, value in item.items() for k, v in flatten(value, f"{prefix}{key}.").items()}
    if isinstance(item, list):
        return {k: v for n, value in enumerate(item, 1) for k, v in flatten(value, f"{prefix}{n}.").items()}
    return {prefix.rstrip("."): item}


def cell(value: Any) -> str:
    """A scalar as CSV text: empty for null, true/false for booleans."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def header_label(column: str, text: Labels) -> str:
    """'expected_benefits.2.target' -> 'Expected benefits 2: target', from the catalogue."""
    parts = column.split(".")
    label = text(f"field.{parts[0]}")
    rest = parts[1:]
    while rest:
        if rest[0].isdigit():
            index, rest = rest[0], rest[1:]
            child = text(f"field.{rest[0]}") if rest else ""
            label, rest = text("field.item", parent=label, index=index, child=child), rest[1:]
        else:
            label, rest = text("field.nested", parent=label, child=text(f"field.{rest[0]}")), rest[1:]
    return label
