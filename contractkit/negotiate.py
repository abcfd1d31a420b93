"""Negotiation: what may vary on a deal, moving a clause along its ladder, and what blocks a final version.

A swap edits the deal file in place. Rather than re-dumping the whole file (which would re-flow
the list items a lawyer laid out), only the `positions` and `history` blocks are spliced, each
fragment written by the round-trip YAML dumper; the result is re-parsed and checked before it
replaces the file, under a file lock so concurrent swaps never lose an entry.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from . import yamlio
from .assemble import Agreement, Approval, approval_of, rung_of
from .errors import ContractkitError
from .files import check_target, write_atomic
from .loading import Library, model_from
from .model import PRINCIPLE_NAMES, Clause, Deal, HistoryApproval, HistoryEntry, Rung

LOCK_TIMEOUT = 30.0  # seconds to wait for another swap on the same file


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

    def as_dict(self) -> dict[str, Any]:
        rung, approval = self.rung, self.approval
        return {
            "clause": self.clause.id,
            "title": self.clause.title,
            "status": self.clause.status,
            "principles": list(self.clause.principles),
            "current": self.current,
            "preferred": self.preferred,
            "ladder": [{"position": r.position, "approver": r.approver} for r in self.rungs],
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


# ----------------------------------------------------------------------------- reading positions


def positions(library: Library, deal: Deal) -> list[ClauseState]:
    """Every clause of the deal's playbook that has a ladder, and every locked clause, in order."""
    playbook = library.playbooks[deal.playbook]
    out = []
    for entry in playbook.entries():
        clause = library.clause(entry.clause)
        if entry.ladder is not None:
            ladder = entry.ladder
            current = deal.positions.get(clause.id, ladder.preferred.position)
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
    """A final version needs every deviation approved by its rung's role. Raises with the reasons otherwise."""
    if agreement.pending:
        items = ", ".join(f"{d.clause} -> {d.position} (needs {d.approver})" for d in agreement.pending)
        raise ContractkitError(
            f"cannot produce a final version: approval pending for {items}",
            hint="record the approval with 'contractkit swap ... --approved-by NAME --role ROLE'",
        )


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
    current = deal.positions.get(clause.id, ladder.preferred.position)
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


def apply_entry(deal: Deal, entry: HistoryEntry) -> Deal:
    """The deal after one history entry: the clause on its new rung, the entry logged, the version bumped."""
    agreement = deal.agreement.model_copy(update={"version": deal.agreement.version + 1})
    positions = {**deal.positions, entry.clause: entry.to}
    return deal.model_copy(update={"positions": positions, "history": [*deal.history, entry], "agreement": agreement})


def reopened(deal: Deal, clause: str, position: str, reason: str, now: dt.datetime) -> Deal:
    """The deal with a clause's approval re-opened: a later change altered the wording that was approved."""
    entry = HistoryEntry(timestamp=now, clause=clause, from_=position, to=position, by="contractkit",
                         approval="pending", note=reason)
    return deal.model_copy(update={"history": [*deal.history, entry]})


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
    """Move one clause along its ladder, editing the deal file in place; optionally write the redline."""
    from filelock import FileLock, Timeout

    if redline is not None:
        check_target(redline, force=force)
    stamp = now or dt.datetime.now(dt.UTC)
    stamp = (stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    lock = FileLock(str(path.with_name(f".{path.name}.lock")), timeout=LOCK_TIMEOUT)
    try:
        with lock:
            return _swap_locked(library, path, request, now=stamp, redline=redline, force=force)
    except Timeout:
        raise ContractkitError(f"{path}: another swap is editing this deal", hint="try again") from None


def _swap_locked(
    library: Library, path: Path, request: SwapRequest, *, now: dt.datetime, redline: Path | None, force: bool
) -> SwapResult:
    from .loading import load_deal

    before, doc = load_deal(path, library)
    entry = plan(library, before, request, now)
    text = edit_text(doc, entry)
    after = _checked(library, doc, text, before, entry)
    document = _redline(library, before, after, entry) if redline is not None else None
    write_atomic(path, text.encode("utf-8"), force=True)
    if redline is not None and document is not None:
        write_atomic(redline, document, force=force)
    return SwapResult(entry, before, after)


def _checked(library: Library, doc: yamlio.Document, text: str, before: Deal, entry: HistoryEntry) -> Deal:
    """Re-read the edited text: it must be the same deal plus exactly this move, or nothing is written."""
    from .validate import check_deal

    edited = yamlio.parse(text, doc.name)
    after, issues = model_from(edited, Deal)
    if after is not None:
        issues += [i for i in check_deal(after, edited, library) if i.severity == "error"]
    unchanged = ("positions", "history")
    if (
        after is None
        or issues
        or after.positions != {**before.positions, entry.clause: entry.to}
        or after.history != [*before.history, entry]
        or after.model_dump(exclude=set(unchanged)) != before.model_dump(exclude=set(unchanged))
    ):
        raise ContractkitError(f"{doc.name}: could not edit the deal file safely; nothing was written")
    return after


def _redline(library: Library, before: Deal, after: Deal, entry: HistoryEntry) -> bytes:
    from . import api
    from .redline import compare

    old = api.render_docx(library, api.assemble(library, before))
    new = api.render_docx(library, api.assemble(library, after))
    return compare(old, new, author=entry.by, date=entry.timestamp)


# ----------------------------------------------------------------------------- splicing YAML text


@dataclass(frozen=True)
class _Edit:
    start: int
    end: int
    lines: list[str]


def _empty_key(key: str) -> re.Pattern[str]:
    return re.compile(rf"^{key}:[ \t]*(\{{[ \t]*\}}|\[[ \t]*\]|~|null)?(?P<comment>[ \t]*#[^\r\n]*)?[ \t]*\r?\n?$")


SCALAR = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"|[^\s#,}\]]+")


def edit_text(doc: yamlio.Document, entry: HistoryEntry) -> str:
    """The deal text with the clause moved and the entry appended; every other byte is kept."""
    newline = "\r\n" if "\r\n" in doc.text else "\n"
    lines = doc.text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += newline
    tree = doc.tree
    edits = [_positions_edit(tree, lines, entry, newline), _history_edit(tree, lines, entry, newline)]
    # Bottom-up, so earlier line numbers stay valid; at the same line, positions end up first.
    for _, _, _, edit in sorted(((e.start, e.end, n, e) for n, e in enumerate(edits)), reverse=True):
        lines[edit.start : edit.end] = edit.lines
    return "".join(lines)


def _region(tree: CommentedMap, lines: list[str], key: str) -> tuple[int, int] | None:
    """Lines of a top-level key and its value, without the comments that introduce the next key."""
    if key not in tree:
        return None
    start = tree.lc.key(key)[0]
    end = min((tree.lc.key(k)[0] for k in tree if tree.lc.key(k)[0] > start), default=len(lines))
    while end - 1 > start and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
        end -= 1
    return start, end


def _positions_edit(tree: CommentedMap, lines: list[str], entry: HistoryEntry, nl: str) -> _Edit:
    node, region = tree.get("positions"), _region(tree, lines, "positions")
    item = f"{entry.clause}: {entry.to}{nl}"
    if region is None:
        return _Edit(len(lines), len(lines), [f"positions:{nl}", f"  {item}"])
    start, end = region
    if isinstance(node, CommentedMap) and node and not node.fa.flow_style():
        if entry.clause in node:
            row, col = node.lc.value(entry.clause)
            match = SCALAR.match(lines[row], col)
            if match:
                return _Edit(row, row + 1, [lines[row][: match.start()] + entry.to + lines[row][match.end() :]])
        else:
            last = max(node.lc.key(k)[0] for k in node)
            indent = node.lc.key(next(iter(node)))[1]
            return _Edit(last + 1, last + 1, [" " * indent + item])
    empty = _empty_key("positions").match(lines[start])
    if not node and empty and end == start + 1:
        return _Edit(start, end, [f"positions:{empty.group('comment') or ''}{nl}", f"  {item}"])
    data = dict(node or {})
    data[entry.clause] = entry.to
    return _Edit(start, end, _dumped({"positions": data}, nl))


def _history_edit(tree: CommentedMap, lines: list[str], entry: HistoryEntry, nl: str) -> _Edit:
    node, region = tree.get("history"), _region(tree, lines, "history")
    if region is None:
        return _Edit(len(lines), len(lines), [f"history:{nl}", *_entry_lines(entry, 2, nl)])
    start, end = region
    if isinstance(node, CommentedSeq) and node and not node.fa.flow_style():
        dash = next((m for line in lines[start + 1 : end] if (m := re.match(r"^( *)-(\s|$)", line))), None)
        return _Edit(end, end, _entry_lines(entry, len(dash.group(1)) if dash else 2, nl))
    empty = _empty_key("history").match(lines[start])
    if not node and empty and end == start + 1:
        return _Edit(start, end, [f"history:{empty.group('comment') or ''}{nl}", *_entry_lines(entry, 2, nl)])
    items = [_entry_map(HistoryEntry.model_validate(h)) for h in yamlio.Document(node, "", "").plain() or []]
    return _Edit(start, end, _dumped({"history": [*items, _entry_map(entry)]}, nl))


def _entry_map(entry: HistoryEntry) -> CommentedMap:
    data = CommentedMap()
    data["timestamp"] = entry.timestamp.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    data["clause"] = entry.clause
    data["from"] = entry.from_
    data["to"] = entry.to
    data["by"] = entry.by
    approval = entry.approval
    if isinstance(approval, HistoryApproval):
        data["approval"] = CommentedMap(name=approval.name, role=approval.role)
    else:
        data["approval"] = approval
    if entry.note:
        data["note"] = entry.note
    return data


def _entry_lines(entry: HistoryEntry, dash: int, nl: str) -> list[str]:
    """One history item as block YAML whose dash sits at column `dash`."""
    body = _dumped({"history": [_entry_map(entry)]}, nl)[1:]
    shift = dash - 2  # the dumper puts the dash at column 2
    return [(" " * shift + line) if shift >= 0 else line[-shift:] for line in body]


def _dumped(data: dict[str, Any], nl: str) -> list[str]:
    tree = CommentedMap(data)
    return [line + nl for line in yamlio.dump(tree).splitlines()]
