"""Who a matched exclusivity term is about: the kind of party each of a rule's slots names.

A rule's pattern may capture a party (`beneficiary`, `holder`, `restricted`) or leave it implicit;
an implicit party is read from the sentence the way a reader would: the subject of the verb that
governs the match, the party that "shall ensure that" the outcome (`governor`), the party a
pronoun stands for (the last party that is the subject of a verb before it), or the nearest party
named before the match. An unknown name restricted from supplying the data is read as an NHS party
when the partner is known and is not that name (see docs/exclusivity.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from contractkit.library.exclusivity_rules import MARKERS, Role, Rule, RuleSet

MARKER_KIND = {v: k for k, v in MARKERS.items()}
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
_AUXILIARY = re.compile(
    rf"{_AUX}\b|(?:agrees?|undertakes?|commits?|promises?|covenants?|is|are|waives?|refrains?|abstains?"
    rf"|gives?\s+up|surrenders?|relinquish(?:es)?|renounces?|forgoes?)\b",
    re.IGNORECASE,
)
_AUXILIARY_ANYWHERE = re.compile(rf"\b{_AUX}\b", re.IGNORECASE)
_SHARED_SUBJECT = re.compile(r"(?:\b(?:and|or|but)|,)\s*$", re.IGNORECASE)
_PRONOUN = re.compile(r"^(?:it|they)$", re.IGNORECASE)  # as a subject: the party it stands for
_POSSESSIVE = re.compile(r"^(?:its|their)$", re.IGNORECASE)
# A party that is the subject of a verb: what "it" later in the sentence stands for.
_SUBJECT = re.compile(
    r"([\ue010-\ue013])[\ue100-\ue1ff](?:\s+(?:hereby|also|itself|alone|then|thereupon|\w+ly))?\s+"
    r"(?:shall|will|may|must|can|cannot|agrees?|undertakes?|covenants?|is|are|has|have|does|do|warrants?"
    r"|acknowledges?|confirms?|should|would|gets?|receives?|grants?|gives?)\b",
    re.IGNORECASE,
)
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
_ACCESS = re.compile(r"\baccess\b", re.IGNORECASE)
_TITLE = re.compile(r"(?:Dr|Mr|Mrs|Ms|Miss|Mx|Professor|Prof|Sir|Dame)\.?\s")  # a person named by title
# The verb (with its auxiliaries) that ends a prefix: "shall have", "will be given", "enjoys".
_VERB_BEFORE = re.compile(
    r"(?:\s+(?:shall|will|may|must|can|should|would|also|hereby|then|have|has|had|hold|holds|enjoy|enjoys|obtain"
    r"|obtains|receive|receives|get|gets|acquire|acquires|be|been|is|are|given|granted))+\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Reading:
    """A clause being matched: its tagged text, the tagged text of its sentence before it (where a
    pronoun may find its party), and whether the partner is known (so an unknown name is not it)."""

    clause: str
    before: str = ""
    partner_known: bool = False


def roles_ok(rules: RuleSet, rule: Rule, reading: Reading, match: re.Match[str]) -> bool:
    """Whether each slot of the rule names a kind of party it allows."""
    clause = reading.clause
    for slot, allowed in rule.roles.items():
        text = match.group(slot) if slot in match.re.groupindex else None
        if slot == "governor":
            governor = _GOVERNOR.search(clause[: match.start()])
            role = _phrase_role(rules, reading, governor.group("who"), governor.start()) if governor else "none"
        elif text is None:
            role = implicit(rules, slot, reading, match.start())
        else:
            role = _phrase_role(rules, reading, text, match.start(slot))
        if slot == "restricted":
            governor = _GOVERNOR.search(clause[: match.start()])
            if governor is not None:
                role = _phrase_role(rules, reading, governor.group("who"), governor.start())
            role = _likely_nhs(rules, reading, role, allowed)
        if role not in allowed:
            return False
    return True


def _phrase_role(rules: RuleSet, reading: Reading, text: str, position: int) -> Role:
    """The role of a captured phrase; a pronoun stands for a party named before it."""
    word = text.strip()
    if _PRONOUN.match(word):
        return antecedent(reading, position)
    if _POSSESSIVE.match(word):
        return _other_party(reading.clause, position)
    return role_of(rules, text)


def _likely_nhs(rules: RuleSet, reading: Reading, role: Role, allowed: list[Role]) -> Role:
    """An unknown name restricted from supplying the data is an NHS party when the partner is known:
    the data is the NHS's, and the partner, the only other holder, is not that name."""
    if role != "name" or "name" in allowed or "nhs" not in allowed or not reading.partner_known:
        return role
    has_data = rules.regex("term:has_data").search(reading.clause) or _ACCESS.search(reading.clause)
    return "nhs" if has_data else role


def implicit(rules: RuleSet, slot: str, reading: Reading, position: int) -> Role:
    """The party a rule's pattern leaves implicit: the noun phrase just before the match (the
    subject of its verb), else the nearest party before it (for `restricted`, the clause's first)."""
    clause = reading.clause
    prefix = clause[:position]
    if slot == "restricted":
        if _PARTNER_HOLDS.search(" ".join(prefix.split()[-8:])):
            return "partner"  # "Data supplied to the Partner shall not be disclosed ...": the partner is bound
        if not _AUXILIARY.match(clause[position:]):  # the match starts inside a verb phrase: find its verb
            modals = [m.start() for m in _AUXILIARY_ANYWHERE.finditer(prefix)]
            while len(modals) > 1 and _SHARED_SUBJECT.search(clause[: modals[-1]]):
                modals.pop()  # "... shall be granted to X and shall be denied to ...": the same subject
            if not modals:
                return first_mention(clause, position)
            position = modals[-1]
            prefix = clause[:position]
    words, position = _subject_words(prefix, position)
    if not words and slot != "restricted":  # "Patients shall have a say": the subject of the verb before
        verb = _VERB_BEFORE.search(prefix)
        if verb is not None:
            words, _ = _subject_words(prefix[: verb.start()], verb.start())
    role = role_of(rules, " ".join(words))
    if len(words) == 1 and _PRONOUN.match(words[0]):
        role = antecedent(reading, position)
    if slot == "restricted":
        return role if words else first_mention(clause, position)
    return role if role not in ("thing", "none", "data") else nearest_before(clause, position)


def _subject_words(prefix: str, position: int) -> tuple[list[str], int]:
    """The words of the noun phrase that ends a prefix (the subject of the verb after it)."""
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
        if _PRONOUN.match(token):
            break  # "during the Term it will not": the pronoun is the whole subject
    return words, position


def antecedent(reading: Reading, position: int) -> Role:
    """The party "it" or "they" stands for: the last party before it that is the subject of a verb
    ("Solvane shall be entitled to have the images offered to it"), else the sentence's first party."""
    for text in (reading.clause[:position], reading.before):
        subjects = list(_SUBJECT.finditer(text))
        if subjects:
            return MARKER_KIND[subjects[-1].group(1)]  # type: ignore[return-value]
    role = first_mention(reading.clause, position, parties_only=True)
    return role if role != "none" else first_mention(reading.before, len(reading.before), parties_only=True)


def _other_party(clause: str, position: int) -> Role:
    """The party "its" stands for in "obtain its consent": the nearest party named before it other
    than the clause's subject (a party does not consent to its own act), else nobody."""
    marks = [(i, c) for i, c in enumerate(clause[:position]) if c in MARKER_KIND and MARKER_KIND[c] != "data"]
    if len(marks) < 2:
        return "none"
    first = clause[marks[0][0] : marks[0][0] + 2]
    for i, char in reversed(marks[1:]):
        if clause[i : i + 2] != first:
            return MARKER_KIND[char]  # type: ignore[return-value]
    return "none"


def nearest_before(clause: str, position: int) -> Role:
    """The kind of the nearest party named before a position, or `none`."""
    for char in reversed(clause[:position]):
        if char in MARKER_KIND and MARKER_KIND[char] != "data":
            kind = MARKER_KIND[char]
            return "organisation" if kind == "organisation" else kind  # type: ignore[return-value]
    return "none"


def first_mention(clause: str, position: int, *, parties_only: bool = False) -> Role:
    """Who a clause restricts when a rule does not say: its first mention (a party, or the data)
    before the match, else in the whole clause."""
    for text in (clause[:position], clause):
        kinds = [MARKER_KIND[c] for c in text if c in MARKER_KIND and not (parties_only and c == MARKERS["data"])]
        if kinds:
            return kinds[0]  # type: ignore[return-value]
    return "none"


def role_of(rules: RuleSet, segment: str) -> Role:
    """What kind of party a (tagged) noun phrase names, judged by its head: a person, the partner, an
    NHS party, any party, another organisation, an unknown name, the data, or a thing. A phrase that
    ends in the data ("the Retinal Image Archive", "the Imaging Data") is the data, not a name."""
    text = segment.strip()
    if not text:
        return "none"
    parts = re.split(r"'s?\s+", text)
    tail = parts[-1] if len(parts) == 1 or not _FOR_WHOM.match(parts[-1]) else parts[-2]
    head = _HEAD_END.split(tail if tail.strip() else text, maxsplit=1)[0].strip()
    found: set[Role] = set()
    person = rules.regex("term:person")
    if person.search(head.rsplit(" ", 1)[-1]) or _TITLE.match(head):
        found.add("person")
    found.update(MARKER_KIND[c] for c in head if c in MARKER_KIND)  # type: ignore[misc]
    if re.search(r"\b(?:each\s+other|one\s+another)\b", head, re.IGNORECASE):
        found.add("party")
    elif rules.regex("term:organisation").search(head):
        found.add("organisation")
    not_names = rules.not_names
    for word in head.split():
        if word[:1].isupper() and not _DETERMINER.match(word) and word.strip(".,").lower() not in not_names:
            found.add("name")
    if rules.regex("term:data_noun").search(head):
        found.add("data")
    if "name" in found and found <= {"name", "data"} and _ends_in_data(rules, head):
        return "data"
    return next((r for r in _PRIORITY if r in found), "thing")


def _ends_in_data(rules: RuleSet, head: str) -> bool:
    last = head.rsplit(maxsplit=1)[-1] if head.strip() else ""
    return last[:1] == MARKERS["data"] or bool(rules.regex("term:data_noun").fullmatch(last.strip(".,").lower()))
