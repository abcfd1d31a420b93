"""The tables a playbook can put in a schedule, as rows of text from the agreement's facts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from . import formatting
from .assemble import Agreement

Rows = list[list[str]]
Table = tuple[Rows, list[float]]


def _locale(agreement: Agreement) -> str:
    return agreement.deal.agreement.locale


def parties(a: Agreement) -> Table:
    rows = [["Party", "Defined as", "Role", "Identifier"]]
    rows += [[o.name, o.short_name, o.role, f"ODS {o.ods_code}"] for o in a.deal.nhs_organisations]
    rows += [[p.name, p.short_name, p.role, f"Company {p.company_number}"] for p in a.deal.partners]
    return rows, [6.0, 3.0, 3.0, 4.0]


def datasets(a: Agreement) -> Table:
    d = a.deal.data
    rows = [["Dataset", "Content and minimisation", "Period", "Provided by"]]
    rows += [[s.name, s.description, s.period, s.source] for s in d.datasets]
    return rows, [3.6, 6.6, 3.2, 2.6]


def benefits(a: Agreement) -> Table:
    def date(value: dt.date | None) -> str:
        return formatting.date(value, _locale(a)) or "Not stated"

    rows = [["Benefit metric", "Baseline", "Target", "Target date", "Reported by"]]
    rows += [
        [b.metric, b.baseline or "Not stated", b.target or "Not stated", date(b.date), b.owner or "All parties"]
        for b in a.deal.benefits
    ]
    return rows, [5.6, 2.6, 2.6, 2.8, 2.4]


def fees(a: Agreement) -> Table:
    """Fees, then the facts of the value-share mechanism actually drafted, then the headline value."""

    def money(value: Decimal | None) -> str:
        return formatting.money(value, _locale(a))

    vs = a.deal.commercial.value_share
    placed, agreed = a.value_share_clause, a.value_share_mechanisms()
    rows = [["Item", "Amount (GBP, excluding VAT)"]]
    rows += [[f.description, money(f.amount)] for f in a.deal.commercial.fees]
    if placed:
        rows.append(["Value share mechanism", placed.clause.positions[placed.position].label or placed.position])
    if "upfront" in agreed and vs.upfront_amount is not None:
        rows.append(["Upfront payment", money(vs.upfront_amount)])
    if "subscription" in agreed and vs.subscription_amount is not None:
        rows.append([f"Subscription, per {vs.subscription_period}", money(vs.subscription_amount)])
    if "milestones" in agreed:
        rows += [[f"Milestone: {m.event}", money(m.amount)] for m in vs.milestones]
    if "royalty" in agreed and vs.royalty_percent is not None:
        rows.append(["Royalty on Net Revenue", formatting.percent(vs.royalty_percent, _locale(a))])
    if "in-kind" in agreed and vs.in_kind:
        rows.append(["In-kind benefit", vs.in_kind])
    headline = (
        money(vs.headline_value) if vs.headline_value is not None else f"Not published: {vs.value_withheld_reason}"
    )
    rows.append(["Headline value of the value share", headline])
    return rows, [10.0, 6.0]


def approvals(a: Agreement) -> Table:
    rows = [["Approval", "Reference", "Status", "Date"]]
    rows += [[x.body, x.reference or "", x.status, formatting.date(x.date, _locale(a))] for x in a.deal.approvals]
    if len(rows) == 1:
        rows.append(["None required", "", "", ""])
    return rows, [6.0, 3.4, 3.0, 3.6]


def register(a: Agreement) -> Table:
    d, loc = a.deal, _locale(a)
    rows = [
        ["Register field", "Entry"],
        ["Agreement reference and version", f"{d.agreement.reference}, version {d.agreement.version}"],
        ["Title", d.agreement.title],
        ["Lay summary", d.agreement.lay_summary],
        ["NHS organisations", "; ".join(f"{o.name} ({o.ods_code})" for o in d.nhs_organisations)],
        ["Partners", "; ".join(f"{p.name} ({p.company_number})" for p in d.partners)],
        ["Explicit aim", d.purpose.aim],
        ["Commercial purpose", "Yes" if d.purpose.commercial else "No"],
        ["Value share model", a.value_share_model],
        ["Exclusivity", "non-exclusive"],
        ["Identifiability and access", f"{d.data.identifiability}; {d.data.access_model}"],
        ["National data opt-out", d.data.national_data_opt_out],
        [
            "Start, end and review dates",
            ", ".join(formatting.date(x, loc) for x in (d.term.start, d.term.end, d.term.review)),
        ],
        ["NHS contact", f"{d.contact.name} <{d.contact.email}>"],
    ]
    return rows, [5.0, 11.0]


def deviations(a: Agreement) -> Table:
    """Every clause off its preferred position, the role its rung needs and who approved it."""
    rows = [["Clause", "Position in use", "Approver role", "Approval"]]
    for d in a.deviations:
        approval = d.approved_by or ("Pending" if d.pending else "Not required")
        rows.append([f"{d.number}. {d.title}", d.label, d.approver, approval])
    if len(rows) == 1:
        rows.append(["None: every clause is on its preferred position", "", "", ""])
    return rows, [5.0, 5.0, 3.0, 3.0]


TABLES: dict[str, Callable[[Agreement], Table]] = {
    "parties": parties,
    "datasets": datasets,
    "benefits": benefits,
    "fees": fees,
    "approvals": approvals,
    "register": register,
    "deviations": deviations,
}
