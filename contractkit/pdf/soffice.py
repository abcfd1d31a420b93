"""LibreOffice, run safely: headless DOCX-to-PDF/A conversion in isolated, killable processes.

Every soffice process gets its own profile (concurrent runs would otherwise wait on each other)
and its own process group, which is killed on timeout, on error and on Ctrl-C, so no soffice is
left behind. soffice exits 0 having written nothing, so every output is checked. A Converter job
is one soffice process converting several files: batches never pay one start-up per document.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from signal import SIGINT, SIGTERM
from typing import Any

from contractkit.errors import ContractkitError

PDFA2, PDFA3 = 2, 3  # LibreOffice's SelectPdfVersion values for PDF/A-2b and PDF/A-3b
INSTALL_HINT = "install it with: sudo apt-get install libreoffice-writer-nogui"
SOFFICE_ENV = "CONTRACTKIT_SOFFICE"  # optional path to soffice, for unusual installs
POLL = 0.1  # seconds between checks on running soffice processes


class ConversionFailed(ContractkitError):
    """LibreOffice is missing, timed out, or did not produce a PDF."""


@dataclass(frozen=True)
class Conversion:
    """The result for one input file: the PDF written, or why there is none."""

    source: Path
    pdf: Path | None
    error: str | None = None


def soffice() -> str:
    """The soffice executable, or a clear error saying how to install it."""
    found = os.environ.get(SOFFICE_ENV) or shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        raise ConversionFailed("LibreOffice (soffice) is needed for PDF output but was not found", hint=INSTALL_HINT)
    return found


def export_filter(pdfa: int) -> str:
    """The --convert-to argument that makes LibreOffice write PDF/A-2b (2) or PDF/A-3b (3)."""
    options = {"SelectPdfVersion": {"type": "long", "value": str(pdfa)}}
    return "pdf:writer_pdf_Export:" + json.dumps(options, separators=(",", ":"))


def soffice_command(executable: str, profile: Path, outdir: Path, files: Sequence[Path], pdfa: int) -> list[str]:
    """One headless conversion of `files` into `outdir`, with a private profile."""
    return [
        executable,
        f"-env:UserInstallation={profile.resolve().as_uri()}",
        "--headless",
        "--invisible",
        "--norestore",
        "--nologo",
        "--nodefault",
        "--nolockcheck",
        "--convert-to",
        export_filter(pdfa),
        "--outdir",
        str(outdir),
        *(str(f) for f in files),
    ]


def spawn(command: list[str], log: Path) -> subprocess.Popen[bytes]:
    """Start `command` in a new session (so its process group can be killed), output to `log`."""
    with log.open("wb") as out:
        try:
            return subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        except OSError as exc:
            raise ConversionFailed(
                f"cannot start LibreOffice ({command[0]}): {exc.strerror}", hint=INSTALL_HINT
            ) from None


@contextmanager
def interrupts_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM, then deliver them on the way out.

    An interrupt that lands while a process is being started, or before its clean-up is
    registered, would leave that process running; starting one inside this block closes the gap.
    Only the main thread receives signals, so elsewhere this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []
    previous = {sig: signal.signal(sig, lambda signum, _: held.append(signum)) for sig in (SIGINT, SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, signal.SIG_DFL if handler is None else handler)
        if held:
            signal.raise_signal(held[0])  # runs the restored handler now, e.g. KeyboardInterrupt


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the process group led by `proc` (soffice forks soffice.bin) and reap the leader."""
    with suppress(ProcessLookupError, PermissionError):  # the group may have gone already
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


@dataclass
class _Job:
    files: list[Path]
    log: Path
    proc: subprocess.Popen[bytes]
    deadline: float
    error: str | None = None


class Converter:
    """Runs soffice jobs, each converting several DOCX files to PDF/A in one process.

    Jobs start as soon as their files are ready (`start`), so rendering the next job's documents
    overlaps converting this one's. Leaving the `with` block kills every process group and removes
    the private profiles, also on error or Ctrl-C. soffice writes into a private folder; only
    complete, non-empty PDFs are moved to `outdir`, named after their inputs.
    """

    def __init__(
        self, outdir: Path, *, pdfa: int = PDFA2, timeout: float = 120.0, progress: Callable[[int], None] | None = None
    ) -> None:
        self.executable = soffice()
        self.outdir, self.pdfa, self.timeout, self.progress = outdir, pdfa, timeout, progress
        self.jobs: list[_Job] = []
        self.stack = ExitStack()
        self.reported = 0

    def __enter__(self) -> Converter:
        self.outdir.mkdir(parents=True, exist_ok=True)
        self.work = Path(self.stack.enter_context(tempfile.TemporaryDirectory(prefix="contractkit-lo-")))
        (self.work / "out").mkdir()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stack.close()

    def start(self, files: Sequence[Path]) -> None:
        """Start one soffice process converting `files`, with its own profile and time limit."""
        if not files:
            return
        n = len(self.jobs)
        log = self.work / f"job{n}.log"
        command = soffice_command(self.executable, self.work / f"profile{n}", self.work / "out", files, self.pdfa)
        with interrupts_held():
            proc = spawn(command, log)
            self.stack.callback(kill_group, proc)
        self.jobs.append(_Job(list(files), log, proc, time.monotonic() + self.timeout))

    def wait(self) -> list[Conversion]:
        """Wait for every job; a job past its time limit is killed and fails only its own files."""
        return [conversion for done in self.each_job() for conversion in done]

    def each_job(self) -> Iterator[list[Conversion]]:
        """Wait for the jobs, yielding each job's results as soon as it ends, so that a caller can
        report each document as it is done; a job past its time limit is killed and fails only its own files."""
        waiting = list(self.jobs)
        while waiting:
            self._running()  # stops any job past its time limit
            ended = [job for job in waiting if job.proc.poll() is not None]
            for job in ended:
                waiting.remove(job)
                yield [self._result(job, f) for f in job.files]
            if waiting and not ended:
                self._report()
                time.sleep(POLL)
        self._report(final=True)

    def _running(self) -> bool:
        running = False
        for job in self.jobs:
            if job.proc.poll() is not None:
                continue
            if time.monotonic() > job.deadline:
                kill_group(job.proc)
                job.error = f"LibreOffice did not finish within {self.timeout:g} s and was stopped"
            else:
                running = True
        return running

    def _report(self, *, final: bool = False) -> None:
        if self.progress is None:
            return
        total = sum(len(j.files) for j in self.jobs)
        done = total if final else sum(1 for j in self.jobs for f in j.files if self._output(f).exists())
        self.progress(done - self.reported)
        self.reported = done

    def _output(self, source: Path) -> Path:
        return self.work / "out" / f"{source.stem}.pdf"

    def _result(self, job: _Job, source: Path) -> Conversion:
        out = self._output(source)
        if job.error is None and job.proc.returncode:
            job.error = f"LibreOffice failed (exit {job.proc.returncode}): {_tail(job.log)}"
        if job.error:
            return Conversion(source, None, job.error)  # its PDFs may be half-written: none is kept
        if not out.is_file() or out.stat().st_size == 0:
            return Conversion(
                source, None, f"LibreOffice wrote no PDF for {source.name} ({_tail(job.log) or 'no message'})"
            )
        return Conversion(source, Path(shutil.move(out, self.outdir / out.name)))


def convert_many(
    files: Sequence[Path],
    outdir: Path,
    *,
    jobs: int = 1,
    pdfa: int = PDFA2,
    timeout: float = 120.0,
    progress: Callable[[int], None] | None = None,
) -> list[Conversion]:
    """Convert DOCX files to PDF/A with one soffice process per job, each converting several files.

    `timeout` applies to each job; a job that fails or times out fails only its own files. Input
    names must have distinct stems, since the PDFs are named after them.
    """
    with Converter(outdir, pdfa=pdfa, timeout=timeout, progress=progress) as converter:
        for chunk in split(files, jobs):
            converter.start(chunk)
        return converter.wait()


def split(items: Sequence[Any], parts: int) -> list[list[Any]]:
    """`items` in at most `parts` contiguous chunks of near-equal size, in order."""
    parts = max(1, min(parts, len(items)))
    size, extra = divmod(len(items), parts)
    bounds = [k * size + min(k, extra) for k in range(parts + 1)]
    return [list(items[bounds[k] : bounds[k + 1]]) for k in range(parts) if bounds[k + 1] > bounds[k]]


def _tail(log: Path) -> str:
    """The last meaningful line LibreOffice printed, for error messages."""
    lines = [
        line.strip()
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines()
        if line.strip() and "javaldx" not in line
    ]
    return lines[-1][:200] if lines else ""
