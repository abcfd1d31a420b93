"""Benchmark the guarded YAML reader: the shipped library and an example deal against ruamel's C
safe loader (no guards) in the same run, and the ~1 KB alias bomb against reading the example.

Usage: .venv/bin/python bench/yaml_input.py
"""

from __future__ import annotations

import sys

from common import ROOT, best_of
from ruamel.yaml import YAML

sys.path.insert(0, str(ROOT / "tests"))

from test_yaml_hostile import alias_bomb

from contractkit.errors import ValidationFailed
from contractkit.library import yamlio

RUNS = 20


def library_texts() -> list[str]:
    files = [ROOT / "library.yaml", *sorted((ROOT / "clauses").glob("*.yaml")), *(ROOT / "playbooks").glob("*.yaml")]
    return [f.read_text(encoding="utf-8") for f in files]


def guarded(texts: list[str]) -> None:
    for text in texts:
        yamlio.parse(text, "x.yaml")


def unguarded(texts: list[str]) -> None:
    for text in texts:
        YAML(typ="safe", pure=False).load(text)


def refused(text: str) -> None:
    try:
        yamlio.parse(text, "bomb.yaml")
    except ValidationFailed:
        return
    raise AssertionError("the alias bomb was accepted")


def main() -> None:
    texts = library_texts()
    deal = (ROOT / "examples" / "northby-sepsis.yaml").read_text(encoding="utf-8")
    bomb = alias_bomb()
    rows = [
        ("library, ruamel C safe loader (baseline)", best_of(RUNS, lambda: unguarded(texts)), "library"),
        ("library, guarded reader", best_of(RUNS, lambda: guarded(texts)), "library"),
        ("example deal, ruamel C safe loader (baseline)", best_of(RUNS, lambda: unguarded([deal])), "deal"),
        ("example deal, guarded reader", best_of(RUNS, lambda: guarded([deal])), "deal"),
        (f"alias bomb ({len(bomb)} bytes), refused", best_of(RUNS, lambda: refused(bomb)), "deal"),
    ]
    base = {"library": rows[0][1], "deal": rows[2][1]}
    print(f"{'measure':52} {'time':>10} {'ratio':>8}")
    for label, seconds, kind in rows:
        print(f"{label:52} {seconds * 1000:8.2f} ms {seconds / base[kind]:7.2f}x")


if __name__ == "__main__":
    main()
