"""Benchmark the register and the principles summary against the assembly they start from.

In one run: load + assemble N deals (the baseline every command pays), then the extra cost of
register entries (schema-checked) as CSV, JSON and XLSX, and of principles summaries as Markdown
and DOCX. Figures are ratios to the baseline, so they hold on any machine.

Usage: .venv/bin/python bench/register.py [--deals 50]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from common import best_of

from contractkit import api
from contractkit.drafting.assemble import Agreement
from contractkit.library import scaffold
from contractkit.library.loading import Library
from contractkit.publishing import register, summary


def make_deals(folder: Path, count: int) -> list[Path]:
    """`count` specimen deals, each with its own reference (JSON is YAML)."""
    paths = []
    for n in range(count):
        deal = scaffold.specimen("research-collaboration")
        deal["agreement"]["reference"] = f"NHS-DPA-2026-{7000 + n:04d}"
        path = folder / f"deal-{n:03d}.yaml"
        path.write_text(json.dumps(deal), encoding="utf-8")
        paths.append(path)
    return paths


def assemble_all(library: Library, paths: list[Path]) -> list[Agreement]:
    return [api.assemble(library, api.load_deal(p, library)) for p in paths]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--deals", type=int, default=50)
    args = parser.parse_args()
    library = api.load_library()
    with tempfile.TemporaryDirectory() as tmp:
        paths = make_deals(Path(tmp), args.deals)
        agreements = assemble_all(library, paths)
        base = best_of(3, lambda: assemble_all(library, paths))
        entries = [register.entry(a) for a in agreements]
        timings = {
            "entries + schema check": best_of(3, lambda: register.check([register.entry(a) for a in agreements])),
            "csv": best_of(3, lambda: register.render(entries, ".csv", "en_GB")),
            "json": best_of(3, lambda: register.render(entries, ".json", "en_GB")),
            "xlsx": best_of(3, lambda: register.render(entries, ".xlsx", "en_GB")),
            "summaries .md": best_of(3, lambda: [summary.render(library, a, ".md") for a in agreements]),
            "summaries .docx": best_of(3, lambda: [summary.render(library, a, ".docx") for a in agreements]),
        }
    print(f"{args.deals} deals; baseline load + assemble: {base:.3f} s ({base / args.deals * 1000:.1f} ms/deal)")
    for name, seconds in timings.items():
        print(f"  {name:<24} {seconds:.3f} s  = {seconds / base:.2f}x baseline")


if __name__ == "__main__":
    main()
