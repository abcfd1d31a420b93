"""The tables a playbook can put in a schedule, as rows of text from the agreement's facts.

Coded values are printed as the words a reader expects ('Secure data environment', not 'sde';
'Legal lead', not 'legal-lead'). A fact the table needs but the deal lacks is a `Gap`: a visible
blank in the draft and a warning that stops a final version.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from contractkit.core import formatting
from contractkit.core.formatting import Gap
from contractkit.core.i18n import labels
from contractkit.drafting.agreement import Agreement
from contractkit.drafting.register_entry import entry

Rows = list[list[str]]
Table = tuple[Rows, list[float]]
NOTHING_FURTHER = "Nothing further is payable unless the Outputs are put to Commercial Use"
DOCUMENT_LANGUAGE = "en_GB"  # the agreement is drafted in English; dates and money follow its locale


def _locale(agreement: Agreement) -> str:
    return agreement.deal.agreement.locale


def code(value: str) -> str:
    """A coded value as table text: 'sde' -> 'Secure data environment'."""
    text = labels(DOCUMENT_LANGUAGE)(f"code.{value}")
    return text[:1].upper() + text[1:]


def role(value: str) -> str:
    """A data protection role as table text: 'joint-controller' -> 'Joint controller'."""
    return value.replace("-", " ").capitalize()


def parties(a: Agreement) -> Table:
    rows = [["Party", "Defined as", "Role", "Identifier"]]
    rows += [[o.name, o.short_name, role(o.role), f"ODS {o.ods_code}"] for o in a.deal.nhs_organisations]
    rows += [[p.name, p.short_name, role(p.role), f"Company {p.company_number}"] for p in a.deal.partners]
    return rows, [6.0, 3.0, 3.0, 4.0]


def datasets(a: Agreement) -> Table:
    d = a.deal.data
    rows = [["Dataset", "Content and minimisation", "Period", "Provided by"]]
    rows += [[s.name, s.description, s.period, s.source] for s in d.datasets]
    return rows, [3.6, 6.6, 3.2, 2.6]


def benefits(a: Agreement) -> Table:
    """Each benefit; a missing target or target date is a gap, a missing baseline is only 'Not stated'."""

    def date(value: dt.date | None, n: int) -> str:
        return formatting.date(value, _locale(a)) or Gap(f"benefits.{n}.date")

    rows = [["Benefit metric", "Baseline", "Target", "Target date", "Reported by"]]
    rows += [
        [
            b.metric,
            b.baseline or "Not stated",
            b.target or Gap(f"benefits.{n}.target"),
            date(b.date, n),
            b.owner or "All parties",
        ]
        for n, b in enumerate(a.deal.benefits)
    ]
    return rows, [5.6, 2.6, 2.6, 2.8, 2.4]


def fees(a: Agreement) -> Table:
    """Part 1 of the Fees and Value Share schedule: each fee, and their total when there are several."""
    amounts = [f.amount for f in a.deal.commercial.fees]
    rows = [["Part 1: Fees", "Amount (excluding VAT)"]]
    rows += [[f.description, _money(a, f.amount)] for f in a.deal.commercial.fees]
    if len(amounts) > 1:
        rows.append(["Total Fees", _money(a, sum(amounts, Decimal(0)))])
    if not amounts:
        rows.append(["Fees", Gap("commercial.fees")])
    return rows, [10.0, 6.0]


def value_share(a: Agreement) -> Table:
    """Part 2: the value-share mechanism drafted, its facts (and no other mechanism's), and the
    headline value published in the register."""
    vs = a.deal.commercial.value_share
    agreed, placed = a.value_share_mechanisms(), a.value_share_clause
    rows = [["Part 2: Value share", "Agreed terms"]]
    if placed is not None:
        wording = placed.clause.positions[placed.position]
        rows.append([f"Mechanism (clause {placed.number})", wording.label or code(a.value_share_model)])
    for mechanism, row in _mechanism_rows(a).items():
        if mechanism in agreed:
            rows += row
    headline = (
        _money(a, vs.headline_value) if vs.headline_value is not None else f"Not published: {vs.value_withheld_reason}"
    )
    rows.append(["Headline value, as published in the register", headline])
    return rows, [10.0, 6.0]


def _mechanism_rows(a: Agreement) -> dict[str, Rows]:
    vs, path = a.deal.commercial.value_share, "commercial.value_share."
    percent = (
        f"{formatting.percent(vs.royalty_percent, _locale(a))} of Net Revenue"
        if vs.royalty_percent is not None
        else Gap(path + "royalty_percent")
    )
    milestones = [[f"Milestone: {m.event}", _money(a, m.amount)] for m in vs.milestones]
    return {
        "cost-recovery": [["Further payment", NOTHING_FURTHER]],
        "upfront": [["Upfront payment", _money(a, vs.upfront_amount) or Gap(path + "upfront_amount")]],
        "subscription": [
            [
                f"Subscription, per {vs.subscription_period}",
                _money(a, vs.subscription_amount) or Gap(path + "subscription_amount"),
            ]
        ],
        "milestones": milestones or [["Milestone payments", Gap(path + "milestones")]],
        "royalty": [["Royalty rate", percent]],
        "in-kind": [["Benefits in kind", vs.in_kind or Gap(path + "in_kind")]],
    }


def _money(a: Agreement, value: Decimal | None) -> str:
    return formatting.money(value, _locale(a))


def approvals(a: Agreement) -> Table:
    rows = [["Approval", "Reference", "Status", "Date"]]
    rows += [[x.body, x.reference or "", code(x.status), formatting.date(x.date, _locale(a))] for x in a.deal.approvals]
    if len(rows) == 1:
        rows.append(["None required", "", "", ""])
    return rows, [6.0, 3.4, 3.0, 3.6]


def register(a: Agreement) -> Table:
    """The register entry as published (drafting.register_entry), field by field in words."""
    item, d = entry(a, _locale(a)), a.deal
    headline = item["headline_value"] or f"Not published: {item['value_withheld_reason']}"
    rows = [
        ["Register field", "Entry"],
        ["Agreement reference and version", f"{item['agreement_id']}, version {item['version']}"],
        ["Title", item["title"]],
        ["Lay summary", item["lay_summary"]],
        ["NHS organisations", "; ".join(f"{o.name} ({o.ods_code})" for o in d.nhs_organisations)],
        ["Partners", "; ".join(f"{p.name} ({p.company_number})" for p in d.partners)],
        ["Explicit aim", item["purpose"]["aim"]],
        ["Commercial purpose", "Yes" if item["commercial_purpose"] else "No"],
        ["Value share", code(item["value_share_model"])],
        ["Headline value", headline],
        ["Intellectual property", item["ip_arrangement"]],
        ["Exclusivity", "Non-exclusive"],
        ["Identifiability and access", f"{code(item['identifiability'])}; {code(item['access_model'])}"],
        ["Onward sharing", item["onward_sharing"]],
        ["National data opt-out", code(item["national_data_opt_out"])],
        ["Start, end and review dates", ", ".join((item["start_date"], item["end_date"], item["review_date"]))],
        ["NHS contact", f"{d.contact.name} <{d.contact.email}>"],
    ]
    return rows, [5.0, 11.0]


def deviations(a: Agreement) -> Table:
    """Every clause off its preferred position, the role its rung needs and who approved it."""
    rows = [["Clause", "Position in use", "Approver role", "Approval"]]
    for d in a.deviations:
        approval = d.approved_by or ("Pending" if d.pending else "Not required")
        rows.append([f"{d.number}. {d.title}", d.label, d.approver_label or d.approver, approval])
    if len(rows) == 1:
        rows.append(["None: every clause is on its preferred position", "", "", ""])
    return rows, [5.0, 5.0, 3.0, 3.0]


TABLES: dict[str, Callable[[Agreement], Table]] = {
    "parties": parties,
    "datasets": datasets,
    "benefits": benefits,
    "fees": fees,
    "value-share": value_share,
    "approvals": approvals,
    "register": register,
    "deviations": deviations,
}
