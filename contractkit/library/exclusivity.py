"""The exclusivity detector: terms that give one organisation exclusive access to or use of NHS data.

Principle 3 bans them by any route, so the detector reads sentences, not trigger words. Each
sentence (each list item with its lead-in) has its party mentions replaced by role markers, using
the deal's or the document's names and short names and the defined terms the rules list ("the
Trust", "the Partner"), and is cut into clauses. Rules from the library's `exclusivity.yaml`
then match shapes of exclusivity in a clause, and say who must be who: a grant to one party alone
counts when that party is not the NHS; an undertaking not to share with others counts when it is
the NHS (or its data) that is restricted, not the partner; a veto counts when the partner holds
it. Negations ("nothing in this Agreement gives", "non-exclusive", "is void") cancel a match.

    hits = detect(text, library.rules, Parties.from_deal(deal))
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from contractkit.library.exclusivity_parties import Parties, tagger, untag
from contractkit.library.exclusivity_roles import Reading, role_of, roles_ok
from contractkit.library.exclusivity_rules import Rule, RuleSet, Words
from contractkit.library.sentences import units

__all__ = ["Hit", "Parties", "clauses", "detect", "role_of"]

_CLAUSE_BREAK = re.compile(
    r",\s+(?:and|but|or|whereas|while|although|provided\s+that|save\s+that|except\s+that)\s+|;\s*", re.IGNORECASE
)
_VERB = (
    r"(?:shall|will|must|may|can|cannot|is|are|has|have|does|do|remains?|gives?|grants?|means|applies|"
    r"restricts?|prevents?|limits?|acquires?|agrees?|undertakes?|confirms?)"
)
_HAS_VERB = re.compile(rf"\b{_VERB}\b", re.IGNORECASE)
# A clause starts with its subject: a determiner, a pronoun, a party or a name, then soon a verb.
_STARTS_CLAUSE = re.compile(
    rf"^(?:(?i:the|a|an|no|nothing|each|every|any|neither|either|it|they|this|that|such|its|their|none)\b"
    rf"|[\ue010-\ue014]|[A-Z])[^\s,;:]*\s+(?:[^\s,;:]+\s+){{0,5}}?(?i:{_VERB})\b"
)
# An aside between commas ("shall, for 36 months, refrain from"; "an option, exercisable within a
# year, to acquire"): read again without it, unless it denies something or is an item of a list.
_ASIDE = re.compile(r",\s*(?P<inner>[^,;]{1,80}?)\s*,\s*")
_DENIES = re.compile(r"\b(?:not|no|never|nothing|neither|nor|without|none|non|unless|except|save)\b|n't\b", re.I)
_LIST_WORD = re.compile(r"(?:and|or|nor|and/or|but)\b", re.IGNORECASE)
_MAX_ASIDE_WORDS = 10


@dataclass(frozen=True)
class Hit:
    """One exclusivity term found: which rule, its family and description, the words it matched (as
    written), the sentence (or list item with its lead-in) they are in, and its line in the input."""

    rule: str
    family: str
    description: str
    words: str
    sentence: str
    line: int = 0

    def summary(self) -> str:
        """How a finding names the hit: rule, family and the words matched."""
        return f"{self.description} (rule {self.rule}, {self.family}): {self.words!r}"


def detect(text: str, rules: RuleSet, parties: Parties | None = None) -> list[Hit]:
    """Every exclusivity term in `text` (lines are paragraphs), one hit per rule and wording."""
    parties = parties or Parties()
    tag = tagger(rules, parties)
    hits: dict[tuple[str, str], Hit] = {}
    for unit in units(text):
        if rules.gated and not rules.gate_words(Words(unit.text)):
            continue  # no rule's required word is there: most sentences end here, cheaply
        tagged, mentions = tag.tag(unit.text)
        for start, end in clauses(tagged):
            for clause, offsets in _readings(tagged[start:end]):
                found = _matches(rules, Reading(clause, tagged[:start], bool(parties.partners)))
                for rule, match in found:
                    first, last = start + offsets[match.start()], start + offsets[max(match.end() - 1, match.start())]
                    words = untag(tagged[first : last + 1], mentions)
                    line = unit.line_at(len(untag(tagged[:first], mentions)))
                    hit = Hit(rule.id, rule.family, rule.description, words, unit.text, line)
                    hits.setdefault((rule.id, words), hit)
                if found:
                    break  # caught as written: the reading without asides is not needed
    return list(hits.values())


def _matches(rules: RuleSet, reading: Reading) -> list[tuple[Rule, re.Match[str]]]:
    """Each rule that matches this reading of a clause, with its first match."""
    seen: dict[str, bool] = {}  # context patterns shared by several rules, searched once
    out = []
    for rule in rules.candidates(rules.gate_words(Words(reading.clause))):
        match = _match(rules, rule, reading, seen)
        if match is not None:
            out.append((rule, match))
    return out


def _readings(clause: str) -> Iterator[tuple[str, list[int]]]:
    """The clause as written, then, if it has asides, without them; with each reading, for each of
    its characters the offset of that character in the clause."""
    yield clause, list(range(len(clause)))
    text: list[str] = []
    kept: list[int] = []
    last = 0
    for m in _ASIDE.finditer(clause):
        inner = m.group("inner")
        if len(inner.split()) > _MAX_ASIDE_WORDS or _DENIES.search(inner):
            continue
        if _LIST_WORD.match(clause, m.end()):
            continue  # "supply, license, or sell": a list, not an aside
        text.append(clause[last : m.start()] + " ")  # the aside reads as one space
        kept += [*range(last, m.start()), m.start()]
        last = m.end()
    if kept:
        text.append(clause[last:])
        kept += range(last, len(clause))
        yield "".join(text), kept


def clauses(tagged: str) -> list[tuple[int, int]]:
    """Spans of the clauses of a sentence: cut at semicolons, and at ", and" / ", but" ... where both
    sides have their own verb, so that a negation in one clause does not reach into the next."""
    spans, start = [], 0
    for m in _CLAUSE_BREAK.finditer(tagged):
        left, right = tagged[start : m.start()], tagged[m.end() :]
        if m.group(0).startswith(";") or (_HAS_VERB.search(left) and _STARTS_CLAUSE.match(right)):
            spans.append((start, m.start()))
            start = m.end()
    spans.append((start, len(tagged)))
    return [(a, b) for a, b in spans if b > a]


def _match(rules: RuleSet, rule: Rule, reading: Reading, seen: dict[str, bool]) -> re.Match[str] | None:
    """The first match of a rule in a clause whose parties fit and that no negation cancels."""
    clause = reading.clause
    for n, context in enumerate(rule.context):
        if context not in seen:
            seen[context] = rules.regex(f"context:{rule.id}:{n}").search(clause) is not None
        if not seen[context]:
            return None
    pattern, position = rules.regex(f"rule:{rule.id}"), 0
    while (match := pattern.search(clause, position)) is not None:
        if roles_ok(rules, rule, reading, match) and not (rule.negatable and _negated(rules, rule, clause, match)):
            return match
        position = match.start() + 1  # a later start may name other parties
    return None


def _negated(rules: RuleSet, rule: Rule, clause: str, match: re.Match[str]) -> bool:
    before, after = clause[: match.start()], clause[match.end() :]
    for neg in rules.negations:
        if neg.families and rule.family not in neg.families:
            continue
        if neg.before and rules.regex(f"before:{neg.id}").search(before):
            return True
        if neg.after and rules.regex(f"after:{neg.id}").search(after):
            return True
    return False
