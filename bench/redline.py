"""Benchmark `contractkit redline` on two 400-clause agreements that differ in 10 clauses.

Measured in the same run:
  process    the whole `contractkit redline OLD NEW -o OUT` process (start-up, imports, compare, write)
  startup    `python -c "import contractkit.cli"`: the floor any command pays
  compare    contractkit.word.redline.compare() in process (read both zips, diff, write tracked changes)
  difflib    a plain difflib.unified_diff over the same paragraph texts (no DOCX reading or writing)
Target: process under 1 s.

Usage: .venv/bin/python bench/redline.py [--clauses 400] [--changed 10] [--runs 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import shutil
import sys
import tempfile
from pathlib import Path

from common import BIN, CONTRACTKIT, ROOT, best_of, generated_library, run

from contractkit.word import xml as docx_io
from contractkit.word.redline import compare, units

WHEN = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def change_clauses(library: Path, clauses: int, changed: int) -> None:
    """Edit `changed` generated clauses, spread through the agreement: words, added and removed paragraphs."""
    for k in range(changed):
        path = library / "clauses" / f"generated-{k * clauses // changed + 3:05d}.yaml"
        text = path.read_text()
        if k % 3 == 0:
            text = text.replace("act reasonably", "act promptly and reasonably", 1)
        elif k % 3 == 1:
            text += "      Each Party shall also notify the others in writing of any change to its records.\n"
        else:
            lines = text.splitlines(keepends=True)
            text = "".join(lines[:-1]).replace("proper records", "full and accurate records")
        path.write_text(text)


def agreements(work: Path, clauses: int, changed: int) -> tuple[Path, Path]:
    old_lib = generated_library(work / "old-library", clauses)
    new_lib = work / "new-library"
    shutil.copytree(old_lib, new_lib)
    change_clauses(new_lib, clauses, changed)
    deal = ROOT / "examples" / "northby-sepsis.yaml"
    old, new = work / "old.docx", work / "new.docx"
    run(CONTRACTKIT, "--library", str(old_lib), "draft", str(deal), "-o", str(old), "--force")
    run(CONTRACTKIT, "--library", str(new_lib), "draft", str(deal), "-o", str(new), "--force")
    return old, new


def texts(path: Path) -> list[str]:
    root = docx_io.safe_xml(docx_io.open_zip(path.read_bytes(), docx_io.Limits())["word/document.xml"])
    body = root.find(docx_io.w("body"))
    assert body is not None
    return [u.key for u in units(body)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clauses", type=int, default=400)
    parser.add_argument("--changed", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ck-bench-redline-") as tmp:
        work = Path(tmp)
        old, new = agreements(work, args.clauses, args.changed)
        out = work / "redline.docx"
        command = [CONTRACTKIT, "redline", str(old), str(new), "-o", str(out), "--force", "--date", "2026-01-01"]
        process = best_of(args.runs, lambda: run(*command))
        startup = best_of(args.runs, lambda: run(str(BIN / "python"), "-c", "import contractkit.cli"))
        old_bytes, new_bytes = old.read_bytes(), new.read_bytes()
        in_process = best_of(args.runs, lambda: compare(old_bytes, new_bytes, author="bench", date=WHEN))
        a, b = texts(old), texts(new)
        plain = best_of(args.runs, lambda: list(difflib.unified_diff(a, b, lineterm="")))
        marks = docx_io.read_docx(out.read_bytes()).blocks
        revised = sum(1 for block in marks if block.has_revisions)
    print(f"agreements: {args.clauses} generated clauses (+ the playbook's own), {len(a)} / {len(b)} body units")
    print(f"changed clauses: {args.changed}; paragraphs carrying revisions in the redline: {revised}")
    print(f"median of {args.runs} runs:")
    print(f"  contractkit redline (whole process) {process:7.3f} s   target < 1 s: {'PASS' if process < 1 else 'FAIL'}")
    print(f"  python -c 'import contractkit.cli'  {startup:7.3f} s")
    print(f"  redline.compare() in process        {in_process:7.3f} s")
    print(f"  difflib.unified_diff, texts only    {plain:7.3f} s")
    print(f"  ratio process / difflib             {process / plain:7.1f}x")
    print(f"  ratio compare() / difflib           {in_process / plain:7.1f}x")
    sys.exit(0 if process < 1 else 1)


if __name__ == "__main__":
    main()
