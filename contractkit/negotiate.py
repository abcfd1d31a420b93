"""Negotiation: what may vary on a deal, moving a clause along its ladder, and what blocks a final version.

A swap edits the deal file in place. Rather than re-dumping the whole file (which would re-flow
the list items a lawyer laid out), only the `positions` and `history` blocks are spliced, each
fragment written by the round-trip YAML dumper; the result is re-parsed and checked before it
replaces the file, under a file lock so concurrent swaps never lose an entry.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from . import facts, yamlio
from .assemble import Agreement, Approval, approval_of, deal_context, ladder_position, rung_of
from .errors import ContractkitError, Issue
from .files import check_target, write_atomic
from .loading import Library, model_from
from .model import PRINCIPLE_NAMES, Clause, Deal, HistoryApproval, HistoryEntry, Rung

LOCK_TIMEOUT = 30.0  # seconds to wait for another swap on the same file
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
    from .completeness import refuse_unless_final

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
    return HistoryApproval(name=request.approved_by, role=request.role)


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


@contextlib.contextmanager
def locked(path: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold an exclusive lock on the deal file itself while it is edited, so no lock file is left
    beside it. A swap replaces the file, so once locked, make sure the lock is on the file that is
    at `path` now, not on one a concurrent swap has just replaced; if not, lock again."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover (not POSIX): a lock file in the temporary directory
        yield from _temporary_lock(path, timeout)
        return
    deadline = time.monotonic() + timeout
    while True:
        fd = os.open(path, os.O_RDONLY)
        try:
            while not _try_lock(fcntl, fd):
                if time.monotonic() > deadline:
                    raise ContractkitError(f"{path}: another swap is editing this deal", hint="try again")
                time.sleep(0.02)
            if _same_file(fd, path):
                yield
                return
        finally:
            os.close(fd)  # closing the descriptor releases the lock


def _try_lock(fcntl: Any, fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _same_file(fd: int, path: Path) -> bool:
    held, current = os.fstat(fd), path.stat()
    return (held.st_dev, held.st_ino) == (current.st_dev, current.st_ino)


def _temporary_lock(path: Path, timeout: float) -> Iterator[None]:  # pragma: no cover (not POSIX)
    import hashlib
    import tempfile

    from filelock import FileLock, Timeout

    key = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:24]
    try:
        with FileLock(str(Path(tempfile.gettempdir()) / f"contractkit-{key}.lock"), timeout=timeout):
            yield
    except Timeout:
        raise ContractkitError(f"{path}: another swap is editing this deal", hint="try again") from None


def _swap_locked(
    library: Library, path: Path, request: SwapRequest, *, now: dt.datetime, redline: Path | None, force: bool
) -> SwapResult:
    from .loading import load_deal

    before, doc = load_deal(path, library)
    entry = plan(library, before, request, now)
    stated = library.clause(entry.clause).positions[entry.to].states
    changes: dict[str, Any] = {**stated, VERSION: before.agreement.version + 1}
    text = edit_text(doc, entry, changes)
    after = _checked(library, doc, text, before, entry, changes=changes)
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
    from .validate import check_deal

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


def edit_text(doc: yamlio.Document, entry: HistoryEntry, changes: dict[str, Any] | None = None) -> str:
    """The deal text with the clause moved, the entry appended and each of `changes` (dotted path:
    value) set; every other byte is kept."""
    newline = "\r\n" if "\r\n" in doc.text else "\n"
    lines = doc.text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += newline
    tree = doc.tree
    edits = [_positions_edit(tree, lines, entry, newline), _history_edit(tree, lines, entry, newline)]
    edits += [e for path, value in (changes or {}).items() if (e := _scalar_edit(tree, lines, path, value, newline))]
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


def _scalar_edit(tree: CommentedMap, lines: list[str], path: str, value: Any, nl: str) -> _Edit | None:
    """Set one scalar fact: in place on its line where it is a one-line block value, as a new line
    where its block mapping lacks it, else by re-writing its top-level block."""
    *parents, leaf = facts.split(path)
    node: Any = tree
    for part in parents:
        node = node.get(part) if isinstance(node, CommentedMap) else None
    if isinstance(node, CommentedMap) and not node.fa.flow_style():
        if leaf in node and str(node[leaf]) == _scalar(value):
            return None
        edit = _in_place(node, lines, leaf, value) if leaf in node else _new_line(node, lines, leaf, value, nl)
        if edit is not None:
            return edit
    if not parents or parents[0] not in tree:
        raise ContractkitError(f"could not set {path} in the deal file; nothing was written")
    block = copy.deepcopy(tree[parents[0]])
    target = block
    for part in parents[1:]:
        target = target[part]
    target[leaf] = value
    return _Edit(*(_region(tree, lines, parents[0]) or (0, 0)), _dumped({parents[0]: block}, nl))


def _in_place(node: CommentedMap, lines: list[str], key: str, value: Any) -> _Edit | None:
    """The value replaced on its own line, keeping the key, spacing and any trailing comment."""
    row, col = node.lc.value(key)
    if row != node.lc.key(key)[0] or isinstance(node[key], CommentedMap | CommentedSeq):
        return None
    match = SCALAR.match(lines[row], col)
    if match is None or _continues(lines, row, node.lc.key(key)[1]):
        return None
    return _Edit(row, row + 1, [lines[row][: match.start()] + _scalar(value) + lines[row][match.end() :]])


def _new_line(node: CommentedMap, lines: list[str], key: str, value: Any, nl: str) -> _Edit | None:
    """A new `key: value` line after the last one-line entry of the mapping (so that no comment
    written above an existing key ends up above the new one)."""
    rows = [node.lc.key(k) for k in node if not isinstance(node[k], CommentedMap | CommentedSeq)]
    rows = [(row, col) for row, col in rows if not _continues(lines, row, col)]
    if not rows:
        return None
    row, col = max(rows)
    return _Edit(row + 1, row + 1, [f"{' ' * col}{key}: {_scalar(value)}{nl}"])


def _continues(lines: list[str], row: int, col: int) -> bool:
    """True when the value on line `row` goes on to the next line (a folded or multi-line scalar)."""
    if row + 1 >= len(lines):
        return False
    following = lines[row + 1]
    indent = len(following) - len(following.lstrip(" "))
    return bool(following.strip()) and not following.lstrip().startswith("#") and indent > col


PLAIN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
YAML_WORDS = ("null", "true", "false", "yes", "no", "on", "off", "y", "n", "~")  # plain, they would not be text


def _scalar(value: Any) -> str:
    """A value as YAML text: numbers and slugs plain, booleans as true/false, other text quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) or (PLAIN.match(str(value)) and str(value) not in YAML_WORDS):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


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
