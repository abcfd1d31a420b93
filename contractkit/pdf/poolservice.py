"""Running the pool beside the CLI: serve it in the foreground, start it in the background, stop it.

`serve` is the pool's process (`contractkit pool start --foreground`): it keeps the state file
(pdf/poolstate.py) true to which converters are ready until it is interrupted, then stops every
converter and removes the file. `start_beside` starts such a process detached from the terminal
and waits until its converters answer; `stop_running` asks it to stop (SIGTERM) and kills what is
left if it does not.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import suppress
from pathlib import Path

from contractkit.errors import ContractkitError
from contractkit.pdf import procs
from contractkit.pdf.pool import READY, RECYCLE_AFTER, Pool
from contractkit.pdf.poolstate import (
    Converter,
    State,
    StateProblem,
    load_state,
    private_folder,
    remove_state,
    running_state,
    write_state,
)
from contractkit.pdf.soffice import interrupts_held

START_WAIT = 120.0  # seconds `pool start` waits for every converter to answer
STOP_WAIT = 15.0  # seconds `pool stop` waits for the pool's process to end before killing it
LOG_NAME = "pool.log"
_DETACHED: list[subprocess.Popen[bytes]] = []


class PoolProblem(ContractkitError):
    """The pool beside the CLI could not be started or stopped."""


def state_of(pool: Pool, started: int) -> State:
    """The state file's content for `pool`, run by this process."""
    ready = []
    for row in pool.status(memory=False):
        if row.state == READY and row.pid is not None and row.port is not None:
            ticks = procs.start_ticks(row.pid)
            if ticks is not None:
                ready.append(Converter(row.port, row.pid, ticks))
    return State(os.getpid(), started, pool.size, ready, pool.problem)


def serve(
    size: int | None,
    *,
    recycle_after: int = RECYCLE_AFTER,
    timeout: float = 120.0,
    until: Callable[[], bool] | None = None,
) -> None:
    """Run a pool for other processes until interrupted (Ctrl-C or SIGTERM, which the CLI turns into
    KeyboardInterrupt) or `until()` is true, keeping the state file up to date; remove it at the end."""
    private_folder(create=True)
    other = running_state()
    if other is not None and other.pid != os.getpid():
        raise PoolProblem(f"a pool is already running (process {other.pid})", hint="contractkit pool status")
    started = procs.start_ticks(os.getpid()) or 0
    lock = threading.Lock()

    def publish(current: Pool) -> None:
        with lock:
            if not current.closed:
                write_state(state_of(current, started))

    pool = Pool(size, recycle_after=recycle_after, timeout=timeout, external=True, on_change=publish)
    try:
        pool.start()
        publish(pool)
        while not (until is not None and until()):
            time.sleep(0.2)
    finally:
        with lock:
            pool.stop()
            remove_state(os.getpid())


def start_beside(command: Sequence[str], *, size: int, wait: float = START_WAIT) -> State:
    """Start `command` (a `pool start --foreground`) detached from this terminal and wait until all
    `size` converters answer. PoolProblem, with the pool's last message, if it fails or takes too long."""
    current = running_state()
    if current is not None:
        raise PoolProblem(f"a pool is already running (process {current.pid})", hint="contractkit pool status")
    log = private_folder(create=True) / LOG_NAME
    with interrupts_held(), log.open("wb") as out:
        proc = subprocess.Popen(
            list(command), stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        state = _await(proc, log, size, wait)
    except BaseException:  # failed, or interrupted while waiting: no half-started pool is left
        _end(proc.pid, running_state())
        proc.wait()
        raise
    _DETACHED.append(proc)  # it outlives this call by design; dropping the object would warn that it still runs
    return state


def _await(proc: subprocess.Popen[bytes], log: Path, size: int, wait: float) -> State:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise PoolProblem(f"the pool did not start: {_last_line(log) or f'exit {proc.returncode}'}")
        state = running_state()
        if state is not None and state.pid == proc.pid and len(state.converters) == size:
            return state
        time.sleep(0.1)
    raise PoolProblem(f"the pool's converters did not all answer within {wait:g} s: {_last_line(log) or 'no message'}")


def stop_running(wait: float = STOP_WAIT) -> State | None:
    """Stop the running pool: SIGTERM, then SIGKILL for it and its converters if it has not ended
    in time. The state it had, or None when no pool was running (a stale state file is removed)."""
    try:
        state = load_state()
    except StateProblem:
        return None
    if not state.running():
        with suppress(OSError):
            private_folder(create=False).joinpath("pool.json").unlink()
        return None
    _end(state.pid, state, wait)
    remove_state(state.pid)
    _DETACHED[:] = [proc for proc in _DETACHED if proc.poll() is None]  # reap a pool this process started
    return state


def _end(pid: int, state: State | None, wait: float = STOP_WAIT) -> None:
    started = state.started if state else None
    with suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + wait
    while procs.running(pid, started) and time.monotonic() < deadline:
        time.sleep(0.05)
    if procs.running(pid, started):
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    for converter in state.converters if state else []:
        if converter.running():  # the converters kill themselves once the pool is gone; make sure
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(converter.pid, signal.SIGKILL)


def _last_line(log: Path) -> str:
    try:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    return next((line.strip()[:300] for line in reversed(lines) if line.strip()), "")
