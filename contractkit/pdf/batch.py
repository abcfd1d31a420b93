"""Draft many deals at once: render each DOCX, then convert them all with one soffice per job.

One bad deal is recorded with its reason and does not stop the others. Each output is named after
its deal file (`x.yaml` gives `OUTDIR/x.pdf`) and written atomically; an existing file is kept
unless `force` is given. The time spent rendering, converting and finishing is recorded.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import tempfile
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contractkit.drafting.assemble import Agreement
from contractkit.drafting.prepare import prepare
from contractkit.errors import ContractkitError, OutputExists
from contractkit.files import write_atomic
from contractkit.library.loading import Library

FORMATS = ("docx", "pdf")
MAX_AUTO_JOBS = 4  # each soffice takes a few hundred MB; more jobs than this rarely pays
JOB_TIMEOUT_PER_FILE = 60.0  # seconds allowed per document in a soffice job, plus a minute to start


@dataclass(eq=False)
class Outcome:
    """What happened to one deal file."""

    deal: Path
    output: Path
    error: str | None = None
    clauses: int = 0
    warnings: list[str] = field(default_factory=list)  # located warning lines, as `draft` prints them

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class Report:
    """Every deal's outcome and where the time went (seconds)."""

    outcomes: list[Outcome]
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]


def steps(to: str) -> int:
    """Progress steps per deal: render, then (for PDF) convert and finish."""
    return 3 if to == "pdf" else 1


def default_jobs(count: int) -> int:
    return max(1, min(os.cpu_count() or 1, MAX_AUTO_JOBS, count))


def check_outdir(outdir: Path) -> None:
    """Create the output directory if it is missing; fail before any work if it cannot be
    written (even as root)."""
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ContractkitError(f"{outdir}: cannot create the output directory ({exc.strerror})") from None
    if not outdir.is_dir():
        raise ContractkitError(f"{outdir}: not a directory")
    if not os.access(outdir, os.W_OK | os.X_OK):
        raise ContractkitError(f"{outdir}: output directory is not writable")
    try:
        with tempfile.TemporaryFile(dir=outdir):
            pass
    except OSError as exc:
        raise ContractkitError(f"{outdir}: output directory is not writable ({exc.strerror})") from None


def run(
    library: Library,
    deals: Sequence[Path],
    outdir: Path,
    *,
    to: str = "pdf",
    jobs: int | None = None,
    force: bool = False,
    final: bool = False,
    progress: Callable[[int], None] | None = None,
    done: Callable[[Outcome], None] | None = None,
) -> Report:
    """Draft every deal into `outdir` (created if missing) as .docx or .pdf; `done` is called with
    each deal's outcome as soon as it is known. Raises only for problems that stop the batch."""
    tick = progress or (lambda n: None)
    finished = done or (lambda o: None)
    check_outdir(outdir)
    if to == "pdf":
        from contractkit.pdf.soffice import soffice

        soffice()  # a missing LibreOffice fails the batch at once, with the install command
    report = Report([Outcome(d, outdir / f"{d.stem}.{to}") for d in deals])
    _claim_names(report.outcomes, force)
    for outcome in report.failed:
        finished(outcome)
    started = time.perf_counter()
    if to == "docx":
        workers = jobs or default_jobs(len(report.outcomes))
        rendered_all = _rendered(library, report.outcomes, final, report.timings, workers=workers, finished=finished)
        for outcome, rendered in rendered_all:
            _write(outcome, rendered[1], force)
            tick(1)
            finished(outcome)
    else:
        from contractkit.pdf.pool import warm_capacity

        pending = [o for o in report.outcomes if o.ok]
        jobs = jobs or default_jobs(len(pending))
        options: dict[str, Any] = {"final": final, "jobs": jobs, "force": force, "tick": tick, "done": finished}
        warm = warm_capacity()
        if warm:
            _to_pdf_warm(library, pending, report.timings, converters=warm, **options)
        else:
            _to_pdf(library, pending, report.timings, **options)
    report.timings["total"] = time.perf_counter() - started
    return report


def _claim_names(outcomes: list[Outcome], force: bool) -> None:
    """Fail deals whose output name clashes with another deal's, or exists without --force."""
    seen: dict[Path, Path] = {}
    for outcome in outcomes:
        if outcome.output in seen:
            outcome.error = f"its output {outcome.output.name} clashes with {seen[outcome.output]}"
        elif outcome.output.exists() and not force:
            outcome.error = str(OutputExists(outcome.output)) + " (use --force to overwrite it)"
        seen.setdefault(outcome.output, outcome.deal)


Rendered = tuple[Agreement, bytes]
_LIBRARY: Library | None = None  # the parent's library, inherited by forked render workers


def _render(deal: Path, final: bool) -> Rendered | str:
    """Load, assemble and render one deal; a problem with the deal becomes its message."""
    from contractkit.word.render import render_agreement  # docxtpl: only once there is a deal to render

    assert _LIBRARY is not None
    try:
        agreement = prepare(_LIBRARY, deal, final=final)
        return agreement, render_agreement(_LIBRARY, agreement)
    except ContractkitError as exc:
        return "; ".join(exc.lines())


def _renders(
    library: Library, outcomes: list[Outcome], final: bool, workers: int
) -> Generator[Rendered | None, None, None]:
    """One result per outcome, in order (None for an outcome already failed). With several
    workers the deals render in forked processes that share the loaded library, so later deals
    render while LibreOffice converts earlier ones."""
    global _LIBRARY  # noqa: PLW0603 (read by forked workers; set before they start)
    _LIBRARY = library
    todo = [o for o in outcomes if o.ok]
    if workers < 2 or len(todo) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        results = (_render(o.deal, final) for o in todo)
        yield from _record(outcomes, results)
        return
    with ProcessPoolExecutor(min(workers, len(todo)), mp_context=multiprocessing.get_context("fork")) as pool:
        futures = [pool.submit(_render, o.deal, final) for o in todo]
        try:
            yield from _record(outcomes, (f.result() for f in futures))
        finally:
            for future in futures:
                future.cancel()


def _record(outcomes: list[Outcome], results: Iterator[Rendered | str]) -> Iterator[Rendered | None]:
    for outcome in outcomes:
        if not outcome.ok:
            yield None
            continue
        result = next(results)
        if isinstance(result, str):
            outcome.error = result
            yield None
        else:
            outcome.clauses = len(result[0].all_clauses())
            outcome.warnings = [str(w) for w in result[0].warnings]
            yield result


def _rendered(
    library: Library,
    outcomes: list[Outcome],
    final: bool,
    timings: dict[str, float],
    *,
    workers: int,
    finished: Callable[[Outcome], None],
) -> Generator[tuple[Outcome, Rendered], None, None]:
    """Each deal rendered, in order, as soon as it is ready; a deal that fails is reported at once."""
    renders = _renders(library, outcomes, final, workers)
    with closing(renders):
        for outcome in outcomes:
            started = time.perf_counter()
            was_ok = outcome.ok
            result = next(renders)
            timings["render"] = timings.get("render", 0.0) + time.perf_counter() - started
            if result is not None:
                yield outcome, result
            elif was_ok:
                finished(outcome)


def _write(outcome: Outcome, data: bytes, force: bool) -> None:
    try:
        write_atomic(outcome.output, data, force=force)
    except ContractkitError as exc:
        outcome.error = "; ".join(exc.lines())


def _to_pdf(
    library: Library,
    outcomes: list[Outcome],
    timings: dict[str, float],
    *,
    final: bool,
    jobs: int,
    force: bool,
    tick: Callable[[int], None],
    done: Callable[[Outcome], None],
) -> None:
    """Start each job's soffice as soon as its share of the deals is rendered, while the next
    shares go on rendering in worker processes; then finish and write each job's PDFs as that job ends."""
    from contractkit.pdf.soffice import PDFA3, Converter

    with tempfile.TemporaryDirectory(prefix="contractkit-batch-") as tmp:
        timeout = 60.0 + JOB_TIMEOUT_PER_FILE * -(-len(outcomes) // max(jobs, 1))
        sources: dict[Path, tuple[Outcome, Agreement]] = {}
        with Converter(Path(tmp) / "pdf", pdfa=PDFA3, timeout=timeout, progress=tick) as converter:
            stream = _rendered(library, outcomes, final, timings, workers=jobs, finished=done)
            with closing(stream):
                for share in front_loaded(outcomes, jobs):
                    files = []
                    for outcome, rendered in itertools.islice(stream, len([o for o in share if o.ok])):
                        tick(1)
                        source = Path(tmp) / f"{len(sources):05d}.docx"
                        source.write_bytes(rendered[1])
                        sources[source] = (outcome, rendered[0])
                        files.append(source)
                    converter.start(files)
            _finish_each(converter, sources, timings, force=force, tick=tick, done=done)


def _to_pdf_warm(
    library: Library,
    outcomes: list[Outcome],
    timings: dict[str, float],
    *,
    converters: int,
    final: bool,
    jobs: int,
    force: bool,
    tick: Callable[[int], None],
    done: Callable[[Outcome], None],
) -> None:
    """With a warm pool running: each deal goes to a converter as soon as it is rendered (one
    thread per converter), and is finished and written as soon as it is converted."""
    from contractkit.pdf.render import docx_to_pdf
    from contractkit.pdf.soffice import PDFA3

    started = time.perf_counter()
    threads = ThreadPoolExecutor(converters, thread_name_prefix="contractkit-batch")
    futures: dict[Future[bytes], tuple[Outcome, Agreement]] = {}
    try:
        for outcome, (agreement, docx) in _rendered(library, outcomes, final, timings, workers=jobs, finished=done):
            tick(1)
            futures[threads.submit(docx_to_pdf, docx, pdfa=PDFA3, timeout=JOB_TIMEOUT_PER_FILE)] = outcome, agreement
        finishing = 0.0
        for future in as_completed(futures):
            outcome, agreement = futures[future]
            began = time.perf_counter()
            try:
                _finish_bytes(outcome, agreement, future.result(), force)
                tick(2)
            except ContractkitError as exc:
                outcome.error = "; ".join(exc.lines())
            finishing += time.perf_counter() - began
            done(outcome)
    finally:  # on Ctrl-C, documents not yet sent to a converter are dropped
        threads.shutdown(wait=True, cancel_futures=True)
    timings["finish"] = finishing
    timings["convert (waiting)"] = time.perf_counter() - started - timings.get("render", 0.0) - finishing


def _finish_each(
    converter: Any,
    sources: dict[Path, tuple[Outcome, Agreement]],
    timings: dict[str, float],
    *,
    force: bool,
    tick: Callable[[int], None],
    done: Callable[[Outcome], None],
) -> None:
    """As each soffice job ends, finish (manifest, metadata) and write its PDFs, reporting each deal."""
    waiting = finishing = 0.0
    started = time.perf_counter()
    for results in converter.each_job():
        waiting += time.perf_counter() - started
        started = time.perf_counter()
        for result in results:
            outcome, agreement = sources[result.source]
            if result.pdf is None:
                outcome.error = result.error
            else:
                _finish(outcome, agreement, result.pdf, force)
                tick(1)
            done(outcome)
        finishing += time.perf_counter() - started
        started = time.perf_counter()
    timings["convert (waiting)"], timings["finish"] = waiting, finishing


def front_loaded(items: Sequence[Outcome], parts: int) -> list[list[Outcome]]:
    """`parts` contiguous, non-empty shares, larger first (weights 2n, 2n-1, ...): a share rendered
    earlier starts converting earlier, so giving it more documents makes the soffice jobs end together."""
    parts = max(1, min(parts, len(items)))
    weights = [2 * parts - k for k in range(parts)]
    rest = len(items) - parts  # every share gets one item, the rest go by weight
    bounds = [0] + [k + 1 - (-rest * sum(weights[: k + 1]) // sum(weights)) for k in range(parts)]  # ceil
    return [list(items[bounds[k] : bounds[k + 1]]) for k in range(parts) if bounds[k + 1] > bounds[k]]


def _finish(outcome: Outcome, agreement: Agreement, pdf: Path, force: bool) -> None:
    try:
        _finish_bytes(outcome, agreement, pdf.read_bytes(), force)
    except ContractkitError as exc:
        outcome.error = "; ".join(exc.lines())


def _finish_bytes(outcome: Outcome, agreement: Agreement, pdf: bytes, force: bool) -> None:
    """Metadata and manifest into LibreOffice's PDF, then write it; raises on a problem."""
    from contractkit.pdf.render import finish

    _write(outcome, finish(agreement, pdf), force)
