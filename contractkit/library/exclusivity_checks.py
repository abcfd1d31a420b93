"""The exclusivity detector at each gate the library can judge alone: a deal's free text, the
library's clauses and schedules and the rule file's own examples (the Word template's text is read
by checking.lint). Each finding names the rule, its family and the words matched, on the line (or
paragraph) where they are."""

from __future__ import annotations

import re
from typing import Any

from contractkit.errors import Issue
from contractkit.library.deal import Deal
from contractkit.library.exclusivity import Hit, Parties, detect
from contractkit.library.exclusivity_rules import check as check_rules
from contractkit.library.loading import Library
from contractkit.library.model import Clause
from contractkit.library.yamlio import Document

_JINJA = re.compile(r"{{.*?}}|{%.*?%}", re.S)
_REF = re.compile(r"{{\s*(ref|schedule)\(")
_UNNUMBERED = re.compile(r"^(\s*)\|\s", re.M)
P3_HINT = "NHS data cannot be made exclusive by any route"


def plain_source(source: str) -> str:
    """Clause or template source as plain text, line for line: a cross-reference reads "clause 1",
    another deal value "X", and tags and ** markup go, so that sentences read as in a document."""

    def value(match: re.Match[str]) -> str:
        tag = match.group(0)
        keep = "\n" * tag.count("\n")
        if not tag.startswith("{{"):
            return keep
        ref = _REF.match(tag)
        return keep + ("Schedule 1" if ref and ref.group(1) == "schedule" else "clause 1" if ref else "X")

    return _UNNUMBERED.sub(r"\1", _JINJA.sub(value, source)).replace("**", "")


def clause_text(library: Library, clause: Clause) -> list[Issue]:
    """Exclusivity wording in any position of a clause. A locked clause may speak of exclusivity
    only to deny it, so the centre's wording passes; an edited one that grants it does not."""
    issues = []
    for pid, position in clause.positions.items():
        for hit in detect(plain_source(position.text), library.rules):
            if clause.status == "locked":
                message, hint = (
                    f"locked clause carries exclusivity language: {hit.summary()}",
                    "restore the centre's wording",
                )
            else:
                message, hint = (
                    f"exclusivity language: {hit.summary()}",
                    "only locked clauses may speak of exclusivity, to deny it",
                )
            issues.append(library.locate_text(clause.id, pid, message, hit.line, hint=hint))
    return issues


def rule_examples(library: Library) -> list[Issue]:
    """Every pattern of the rule file compiles, and each rule's examples run as tests: every `match`
    sentence caught by its rule, no `pass` sentence caught by any rule."""
    rules = library.rules
    broken = check_rules(rules, library.docs["exclusivity"], compile_all=True) if "exclusivity" in library.docs else []
    if broken:
        return broken  # the examples cannot run until every pattern compiles
    parties = Parties(nhs=tuple(rules.example_parties.nhs), partners=tuple(rules.example_parties.partners))
    issues = []
    for i, rule in enumerate(rules.rules):
        for j, sentence in enumerate(rule.examples.match):
            issues += _missed(library, ["rules", i, "examples", "match", j], rule.id, sentence, parties)
        for j, sentence in enumerate(rule.examples.pass_):
            issues += [
                library.locate(
                    "exclusivity",
                    ["rules", i, "examples", "pass", j],
                    f"benign example of rule {rule.id!r} is caught: {hit.summary()}",
                    hint="narrow the rule that catches it, or add a negation",
                )
                for hit in detect(sentence, rules, parties)
            ]
    return issues


def _missed(library: Library, loc: list[str | int], rule_id: str, sentence: str, parties: Parties) -> list[Issue]:
    """An example its rule does not catch, located on its line."""
    found = detect(sentence, library.rules, parties)
    if any(h.rule == rule_id for h in found):
        return []
    also = f" (caught only by {', '.join(sorted({h.rule for h in found}))})" if found else ""
    message = f"rule {rule_id!r} does not catch its example{also}: {sentence!r}"
    return [library.locate("exclusivity", loc, message, hint="fix the pattern or the example")]


def deal_text(deal: Deal, doc: Document, library: Library, label: str) -> list[Issue]:
    """Every string in a deal file (names and short names included) read with the deal's parties.
    The negotiation history is a log that is never printed, so a note may record a refused request."""
    parties = Parties.from_deal(deal)
    return [
        doc.issue(
            loc, f"{hit.summary()} conflicts with locked clause 'non-exclusivity', which protects {label}", hint=P3_HINT
        )
        for loc, value in strings(doc.plain(), [])
        if not (loc and loc[0] == "history")
        for hit in detect(value, library.rules, parties)
    ]


def strings(node: Any, loc: list[Any]) -> list[tuple[list[Any], str]]:
    """Every string value in a parsed YAML tree, with its path."""
    if isinstance(node, dict):
        return [x for k, v in node.items() for x in strings(v, [*loc, k])]
    if isinstance(node, list):
        return [x for i, v in enumerate(node) for x in strings(v, [*loc, i])]
    return [(loc, node)] if isinstance(node, str) else []


def finding_text(hit: Hit) -> str:
    """A verify finding's words for a hit: what, which rule, the words and their sentence."""
    return f"{hit.summary()} in \u201c{hit.sentence[:300]}\u201d"
