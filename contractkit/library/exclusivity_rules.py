"""The exclusivity rule file (`exclusivity.yaml`, beside library.yaml): its shape, and its checks.

The centre keeps the rules as data so it can extend them: named word lists (`terms`), the
defined terms that name each kind of party (`roles`), negations that cancel a match, and rules,
each a pattern over a sentence in which party mentions have been replaced by role markers. A rule
says which of its named groups must be which kind of party ("the beneficiary is not an NHS party",
"the party restricted is the NHS"), and carries sentences it must and must not catch, which
`contractkit lint` runs as tests.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import Field

from contractkit.errors import ContractkitError, Issue
from contractkit.library.model import Model, Slug
from contractkit.library.shapes import NonEmpty
from contractkit.library.yamlio import Document

RULES_FILE = "exclusivity.yaml"
Role = Literal["nhs", "partner", "party", "organisation", "name", "person", "data", "thing", "none"]
Slot = Literal["beneficiary", "holder", "restricted", "governor"]
# Markers that stand for a mention of a party (or a data term) in a tagged sentence. Each marker is
# followed by one character from MENTION_INDEX naming which mention it is.
MARKERS = {"nhs": "\ue010", "partner": "\ue011", "party": "\ue012", "organisation": "\ue013", "data": "\ue014"}
MENTION_INDEX = "[\ue100-\ue1ff]"
_ANY_MARKER = f"[{''.join(MARKERS.values())}]"
BUILTIN_TERMS = {
    "nhs": f"{MARKERS['nhs']}{MENTION_INDEX}",
    "partner": f"{MARKERS['partner']}{MENTION_INDEX}",
    "mutual": f"{MARKERS['party']}{MENTION_INDEX}",
    "named": f"{MARKERS['organisation']}{MENTION_INDEX}",
    "data_term": f"{MARKERS['data']}{MENTION_INDEX}",
    "party": f"[{''.join(v for k, v in MARKERS.items() if k != 'data')}]{MENTION_INDEX}",
    "mention": f"{_ANY_MARKER}{MENTION_INDEX}",
}
ROLE_TERMS = ("person", "organisation", "data_noun")
FLAGS = re.IGNORECASE | re.VERBOSE  # patterns may span lines; write \s for a space
_REFERENCE = re.compile(r"\{([a-z][a-z0-9_]*)\}")
Pattern = Annotated[str, Field(min_length=1)]
_NOT_WORD = re.compile(r"[^a-z0-9'\-]+")


class Words:
    """A clause's words in lower case, for the `requires` test: each word, and the whole with spaces."""

    def __init__(self, text: str) -> None:
        plain = _NOT_WORD.sub(" ", text.lower())
        words = plain.split()
        self.tokens = frozenset([*words, *(part for w in words if "-" in w for part in w.split("-"))])
        self.padded = f" {' '.join(plain.split())} "


class Examples(Model):
    """Sentences that test a rule: `lint` fails when one is not caught, or one that must pass is."""

    match: list[NonEmpty] = Field(min_length=1, description="Sentences this rule must catch.")
    pass_: list[NonEmpty] = Field(
        default_factory=list, alias="pass", description="Sentences that no rule may catch (benign wording)."
    )


class Rule(Model):
    """One shape of exclusivity term."""

    id: Slug = Field(description="Identifier, shown in every finding.")
    family: Slug = Field(description="The family it belongs to (a key of `families`).")
    description: NonEmpty = Field(description="What it catches, in words a lawyer understands; shown in findings.")
    pattern: Pattern = Field(
        description=(
            "Case-insensitive regular expression over one clause of a sentence in which party "
            "mentions are markers; {name} inserts a term. Named groups `beneficiary`, `holder` and "
            "`restricted` capture the parties that `roles` constrains."
        )
    )
    context: list[NonEmpty] = Field(
        default_factory=list, description="Further patterns that the same clause must each contain."
    )
    roles: dict[Slot, list[Role]] = Field(
        default_factory=dict,
        description=(
            "For each named group, the kinds of party it may be for the rule to apply. A group the "
            "match leaves empty is the nearest party mentioned before the match, or `none`. `governor` "
            "is the party that 'shall ensure that' or 'shall procure that' the matched outcome, or `none`."
        ),
    )
    negatable: bool = Field(True, description="Whether the negations cancel a match of this rule.")
    requires: list[NonEmpty] = Field(
        default_factory=list,
        description=(
            "Words of which a clause must contain at least one, in any case, before the pattern is tried "
            "(`word*` for any word that starts so): a quick test that spares compiling and running the "
            "pattern on text that cannot match. Empty: always tried."
        ),
    )
    examples: Examples = Field(description="Sentences to catch and to pass.")


class Negation(Model):
    """Words that, before or after a match in the same clause, mean the term is denied, not granted."""

    id: Slug = Field(description="Identifier.")
    description: NonEmpty = Field(description="What it recognises.")
    before: str | None = Field(None, description="Pattern that must end where the text before the match ends.")
    after: str | None = Field(None, description="Pattern that must start where the text after the match starts.")
    families: list[Slug] = Field(default_factory=list, description="Families it applies to; empty means all.")


class RoleTerms(Model):
    """Defined terms that name each kind of party, wherever they appear, whatever the deal."""

    nhs: list[NonEmpty] = Field(min_length=1, description="Terms for an NHS party, e.g. 'Trust', 'NHS Party'.")
    partner: list[NonEmpty] = Field(min_length=1, description="Terms for the partner, e.g. 'Partner', 'Licensee'.")
    party: list[NonEmpty] = Field(min_length=1, description="Terms for any party, e.g. 'Party', 'Parties'.")
    data: list[NonEmpty] = Field(default_factory=list, description="Defined terms for the data, e.g. 'NHS Data'.")
    neutral: list[NonEmpty] = Field(
        default_factory=list,
        description="Longer phrases that contain a party term but name no party, e.g. 'Third Party'.",
    )
    person: NonEmpty = Field(description="Pattern for people rather than organisations (users, staff).")
    organisation: NonEmpty = Field(description="Pattern for nouns that name an organisation (company, vendor).")
    data_noun: NonEmpty = Field(description="Pattern for nouns that name data (data, images, records).")
    not_names: list[NonEmpty] = Field(
        default_factory=list, description="Capitalised words that are never an organisation's name."
    )


class ExamplePartyNames(Model):
    nhs: list[NonEmpty] = Field(default_factory=list, description="NHS party names used in examples.")
    partners: list[NonEmpty] = Field(default_factory=list, description="Partner names used in examples.")


class RuleSet(Model):
    """exclusivity.yaml: how contractkit recognises a term that makes NHS data exclusive (P3)."""

    version: Annotated[str, Field(pattern=r"^\d+\.\d+\.\d+$")] = Field(description="Version of the rules.")
    families: dict[Slug, NonEmpty] = Field(min_length=1, description="Rule families and what each covers.")
    roles: RoleTerms = Field(description="Defined terms that name each kind of party.")
    terms: dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")], str] = Field(
        default_factory=dict, description="Named pattern fragments, inserted into patterns as {name}."
    )
    example_parties: ExamplePartyNames = Field(
        default_factory=ExamplePartyNames, description="Party names the examples are read with."
    )
    negations: list[Negation] = Field(default_factory=list, description="Words that deny rather than grant.")
    rules: list[Rule] = Field(min_length=1, description="The rules; at least one.")

    def expand(self, pattern: str) -> str:
        """A pattern with every {term} replaced by its (expanded) definition."""
        roles = {
            "person": self.roles.person,
            "organisation": self.roles.organisation,
            "data_noun": self.roles.data_noun,
        }
        return _expand(pattern, {**self.terms, **roles, **BUILTIN_TERMS}, ())

    def regex(self, key: str) -> re.Pattern[str]:
        """A pattern of the rule file, compiled on first use and kept: 'rule:<id>', 'context:<id>:<n>',
        'before:<id>', 'after:<id>' or 'term:<name>'. Compiling every rule costs more than a whole
        draft's own work, so a rule is compiled only once some text passes its `requires` test."""
        found = self._regexes.get(key)
        if found is None:
            try:
                source = self._source(key)
                found = self._regexes[key] = self._regexes.get(source) or _compile(source)
                self._regexes[source] = found  # rules that share a context compile it once
            except re.error as exc:  # `lint` reports it on its line; a library that was not linted ends here
                raise ContractkitError(
                    f"{RULES_FILE}: {key.replace(':', ' ', 1)} is not a valid pattern: {exc}",
                    hint="run 'contractkit lint' to see where",
                ) from None
        return found

    def _source(self, key: str) -> str:
        kind, _, name = key.partition(":")
        if kind == "term":
            return self.expand(f"{{{name}}}")
        if kind in ("before", "after"):
            neg = next(n for n in self.negations if n.id == name)
            return (
                f"(?:{self.expand(neg.before or '')})$" if kind == "before" else f"^(?:{self.expand(neg.after or '')})"
            )
        rule_id, _, index = name.partition(":")
        rule = next(r for r in self.rules if r.id == rule_id)
        return self.expand(rule.context[int(index)] if kind == "context" else rule.pattern)

    @cached_property
    def _regexes(self) -> dict[str, re.Pattern[str]]:
        return {}

    def gate_words(self, words: Words) -> frozenset[str]:
        """Every `requires` entry of any rule that a clause with these words contains."""
        whole, _, phrases = self._entries
        found = set(whole & words.tokens)
        stems = self._stems
        if stems is not None:
            for match in stems.finditer(words.padded):
                found.update(self._stem_entries[match.group(0)])
        found.update(p for p in phrases if f" {p} " in words.padded)
        return frozenset(found)

    @cached_property
    def _stems(self) -> re.Pattern[str] | None:
        """Word starts (`word*` entries) at the start of a word or of a part of a hyphenated word,
        longest first; None when no rule uses one."""
        stems = sorted(self._stem_entries, key=len, reverse=True)
        return re.compile("(?<=[ -])(?:" + "|".join(re.escape(s) for s in stems) + ")") if stems else None

    @cached_property
    def _stem_entries(self) -> dict[str, frozenset[str]]:
        """For each word start, the `word*` entries it satisfies: its own and those of shorter starts."""
        stems = {p[:-1] for p in self._entries[1]}
        return {s: frozenset(f"{t}*" for t in stems if s.startswith(t)) for s in stems}

    def candidates(self, found: frozenset[str]) -> list[Rule]:
        """The rules, in order, that a clause containing the `found` entries may match (see `requires`)."""
        chosen = set(self._ungated)
        for entry in found:
            chosen.update(self._by_entry.get(entry, ()))
        return [self.rules[i] for i in sorted(chosen)]

    @cached_property
    def _by_entry(self) -> dict[str, tuple[int, ...]]:
        index: dict[str, list[int]] = {}
        for i, rule in enumerate(self.rules):
            for entry in self._required.get(rule.id, ()):
                index.setdefault(entry, []).append(i)
        return {entry: tuple(rules) for entry, rules in index.items()}

    @cached_property
    def _ungated(self) -> tuple[int, ...]:
        return tuple(i for i, rule in enumerate(self.rules) if rule.id not in self._required)

    @cached_property
    def not_names(self) -> frozenset[str]:
        """The `roles.not_names` words in lower case."""
        return frozenset(n.lower() for n in self.roles.not_names)

    @cached_property
    def gated(self) -> bool:
        """Whether every rule has `requires`, so that text without any of those words can be skipped."""
        return all(r.requires for r in self.rules)

    @cached_property
    def _required(self) -> dict[str, frozenset[str]]:
        return {r.id: frozenset(e.lower() for e in r.requires) for r in self.rules if r.requires}

    @cached_property
    def _entries(self) -> tuple[frozenset[str], frozenset[str], tuple[str, ...]]:
        """All `requires` entries: whole words, word starts (`word*`) and phrases."""
        entries = {e for required in self._required.values() for e in required}
        return (
            frozenset(e for e in entries if " " not in e and not e.endswith("*")),
            frozenset(e for e in entries if e.endswith("*")),
            tuple(e for e in entries if " " in e and not e.endswith("*")),
        )

    @cached_property
    def taggers(self) -> dict[Any, Any]:
        """The detector's party taggers, one per set of parties (filled by library.exclusivity)."""
        return {}


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, FLAGS)


def _expand(pattern: str, terms: dict[str, str], stack: tuple[str, ...]) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in stack:
            raise ValueError(f"term {name!r} refers to itself ({' -> '.join([*stack, name])})")
        if name not in terms:
            raise ValueError(f"unknown term {{{name}}}")
        if name in BUILTIN_TERMS:
            return terms[name]
        return f"(?:{_expand(terms[name], terms, (*stack, name))})"

    return _REFERENCE.sub(one, pattern)


def check(rules: RuleSet, doc: Document, *, compile_all: bool = False) -> list[Issue]:
    """Cross-field problems of a schema-valid rule file, each located on its line: unknown families
    and terms, duplicate ids, and (with `compile_all`, as `lint` asks) patterns that do not compile.
    Loading a library skips compiling: it would cost more than a whole draft."""
    issues = []
    for name in rules.terms:
        if name in BUILTIN_TERMS or name in ROLE_TERMS:
            issues.append(doc.issue(["terms", name], f"{{{name}}} is built in and cannot be redefined"))
    seen: set[str] = set()
    for i, rule in enumerate(rules.rules):
        if rule.id in seen:
            issues.append(doc.issue(["rules", i, "id"], f"rule id {rule.id!r} is used twice"))
        seen.add(rule.id)
        if rule.family not in rules.families:
            known = ", ".join(rules.families)
            issues.append(doc.issue(["rules", i, "family"], f"unknown family {rule.family!r} (known: {known})"))
    return issues + [issue for loc, text in _sources(rules) if (issue := _valid(rules, doc, loc, text, compile_all))]


def _sources(rules: RuleSet) -> list[tuple[list[str | int], str]]:
    """Every pattern of the file, with where it is."""
    out: list[tuple[list[str | int], str]] = [(["terms", n], t) for n, t in rules.terms.items()]
    out += [(["roles", n], getattr(rules.roles, n)) for n in ROLE_TERMS]
    for i, neg in enumerate(rules.negations):
        out += [(["negations", i, k], p) for k, p in (("before", neg.before), ("after", neg.after)) if p]
    for i, rule in enumerate(rules.rules):
        out += [(["rules", i, "pattern"], rule.pattern)]
        out += [(["rules", i, "context", n], c) for n, c in enumerate(rule.context)]
    return out


def _valid(rules: RuleSet, doc: Document, loc: Sequence[str | int], pattern: str, compile_all: bool) -> Issue | None:
    try:
        expanded = rules.expand(pattern)
        if compile_all:
            re.compile(expanded, FLAGS)
    except (ValueError, re.error) as exc:  # an unknown or circular term, or a broken regular expression
        return doc.issue(loc, f"not a valid pattern: {exc}", hint="docs/exclusivity.md explains the pattern syntax")
    return None
