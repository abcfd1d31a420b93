"""Shared helpers for the benchmarks: timing, generated libraries and deals."""

from __future__ import annotations

import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CONTRACTKIT = str(BIN / "contractkit")


def installed_like() -> None:
    """Byte-compile the package, as a wheel install does (an editable one under
    PYTHONDONTWRITEBYTECODE would otherwise compile every module on every run), and give the
    run a template cache of its own, empty at the start."""
    compileall.compile_dir(ROOT / "contractkit", quiet=1)
    os.environ["CONTRACTKIT_CACHE_DIR"] = str(Path(tempfile.mkdtemp(prefix="contractkit-bench-")) / "jinja")


def best_of(runs: int, action: Callable[[], object]) -> float:
    """Median wall time of `runs` calls, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True)


def generated_library(target: Path, clauses: int, paragraphs: int = 4) -> Path:
    """A copy of the shipped library plus `clauses` generated required clauses in one playbook."""
    target.mkdir(parents=True, exist_ok=True)
    for part in ("library.yaml", "library.pins.json", "exclusivity.yaml", "clauses", "templates"):
        src = ROOT / part
        (shutil.copytree if src.is_dir() else shutil.copy)(src, target / part)
    (target / "playbooks").mkdir()
    body = "\n".join(
        f"Generated obligation {n} of this clause binds each Party to act reasonably and in good faith, "
        "and to keep proper records of what it does."
        for n in range(paragraphs)
    )
    names = []
    for i in range(clauses):
        name = f"generated-{i:05d}"
        names.append(name)
        text = "\n".join("      " + line for line in body.splitlines())
        (target / "clauses" / f"{name}.yaml").write_text(
            f"id: {name}\ntitle: Generated clause {i}\nversion: 1.0.0\nprinciples: [P5]\nstatus: required\n"
            f"positions:\n  standard:\n    text: |\n{text}\n"
        )
    shipped = (ROOT / "playbooks" / "research-collaboration.yaml").read_text()
    marker = "sections:\n"
    extra = "  - title: Generated\n    clauses:\n" + "".join(f"      - {n}\n" for n in names)
    (target / "playbooks" / "research-collaboration.yaml").write_text(shipped.replace(marker, marker + extra, 1))
    return target
