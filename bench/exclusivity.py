"""Benchmark and score the exclusivity detector.

Prints recall and false-positive rate by family on the labelled corpus (tests/corpus/exclusivity.yaml
plus every sentence of the library's own clauses as benign), the same on each held-out set
(tests/corpus/exclusivity-holdout*.yaml, written apart from the rules and never tuned against sentence by
sentence), the time per 1,000 sentences, and the effect on `contractkit draft`
of the shipped example: whole processes with the deal scan and with it stubbed out, interleaved in
the same run, and in process the new detector against the regular-expression scan it replaced.

Usage: .venv/bin/python bench/exclusivity.py [--quick]
"""

from __future__ import annotations

import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import ROOT, installed_like, run

sys.path.insert(0, str(ROOT / "tests"))
from test_exclusivity_corpus import HELD_OUT, corpus_parties, held_out_figures, library_positions, load_corpus

from contractkit import api
from contractkit.library.exclusivity import Parties, detect
from contractkit.library.exclusivity_checks import strings
from contractkit.library.sentences import units

CORPUS = ROOT / "tests" / "corpus"
EXAMPLE = ROOT / "examples" / "northby-sepsis.yaml"
# The seven patterns library.yaml carried before the detector (issue 12), kept here only to measure.
OLD_SCAN = [
    r"(?<!non-)(?<!non )\bexclusive(ly)?\s+"
    r"(right|rights|licen[cs]e|licen[cs]ee|access|use|basis|arrangement|partner)\b",
    r"\bsole\s+(and\s+exclusive\s+)?(right|rights|licen[cs]e|licen[cs]ee|access|user|provider|partner)\b",
    r"\b(exclusivity\s+(period|term|window)|period\s+of\s+exclusivity"
    r"|exclusivity\s+(shall|will)\s+(apply|last|continue))\b",
    r"\b(right\s+of\s+first\s+(refusal|negotiation|offer|look)|first\s+right\s+to\s+(negotiate|refuse|acquire|license|use)"
    r"|right\s+to\s+match)\b",
    r"\bNHS\b[^.;]{0,80}\b(shall|will|must|agrees?|undertakes?)\s+(not|never)\s+(to\s+)?(share|supply|provide|license|"
    r"licence|make\s+available|grant\s+access\s+to|disclose)\b[^.;]{0,100}\b(other|third|competing|competitor)\b",
    r"\bnot\s+(to\s+)?(work|partner|collaborate|contract)\s+with\s+(any\s+)?(other|competing|competitor)",
    r"\bmost[-\s]favou?red\b",
]
STUB = "import contractkit.library.exclusivity_checks as c; c.deal_text = lambda *a, **k: []\n"
DRAFT = "import sys\n{stub}from contractkit.cli import main\nmain(sys.argv[1:])\n"


def score(rules: Any, corpus: dict[str, Any], parties: Parties) -> tuple[dict[str, tuple[int, int]], tuple[int, int]]:
    """Caught/total for each family, and caught/total of the benign sentences."""
    families = {
        family: (sum(1 for s in sentences if detect(s, rules, parties)), len(sentences))
        for family, sentences in corpus["exclusive"].items()
    }
    benign = corpus["benign"]
    return families, (sum(1 for s in benign if detect(s, rules, parties)), len(benign))


def report(title: str, families: dict[str, tuple[int, int]], benign: tuple[int, int], extra: str = "") -> None:
    print(f"\n{title}")
    print(f"  {'family':<14} {'caught':>7} {'of':>5} {'recall':>8}")
    for family, (caught, total) in sorted(families.items()):
        print(f"  {family:<14} {caught:>7} {total:>5} {caught / total:>8.1%}")
    caught = sum(c for c, _ in families.values())
    total = sum(t for _, t in families.values())
    print(f"  {'all':<14} {caught:>7} {total:>5} {caught / total:>8.1%}")
    print(f"  benign caught (false positives): {benign[0]} of {benign[1]} ({benign[0] / benign[1]:.1%}){extra}")


def timing(rules: Any, sentences: list[str], parties: Parties, runs: int) -> float:
    """Milliseconds per 1,000 sentences (median of runs), each sentence detected on its own."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        for sentence in sentences:
            detect(sentence, rules, parties)
        times.append(time.perf_counter() - start)
    return statistics.median(times) / len(sentences) * 1e6


def deal_scan(rules: Any, runs: int) -> tuple[float, float]:
    """In process: the old seven-pattern scan and the detector over the example deal's strings (ms)."""
    library = api.load_library(ROOT)
    from contractkit.library.deal_loading import load_deal

    deal, doc = load_deal(EXAMPLE, library)
    values = [v for loc, v in strings(doc.plain(), []) if not (loc and loc[0] == "history")]
    parties = Parties.from_deal(deal)

    def old() -> None:
        patterns = [re.compile(p, re.IGNORECASE) for p in OLD_SCAN]  # compiled per draft, as a process does
        for value in values:
            for pattern in patterns:
                pattern.search(value)

    def new() -> None:
        for cached in (
            "_regexes",
            "taggers",
            "_required",
            "_entries",
            "gated",
            "_stems",
            "_stem_entries",
            "_by_entry",
            "_ungated",
            "not_names",
        ):  # once per process, so once per draft
            rules.__dict__.pop(cached, None)
        re.purge()
        for value in values:
            detect(value, rules, parties)

    def best(action: Any) -> float:
        out = []
        for _ in range(runs):
            start = time.perf_counter()
            action()
            out.append(time.perf_counter() - start)
        return statistics.median(out) * 1000

    return best(old), best(new)


MINIMAL_RULES = """version: 1.0.0
families: {exclusive: explicit exclusivity}
roles: {nhs: [Trust], partner: [Partner], party: [Party], person: users, organisation: company, data_noun: data}
rules:
  - id: exclusive-right
    family: exclusive
    description: an exclusive right
    pattern: exclusive\\s+right
    examples: {match: [The Partner has an exclusive right.]}
"""


def draft_effect(work: Path, runs: int) -> tuple[float, float]:
    """Whole `contractkit draft` processes, interleaved: the shipped library, and a copy whose rule
    file holds one rule, with the deal scan stubbed out (what the old seven-pattern scan cost, near
    enough: nothing), so the difference is everything the detector adds, loading its rules included."""
    bare = work / "library"
    bare.mkdir()
    for part in ("library.yaml", "library.pins.json", "clauses", "playbooks", "templates"):
        (shutil.copytree if (ROOT / part).is_dir() else shutil.copy)(ROOT / part, bare / part)
    (bare / "exclusivity.yaml").write_text(MINIMAL_RULES, encoding="utf-8")
    scripts = {}
    for name, stub in (("with", ""), ("without", STUB)):
        scripts[name] = work / f"draft_{name}.py"
        scripts[name].write_text(DRAFT.format(stub=stub), encoding="utf-8")
    library = {"with": str(ROOT), "without": str(bare)}
    times: dict[str, list[float]] = {"with": [], "without": []}
    for _ in range(runs):
        for name, script in scripts.items():
            args = ["--library", library[name], "draft", str(EXAMPLE), "-o", str(work / f"{name}.docx"), "--force"]
            start = time.perf_counter()
            run(sys.executable, str(script), *args)
            times[name].append(time.perf_counter() - start)
    return statistics.median(times["with"]), statistics.median(times["without"])


def main() -> None:
    quick = "--quick" in sys.argv
    installed_like()
    library = api.load_library(ROOT)
    rules = library.rules

    corpus = load_corpus(CORPUS / "exclusivity.yaml")
    families, benign = score(rules, corpus, corpus_parties(corpus))
    positions = library_positions(library)
    library_sentences = sorted({u.text for text in positions.values() for u in units(text)})
    library_caught = sum(1 for text in positions.values() if detect(text, rules))
    lib = f"\n  library clauses: {len(library_sentences)} sentences in {len(positions)} positions"
    lib += f", {library_caught} positions caught"
    report(
        "Labelled corpus (tests/corpus/exclusivity.yaml), read with the corpus deal's parties", families, benign, lib
    )

    documents = corpus["documents"]
    doc_caught = sum(1 for d in documents["exclusive"] if detect(d, rules, Parties.from_text(d)))
    doc_benign = sum(1 for d in documents["benign"] if detect(d, rules, Parties.from_text(d)))
    print(
        f"  documents read with the parties they define: {doc_caught} of {len(documents['exclusive'])} caught, "
        f"{doc_benign} of {len(documents['benign'])} benign caught"
    )

    for path in HELD_OUT:
        held = load_corpus(path)
        families, benign = score(rules, held, corpus_parties(held))
        figures, caught = held_out_figures(library, path)
        extra = ""
        if "documents" in figures:
            extra = f"\n  documents: {figures['documents'][0]} of {figures['documents'][1]} caught"
            extra += f", benign caught {len(caught) - benign[0]}"
        report(f"Held-out {path.name} (see its header and docs/performance.md)", families, benign, extra)

    no_deal = {"exclusive": corpus["exclusive"], "benign": corpus["benign"]}
    families, benign = score(rules, no_deal, Parties())
    report("Labelled corpus read with no parties at all (verify of a document that names none)", families, benign)

    sentences = [s for group in corpus["exclusive"].values() for s in group] + corpus["benign"] + library_sentences
    per_thousand = timing(rules, sentences, corpus_parties(corpus), 3 if quick else 5)
    print(f"\nDetection: {per_thousand:.0f} ms per 1,000 sentences ({len(sentences)} sentences, each alone)")

    old, new = deal_scan(rules, 5 if quick else 15)
    print(f"Example deal's values, in process incl. compiling: old scan {old:.2f} ms, detector {new:.2f} ms")
    with tempfile.TemporaryDirectory() as tmp:
        with_scan, without = draft_effect(Path(tmp), 5 if quick else 11)
    print(
        f"`contractkit draft` of the example: {with_scan:.3f} s with the detector, {without:.3f} s with a "
        f"one-rule file and no deal scan (ratio {with_scan / without:.3f}x)"
    )


if __name__ == "__main__":
    main()
