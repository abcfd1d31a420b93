"""The pool beside the CLI: `contractkit pool start` runs one, and later commands find and use it.

The pool's process writes a small state file, `pool.json`, in the user's runtime folder
(`$CONTRACTKIT_RUNTIME_DIR`, else `$XDG_RUNTIME_DIR/contractkit`, else `run/` in the
configuration folder): its own process id and start time, and the loopback port, process id and
start time of each converter that is ready. Any contractkit process that makes a PDF reads it;
a file that is not ours, not private, malformed, or names a process that is no longer the one
that wrote it (ids are reused, start times are not) is stale and ignored, and the document is
converted by a cold soffice. Converters are shared between processes through a lock file each,
so two commands converting at once use two converters.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from contractkit.files import write_atomic
from contractkit.pdf import procs
from contractkit.pdf.warm import ConverterLost, PoolUnavailable, convert_on

RUNTIME_ENV = "CONTRACTKIT_RUNTIME_DIR"
STATE_NAME = "pool.json"
FORMAT = 1
MAX_STATE = 64 * 1024  # bytes: a state file names a few ports; anything bigger is not ours
MAX_CONVERTERS = 64
CLAIM_POLL = 0.02  # seconds between tries for a free converter while all are busy


@dataclass(frozen=True)
class Converter:
    """One ready converter of the running pool."""

    port: int
    pid: int
    started: int  # its start time, clock ticks since boot

    def running(self) -> bool:
        return procs.running(self.pid, self.started)


@dataclass(frozen=True)
class State:
    """What the pool's process says about itself in the state file."""

    pid: int
    started: int
    size: int
    converters: list[Converter] = field(default_factory=list)
    problem: str | None = None  # why a converter last failed to start

    def running(self) -> bool:
        """Whether the process that wrote this is still running (and is the same process)."""
        return procs.running(self.pid, self.started)

    def encode(self) -> bytes:
        return json.dumps({"format": FORMAT, **asdict(self)}, indent=1).encode()


class StateProblem(Exception):
    """A state file that cannot be trusted or read; its message says why."""


# ----------------------------------------------------------------------------- where and how it is kept


def runtime_dir() -> Path:
    """The folder for the pool's state and lock files (it may not exist yet)."""
    configured = os.environ.get(RUNTIME_ENV)
    if configured:
        return Path(configured)
    xdg = os.environ.get("XDG_RUNTIME_DIR")
    if xdg:
        return Path(xdg) / "contractkit"
    from contractkit.trust.keys import config_dir

    return config_dir() / "run"


def state_path() -> Path:
    return runtime_dir() / STATE_NAME


def private_folder(create: bool) -> Path:
    """The runtime folder, made private (0700) when created; StateProblem if others could write to it."""
    folder = runtime_dir()
    try:
        if create:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.lstat()
    except OSError as exc:
        raise StateProblem(f"{folder}: cannot use the runtime folder ({exc.strerror})") from None
    _private(folder, info, "folder")
    if not stat.S_ISDIR(info.st_mode):
        raise StateProblem(f"{folder}: is not a folder")
    return folder


def _private(path: Path, info: os.stat_result, what: str) -> None:
    if info.st_uid != os.getuid():
        raise StateProblem(f"{path}: the {what} belongs to another user")
    if info.st_mode & 0o022:
        raise StateProblem(f"{path}: others can write to the {what}")


def write_state(state: State) -> None:
    folder = private_folder(create=True)
    write_atomic(folder / STATE_NAME, state.encode(), force=True)


def remove_state(pid: int) -> None:
    """Remove the state file if it is the one process `pid` wrote (a newer pool's is kept)."""
    with suppress(StateProblem, OSError):
        if load_state().pid == pid:
            state_path().unlink()


def load_state() -> State:
    """The state file, checked: StateProblem if it is missing, not private, or malformed (it may be stale)."""
    if not runtime_dir().exists():
        raise StateProblem(f"no state file at {state_path()}")
    path = private_folder(create=False) / STATE_NAME
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            raise StateProblem(f"no state file at {path}") from None
        raise StateProblem(f"{path}: cannot read it ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise StateProblem(f"{path}: is not a regular file")
        _private(path, info, "state file")
        data = handle.read(MAX_STATE + 1)
    if len(data) > MAX_STATE:
        raise StateProblem(f"{path}: is larger than {MAX_STATE} bytes")
    try:
        return parse_state(json.loads(data))
    except (ValueError, UnicodeDecodeError) as exc:
        raise StateProblem(f"{path}: not a pool state file ({exc})") from None


def parse_state(raw: Any) -> State:
    """The state from parsed JSON; ValueError naming the first field that is wrong."""
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise ValueError("unknown format")
    converters = raw.get("converters")
    if not isinstance(converters, list) or len(converters) > MAX_CONVERTERS:
        raise ValueError("converters is not a list of at most 64")
    problem = raw.get("problem")
    if problem is not None and not isinstance(problem, str):
        raise ValueError("problem is not text")
    return State(
        pid=_number(raw, "pid", 1, 2**31),
        started=_number(raw, "started", 0, 2**63),
        size=_number(raw, "size", 1, MAX_CONVERTERS),
        converters=[_converter(c) for c in converters],
        problem=problem,
    )


def _converter(raw: Any) -> Converter:
    if not isinstance(raw, dict):
        raise ValueError("a converter is not an object")
    return Converter(_number(raw, "port", 1, 65535), _number(raw, "pid", 1, 2**31), _number(raw, "started", 0, 2**63))


def _number(raw: dict[str, Any], key: str, low: int, high: int) -> int:
    value = raw.get(key)
    if type(value) is not int or not low <= value <= high:  # bool is not a number here
        raise ValueError(f"{key} is not a whole number from {low} to {high}")
    return value


def running_state() -> State | None:
    """The running pool's state, or None when there is none, or it is stale or untrustworthy."""
    try:
        state = load_state()
    except StateProblem:
        return None
    return state if state.running() else None


def report() -> dict[str, Any]:
    """The running pool as plain data for `pool status`, or why none is running."""
    try:
        state = load_state()
    except StateProblem as exc:
        return {"running": False, "reason": str(exc)}
    if not state.running():
        return {"running": False, "reason": f"the state file names process {state.pid}, which has ended"}
    converters = [
        {"port": c.port, "pid": c.pid, "memory": sum(procs.rss_bytes(p) for p in procs.group_members(c.pid))}
        for c in state.converters
        if c.running()
    ]
    return {"running": True, "pid": state.pid, "size": state.size, "converters": converters, "problem": state.problem}


# ----------------------------------------------------------------------------- converting with it


def external_convert(docx: bytes, *, pdfa: int, timeout: float) -> bytes | None:
    """The PDF/A from the running pool's converters, each tried at most once, at most two tried;
    None when no pool is running or none of them could take the document (a cold soffice will)."""
    state = running_state()
    if state is None:
        return None
    live = [c for c in state.converters if c.running()]
    tried: set[int] = set()
    for _ in range(min(2, len(live))):
        with _claim(live, tried, time.monotonic() + timeout) as converter:
            if converter is None:
                return None
            tried.add(converter.port)
            with suppress(ConverterLost, PoolUnavailable):
                return convert_on(converter.port, docx, pdfa=pdfa, timeout=timeout)
    return None


@contextmanager
def _claim(live: list[Converter], tried: set[int], deadline: float) -> Iterator[Converter | None]:
    """A converter no other process is using (its lock file held while the block runs), waiting
    while all are busy; None if none came free in time."""
    candidates = [c for c in live if c.port not in tried]
    turn = os.getpid() % max(1, len(candidates))  # processes start their search at different converters
    locks = _open_locks(candidates[turn:] + candidates[:turn])
    try:
        yield _first_free(locks, deadline)
    finally:
        for _, fd in locks:
            os.close(fd)  # closing releases the lock


def _open_locks(converters: list[Converter]) -> list[tuple[Converter, int]]:
    folder = runtime_dir()
    locks = []
    for converter in converters:
        with suppress(OSError):
            flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW
            locks.append((converter, os.open(folder / f"converter-{converter.port}.lock", flags, 0o600)))
    return locks


def _first_free(locks: list[tuple[Converter, int]], deadline: float) -> Converter | None:
    while locks:
        for converter, fd in locks:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:  # held by another process
                continue
            return converter
        if time.monotonic() > deadline:
            break
        time.sleep(CLAIM_POLL)
    return None
