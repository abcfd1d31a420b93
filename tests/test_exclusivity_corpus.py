"""The labelled corpus (tests/corpus/exclusivity.yaml) and every sentence of the library's own clauses.

Each exclusivity sentence must be caught and each benign sentence passed. The library's clauses
are generated at test time: every position of every clause, rendered against each playbook's
specimen deal and read as a whole, so that a list item is read with its lead-in as in a document.
The held-out sets (exclusivity-holdout*.yaml) were written apart from the rules and are not tuned
against sentence by sentence: here they are measured, their benign sentences must all pass and
their recall must not fall below the floor it was first measured at; bench/exclusivity.py prints
their figures by family.
"""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from contractkit.drafting.assemble import _Assembler
from contractkit.errors import ValidationFailed
from contractkit.library.deal import Deal
from contractkit.library.exclusivity import Parties, detect
from contractkit.library.loading import Library
from contractkit.library.scaffold import specimen
from contractkit.library.sentences import units

CORPUS = Path(__file__).parent / "corpus" / "exclusivity.yaml"
HELD_OUT = sorted(
    (Path(__file__).parent / "corpus").glob("exclusivity-holdout*.yaml"), key=lambda p: (len(p.name), p.name)
)
# Recall below which a held-out set fails: a little under the lowest any set scored when first
# measured (90%, 78%, 88% and 96%), so that a change that loses constructions is noticed.
RECALL_FLOOR = 0.75


def load_corpus(path: Path = CORPUS) -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    return data


def corpus_parties(corpus: dict[str, Any]) -> Parties:
    """The deal the corpus sentences are read in: every party by full and short name."""
    people = corpus["parties"]
    return Parties(
        nhs=tuple(n for p in people["nhs"] for n in (p["name"], p["short_name"])),
        partners=tuple(n for p in people["partners"] for n in (p["name"], p["short_name"])),
    )


def library_positions(library: Library) -> dict[str, str]:
    """Every position of every clause as rendered in each playbook, one paragraph per line."""
    out: dict[str, str] = {}
    for playbook in library.playbooks.values():
        assembler = _Assembler(library, Deal.model_validate(specimen(playbook.id)), playbook, include_all=True)
        with suppress(ValidationFailed):
            assembler.run()
        for entry in playbook.entries():
            clause = library.clauses[entry.clause]
            for pid, position in clause.positions.items():
                paragraphs = assembler.paragraphs(position.text, assembler.numbers[clause.id][0])
                out[f"{playbook.id}/{clause.id}/{pid}"] = "\n".join(p.text for p in paragraphs)
    return out


CORPUS_DATA = load_corpus()


def test_corpus_is_as_large_as_the_issue_asks() -> None:
    exclusive = [s for sentences in CORPUS_DATA["exclusive"].values() for s in sentences]
    assert len(exclusive) >= 150 and len(CORPUS_DATA["benign"]) >= 100
    assert set(CORPUS_DATA["exclusive"]) == {"sole", "undertaking", "preferential", "exclusive"}
    assert len(set(exclusive)) == len(exclusive), "a sentence is listed twice"


@pytest.mark.parametrize("family", sorted(CORPUS_DATA["exclusive"]))
def test_every_exclusivity_sentence_is_caught(library: Library, family: str) -> None:
    parties = corpus_parties(CORPUS_DATA)
    missed = [s for s in CORPUS_DATA["exclusive"][family] if not detect(s, library.rules, parties)]
    assert not missed, "\n".join(missed)


def test_no_benign_sentence_is_caught(library: Library) -> None:
    parties = corpus_parties(CORPUS_DATA)
    caught = {s: [h.summary() for h in detect(s, library.rules, parties)] for s in CORPUS_DATA["benign"]}
    assert not {s: h for s, h in caught.items() if h}


def test_no_sentence_of_the_library_is_caught(library: Library) -> None:
    """Over 150 benign sentences more, including the locked clauses that name every route they forbid."""
    positions = library_positions(library)
    sentences = {u.text for text in positions.values() for u in units(text)}
    assert len(sentences) > 150
    caught = {where: [h.summary() for h in detect(text, library.rules)] for where, text in positions.items()}
    assert not {where: hits for where, hits in caught.items() if hits}


def test_no_deal_sentences_read_with_the_parties_the_text_names(library: Library) -> None:
    """As verify reads a document without a deal: the parties come from the text itself."""
    section = CORPUS_DATA["no_deal"]
    missed = [s for s in section["exclusive"] if not detect(s, library.rules, Parties.from_text(s))]
    caught = [s for s in section["benign"] if detect(s, library.rules, Parties.from_text(s))]
    assert not missed and not caught


def test_documents_read_with_the_parties_the_document_defines(library: Library) -> None:
    """Whole texts with a parties clause: a party named in part ("Harrowden Moor"), by a short name
    defined after a registration ('(ODS code RHM) ("Harrowden")'), or an unknown body restricted
    from supplying the data when the partner is known."""
    section = CORPUS_DATA["documents"]
    missed = [d for d in section["exclusive"] if not detect(d, library.rules, Parties.from_text(d))]
    caught = [d for d in section["benign"] if detect(d, library.rules, Parties.from_text(d))]
    assert not missed and not caught, (missed, caught)


def held_out_figures(library: Library, path: Path) -> tuple[dict[str, tuple[int, int]], list[str]]:
    """Caught/total by family, and the benign sentences (and documents) that were caught."""
    data = load_corpus(path)
    parties = corpus_parties(data)
    families = {
        family: (sum(1 for s in sentences if detect(s, library.rules, parties)), len(sentences))
        for family, sentences in data["exclusive"].items()
    }
    documents = data.get("documents", {"exclusive": [], "benign": []})
    families["documents"] = (
        sum(1 for d in documents["exclusive"] if detect(d, library.rules, Parties.from_text(d))),
        len(documents["exclusive"]),
    )
    caught = [s for s in data["benign"] if detect(s, library.rules, parties)]
    caught += [d for d in documents["benign"] if detect(d, library.rules, Parties.from_text(d))]
    return {k: v for k, v in families.items() if v[1]}, caught


@pytest.mark.parametrize("path", HELD_OUT, ids=[p.stem for p in HELD_OUT])
def test_held_out_sets_are_measured(library: Library, path: Path) -> None:
    """No benign held-out sentence is caught, and recall stays above the floor (figures in the message)."""
    families, caught = held_out_figures(library, path)
    hit, total = sum(c for c, _ in families.values()), sum(t for _, t in families.values())
    figures = ", ".join(f"{name} {c}/{t}" for name, (c, t) in sorted(families.items()))
    assert not caught, f"benign held-out sentences caught: {caught}"
    assert hit / total >= RECALL_FLOOR, f"{path.name}: recall {hit}/{total} ({figures})"


def test_requires_only_skips_what_cannot_match(library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each rule's `requires` words are a quick test, never a change of meaning: with the test off,
    every corpus sentence is caught by exactly the same rules."""
    parties = corpus_parties(CORPUS_DATA)
    sentences = [s for group in CORPUS_DATA["exclusive"].values() for s in group] + CORPUS_DATA["benign"]

    def rules_caught() -> dict[str, set[str]]:
        return {s: {h.rule for h in detect(s, library.rules, parties)} for s in sentences}

    gated = rules_caught()
    monkeypatch.setattr(type(library.rules), "candidates", lambda self, found: list(self.rules))
    monkeypatch.setitem(library.rules.__dict__, "gated", False)
    assert rules_caught() == gated
