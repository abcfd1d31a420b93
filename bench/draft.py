"""Benchmark `contractkit draft` against a bare docxtpl render of the same number of paragraphs.

Two comparisons, each measured in the same run: warm, in one process (the library loaded once, as
the web app and batch hold it, against docxtpl opening, rendering and saving its template in the
same process), and whole processes (interpreter start-up, imports, render, save).
Usage: .venv/bin/python bench/draft.py [--quick]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from common import CONTRACTKIT, ROOT, best_of, generated_library, installed_like, run

BARE = """
import sys
from docxtpl import DocxTemplate
n = int(sys.argv[2])
tpl = DocxTemplate(sys.argv[1])
tpl.render({"paras": [f"Paragraph {i} of the agreement, with some ordinary words in it." for i in range(n)]})
tpl.save(sys.argv[3])
"""

# What any implementation on the brief's stack pays before doing any work: the imports, and the
# en_GB locale data that formatting the first date loads.
FLOOR = """
import datetime
import click, pydantic, ruamel.yaml
from babel.dates import format_date
from docxtpl import DocxTemplate
format_date(datetime.date(2026, 1, 1), format="long", locale="en_GB")
"""


def bare_template(path: Path) -> None:
    from docx import Document

    doc = Document()
    doc.add_paragraph("{%p for p in paras %}")
    doc.add_paragraph("{{ p }}")
    doc.add_paragraph("{%p endfor %}")
    doc.save(str(path))


def paragraph_count(docx: Path) -> int:
    from contractkit.word import xml as docx_io

    return len(docx_io.read_docx(docx.read_bytes()).blocks)


def compare(label: str, library: Path | None, deal: Path, work: Path, runs: int) -> tuple[float, float, float, int]:
    """(first draft with an empty template cache, typical draft, bare docxtpl, paragraphs)."""
    out = work / f"{label}.docx"
    prefix = ["--library", str(library)] if library else []
    draft = lambda: run(CONTRACTKIT, *prefix, "draft", str(deal), "-o", str(out), "--force")  # noqa: E731
    cold = best_of(1, draft)
    ours = best_of(runs, draft)
    paragraphs = paragraph_count(out)
    template = work / "bare.docx"
    bare_template(template)
    script = work / "bare.py"
    script.write_text(BARE)
    bare = best_of(runs, lambda: run(sys.executable, str(script), str(template), str(paragraphs), str(work / "b.docx")))
    return cold, ours, bare, paragraphs


def warm(deal: Path, work: Path, rounds: int) -> tuple[float, float, float, int]:
    """In one process: (first draft, warm draft, bare docxtpl, paragraphs), medians of `rounds`
    rounds of 10 each, the two sides taking turns so that both see the same machine."""
    from docxtpl import DocxTemplate

    from contractkit import api
    from contractkit.library.loading import load_library

    library = load_library(ROOT)
    out = work / "warm.docx"
    start = time.perf_counter()
    api.draft(library, deal, out, force=True)
    first = time.perf_counter() - start
    paragraphs = paragraph_count(out)
    template = work / "bare-warm.docx"
    bare_template(template)
    words = {"paras": [f"Paragraph {i} of the agreement, with some ordinary words in it." for i in range(paragraphs)]}

    def bare() -> None:
        tpl = DocxTemplate(str(template))
        tpl.render(words)
        tpl.save(str(work / "bare-warm-out.docx"))

    ours_times: list[float] = []
    bare_times: list[float] = []
    bare()
    for _ in range(rounds):
        ours_times += _times(10, lambda: api.draft(library, deal, out, force=True))
        bare_times += _times(10, bare)
    return first, statistics.median(ours_times), statistics.median(bare_times), paragraphs


def _times(count: int, action: Callable[[], object]) -> list[float]:
    out = []
    for _ in range(count):
        start = time.perf_counter()
        action()
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    quick = "--quick" in sys.argv
    runs = 3 if quick else 5
    installed_like()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        deal = ROOT / "examples" / "northby-sepsis.yaml"
        first, ours, bare, paras = warm(deal, work, runs)
        print(f"in one process (library loaded once), {paras} paragraphs, medians of {runs * 10}:")
        print(f"bare docxtpl open, render and save:      {bare * 1000:6.1f} ms  1.00x")
        print(f"example draft, warm:                     {ours * 1000:6.1f} ms  {ours / bare:.2f}x  (target 1.5x)")
        print(f"example draft, first in the process:     {first * 1000:6.1f} ms  {first / bare:.2f}x")
        print("\nwhole processes:")
        cold, ours, bare, paras = compare("example", None, deal, work, runs)
        floor_script = work / "floor.py"
        floor_script.write_text(FLOOR)
        floor = best_of(runs, lambda: run(sys.executable, str(floor_script)))
        bare_imports = best_of(runs, lambda: run(sys.executable, "-c", "from docxtpl import DocxTemplate"))
        bound = floor + bare - bare_imports
        print(f"bare docxtpl, {paras} paragraphs:          {bare:.3f}s  1.00x")
        print(f"example draft:                           {ours:.3f}s  {ours / bare:.2f}x  (target 2.0x)")
        print(f"example draft, empty template cache:     {cold:.3f}s  {cold / bare:.2f}x")
        print(f"imports + locale data only, no work:     {floor:.3f}s  {floor / bare:.2f}x")
        print(f"+ the bare script render and save:       {bound:.3f}s  {bound / bare:.2f}x  (lower bound)")
        print("\nclauses  paragraphs  contractkit  bare docxtpl  ratio  ms/clause")
        for size in (40, 400, 4000):
            lib = generated_library(work / f"lib{size}", size)
            _, ours, bare, paras = compare(f"g{size}", lib, deal, work, 1 if size == 4000 else runs)
            print(
                f"{size:7d}  {paras:10d}  {ours:10.3f}s  {bare:11.3f}s  {ours / bare:5.2f}x  {ours / size * 1000:8.2f}"
            )
        lib = generated_library(work / "lint1000", 1000)
        lint = best_of(runs, lambda: run(CONTRACTKIT, "--library", str(lib), "lint"))
        print(f"\nlint, 1,000-clause library (whole process): {lint:.3f}s (target < 2 s)")


if __name__ == "__main__":
    main()
