"""Transparency register entries (principle 4): one per agreement, checked against a shipped schema.

An entry publishes what was agreed: parties, aim, benefits, value share, data, legal bases,
approvals, dates and every deviation from a preferred position. Dates and money are formatted by
babel in the register's locale; Welsh text comes only from the deal file.
"""

from __future__ import annotations

import csv
import functools
import io
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from contractkit.core import formatting
from contractkit.core.i18n import Labels, labels
from contractkit.drafting.agreement import Agreement
from contractkit.drafting.prepare import prepare
from contractkit.errors import ContractkitError, ValidationFailed
from contractkit.files import check_target, write_atomic
from contractkit.library.loading import Library

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "schemas" / "register-entry.schema.json"
FORMATS = (".csv", ".json", ".xlsx")
ONWARD_SHARING_TOPIC, IP_TOPIC = 15, 20
Entry = dict[str, Any]


@functools.cache
def schema_text() -> str:
    """The JSON Schema of one entry, exactly as shipped in the package."""
    return SCHEMA_PATH.read_text(encoding="utf-8")


def schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(schema_text())
    return data


def status(agreement: Agreement) -> str:
    """'agreed' when no deviation awaits approval and no approval is pending; otherwise 'draft'."""
    pending = any(a.status == "pending" for a in agreement.deal.approvals)
    return "draft" if agreement.pending or pending else "agreed"


def position_label(agreement: Agreement, topic: int) -> str | None:
    """Label of the position in use for the first placed clause covering a domain topic."""
    for placed in agreement.all_clauses():
        if topic in placed.clause.topics:
            return placed.clause.positions[placed.position].label or placed.position
    return None


def entry(agreement: Agreement, locale: str = "en_GB") -> Entry:
    """The register entry for an assembled agreement, formatted in `locale`."""
    deal, text = agreement.deal, labels(locale)
    info = deal.agreement
    out: Entry = {
        "agreement_id": info.reference,
        "version": info.version,
        "status": status(agreement),
        "locale": locale,
        "library_version": agreement.library_version,
        **_parties(agreement),
        "title": info.title,
        **({"title_cy": info.title_cy} if deal.wales else {}),
        "lay_summary": info.lay_summary,
        **({"lay_summary_cy": info.lay_summary_cy} if deal.wales else {}),
        "purpose": {"aim": deal.purpose.aim, "description": deal.purpose.description},
        "expected_benefits": [
            {"metric": b.metric, "baseline": b.baseline, "target": b.target, "date": _date(b.date, locale)}
            for b in deal.benefits
        ],
        **_commercial(agreement, locale, text),
        **_data(agreement, text),
        **_dates(agreement, locale),
        "deviations": _deviations(agreement),
        "contact": {"name": deal.contact.name, "email": deal.contact.email},
    }
    return out


def _date(value: Any, locale: str) -> str | None:
    return formatting.date(value, locale) or None


def _parties(agreement: Agreement) -> Entry:
    deal = agreement.deal
    return {
        "nhs_organisations": [
            {"name": o.name, "ods_code": o.ods_code, "nation": o.nation} for o in deal.nhs_organisations
        ],
        "partners": [{"name": p.name, "company_number": p.company_number, "sector": p.sector} for p in deal.partners],
    }


def _commercial(agreement: Agreement, locale: str, text: Labels) -> Entry:
    deal = agreement.deal
    share = deal.commercial.value_share
    headline = share.headline_value
    return {
        "commercial_purpose": deal.purpose.commercial,
        "value_share_model": agreement.value_share_model,
        "headline_value": formatting.money(headline, locale) if headline is not None else None,
        "value_withheld_reason": share.value_withheld_reason if headline is None else None,
        "headline_value_gbp": f"{headline:.2f}" if headline is not None else None,
        "ip_arrangement": position_label(agreement, IP_TOPIC) or text("register.no_ip_clause"),
        "exclusivity": "non-exclusive",
    }


def _data(agreement: Agreement, text: Labels) -> Entry:
    deal = agreement.deal
    data = deal.data
    return {
        "datasets": [
            {"name": d.name, "description": d.description, "period": d.period, "source": d.source}
            for d in data.datasets
        ],
        "identifiability": data.identifiability,
        "access_model": data.access_model,
        "onward_sharing": position_label(agreement, ONWARD_SHARING_TOPIC) or text("register.onward_not_permitted"),
        "legal_basis": deal.legal_basis.model_dump(),
        "national_data_opt_out": data.national_data_opt_out,
        "approvals": [
            {"body": a.body, "reference": a.reference, "status": a.status, "date": _date(a.date, locale=text.locale)}
            for a in deal.approvals
        ],
    }


def _dates(agreement: Agreement, locale: str) -> Entry:
    info, term = agreement.deal.agreement, agreement.deal.term
    return {
        "agreement_date": formatting.date(info.date, locale),
        "start_date": formatting.date(term.start, locale),
        "end_date": formatting.date(term.end, locale),
        "review_date": formatting.date(term.review, locale),
        "iso_dates": {
            "agreement": info.date.isoformat(),
            "start": term.start.isoformat(),
            "end": term.end.isoformat(),
            "review": term.review.isoformat(),
        },
    }


def _deviations(agreement: Agreement) -> list[Entry]:
    return [
        {
            "clause": d.title,
            "clause_id": d.clause,
            "position": d.label,
            "approver": d.approver,
            "approved_by": d.approved_by,
            "pending": d.pending,
        }
        for d in agreement.deviations
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


# ----------------------------------------------------------------------------- flat output


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
