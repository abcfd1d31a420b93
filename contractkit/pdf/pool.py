"""A warm LibreOffice pool: one converter per core, kept running, replaced when it fails or has done enough.

A cold `soffice` spends most of its second or two starting; a converter kept running (pdf/warm.py)
turns an agreement into PDF/A in a fraction of that. A Pool starts one converter per core in the
background and supervises them from one thread: a converter that exits, fails to start or stops
answering is replaced (a failed start is retried later, with growing pauses), and each one is
replaced after `recycle_after` conversions so that LibreOffice's memory stays bounded. The first
converters are replaced at staggered counts, so they are never all restarting at once.

`convert` hands a document to an idle converter, waiting while all of them are busy. A converter
that dies or times out mid-conversion is replaced and the document tried once more; when no
converter is ready (all starting, or the document was lost twice) it raises PoolUnavailable, and
the caller converts with a cold soffice instead (pdf/render.py), so a request never fails because
of the pool. `stop` kills every converter's process group; each converter also kills itself if
this process dies (pdf/unoserve.py).

`shared()` is this process's own pool, for the web app, started on first use and stopped at
exit; `warm_pdf` converts with it, or with the pool `contractkit pool start` runs (pdf/poolstate.py).
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from contractkit.pdf.soffice import ConversionFailed
from contractkit.pdf.warm import ConverterLost, Launch, PoolUnavailable, Warm, launch_config, start

RECYCLE_AFTER = 500  # conversions before a converter is replaced (docs/performance.md: memory flat by then)
START_LIMIT = 60.0  # seconds a converter may take from starting to answering
RETRY_PAUSES = (1.0, 5.0, 15.0, 60.0, 300.0)  # seconds before relaunching after 1, 2, ... failed starts in a row
MARGIN = 10.0  # seconds the client waits beyond unoserver's own time limit, which stops LibreOffice first
TICK = 0.2  # seconds between the supervisor's rounds
MAX_SIZE = 16

STARTING, READY, BUSY, DOWN = "starting", "ready", "busy", "down"


def default_size() -> int:
    """One converter per core: each converts one document at a time."""
    return max(1, min(os.cpu_count() or 1, MAX_SIZE))


@dataclass
class Slot:
    """One place in the pool and the converter that fills it now, if any."""

    index: int
    state: str = DOWN
    warm: Warm | None = None
    limit: int = 0  # conversions the current converter may do before it is replaced
    done: int = 0  # conversions by the current converter
    total: int = 0  # conversions by every converter this slot has had
    starts: int = 0
    failures: int = 0  # failed starts in a row
    retry_at: float = 0.0
    deadline: float = 0.0


@dataclass(frozen=True)
class ConverterStatus:
    """What `status` says about one converter."""

    index: int
    state: str
    pid: int | None
    port: int | None
    conversions: int
    total: int
    starts: int
    memory: int  # bytes resident, unoserver and LibreOffice together


class Pool:
    """`size` warm converters (default: one per core), supervised; see the module's docstring.

    With `external=True` the converters serve other processes (`contractkit pool start`): this
    process never converts, so each converter counts its own conversions and exits after
    `recycle_after` of them (unoserver's --stop-after), and is replaced like any that exits.
    `on_change` is called, from the pool's threads, whenever a converter becomes ready or goes.
    """

    def __init__(
        self,
        size: int | None = None,
        *,
        recycle_after: int = RECYCLE_AFTER,
        timeout: float = 120.0,
        external: bool = False,
        on_change: Callable[[Pool], None] | None = None,
    ) -> None:
        self.size = max(1, min(size or default_size(), MAX_SIZE))
        self.recycle_after, self.timeout, self.external, self.on_change = recycle_after, timeout, external, on_change
        self.slots = [Slot(k) for k in range(self.size)]
        self.cond = threading.Condition()
        self.closed = False
        self.retried = 0  # documents tried a second time after their converter was lost
        self.problem: str | None = None  # the last reason a converter failed to start
        self.config: Launch | None = None
        self.work: Path | None = None
        self.thread: threading.Thread | None = None

    # ------------------------------------------------------------------------- lifetime

    def start(self) -> Pool:
        """Find the UNO Python and unoserver (PoolUnavailable if either is missing), then start the
        converters in the background; `wait_ready` waits for them."""
        self.config = launch_config(self.timeout)
        self.work = Path(tempfile.mkdtemp(prefix="contractkit-pool-"))
        self.thread = threading.Thread(target=self._supervise, name="contractkit-pool", daemon=True)
        self.thread.start()
        return self

    def __enter__(self) -> Pool:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Kill every converter's process group and remove their folders; idempotent."""
        with self.cond:
            self.closed = True
            doomed = [s.warm for s in self.slots if s.warm is not None]
            for slot in self.slots:
                slot.warm, slot.state = None, DOWN
            self.cond.notify_all()
        for warm in doomed:
            warm.kill()
        if self.thread is not None and self.thread is not threading.current_thread():
            self.thread.join(10)
        if self.work is not None:
            shutil.rmtree(self.work, ignore_errors=True)

    def wait_ready(self, timeout: float, *, every: bool = True) -> bool:
        """Wait until every converter (or, with every=False, one) answers; False if the time ran out."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while not self.closed:
                ready = sum(s.state in (READY, BUSY) for s in self.slots)
                if ready == self.size or (ready and not every):
                    return True
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.cond.wait(min(left, TICK))
        return False

    def ready_count(self) -> int:
        """Converters that answer now (idle or converting)."""
        with self.cond:
            return sum(s.state in (READY, BUSY) for s in self.slots)

    def status(self, *, memory: bool = True) -> list[ConverterStatus]:
        """Each converter's state; with `memory`, also what its processes hold in memory (reads /proc)."""
        with self.cond:
            current = [(s, s.warm) for s in self.slots]
            rows = [(s.index, s.state, w, s.done, s.total, s.starts) for s, w in current]
        return [
            ConverterStatus(i, state, w.pid if w else None, w.port if w else None, done, total, starts,
                            w.memory() if memory and w and state in (READY, BUSY) else 0)
            for i, state, w, done, total, starts in rows
        ]  # fmt: skip

    # ------------------------------------------------------------------------- converting

    def convert(self, docx: bytes, *, pdfa: int, timeout: float | None = None) -> bytes:
        """The DOCX as PDF/A-`pdfa` from a warm converter, tried once more on another if its
        converter is lost mid-conversion. PoolUnavailable when none is ready or both tries were lost."""
        limit = self.timeout if timeout is None else timeout
        try:
            return self._attempt(docx, pdfa, limit)
        except ConverterLost:
            with self.cond:
                self.retried += 1
        try:
            return self._attempt(docx, pdfa, limit)
        except ConverterLost as lost:
            raise PoolUnavailable(f"two converters were lost converting this document ({lost})") from None

    def _attempt(self, docx: bytes, pdfa: int, timeout: float) -> bytes:
        slot, warm = self._take(time.monotonic() + timeout)
        try:
            pdf = warm.convert(docx, pdfa=pdfa, timeout=timeout + MARGIN)
        except ConversionFailed:
            self._release(slot, warm)  # the document's fault: the converter is fine
            raise
        except BaseException:  # lost, or interrupted mid-conversion: its state is unknown, so replace it
            self._replace(slot, warm)
            raise
        self._release(slot, warm)
        return pdf

    def _take(self, deadline: float) -> tuple[Slot, Warm]:
        """An idle converter, marked busy; waits while any converter is busy, never for one starting."""
        with self.cond:
            while True:
                if self.closed:
                    raise PoolUnavailable("the PDF pool has been stopped")
                idle = [s for s in self.slots if s.state == READY and s.warm is not None]
                if idle:
                    slot = min(idle, key=lambda s: s.total)
                    slot.state = BUSY
                    assert slot.warm is not None
                    return slot, slot.warm
                left = deadline - time.monotonic()
                if left <= 0 or not any(s.state == BUSY for s in self.slots):
                    raise PoolUnavailable("no PDF converter is ready")
                self.cond.wait(left)

    def _release(self, slot: Slot, warm: Warm) -> None:
        """Back to idle after a conversion, or replaced when it has done its share."""
        with self.cond:
            if slot.warm is not warm:
                return  # stopped or replaced meanwhile
            slot.done += 1
            slot.total += 1
            if slot.done < slot.limit:
                slot.state = READY
                self.cond.notify_all()
                return
        self._replace(slot, warm)

    def _replace(self, slot: Slot, warm: Warm) -> None:
        """Kill `warm` and have the supervisor start another in its place at once."""
        with self.cond:
            if slot.warm is warm:
                slot.warm, slot.state, slot.retry_at = None, DOWN, 0.0
            self.cond.notify_all()
        warm.kill()
        self._changed()

    # ------------------------------------------------------------------------- supervising

    def _supervise(self) -> None:
        while True:
            with self.cond:
                if self.closed:
                    return
                self._launch_due()
                starting = [(s, s.warm) for s in self.slots if s.state == STARTING and s.warm is not None]
                exited = [(s, s.warm) for s in self.slots if s.state == READY and s.warm and not s.warm.alive()]
            for slot, warm in exited:  # recycled by --stop-after, crashed or killed while idle
                self._replace(slot, warm)
            for slot, warm in starting:
                self._check_start(slot, warm)
            with self.cond:
                if not self.closed:
                    self.cond.wait(TICK)

    def _launch_due(self) -> None:
        """Start a converter in each empty slot whose pause is over (called holding the lock, so
        that `stop` cannot miss a converter being started)."""
        now = time.monotonic()
        assert self.config is not None and self.work is not None
        for slot in self.slots:
            if slot.state != DOWN or now < slot.retry_at:
                continue
            slot.limit = self._limit(slot)
            slot.starts += 1
            folder = self.work / f"converter{slot.index}-{slot.starts}"
            stop_after = slot.limit if self.external else slot.limit + 1  # here the pool itself counts
            try:
                slot.warm = start(self.config, folder, stop_after=stop_after)
            except (ConversionFailed, OSError) as exc:
                self._start_failed(slot, str(exc))
                continue
            slot.state, slot.done, slot.deadline = STARTING, 0, now + START_LIMIT

    def _limit(self, slot: Slot) -> int:
        """Conversions for a new converter: the first ones are staggered (1/size, 2/size, ... of the
        usual share), so that the converters are not replaced all at once."""
        if slot.starts == 0:
            return max(1, self.recycle_after * (slot.index + 1) // self.size)
        return max(1, self.recycle_after)

    def _check_start(self, slot: Slot, warm: Warm) -> None:
        answered = warm.alive() and warm.ready()
        with self.cond:
            if slot.warm is not warm:
                return
            if answered:
                slot.state, slot.failures = READY, 0
                self.cond.notify_all()
            elif warm.alive() and time.monotonic() < slot.deadline:
                return
            else:
                slot.warm = None
                self._start_failed(slot, _start_problem(warm))
        if not answered:
            warm.kill()
        self._changed()

    def _start_failed(self, slot: Slot, problem: str) -> None:
        """Called holding the lock: leave the slot empty and try again after a pause."""
        pause = RETRY_PAUSES[min(slot.failures, len(RETRY_PAUSES) - 1)]
        slot.state, slot.failures, slot.retry_at = DOWN, slot.failures + 1, time.monotonic() + pause
        self.problem = problem

    def _changed(self) -> None:
        if self.on_change is not None and not self.closed:
            self.on_change(self)


def _start_problem(warm: Warm) -> str:
    """Why a converter did not start: its exit and the last line of its log."""
    alive = warm.alive()
    how = f"did not answer within {START_LIMIT:g} s" if alive else f"exited with status {warm.proc.returncode}"
    try:
        lines = (warm.folder / "unoserver.log").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    last = next((line.strip() for line in reversed(lines) if line.strip()), "")
    return f"a PDF converter {how}" + (f": {last[:200]}" if last else "")


# ----------------------------------------------------------------------------- this process's pool

_shared: Pool | None = None
_shared_lock = threading.Lock()
_shared_problem: str | None = None


def shared(size: int | None = None) -> Pool | None:
    """This process's pool, started in the background on the first call and stopped at exit; None
    when it cannot start (no UNO Python, no unoserver, or size 0), and then not tried again."""
    global _shared, _shared_problem  # noqa: PLW0603 (one pool per process, made on first use)
    with _shared_lock:
        if _shared is not None or _shared_problem is not None:
            return _shared
        if size == 0:
            _shared_problem = "turned off"
            return None
        try:
            _shared = Pool(size).start()
        except ConversionFailed as exc:
            _shared_problem = str(exc)
            return None
        atexit.register(stop_shared)
        return _shared


def use_shared(pool: Pool | None) -> None:
    """Make `pool` (started by the caller, who also stops it) this process's pool; None forgets it."""
    global _shared, _shared_problem
    with _shared_lock:
        _shared, _shared_problem = pool, None


def shared_problem() -> str | None:
    """Why this process has no pool, if it tried to start one and could not."""
    return _shared_problem


def stop_shared() -> None:
    """Stop this process's pool, if it has one; a later `shared()` starts a new one."""
    global _shared, _shared_problem
    with _shared_lock:
        pool, _shared, _shared_problem = _shared, None, None
    if pool is not None:
        pool.stop()


def warm_pdf(docx: bytes, *, pdfa: int, timeout: float) -> bytes | None:
    """The PDF/A from a warm converter: this process's pool if it has one, else the pool
    `contractkit pool start` runs, if it is running; None when neither can take it now."""
    pool = _shared
    if pool is not None:
        try:
            return pool.convert(docx, pdfa=pdfa, timeout=timeout)
        except PoolUnavailable:
            return None
    from contractkit.pdf.poolstate import external_convert

    return external_convert(docx, pdfa=pdfa, timeout=timeout)


def warm_capacity() -> int:
    """How many documents warm converters can take at once now: this process's pool's ready
    converters, else the running pool's (`contractkit pool start`); 0 when there are none."""
    pool = _shared
    if pool is not None:
        return pool.ready_count()
    from contractkit.pdf.poolstate import running_state

    state = running_state()
    return sum(c.running() for c in state.converters) if state else 0
