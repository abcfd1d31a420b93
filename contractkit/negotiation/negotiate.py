"""Negotiation: what may vary on a deal, moving a clause along its ladder, and what blocks a final version.

A swap edits the deal file in place (negotiation.dealfile splices the changed lines and locks the
file); the result is re-parsed and checked before it replaces the file, so concurrent swaps never
lose an entry and a failed check writes nothing.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contractkit.drafting.assemble import (
    Agreement,
    Approval,
    approval_of,
    assemble,
    deal_context,
    ladder_position,
    rung_of,
)
from contractkit.drafting.completeness import refuse_unless_final
from contractkit.errors import ContractkitError, Issue
from contractkit.files import check_target, write_atomic
from contractkit.library import facts, yamlio
from contractkit.library.checks import check_deal
from contractkit.library.deal import Deal, HistoryApproval, HistoryEntry
from contractkit.library.deal_loading import load_deal
from contractkit.library.loading import Library, model_from
from contractkit.library.model import PRINCIPLE_NAMES, Clause, Rung
from contractkit.negotiation.dealfile import edit_text, locked

VERSION = "agreement.version"  # a swap makes a new draft of the agreement


@dataclass(frozen=True)
class ClauseState:
    """Where one variable clause of a deal stands: its ladder, current rung and approval."""

    clause: Clause
    current: str
    preferred: str
    rungs: tuple[Rung, ...]
    walk_away: str | None
    approval: Approval

    @property
    def rung(self) -> Rung | None:
        return next((r for r in self.rungs if r.position == self.current), None)

    @property
    def pending(self) -> bool:
        return self.approval == "pending"

    def label(self, position: str) -> str:
        """The name negotiators know a wording by, e.g. 'Revenue royalty'; its id if it has none."""
        wording = self.clause.positions.get(position)
        return (wording.label if wording else "") or position

    def as_dict(self) -> dict[str, Any]:
        rung, approval = self.rung, self.approval
        return {
            "clause": self.clause.id,
            "title": self.clause.title,
            "status": self.clause.status,
            "principles": list(self.clause.principles),
            "current": self.current,
            "preferred": self.preferred,
            "label": self.label(self.current),
            "ladder": [
                {"position": r.position, "label": self.label(r.position), "approver": r.approver} for r in self.rungs
            ],
            "approver": rung.approver if rung else None,
            "guidance": rung.guidance if rung else None,
            "walk_away": self.walk_away,
            "approval": approval.model_dump() if isinstance(approval, HistoryApproval) else approval,
            "pending_approval": self.pending,
        }


@dataclass(frozen=True)
class SwapRequest:
    """What the negotiator asked for: one clause to one rung, by whom, with which approval."""

    clause: str
    position: str
    by: str
    approved_by: str | None = None
    role: str | None = None
    note: str | None = None
    account: str | None = None  # the approver's login, when the web app records an approval


@dataclass(frozen=True)
class SwapResult:
    entry: HistoryEntry
    before: Deal
    after: Deal
    warnings: list[Issue] = field(default_factory=list)  # facts the new wording needs that the deal lacks


# ----------------------------------------------------------------------------- reading positions


def positions(library: Library, deal: Deal) -> list[ClauseState]:
    """Every clause of the deal's playbook that has a ladder, and every locked clause, in order."""
    playbook = library.playbooks[deal.playbook]
    context = deal_context(deal)
    out = []
    for entry in playbook.entries():
        clause = library.clause(entry.clause)
        if entry.ladder is not None:
            ladder = entry.ladder
            current = ladder_position(clause, ladder, deal, context)
            state = ClauseState(
                clause,
                current,
                ladder.preferred.position,
                tuple(ladder.rungs),
                ladder.walk_away,
                approval_of(deal, clause.id, rung_of(ladder, current)),
            )
            out.append(state)
        elif clause.status == "locked":
            only = next(iter(clause.positions))
            out.append(ClauseState(clause, only, only, (), None, "not-required"))
    return out


def final_blockers(agreement: Agreement) -> None:
    """A final version needs every deviation approved by its rung's role and no gap left.
    Raises ValidationFailed with every reason otherwise."""
    refuse_unless_final(agreement)


# ----------------------------------------------------------------------------- planning a swap


def _principles(clause: Clause) -> str:
    return ", ".join(f"{p} ({PRINCIPLE_NAMES[p]})" for p in clause.principles)


def plan(library: Library, deal: Deal, request: SwapRequest, now: dt.datetime) -> HistoryEntry:
    """Check a swap against the playbook and return its history entry. Raises with the reason it is refused."""
    playbook = library.playbooks[deal.playbook]
    entry = next((e for e in playbook.entries() if e.clause == request.clause), None)
    clause = library.clauses.get(request.clause)
    if entry is None or clause is None:
        variable = ", ".join(e.clause for e in playbook.entries() if e.ladder)
        raise ContractkitError(
            f"unknown clause {request.clause!r} in playbook {playbook.id!r} (negotiable: {variable})",
            hint="see 'contractkit positions DEAL'",
        )
    if clause.status == "locked":
        raise ContractkitError(
            f"clause {clause.id!r} is locked: it protects {_principles(clause)} and cannot be swapped",
            hint="a locked clause has one wording that no deal or negotiation can change",
        )
    if entry.ladder is None:
        raise ContractkitError(
            f"clause {clause.id!r} is {clause.status}, not negotiable: its wording follows from the deal's facts",
            hint="change the deal's facts instead",
        )
    ladder = entry.ladder
    rung = rung_of(ladder, request.position)
    if rung is None:
        approved = ", ".join(r.position for r in ladder.rungs)
        raise ContractkitError(
            f"position {request.position!r} is not on the approved ladder of {clause.id!r} "
            f"(approved: {approved}); walk away: {ladder.walk_away}",
            hint="a position off the ladder is past the walk-away and is not available",
        )
    current = ladder_position(clause, ladder, deal)
    approval = _approval(clause.id, rung, request)
    if current == rung.position and not isinstance(approval, HistoryApproval):
        raise ContractkitError(
            f"clause {clause.id!r} is already on {rung.position!r}",
            hint="to record an approval for it, give --approved-by NAME --role ROLE",
        )
    return HistoryEntry(
        timestamp=now,
        clause=clause.id,
        from_=current,
        to=rung.position,
        by=request.by,
        approval=approval,
        note=request.note or None,
    )


def _approval(clause_id: str, rung: Rung, request: SwapRequest) -> Approval:
    if (request.approved_by is None) != (request.role is None):
        raise ContractkitError("an approval needs both --approved-by NAME and --role ROLE")
    if rung.approver == "negotiator":
        return "not-required"
    if request.approved_by is None or request.role is None:
        return "pending"
    if request.role != rung.approver:
        raise ContractkitError(
            f"role {request.role!r} is not entitled to approve {clause_id!r} -> {rung.position!r}: "
            f"that rung must be approved by {rung.approver!r}",
            hint=f"record the approval of the {rung.approver}, or leave it pending",
        )
    return HistoryApproval(name=request.approved_by, role=request.role, account=request.account)


def changes(library: Library, before: Deal, entry: HistoryEntry) -> dict[str, Any]:
    """The facts a move sets besides `positions` and `history`: what the new wording states (a
    value-share move sets `commercial.value_share.model`) and the next version of the agreement."""
    stated = library.clause(entry.clause).positions[entry.to].states
    return {**stated, VERSION: before.agreement.version + 1}


def moved(library: Library, data: dict[str, Any], before: Deal, entry: HistoryEntry) -> dict[str, Any]:
    """A deal file's plain data after one move: the same edit `swap` makes to the file's text."""
    out = copy.deepcopy(data)
    for path, value in changes(library, before, entry).items():
        *parents, leaf = facts.split(path)
        node = out
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    out["positions"] = {**out.get("positions", {}), entry.clause: entry.to}
    out["history"] = [*out.get("history", []), entry.model_dump(mode="json", by_alias=True, exclude_none=True)]
    return out


def reopened(data: dict[str, Any], clause: str, position: str, reason: str, now: dt.datetime) -> dict[str, Any]:
    """A deal file's plain data with one approval re-opened: a later change altered the approved wording."""
    entry = HistoryEntry(
        timestamp=now, clause=clause, from_=position, to=position, by="contractkit", approval="pending", note=reason
    )
    logged = entry.model_dump(mode="json", by_alias=True, exclude_none=True)
    return {**data, "history": [*data.get("history", []), logged]}


# ----------------------------------------------------------------------------- the swap itself


def swap(
    library: Library,
    path: Path,
    request: SwapRequest,
    *,
    now: dt.datetime | None = None,
    redline: Path | None = None,
    force: bool = False,
) -> SwapResult:
    """Move one clause along its ladder, editing the deal file in place; optionally write the redline.

    The facts the new wording states are set to agree with it (a value-share swap sets
    `commercial.value_share.model`), the agreement's version goes up by one, and facts the new
    wording needs but the deal lacks come back as warnings: the move is recorded, because it was
    agreed, and a final version is refused until they are filled in."""
    if redline is not None:
        check_target(redline, force=force)
    stamp = now or dt.datetime.now(dt.UTC)
    stamp = (stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    with locked(path):
        return _swap_locked(library, path, request, now=stamp, redline=redline, force=force)


def _swap_locked(
    library: Library, path: Path, request: SwapRequest, *, now: dt.datetime, redline: Path | None, force: bool
) -> SwapResult:
    before, doc = load_deal(path, library)
    entry = plan(library, before, request, now)
    edits = changes(library, before, entry)
    text = edit_text(doc, entry, edits)
    after = _checked(library, doc, text, before, entry, changes=edits)
    document = _redline(library, before, after, entry) if redline is not None else None
    write_atomic(path, text.encode("utf-8"), force=True)
    if redline is not None and document is not None:
        write_atomic(redline, document, force=force)
    return SwapResult(entry, before, after, missing_facts(library, after, entry, yamlio.parse(text, doc.name)))


def missing_facts(library: Library, deal: Deal, entry: HistoryEntry, doc: yamlio.Document) -> list[Issue]:
    """Facts the wording swapped to needs but the deal does not give, as located warnings."""
    wording = library.clause(entry.clause).positions[entry.to]
    context = deal_context(deal)
    where = facts.Where(doc)
    return [
        where.issue(
            path,
            f"not given, but {entry.clause} -> {entry.to} ({wording.label or entry.to}) needs it: the swap is "
            "recorded, a draft shows a blank there, and a final version is refused until it is added",
            severity="warning",
        )
        for path in facts.needs(wording)
        if facts.is_missing(facts.lookup(context, path))
    ]


def _checked(
    library: Library, doc: yamlio.Document, text: str, before: Deal, entry: HistoryEntry, *, changes: dict[str, Any]
) -> Deal:
    """Re-read the edited text: it must be the same deal plus exactly this move, the facts its
    wording states and the new version, or nothing is written."""
    edited = yamlio.parse(text, doc.name)
    after, issues = model_from(edited, Deal)
    if after is not None:
        issues += [i for i in check_deal(after, edited, library) if i.severity == "error"]
    unchanged = {"positions", "history"}
    expected = before.model_dump(exclude=unchanged)
    for path, value in changes.items():
        *parents, leaf = facts.split(path)
        node = expected
        for part in parents:
            node = node[part]
        node[leaf] = value
    if (
        after is None
        or issues
        or after.positions != {**before.positions, entry.clause: entry.to}
        or after.history != [*before.history, entry]
        or after.model_dump(exclude=unchanged) != expected
    ):
        raise ContractkitError(f"{doc.name}: could not edit the deal file safely; nothing was written")
    return after


def _redline(library: Library, before: Deal, after: Deal, entry: HistoryEntry) -> bytes:
    from contractkit.word.redline import compare
    from contractkit.word.render import render_agreement

    old = render_agreement(library, assemble(library, before))
    new = render_agreement(library, assemble(library, after))
    return compare(old, new, author=entry.by, date=entry.timestamp)
