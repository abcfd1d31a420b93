"""Benchmark batch PDF drafting against LibreOffice's own costs, measured in the same run.

Makes N variants of the example deals in a temporary directory, then times:
  batch     contractkit's batch (render DOCX + convert with one soffice per job + metadata/manifest)
  separate  N separate `soffice --convert-to pdf` calls on the same DOCX files (one per document)
  single    one `soffice --convert-to pdf` call converting all N DOCX files
Targets: batch at least 4x faster than separate; batch per-document cost within 1.3x of single.

Then the warm pool (issue 15), in the same run:
  warm single   one agreement to PDF with a pool of converters running: in-process (api.draft to
                .pdf, the web app's path) and as a whole `contractkit draft -o x.pdf` process with
                `contractkit pool start` running beside it, each against its cold twin (median)
  warm batch    contractkit's batch of the same N deals with the pool, against `single` above
Targets: warm single at most 0.5 s median; warm batch at least 2x faster than `single`.

Usage: .venv/bin/python bench/pdf.py [--deals 20] [--jobs N] [--repeat 2] [--runs 7] [--library DIR]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from contractkit import api
from contractkit.library.loading import Library
from contractkit.pdf import batch
from contractkit.pdf import pool as warm_pool
from contractkit.pdf.render import soffice

ROOT = Path(__file__).resolve().parent.parent


def make_deals(work: Path, count: int) -> list[Path]:
    """`count` deal files: the examples in turn, each with its own reference."""
    folder = work / "deals"
    folder.mkdir()
    examples = sorted((ROOT / "examples").glob("*.yaml"))
    deals = []
    for n in range(count):
        text = examples[n % len(examples)].read_text(encoding="utf-8")
        text = re.sub(r"(reference:\s*)NHS-DPA-(\d{4})-\d{4}", rf"\g<1>NHS-DPA-\g<2>-{9000 + n:04d}", text, count=1)
        path = folder / f"deal-{n:02d}.yaml"
        path.write_text(text, encoding="utf-8")
        deals.append(path)
    return deals


def render_docx(library: Library, deals: list[Path], folder: Path) -> list[Path]:
    """The same DOCX files the batch converts, for the LibreOffice baselines."""
    folder.mkdir()
    files = []
    for deal in deals:
        agreement = api.assemble(library, api.load_deal(deal, library))
        path = folder / f"{deal.stem}.docx"
        path.write_bytes(api.render_docx(library, agreement))
        files.append(path)
    return files


def convert(files: list[Path], outdir: Path, profile: Path) -> float:
    """Seconds for one plain `soffice --convert-to pdf` call with a fresh private profile."""
    command = [
        soffice(),
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--convert-to",
        "pdf",
        "--outdir",
        str(outdir),
        *map(str, files),
    ]
    outdir.mkdir(exist_ok=True)
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, start_new_session=True, timeout=600)
    elapsed = time.perf_counter() - started
    outputs = [outdir / f"{f.stem}.pdf" for f in files]
    missing = [p.name for p in outputs if not p.is_file() or not p.stat().st_size]
    if missing:
        sys.exit(f"soffice wrote nothing for {missing}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=None, help="soffice processes (default: batch's own)")
    parser.add_argument("--library", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=2, help="runs of batch and single; the best counts")
    parser.add_argument("--runs", type=int, default=7, help="single PDFs timed for each median")
    args = parser.parse_args()
    library = api.load_library(args.library)
    jobs = args.jobs or batch.default_jobs(args.deals)
    with tempfile.TemporaryDirectory(prefix="ck-bench-pdf-") as tmp:
        work = Path(tmp)
        deals = make_deals(work, args.deals)
        runs = [run_batch(library, deals, work / f"batch{k}", jobs) for k in range(args.repeat)]
        batch_s, timings = min(runs, key=lambda r: r[0])
        files = render_docx(library, deals, work / "docx")
        separate_s = sum(convert([f], work / "separate", work / f"profile-{f.stem}") for f in files)
        single_s = min(convert(files, work / f"single{k}", work / f"profile-single{k}") for k in range(args.repeat))
        warm = warm_runs(library, deals, work, args.repeat, args.runs)
    n = args.deals
    print(f"{n} deals, jobs={jobs}, best of {args.repeat} for batch and single")
    print(f"batch     {batch_s:6.2f} s  ({batch_s / n:.3f} s/doc)")
    print(f"separate  {separate_s:6.2f} s  ({separate_s / n:.3f} s/doc)  {n} soffice calls")
    print(f"single    {single_s:6.2f} s  ({single_s / n:.3f} s/doc)  one soffice call")
    print(f"speed-up vs separate calls: {separate_s / batch_s:.2f}x (target >= 4x)")
    print(f"batch per-doc cost / single-call per-doc cost: {batch_s / single_s:.2f}x (target <= 1.3x)")
    split = {k: v for k, v in timings.items() if k != "total"}
    print("batch time split: " + ", ".join(f"{k} {v:.2f} s ({v / batch_s:.0%})" for k, v in split.items()))
    print("(render overlaps the conversion of earlier jobs; 'convert (waiting)' is the time left after it)")
    report_warm(warm, single_s, n)


def run_batch(library: Library, deals: list[Path], outdir: Path, jobs: int) -> tuple[float, dict[str, float]]:
    """Seconds for contractkit's batch to PDF, and its own split of the time."""
    outdir.mkdir()
    started = time.perf_counter()
    report = batch.run(library, deals, outdir, to="pdf", jobs=jobs)
    elapsed = time.perf_counter() - started
    if report.failed:
        sys.exit(f"batch failed: {[(str(o.deal), o.error) for o in report.failed]}")
    return elapsed, report.timings


def median_of(runs: int, action: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        action()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def warm_runs(library: Library, deals: list[Path], work: Path, repeat: int, runs: int) -> dict[str, float]:
    """The pool's figures and their cold twins, measured one after the other in this run."""
    one, out = deals[0], work / "one.pdf"
    figures = {"cold in-process": median_of(max(3, runs // 2), lambda: api.draft(library, one, out, force=True))}
    with warm_pool.Pool() as pool:
        if not pool.wait_ready(120):
            sys.exit(f"the pool did not start: {pool.problem}")
        warm_pool.use_shared(pool)
        try:
            api.draft(library, one, out, force=True)  # each converter's first document loads Writer's filters
            api.draft(library, deals[1], out, force=True)
            figures["warm in-process"] = median_of(runs, lambda: api.draft(library, one, out, force=True))
            batches = [run_batch(library, deals, work / f"warm-batch{k}", 0)[0] for k in range(repeat)]
            figures["warm batch"] = min(batches)
        finally:
            warm_pool.use_shared(None)
        figures["converters"] = pool.size
    figures.update(whole_process(one, work, runs))
    return figures


def whole_process(deal: Path, work: Path, runs: int) -> dict[str, float]:
    """`contractkit draft -o x.pdf` as a process: cold, then with `contractkit pool start` beside it."""
    cli = str(Path(sys.executable).with_name("contractkit"))
    env = dict(os.environ, CONTRACTKIT_RUNTIME_DIR=str(work / "runtime"))
    draft = [cli, "draft", str(deal), "-o", str(work / "cli.pdf"), "--force"]

    def call(*args: str) -> None:
        subprocess.run(args, check=True, capture_output=True, env=env, timeout=300)

    figures = {"cold process": median_of(max(3, runs // 2), lambda: call(*draft))}
    call(cli, "pool", "start")
    try:
        call(*draft)
        figures["warm process"] = median_of(runs, lambda: call(*draft))
    finally:
        call(cli, "pool", "stop")
    return figures


def report_warm(warm: dict[str, float], single_s: float, n: int) -> None:
    print(f"warm pool of {warm['converters']:.0f} converter(s), median of single PDFs (goal <= 0.5 s):")
    for where in ("in-process", "process"):
        hot, cold = warm[f"warm {where}"], warm[f"cold {where}"]
        verdict = "met" if hot <= 0.5 else "NOT met"
        print(f"  {where:<11} warm {hot:6.3f} s  cold {cold:6.3f} s  {cold / hot:5.2f}x faster  ({verdict})")
    ratio = single_s / warm["warm batch"]
    print(f"warm batch {warm['warm batch']:6.2f} s  ({warm['warm batch'] / n:.3f} s/doc)  with the pool")
    print(f"warm batch vs one cold soffice call converting the same {n}: {ratio:.2f}x faster "
          f"(goal >= 2x: {'met' if ratio >= 2 else 'NOT met'})")  # fmt: skip


if __name__ == "__main__":
    main()
