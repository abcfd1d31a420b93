"""Editing a deal file in place, as a lawyer would: only the lines that change are touched.

Rather than re-dumping the whole file (which would re-flow the list items a lawyer laid out), the
`positions` and `history` blocks and single facts are spliced into the text, each fragment
written by the round-trip YAML dumper. The file is locked while it is edited: the lock is held on
the deal file itself, so nothing is left beside it.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from contractkit.errors import ContractkitError
from contractkit.library import facts, yamlio
from contractkit.library.deal import HistoryApproval, HistoryEntry

LOCK_TIMEOUT = 30.0  # seconds to wait for another swap on the same file


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
