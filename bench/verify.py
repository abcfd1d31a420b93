"""Benchmark `contractkit verify` on a 400-clause DOCX against opening the same file with python-docx.

Both sides are whole processes (interpreter start-up, imports, reading), measured in the same run;
the in-process times (no start-up) are printed too. Target: the whole verify process under 1 s.
On a shared machine wall time swings with the load, so the processes' CPU time (user + system)
is printed beside it: with the machine to itself, wall time is about the CPU time.
Usage: .venv/bin/python bench/verify.py [--quick]
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from common import CONTRACTKIT, ROOT, best_of, generated_library, installed_like, run

OPEN = "import sys, docx; docx.Document(sys.argv[1])"


def verify_process(library: Path, docx: Path) -> None:
    done = subprocess.run(
        [CONTRACTKIT, "--library", str(library), "verify", str(docx)], check=False, capture_output=True
    )
    if done.returncode != 0:
        raise SystemExit(f"verify failed ({done.returncode}): {done.stdout.decode()[-500:]} {done.stderr.decode()}")


def cpu_of(runs: int, action: Callable[[], object]) -> float:
    """Median CPU seconds (user + system) of the child processes `action` runs."""
    times = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        action()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        times.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(times)


def in_process(library: Path, docx: Path, runs: int) -> tuple[float, float, float, float]:
    """Seconds to load the library, to verify (library loaded), to read the DOCX as Word shows it, and to
    open the file with python-docx."""
    import docx as python_docx

    from contractkit import api, verify
    from contractkit.docx_read import read_docx

    start = time.perf_counter()
    lib = api.load_library(library)
    load = time.perf_counter() - start
    data = docx.read_bytes()
    check = best_of(runs, lambda: verify.verify(lib, data))
    report = verify.verify(lib, data)
    assert report.compliant and report.locked, report.findings
    read = best_of(runs, lambda: read_docx(data))
    return load, check, read, best_of(runs, lambda: python_docx.Document(str(docx)))


def main() -> None:
    runs = 3 if "--quick" in sys.argv else 7
    installed_like()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        library = generated_library(work / "lib400", 400)
        docx = work / "big.docx"
        run(
            CONTRACTKIT,
            "--library",
            str(library),
            "draft",
            str(ROOT / "examples" / "northby-sepsis.yaml"),
            "-o",
            str(docx),
        )
        ours = best_of(runs, lambda: verify_process(library, docx))
        bare = best_of(runs, lambda: run(sys.executable, "-c", OPEN, str(docx)))
        ours_cpu = cpu_of(runs, lambda: verify_process(library, docx))
        bare_cpu = cpu_of(runs, lambda: run(sys.executable, "-c", OPEN, str(docx)))
        load, check, read, opened = in_process(library, docx, runs)
        size = docx.stat().st_size // 1024
        print(f"400-clause DOCX ({size} kB), whole process, median of {runs}:")
        print(f"  contractkit verify     {ours:6.3f}s   (target < 1 s)")
        print(f"  python-docx open       {bare:6.3f}s")
        print(f"  ratio                  {ours / bare:6.2f}x")
        print(f"  CPU time: verify {ours_cpu:.3f}s, python-docx {bare_cpu:.3f}s, ratio {ours_cpu / bare_cpu:.2f}x")
        print("in process (no interpreter start-up):")
        print(f"  load library           {load:6.3f}s")
        print(f"  verify (loaded)        {check:6.3f}s")
        print(f"    of which the reader  {read:6.3f}s   (every story, formatting, fields, objects)")
        print(f"  python-docx Document() {opened:6.3f}s   ratio {check / opened:.2f}x")


if __name__ == "__main__":
    main()
