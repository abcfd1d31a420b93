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
    def money(value: Decimal | None) -> str:
        return formatting.money(value, _locale(a))

    c = a.deal.commercial
    rows = [["Item", "Amount (GBP, excluding VAT)"]]
    rows += [[f.description, money(f.amount)] for f in c.fees]
    if c.value_share.upfront_amount is not None:
        rows.append(["Upfront payment", money(c.value_share.upfront_amount)])
    if c.value_share.subscription_amount is not None:
        rows.append(
            [f"Subscription, per {c.value_share.subscription_period}", money(c.value_share.subscription_amount)]
        )
    rows += [[f"Milestone: {m.event}", money(m.amount)] for m in c.value_share.milestones]
    if c.value_share.royalty_percent is not None:
        rows.append(["Royalty on Net Revenue", formatting.percent(c.value_share.royalty_percent, _locale(a))])
    if c.value_share.in_kind:
        rows.append(["In-kind benefit", c.value_share.in_kind])
    headline = (
        money(c.value_share.headline_value)
        if c.value_share.headline_value is not None
        else f"Not published: {c.value_share.value_withheld_reason}"
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
    vs = d.commercial.value_share
    rows = [
        ["Register field", "Entry"],
        ["Agreement reference and version", f"{d.agreement.reference}, version {d.agreement.version}"],
        ["Title", d.agreement.title],
        ["Lay summary", d.agreement.lay_summary],
        ["NHS organisations", "; ".join(f"{o.name} ({o.ods_code})" for o in d.nhs_organisations)],
        ["Partners", "; ".join(f"{p.name} ({p.company_number})" for p in d.partners)],
        ["Explicit aim", d.purpose.aim],
        ["Commercial purpose", "Yes" if d.purpose.commercial else "No"],
        ["Value share model", vs.model],
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
