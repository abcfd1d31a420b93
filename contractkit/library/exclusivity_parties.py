"""Who is who for the exclusivity detector: the parties of a deal or a document, and the tagger that
replaces each mention of a party (or of the data) in a sentence by a marker of its kind.

A party is often named in part ("Harrowden Moor" for "Harrowden Moor NHS Foundation Trust"), so
the word-initial parts of each known name are read as that party too, when they are distinctive
(not a word such as "Royal" or "University") and belong to one party kind only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from contractkit.library.exclusivity_rules import MARKERS, RuleSet

if TYPE_CHECKING:
    from contractkit.library.deal import Deal

_FIRST_INDEX, _MAX_MENTIONS = 0xE100, 256
_NHS_NAME = re.compile(
    r"\bNHS\b|Health Board|Care Board|\bICB\b|Foundation Trust|\bTrust\b|Hospitals?\b|Health and Social Care|"
    r"Ambulance Service|Public Health|Department of Health",
)
_NAME_LIKE = re.compile(
    r"^(?![^\n]*\b(?:shall|will|must|may|can|not|only|solely|alone|exclusive\w*|sole|other|first)\b)[^\n;:]{1,120}$",
    re.IGNORECASE,
)
COMPANY = (
    r"(?-i:(?!(?:Only|The|No|For|During|Each|Any|If|Save|Except|Apart|Nothing|Neither|Both|All|This|That|Such|"
    r"Where|When|Unless|Subject|Without|With|Before|After|In|On|At|By|And|Or|But)\b)[A-Z][\w&'-]*(?:\s+(?:[A-Z][\w&'-]*|&|and|of))*)\s+"
    r"(?-i:Limited|Ltd|plc|PLC|LLP|Inc|Incorporated|GmbH|AG|LLC|Corporation|Corp|CIC)\b\.?"
)
_NAME = r"(?P<name>(?-i:[A-Z][\w&'.-]*)(?:[ \t]+(?:[A-Z][\w&'.-]*|of|and|for|the|&))*)"
_QUOTED = '["\u201c](?P<short>[^"\u201c\u201d]{1,60})["\u201d]'
# 'X ("Short")', also with a registration in brackets or a description between: 'X (ODS code RHM) ("Short")',
# 'X, a company registered in England with company number 123 ("Short")'.
_DEFINED = re.compile(
    _NAME + r"(?:[ \t]*\([^()\"\u201c\u201d\n]{1,80}\))*(?:,[^()\"\u201c\u201d\n;]{1,200}?)?"
    r"[ \t]*\(\s*(?:the\s+)?" + _QUOTED + r"\s*\)"
)
_MEANS = re.compile(r"[\"\u201c](?P<term>[^\"\u201c\u201d]{1,40})[\"\u201d]\s+means\s+(?P<names>[^.;\n]{1,400})")
_REGISTERED = re.compile(
    _NAME + r"[ \t]*(?:\(\s*|,\s+an?\s+[^,()]{0,40}?)"
    r"(?P<kind>ODS code|company number|registered (?:under )?number|charity number)"
    r"(?:[^()\n]{0,200}\((?P<short>(?-i:[A-Z])[^()\n]{0,60})\)\.?$)?",
    re.MULTILINE,
)
# Words that do not pick out one organisation when a name is cut short after them.
_GENERIC = frozenset(
    [
        "the", "royal", "university", "college", "north", "south", "east", "west", "central", "great", "greater",
        "health", "hospital", "hospitals", "nhs", "st", "saint", "community", "county", "city", "general", "national",
        "united", "imperial", "medical", "data", "digital", "new", "mid", "upper", "lower", "king's", "kings",
        "queen's", "queens", "princess", "prince", "teaching", "care", "integrated", "foundation", "trust", "board",
        "limited", "ltd", "group", "holdings", "uk", "british", "english", "welsh", "scottish", "international",
        "global", "partners", "services", "solutions", "analytics", "research", "clinical", "institute", "centre",
        "center",
    ]
)  # fmt: skip
_JOINING = frozenset(["of", "and", "for", "the", "&"])


@dataclass(frozen=True)
class Parties:
    """Who is who: NHS party and partner names (full and short), and names of the data."""

    nhs: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()
    data: tuple[str, ...] = ()

    @classmethod
    def from_deal(cls, deal: Deal) -> Parties:
        """The deal's parties by name and short name, and its dataset names. A value that reads as a
        sentence rather than a name ("Ardentis, which shall be the only ...") is not taken as a
        name, so that the words it smuggles in are read, not hidden behind a party marker."""
        # A deal whose schema failed holds only the fields that passed (loading.read_deal): read what is there.
        nhs_bodies = getattr(deal, "nhs_organisations", [])
        partners = getattr(deal, "partners", [])
        datasets = getattr(getattr(deal, "data", None), "datasets", [])
        return cls(
            nhs=names(n for o in nhs_bodies for n in (o.name, o.short_name) if _NAME_LIKE.match(n)),
            partners=names(n for p in partners for n in (p.name, p.short_name) if _NAME_LIKE.match(n)),
            data=names(d.name for d in datasets if _NAME_LIKE.match(d.name)),
        )

    @classmethod
    def from_text(cls, text: str) -> Parties:
        """Best effort for a document without a deal: 'X ("Short")', 'X (ODS code ...) ("Short")',
        'X, a company registered ... ("Short")', '"Partner" means X', 'X (ODS code ...)'."""
        nhs: list[str] = []
        partners: list[str] = []
        for m in _DEFINED.finditer(text):
            name, short = m.group("name").strip(), m.group("short").strip()
            if _NHS_NAME.search(name) or _NHS_NAME.search(short):
                nhs += [name, short]
            elif re.search(COMPANY + "$", name) or short.lower() in ("partner", "company", "licensee"):
                partners += [name, short]
        for m in _MEANS.finditer(text):
            term = m.group("term").lower()
            found = [n.strip() for n in re.split(r",|\band\b|\bjointly\b", m.group("names")) if n.strip()]
            found = [n for n in found if n[:1].isupper() and len(n) < 80]
            if term in ("nhs party", "nhs parties", "trust"):
                nhs += found
            elif term in ("partner", "partners", "company", "licensee"):
                partners += found
        for m in _REGISTERED.finditer(text):
            found = [m.group("name").strip(), (m.group("short") or "").strip()]
            (nhs if m.group("kind") == "ODS code" else partners).extend(n for n in found if n)
        return cls(nhs=names(nhs), partners=names(partners))

    def __or__(self, other: Parties) -> Parties:
        return Parties(
            names([*self.nhs, *other.nhs]),
            names([*self.partners, *other.partners]),
            names([*self.data, *other.data]),
        )


def names(found: Iterable[str]) -> tuple[str, ...]:
    """Names without blanks and repeats, in order."""
    return tuple(dict.fromkeys(n.strip() for n in found if n and n.strip()))


def short_forms(full_names: Iterable[str]) -> set[str]:
    """The distinctive word-initial parts of names: "Harrowden" and "Harrowden Moor" of "Harrowden
    Moor NHS Foundation Trust", not "Royal" of "Royal Eastfield Hospitals"."""
    out: set[str] = set()
    for name in full_names:
        words = name.split()
        for n in range(1, len(words)):
            part = words[:n]
            if part[-1].lower() in _JOINING or not all(w[:1].isupper() for w in part):
                continue
            if n == 1 and (part[0].lower() in _GENERIC or len(part[0]) < 3):
                continue
            out.add(" ".join(part))
    return out


class Tagger:
    """Replaces each mention of a party (or of the data) in a sentence by its role marker."""

    def __init__(self, rules: RuleSet, parties: Parties) -> None:
        entries: dict[str, tuple[str | None, str | None]] = {}  # lower-case text -> (kind, exact generic form)
        for kind, terms in (("nhs", rules.roles.nhs), ("partner", rules.roles.partner), ("party", rules.roles.party)):
            entries.update({t.lower(): (kind, t) for t in terms})
        entries.update({t.lower(): ("data", t) for t in rules.roles.data})
        entries.update({t.lower(): (None, None) for t in rules.roles.neutral})
        for kind, found in (("data", parties.data), ("nhs", parties.nhs), ("partner", parties.partners)):
            entries.update({n.lower(): (kind, None) for n in found})
        self.entries = entries
        self.aliases = _aliases(parties, entries)
        literal = "|".join(re.escape(t) for t in sorted(entries, key=len, reverse=True))
        alias = "|".join(re.escape(t) for t in sorted(self.aliases, key=len, reverse=True)) or "(?!)"
        alias_group = rf"(?<!of\s)(?P<alias>(?-i:{alias}))"  # as written: "Harrowden", never "harrowden"
        self.pattern = re.compile(
            rf"(?<![\w-])(?:(?P<lit>{literal})|{alias_group}|(?P<co>{COMPANY}))(?![\w-])", re.IGNORECASE
        )

    def tag(self, text: str) -> tuple[str, list[str]]:
        """The text with mentions replaced by markers, and the mentions in order."""
        mentions: list[str] = []

        def replace(m: re.Match[str]) -> str:
            words = m.group(0)
            kind: str | None
            generic: str | None
            if m.group("co"):
                kind, generic = "organisation", None
            elif m.group("alias"):
                kind, generic = self.aliases[words], None
            else:
                kind, generic = self.entries[words.lower()]
            if kind is None or len(mentions) >= _MAX_MENTIONS:
                return words
            if generic is not None and not words[0].isupper() and not text[: m.start()].lower().endswith("the "):
                return words  # a defined term is capitalised; in lower case only straight after "the"
            mentions.append(words)
            return MARKERS[kind] + chr(_FIRST_INDEX + len(mentions) - 1)

        return self.pattern.sub(replace, text), mentions


def _aliases(parties: Parties, entries: dict[str, tuple[str | None, str | None]]) -> dict[str, str]:
    """Short forms of the parties' names that are not already terms, each as the kind of party it
    names; a form shared by an NHS party and a partner names an organisation of unknown kind."""
    kinds: dict[str, set[str]] = {}
    for kind, full in (("nhs", parties.nhs), ("partner", parties.partners)):
        for form in short_forms(full):
            kinds.setdefault(form, set()).add(kind)
    return {
        form: next(iter(k)) if len(k) == 1 else "organisation"
        for form, k in kinds.items()
        if form.lower() not in entries
    }


def tagger(rules: RuleSet, parties: Parties) -> Tagger:
    """The tagger for these parties, built once per rule set."""
    cache = rules.taggers
    if parties not in cache:
        cache[parties] = Tagger(rules, parties)
    found: Tagger = cache[parties]
    return found


def untag(tagged: str, mentions: list[str]) -> str:
    """Tagged text with each marker replaced by the words it stands for."""
    return re.sub(r"[\ue010-\ue01f]([\ue100-\ue1ff])", lambda m: mentions[ord(m.group(1)) - _FIRST_INDEX], tagged)
