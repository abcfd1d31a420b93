"""The transparency register entry of an agreement (principle 4): what was agreed, as published.

An entry publishes parties, aim, benefits, value share, data, legal bases, approvals, dates and
every deviation from a preferred position. Dates and money are formatted by babel in the
register's locale; Welsh text comes only from the deal file. It is built here, beside the
agreement, because the agreement's own register schedule prints it (drafting.tables); the
register's files (schema check, CSV, JSON, XLSX) are publishing.register.
"""

from __future__ import annotations

from typing import Any

from contractkit.core import formatting
from contractkit.core.i18n import Labels, labels
from contractkit.drafting.agreement import Agreement

ONWARD_SHARING_TOPIC, IP_TOPIC = 15, 20  # domain topics whose clause's position the entry names
Entry = dict[str, Any]


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
