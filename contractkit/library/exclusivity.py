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
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from contractkit.library.exclusivity_rules import MARKERS, Role, Rule, RuleSet, Words
from contractkit.library.sentences import units

if TYPE_CHECKING:
    from contractkit.library.deal import Deal

_MARKER_KIND = {v: k for k, v in MARKERS.items()}
_FIRST_INDEX, _MAX_MENTIONS = 0xE100, 256
_NHS_NAME = re.compile(
    r"\bNHS\b|Health Board|Care Board|\bICB\b|Foundation Trust|\bTrust\b|Hospitals?\b|Health and Social Care|"
    r"Ambulance Service|Public Health|Department of Health",
)
_NAME_LIKE = re.compile(
    r"^(?![^\n]*\b(?:shall|will|must|may|can|not|only|solely|alone|exclusive\w*|sole|other|first)\b)[^\n;:]{1,120}$",
    re.IGNORECASE,
)
_COMPANY = (
    r"(?-i:(?!(?:Only|The|No|For|During|Each|Any|If|Save|Except|Apart|Nothing|Neither|Both|All|This|That|Such|"
    r"Where|When|Unless|Subject|Without|With|Before|After|In|On|At|By|And|Or|But)\b)[A-Z][\w&'-]*(?:\s+(?:[A-Z][\w&'-]*|&|and|of))*)\s+"
    r"(?-i:Limited|Ltd|plc|PLC|LLP|Inc|Incorporated|GmbH|AG|LLC|Corporation|Corp|CIC)\b\.?"
)
_DEFINED = re.compile(
    r"(?P<name>(?-i:[A-Z][\w&'.-]*)(?:[ \t]+(?:[A-Z][\w&'.-]*|of|and|for|the|&))*)[ \t]*\(\s*(?:the\s+)?"
    r"\"(?P<short>[^\"]{1,60})\"\s*\)"
)
_MEANS = re.compile(r"\"(?P<term>[^\"]{1,40})\"\s+means\s+(?P<names>[^.;\n]{1,400})")
_REGISTERED = re.compile(
    r"(?P<name>(?-i:[A-Z][\w&'.-]*)(?:[ \t]+(?:[A-Z][\w&'.-]*|of|and|for|the|&))*)"
    r"[ \t]*(?:\(\s*|,\s+an?\s+[^,()]{0,40}?)"
    r"(?P<kind>ODS code|company number|registered (?:under )?number|charity number)"
    r"(?:[^()\n]{0,200}\((?P<short>(?-i:[A-Z])[^()\n]{0,60})\)\.?$)?",
    re.MULTILINE,
)
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
_HEAD_END = re.compile(
    r"\s+(?:who|whom|whose|that|which|employed|engaged|named|listed|approved|of|from|in|at|under|with|for|to|by|"
    r"on|as|being|if|where|when)\b|,",
    re.IGNORECASE,
)
_DETERMINER = re.compile(r"^(?:the|a|an|any|each|every|all|both|either|its|their|such|this|that|no|one)$", re.I)
# "the Partner's use": a possessor who benefits, unlike "the Trust's consent" or "the Trust's data".
_FOR_WHOM = re.compile(
    r"^(?:own\s+)?(?:use|benefit|exploitation|purposes|account|behalf|access|exclusive\s+use)\b", re.I
)
_PRIORITY: tuple[Role, ...] = ("person", "partner", "nhs", "party", "organisation", "name", "data", "thing")
# "X shall ensure that the Data is not shared ...": X answers for the outcome, so X is restricted.
_GOVERNOR = re.compile(
    r"(?P<who>[^\s,;:]+(?:\s+[^\s,;:]+){0,3}?)\s+(?:shall|will|must|agrees?\s+to|undertakes?\s+to)\s+"
    r"(?:ensure|procure|secure)(?:\s+that)?\b[^,;]*$",
    re.IGNORECASE,
)
_AUX = r"(?:shall|will|must|may|can|cannot|should|would|does|do|won't|can't|shan't|mustn't|doesn't|don't)"
_AUXILIARY = re.compile(rf"{_AUX}\b|(?:agrees?|undertakes?|commits?|promises?|covenants?|is|are)\b", re.IGNORECASE)
_AUXILIARY_ANYWHERE = re.compile(rf"\b{_AUX}\b", re.IGNORECASE)
_SHARED_SUBJECT = re.compile(r"(?:\b(?:and|or|but)|,)\s*$", re.IGNORECASE)
_PRONOUN = re.compile(r"^(?:it|they)$", re.IGNORECASE)  # as a subject: the sentence's first party
# Words that end the subject a verb follows, read backwards from the verb.
_STOP_WORDS = (
    "that which who whom if unless but or not for in on during until from under as while to with by at "
    "of than except save within without through via into upon after before agrees agree undertakes "
    "undertake shall will may must can is are be been being has have had grants grant gives give "
    "receives receive enjoys enjoy holds hold obtains obtain gets get acquires acquire offers offer"
)
_SUBJECT_STOP = frozenset(_STOP_WORDS.split())
_PARTNER_HOLDS = re.compile(
    rf"(?:supplied|provided|disclosed|released|made available|given|transferred|sent|licensed)\s+to\s+(?:the\s+)?"
    rf"{MARKERS['partner']}|(?:held|received|obtained|processed|kept|stored|used)\s+by\s+(?:the\s+)?"
    rf"{MARKERS['partner']}|(?:received|obtained|collected)\s+from\s+(?:the\s+)?{MARKERS['nhs']}",
    re.IGNORECASE,
)


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
            nhs=_names(n for o in nhs_bodies for n in (o.name, o.short_name) if _NAME_LIKE.match(n)),
            partners=_names(n for p in partners for n in (p.name, p.short_name) if _NAME_LIKE.match(n)),
            data=_names(d.name for d in datasets if _NAME_LIKE.match(d.name)),
        )

    @classmethod
    def from_text(cls, text: str) -> Parties:
        """Best effort for a document without a deal: 'X ("Short")', '"Partner" means X', 'X (ODS code ...)'."""
        nhs: list[str] = []
        partners: list[str] = []
        for m in _DEFINED.finditer(text):
            name, short = m.group("name").strip(), m.group("short").strip()
            if _NHS_NAME.search(name) or _NHS_NAME.search(short):
                nhs += [name, short]
            elif re.search(_COMPANY + "$", name) or short.lower() in ("partner", "company", "licensee"):
                partners += [name, short]
        for m in _MEANS.finditer(text):
            term = m.group("term").lower()
            names = [n.strip() for n in re.split(r",|\band\b|\bjointly\b", m.group("names")) if n.strip()]
            names = [n for n in names if n[:1].isupper() and len(n) < 80]
            if term in ("nhs party", "nhs parties", "trust"):
                nhs += names
            elif term in ("partner", "partners", "company", "licensee"):
                partners += names
        for m in _REGISTERED.finditer(text):
            names = [m.group("name").strip(), (m.group("short") or "").strip()]
            (nhs if m.group("kind") == "ODS code" else partners).extend(n for n in names if n)
        return cls(nhs=_names(nhs), partners=_names(partners))

    def __or__(self, other: Parties) -> Parties:
        return Parties(
            _names([*self.nhs, *other.nhs]),
            _names([*self.partners, *other.partners]),
            _names([*self.data, *other.data]),
        )


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


def _names(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(n.strip() for n in names if n and n.strip()))


def detect(text: str, rules: RuleSet, parties: Parties | None = None) -> list[Hit]:
    """Every exclusivity term in `text` (lines are paragraphs), one hit per rule and wording."""
    tagger = _tagger(rules, parties or Parties())
    hits: dict[tuple[str, str], Hit] = {}
    for unit in units(text):
        if rules.gated and not rules.gate_words(Words(unit.text)):
            continue  # no rule's required word is there: most sentences end here, cheaply
        tagged, mentions = tagger.tag(unit.text)
        for start, end in clauses(tagged):
            clause = tagged[start:end]
            seen: dict[str, bool] = {}  # context patterns shared by several rules, searched once
            found = rules.gate_words(Words(clause))
            for rule in rules.rules:
                match = _match(rules, rule, clause, seen) if rules.passes(rule, found) else None
                if match is not None:
                    words = _untag(match.group(0), mentions)
                    line = unit.line_at(_unit_offset(tagged, start + match.start(), mentions))
                    hit = Hit(rule.id, rule.family, rule.description, words, unit.text, line)
                    hits.setdefault((rule.id, words), hit)
    return list(hits.values())


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


def _match(rules: RuleSet, rule: Rule, clause: str, seen: dict[str, bool]) -> re.Match[str] | None:
    """The first match of a rule in a clause whose parties fit and that no negation cancels."""
    for n, context in enumerate(rule.context):
        if context not in seen:
            seen[context] = rules.regex(f"context:{rule.id}:{n}").search(clause) is not None
        if not seen[context]:
            return None
    pattern, position = rules.regex(f"rule:{rule.id}"), 0
    while (match := pattern.search(clause, position)) is not None:
        if _roles_ok(rules, rule, clause, match) and not (rule.negatable and _negated(rules, rule, clause, match)):
            return match
        position = match.start() + 1  # a later start may name other parties
    return None


def _roles_ok(rules: RuleSet, rule: Rule, clause: str, match: re.Match[str]) -> bool:
    for slot, allowed in rule.roles.items():
        text = match.group(slot) if slot in match.re.groupindex else None
        if text is None:
            role = _implicit(rules, slot, clause, match.start())
        elif _PRONOUN.match(text.strip()):
            role = _first_mention(clause, match.start(slot), parties_only=True)
        else:
            role = role_of(rules, text)
        if slot == "restricted":
            governor = _GOVERNOR.search(clause[: match.start()])
            if governor is not None:
                role = role_of(rules, governor.group("who"))
        if role not in allowed:
            return False
    return True


def _implicit(rules: RuleSet, slot: str, clause: str, position: int) -> Role:
    """The party a rule's pattern leaves implicit: the noun phrase just before the match (the
    subject of its verb), else the nearest party before it (for `restricted`, the clause's first)."""
    prefix = clause[:position]
    if slot == "restricted":
        if _PARTNER_HOLDS.search(" ".join(prefix.split()[-8:])):
            return "partner"  # "Data supplied to the Partner shall not be disclosed ...": the partner is bound
        if not _AUXILIARY.match(clause[position:]):  # the match starts inside a verb phrase: find its verb
            modals = [m.start() for m in _AUXILIARY_ANYWHERE.finditer(prefix)]
            while len(modals) > 1 and _SHARED_SUBJECT.search(clause[: modals[-1]]):
                modals.pop()  # "... shall be granted to X and shall be denied to ...": the same subject
            if not modals:
                return _first_mention(clause, position)
            position = modals[-1]
            prefix = clause[:position]
    tokens = list(re.finditer(r"\S+", prefix))
    while tokens and (tokens[-1].group().endswith(("'s", "'")) or _DETERMINER.match(tokens[-1].group())):
        position = tokens.pop().start()  # "the Trust's sole partner": the phrase is not about the Trust
    texts = [t.group() for t in tokens]
    if len(texts) > 1 and texts[-1].lower() in ("which", "who") and texts[-2].endswith(","):
        texts = [*texts[:-2], texts[-2][:-1]]  # "Ardentis, which shall be ...": Ardentis is the subject
    words: list[str] = []
    for token in reversed(texts):
        if token.lower() in _SUBJECT_STOP or token[-1] in ",;:" or len(words) == 6:
            break
        words.insert(0, token)
    role = role_of(rules, " ".join(words))
    if len(words) == 1 and _PRONOUN.match(words[0]):
        role = _first_mention(clause, position, parties_only=True)  # "it" is the sentence's subject
    if slot == "restricted":
        return role if words else _first_mention(clause, position)
    return role if role not in ("thing", "none", "data") else _nearest_before(clause, position)


def _nearest_before(clause: str, position: int) -> Role:
    for char in reversed(clause[:position]):
        if char in _MARKER_KIND and _MARKER_KIND[char] != "data":
            kind = _MARKER_KIND[char]
            return "organisation" if kind == "organisation" else kind  # type: ignore[return-value]
    return "none"


def _first_mention(clause: str, position: int, *, parties_only: bool = False) -> Role:
    """Who a clause restricts when a rule does not say: its first mention (a party, or the data)
    before the match, else in the whole clause."""
    for text in (clause[:position], clause):
        kinds = [_MARKER_KIND[c] for c in text if c in _MARKER_KIND and not (parties_only and c == MARKERS["data"])]
        if kinds:
            return kinds[0]  # type: ignore[return-value]
    return "none"


def role_of(rules: RuleSet, segment: str) -> Role:
    """What kind of party a (tagged) noun phrase names, judged by its head: a person, the partner, an
    NHS party, any party, another organisation, an unknown name, the data, or a thing."""
    text = segment.strip()
    if not text:
        return "none"
    parts = re.split(r"'s?\s+", text)
    tail = parts[-1] if len(parts) == 1 or not _FOR_WHOM.match(parts[-1]) else parts[-2]
    head = _HEAD_END.split(tail if tail.strip() else text, maxsplit=1)[0].strip()
    found: set[Role] = set()
    person = rules.regex("term:person")
    if person.search(head.rsplit(" ", 1)[-1]):
        found.add("person")
    found.update(_MARKER_KIND[c] for c in head if c in _MARKER_KIND)  # type: ignore[misc]
    if re.search(r"\b(?:each\s+other|one\s+another)\b", head, re.IGNORECASE):
        found.add("party")
    elif rules.regex("term:organisation").search(head):
        found.add("organisation")
    not_names = {n.lower() for n in rules.roles.not_names}
    for word in head.split():
        if word[:1].isupper() and not _DETERMINER.match(word) and word.strip(".,").lower() not in not_names:
            found.add("name")
    if rules.regex("term:data_noun").search(head):
        found.add("data")
    return next((r for r in _PRIORITY if r in found), "thing")


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


# ----------------------------------------------------------------------------- party mentions


class _Tagger:
    """Replaces each mention of a party (or of the data) in a sentence by its role marker."""

    def __init__(self, rules: RuleSet, parties: Parties) -> None:
        entries: dict[str, tuple[str | None, str | None]] = {}  # lower-case text -> (kind, exact generic form)
        for kind, terms in (("nhs", rules.roles.nhs), ("partner", rules.roles.partner), ("party", rules.roles.party)):
            entries.update({t.lower(): (kind, t) for t in terms})
        entries.update({t.lower(): ("data", t) for t in rules.roles.data})
        entries.update({t.lower(): (None, None) for t in rules.roles.neutral})
        for kind, names in (("data", parties.data), ("nhs", parties.nhs), ("partner", parties.partners)):
            entries.update({n.lower(): (kind, None) for n in names})
        self.entries = entries
        literal = "|".join(re.escape(t) for t in sorted(entries, key=len, reverse=True))
        self.pattern = re.compile(rf"(?<![\w-])(?:(?P<lit>{literal})|(?P<co>{_COMPANY}))(?![\w-])", re.IGNORECASE)

    def tag(self, text: str) -> tuple[str, list[str]]:
        mentions: list[str] = []

        def replace(m: re.Match[str]) -> str:
            words = m.group(0)
            kind, generic = ("organisation", None) if m.group("co") else self.entries[words.lower()]
            if kind is None or len(mentions) >= _MAX_MENTIONS:
                return words
            if generic is not None and not words[0].isupper() and not text[: m.start()].lower().endswith("the "):
                return words  # a defined term is capitalised; in lower case only straight after "the"
            mentions.append(words)
            return MARKERS[kind] + chr(_FIRST_INDEX + len(mentions) - 1)

        return self.pattern.sub(replace, text), mentions


def _tagger(rules: RuleSet, parties: Parties) -> _Tagger:
    cache = rules.taggers
    if parties not in cache:
        cache[parties] = _Tagger(rules, parties)
    tagger: _Tagger = cache[parties]
    return tagger


def _untag(tagged: str, mentions: list[str]) -> str:
    return re.sub(r"[\ue010-\ue01f]([\ue100-\ue1ff])", lambda m: mentions[ord(m.group(1)) - _FIRST_INDEX], tagged)


def _unit_offset(tagged: str, position: int, mentions: list[str]) -> int:
    """The offset in the untagged text of `position` in the tagged text."""
    return len(_untag(tagged[:position], mentions))
