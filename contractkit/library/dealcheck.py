"""Cross-field sanity of a deal, as a lawyer expects it: dates in order and inside the term, money
positive where it must be, percentages that look like percentages, facts that another fact makes
necessary. Errors where the deal cannot be right; warnings where it is a judgement.

Each check names the top-level fields it reads; `sanity` runs only the checks whose fields passed
the schema, so a deal with a broken field still gets every other problem reported in one pass.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal

from contractkit.errors import Issue
from contractkit.library.deal import Deal
from contractkit.library.shapes import MONTHS
from contractkit.library.yamlio import Document

Check = Callable[[Deal, Document], Iterator[Issue]]
CHECKS: list[tuple[frozenset[str], Check]] = []


def check(*needs: str) -> Callable[[Check], Check]:
    def register(fn: Check) -> Check:
        CHECKS.append((frozenset(needs), fn))
        return fn

    return register


def sanity(deal: Deal, doc: Document, broken: frozenset[str] = frozenset()) -> list[Issue]:
    """Every cross-field problem in the deal that the fields which passed the schema can show."""
    return [issue for needs, fn in CHECKS if not needs & broken for issue in fn(deal, doc)]


def _day(date: dt.date) -> str:
    return f"{date.day} {MONTHS[date.month - 1]} {date.year}"


@check("term")
def _term(deal: Deal, doc: Document) -> Iterator[Issue]:
    term = deal.term
    if term.end <= term.start:
        yield doc.issue(
            ["term", "end"],
            f"the end date ({_day(term.end)}) must be after the start date ({_day(term.start)})",
            hint="dates are read day first: 1/4/2027 is 1 April 2027",
        )
    elif not term.start <= term.review <= term.end:
        yield doc.issue(
            ["term", "review"],
            f"the benefits review ({_day(term.review)}) must fall inside the term "
            f"({_day(term.start)} to {_day(term.end)})",
        )


@check("term", "agreement")
def _agreement_date(deal: Deal, doc: Document) -> Iterator[Issue]:
    signed, term = deal.agreement.date, deal.term
    if term.end < signed:
        yield doc.issue(
            ["term", "end"], f"the term ends ({_day(term.end)}) before the agreement is dated ({_day(signed)})"
        )
    elif term.start < signed:
        yield doc.issue(
            ["term", "start"],
            f"the term starts ({_day(term.start)}) before the agreement is dated ({_day(signed)})",
            hint="a term that starts before signature is unusual: check both dates",
            severity="warning",
        )


@check("term", "benefits")
def _benefit_dates(deal: Deal, doc: Document) -> Iterator[Issue]:
    """A target before the term starts cannot be right; one after it ends is a judgement (a
    long-term outcome), but the agreement's reporting duties end with the term, so say so."""
    term = deal.term
    for n, benefit in enumerate(deal.benefits):
        loc: list[str | int] = ["benefits", n, "date"]
        if benefit.date is not None and benefit.date < term.start:
            yield doc.issue(
                loc, f"the target date ({_day(benefit.date)}) is before the term starts ({_day(term.start)})"
            )
        elif benefit.date is not None and benefit.date > term.end:
            yield doc.issue(
                loc,
                f"the target date ({_day(benefit.date)}) is after the term ends ({_day(term.end)}), "
                "so no one is bound to report on it",
                hint="extend the term, choose an earlier target date, or agree reporting in a special condition",
                severity="warning",
            )


@check("approvals", "term")
def _approvals(deal: Deal, doc: Document) -> Iterator[Issue]:
    for n, approval in enumerate(deal.approvals):
        loc: list[str | int] = ["approvals", n, "date"]
        if approval.status == "granted" and approval.date is None:
            yield doc.issue(
                ["approvals", n, "status"],
                "granted, but no date is given",
                hint="give the date it was granted: the register publishes it",
                severity="warning",
            )
        elif approval.status != "granted" and approval.date is not None:
            yield doc.issue(loc, f"a date is given for an approval that is {approval.status}", severity="warning")
        elif approval.date is not None and approval.date > deal.term.end:
            yield doc.issue(loc, f"granted ({_day(approval.date)}) after the term ends ({_day(deal.term.end)})")


@check("commercial")
def _money(deal: Deal, doc: Document) -> Iterator[Issue]:
    share = deal.commercial.value_share
    for n, fee in enumerate(deal.commercial.fees):
        if fee.amount == 0:
            yield doc.issue(["commercial", "fees", n, "amount"], "a fee of £0: give its amount, or remove the fee")
    for n, milestone in enumerate(share.milestones):
        if milestone.amount == 0:
            yield doc.issue(
                ["commercial", "value_share", "milestones", n, "amount"],
                "a milestone payment of £0: give its amount, or remove the milestone",
            )
    for name in ("upfront_amount", "subscription_amount"):
        if getattr(share, name) == 0:
            yield doc.issue(
                ["commercial", "value_share", name], "must be more than £0; leave it out until it is agreed"
            )
    yield from _headline(deal, doc)
    if share.royalty_percent is not None and share.royalty_percent < 1:
        percent, meant = share.royalty_percent, format((share.royalty_percent * 100).normalize(), "f")
        yield doc.issue(
            ["commercial", "value_share", "royalty_percent"],
            f"{percent} means a royalty of {percent}%; if you meant {meant}%, write {meant}",
            hint="royalty_percent is the percentage itself: 3 means 3%",
            severity="warning",
        )


def _headline(deal: Deal, doc: Document) -> Iterator[Issue]:
    share = deal.commercial.value_share
    loc: list[str | int] = ["commercial", "value_share", "headline_value"]
    if share.headline_value is None and not share.value_withheld_reason:
        yield doc.issue(
            loc,
            "give the headline value, or value_withheld_reason to say why it is not published",
            hint="the transparency register publishes one or the other",
        )
    elif share.headline_value == Decimal(0) and share.model != "cost-recovery":
        yield doc.issue(
            loc,
            f"a headline value of £0 for a {share.model} value share",
            hint="if the value is not to be published, give value_withheld_reason instead",
            severity="warning",
        )


@check("data")
def _data(deal: Deal, doc: Document) -> Iterator[Issue]:
    data = deal.data
    if data.access_model == "sde" and not data.environment:
        missing = "name the secure data environment, since the data are to be accessed in one (access_model: sde)"
        yield doc.issue(["data", "environment"], missing)
    if data.national_data_opt_out == "not-applicable" and not data.opt_out_reason:
        yield doc.issue(
            ["data", "opt_out_reason"], "say why the national data opt-out does not apply: it is not-applicable"
        )
