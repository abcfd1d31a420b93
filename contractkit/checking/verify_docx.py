"""DOCX checks beyond clause wording: every paragraph accounted for, and everything Word shows read.

The reader (word.reader) records what a reader of the document would see differently from its text
(Marks) and the fields, list labels and objects it holds (Things). Here each becomes a finding,
unless the template itself produces it; and each paragraph outside a clause must be the template's
furniture in its place (cover and parties before the clauses, the closing line after them,
schedule titles and tables among the schedules, the signature block at the end), or it is an
addition. Additions, like anything else a reader sees that the library does not produce, fail the
check with or without --against.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import get_args

from contractkit.checking.verify_text import Expected, Outcome, Segment
from contractkit.core.findings import Finding, Kind
from contractkit.core.pattern import LOOP, WILD, paragraph_pattern, shown
from contractkit.core.text import defined_terms, normalise
from contractkit.library.loading import Library
from contractkit.library.model import Playbook
from contractkit.word.profile import Furniture, Profile, digits, matches, thing_problem
from contractkit.word.reader.document import Block, DocxContent, Mark, Thing

KINDS = frozenset(get_args(Kind))
ADDED_PRINCIPLES = "P3, P4"  # change control: nothing outside the agreed text (topic 28)
SEEN_PRINCIPLE = "P4"  # what is signed must be what is seen
_SIMILAR = 0.5  # below this word similarity to every expected paragraph, a paragraph is new, not edited
_DEFINING = re.compile(r"(?i)mean|includ|refer|defin|constru|limited|exclud|\bread\b")  # cheap test first
_STRONG = r"(?i:means|shall\s+mean|ha(?:s|ve)\s+the\s+meaning|(?:is|are)\s+defined\s+as|shall\s+be\s+construed\s+as)"
_VERBS = (
    r"(?i:means|mean|shall\s+mean|includes?|shall\s+include|ha(?:s|ve)\s+the\s+meaning|(?:is|are)\s+defined|"
    r"(?:shall\s+)?refers?\s+to|(?:is|are|shall\s+be)\s+limited\s+to|(?:shall\s+)?excludes?|"
    r"(?:does|shall)\s+not\s+include|(?:is|are|shall\s+be)\s+(?:to\s+be\s+)?(?:read|construed))"
)


@dataclass(frozen=True)
class Context:
    """What the document should hold: its clauses as found, the template's profile, the playbook's titles."""

    content: DocxContent
    profile: Profile
    expected: list[Expected]
    pairs: list[tuple[Expected, Segment]]
    outcomes: list[Outcome]
    extra: list[Segment]
    library: Library
    playbook: Playbook
    cells: frozenset[str] | None = None  # with --against: every table cell the deal produces


def findings(ctx: Context) -> list[Finding]:
    """Every DOCX-level finding: reading marks, objects, fields, labels, additions, redefinitions."""
    owner = _owners(ctx)
    principles = {e.id: e.principles for e in ctx.expected}
    out = [_from_mark(m, owner, principles) for m in ctx.content.marks]
    out += [f for t in ctx.content.things if (f := _from_thing(t, ctx.profile, owner, principles))]
    out += _loose(ctx, owner)
    out += _notes(ctx)
    for (exp, segment), outcome in zip(ctx.pairs, ctx.outcomes, strict=True):
        if not outcome.ok:
            out += _added_paragraphs(exp, segment)
    out += redefinitions(ctx, owner)
    return out


def _owners(ctx: Context) -> dict[int, str | None]:
    owner: dict[int, str | None] = {}
    for exp, segment in ctx.pairs:
        owner.update((id(b), exp.id) for b in segment.blocks)
    for segment in ctx.extra:
        owner.update((id(b), segment.clause) for b in segment.blocks)
    return owner


def _clause_of(block: Block | None, owner: dict[int, str | None]) -> str | None:
    return owner.get(id(block)) if block is not None else None


def _from_mark(mark: Mark, owner: dict[int, str | None], principles: dict[str, str]) -> Finding:
    clause = _clause_of(mark.block, owner) if mark.block is not None else mark.clause
    kind = mark.kind if mark.kind in KINDS else "unread-text"
    principle = principles.get(clause, SEEN_PRINCIPLE) if clause else SEEN_PRINCIPLE
    return Finding(kind, clause, principle, mark.detail, location=mark.location)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- fields, labels, objects


def _from_thing(
    thing: Thing, profile: Profile, owner: dict[int, str | None], principles: dict[str, str]
) -> Finding | None:
    detail = thing_problem(thing, profile)
    if detail is None:
        return None
    clause = _clause_of(thing.block, owner)
    kind = {"field": "field", "label": "numbering"}.get(thing.what, "object")
    principle = principles.get(clause, SEEN_PRINCIPLE) if clause else SEEN_PRINCIPLE
    return Finding(kind, clause, principle, detail, location=thing.location)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- every paragraph accounted for


def _loose(ctx: Context, owner: dict[int, str | None]) -> list[Finding]:
    """Body paragraphs outside the clauses: template furniture in its place, or additions."""
    out = []
    kinds = {id(b): exp.block for exp, segment in ctx.pairs for b in segment.blocks}
    extra = {id(b) for segment in ctx.extra for b in segment.blocks}
    generated = _generated(ctx)
    for block, zone in _zones(ctx.content.blocks, kinds):
        if id(block) in extra or block.frame or not block.text.strip():
            continue
        if not _allowed(block, zone, ctx, generated):
            out.append(_addition(block, owner.get(id(block)), "a paragraph"))
    return out


def _zones(blocks: list[Block], kinds: dict[int, str]) -> Iterator[tuple[Block, str]]:
    """Each paragraph outside a clause with the zone it sits in, from the clauses before and after it."""
    following: list[str | None] = []
    upcoming: str | None = None
    for block in reversed(blocks):
        upcoming = kinds.get(id(block), upcoming)
        following.append(upcoming)
    following.reverse()
    previous: str | None = None
    for block, after in zip(blocks, following, strict=True):
        if id(block) in kinds:
            previous = kinds[id(block)]
            continue
        yield block, _zone(previous, after)


def _zone(before: str | None, after: str | None) -> str:
    operative = {None: "none", "operative": "operative"}
    first, second = operative.get(before, "schedule"), operative.get(after, "schedule")
    return {
        ("none", "none"): "front",
        ("none", "operative"): "front",
        ("none", "schedule"): "front",
        ("operative", "operative"): "clauses",
        ("operative", "schedule"): "bridge",
        ("operative", "none"): "tail",
        ("schedule", "schedule"): "schedules",
        ("schedule", "none"): "end",
    }.get((first, second), "clauses")


_REGIONS = {"front": {0, 1}, "bridge": {2}, "tail": {2, 3}, "end": {3}, "schedules": set(), "clauses": set()}


def _allowed(block: Block, zone: str, ctx: Context, generated: tuple[re.Pattern[str], re.Pattern[str]]) -> bool:
    contents, schedule_title = generated
    text = digits(normalise(block.text))
    if block.table:
        in_place = zone in ("schedules", "end", "tail") and any(s.tables for s in ctx.playbook.schedules)
        return in_place and (ctx.cells is None or normalise(block.text) in ctx.cells)
    if zone == "front" and contents.match(text):
        return True
    if zone in ("bridge", "schedules", "end", "tail") and schedule_title.match(text):
        return True
    regions = frozenset(_REGIONS[zone])
    return bool(regions) and matches(ctx.profile.body, block.style, block.text, regions)


def _generated(ctx: Context) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Patterns for what word.render writes itself: contents entries and schedule titles."""
    clauses = "|".join(re.escape(normalise(e.title)) for e in ctx.expected if e.block == "operative")
    schedules = "|".join(re.escape(normalise(s.title)) for s in ctx.playbook.schedules)
    entry = rf"^0\. (?:{clauses or '(?!)'})(?: 0)?$|^Schedule 0: (?:{schedules or '(?!)'})(?: 0)?$"
    return re.compile(entry), re.compile(rf"^Schedule 0: (?:{schedules or '(?!)'})$")


def _notes(ctx: Context) -> list[Finding]:
    """Headers and footers must be the template's; footnotes and endnotes are never part of an agreement."""
    out = []
    for block in ctx.content.notes:
        if block.role == "comment" or block.frame or not block.text.strip():
            continue
        items: tuple[Furniture, ...] = ctx.profile.notes.get(block.role, ())
        if not matches(items, block.style, block.text):
            out.append(
                _addition(
                    block,
                    None,
                    f"a {block.role} paragraph"
                    if block.role in ("header", "footer")
                    else f"an {block.role}"
                    if block.role[0] in "aeiou"
                    else f"a {block.role}",
                )
            )
    return out


def _addition(block: Block, clause: str | None, what: str) -> Finding:
    detail = f"{what} that the agreement does not contain: {block.text.strip()[:200]!r}"
    return Finding("added", clause, ADDED_PRINCIPLES, detail, location=block.location)


def _added_paragraphs(exp: Expected, segment: Segment) -> list[Finding]:
    """Paragraphs in a clause that are none of its paragraphs, as written or as edited: additions."""
    out = []
    found = claims(exp, segment)
    for block in segment.blocks:
        if id(block) in found and found[id(block)] is None:
            what = f"a paragraph in {'locked ' if exp.locked else ''}clause {exp.title!r}"
            out.append(_addition(block, exp.id, what))
    return out


def claims(exp: Expected, segment: Segment) -> dict[int, str | None]:
    """Which of the clause's paragraphs each paragraph of the segment is: one that matches it, else the
    unclaimed one it mostly contains (an edit); None when it is neither (an addition). Each is claimed once."""
    paras = list(dict.fromkeys(p for variant in exp.variants for p in variant))
    title = normalise(segment.title)
    body = [b for b in segment.blocks if b.text.strip() and normalise(b.text) != title]
    out: dict[int, str | None] = {}
    free = list(paras)
    for block in body:
        text = normalise(block.text)
        match = next((p for p in free if _para_regex(p).match(text)), None)
        if match is not None and match != LOOP:  # a paragraph that is a loop stands for each of its items
            free.remove(match)
        out[id(block)] = match
    for block in [b for b in body if out[id(b)] is None]:
        best = max(free, key=lambda p: _coverage(p, block.text), default=None)
        if best is not None and _coverage(best, block.text) >= _SIMILAR:
            free.remove(best)
            out[id(block)] = best
    return out


def first_difference(exp: Expected, segment: Segment) -> str | None:
    """Where a clause first differs from its wording: its heading, or its first paragraph that is none of its
    paragraphs (None when nothing in the segment says where)."""
    if not segment.blocks:
        return None
    if normalise(segment.title).casefold() != normalise(exp.title).casefold():
        return segment.blocks[0].location
    paras = {p for variant in exp.variants for p in variant}
    title = normalise(segment.title)
    for block in segment.blocks:
        text = normalise(block.text)
        if text and text != title and not any(_para_regex(p).match(text) for p in paras):
            return block.location
    return segment.blocks[0].location


@lru_cache(maxsize=8192)
def _para_regex(para: str) -> re.Pattern[str]:
    return re.compile(paragraph_pattern(para, []) + r"\Z")


def _coverage(para: str, text: str) -> float:
    """The share of an expected paragraph's words that a paragraph contains, in order."""
    theirs = [t for t in shown(para).split() if t != "…"]
    if not theirs:
        return 0.0
    blocks = difflib.SequenceMatcher(None, theirs, normalise(text).split(), autojunk=False).get_matching_blocks()
    return sum(b.size for b in blocks) / len(theirs)


# ----------------------------------------------------------------------------- redefined terms


def redefinitions(ctx: Context, owner: dict[int, str | None]) -> list[Finding]:
    """A sentence anywhere that defines one of the agreement's defined terms, other than its own definition."""
    regex = _definition_regex(tuple(sorted(_terms(ctx.library), key=len, reverse=True)))
    if regex is None:
        return []
    principle = (
        ", ".join(ctx.library.clauses["definitions"].principles) if "definitions" in ctx.library.clauses else "P3"
    )
    segments = {id(b): (exp, segment) for exp, segment in ctx.pairs for b in segment.blocks}
    values = _library_words(ctx)
    claimed: dict[str, dict[int, str | None]] = {}
    out = []
    for block in [*ctx.content.blocks, *ctx.content.notes]:
        fills = values.get(id(block))
        for raw in (block.label, block.text):
            if fills is not None and not (fills and any(f in normalise(raw) for f in fills)):
                continue  # the library's own words, deal values aside, define only their own terms
            if not _DEFINING.search(raw):
                continue
            text = normalise(raw)
            hits = [(h, _term(h)) for h in regex.finditer(text)]
            own = _own_definitions(block, segments.get(id(block)), regex, claimed) if hits else set()
            for hit, term in hits:
                if term in own:
                    continue
                excerpt = text[max(0, hit.start() - 40) : hit.end() + 80]
                detail = f"a sentence that defines {term!r} anew: {excerpt!r}"
                out.append(
                    Finding("redefinition", _clause_of(block, owner), principle, detail, location=block.location)
                )
    return out


def _library_words(ctx: Context) -> dict[int, tuple[str, ...]]:
    """For each paragraph of a clause that matched its wording: the deal values in it (the rest is library text)."""
    out: dict[int, tuple[str, ...]] = {}
    for (_exp, segment), outcome in zip(ctx.pairs, ctx.outcomes, strict=True):
        if outcome.ok:
            out.update((id(b), outcome.fills) for b in segment.blocks)
    return out


def _term(hit: re.Match[str]) -> str:
    return hit.group("quoted") or hit.group("term") or hit.group("other")


def _own_definitions(
    block: Block,
    placed: tuple[Expected, Segment] | None,
    regex: re.Pattern[str],
    claimed: dict[str, dict[int, str | None]],
) -> set[str]:
    """The terms that the clause paragraph this block is (as written or edited) defines itself."""
    if placed is None:
        return set()
    if placed[0].id not in claimed:
        claimed[placed[0].id] = claims(*placed)
    para = claimed[placed[0].id].get(id(block))
    return {_term(h) for h in regex.finditer(para.replace(WILD, " "))} if para else set()


@lru_cache(maxsize=8)
def _definition_regex(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    """A defined term in quotes followed by a defining verb, or bare with 'means' and its kin."""
    if not terms:
        return None
    names = "|".join(re.escape(t) for t in terms)
    aside = r"(?:\s*,[^,.;]{0,80},)?"
    return re.compile(
        rf"\"(?P<quoted>{names})\"{aside}\s+{_VERBS}\b"
        rf"|(?<![\w\"])(?P<term>{names}){aside}\s+{_STRONG}\b"
        rf"|(?i:references?\s+to|the\s+(?:term|expression))\s+\"?(?P<other>{names})\"?\s+(?i:are|is|means|shall)\b"
    )


def _terms(library: Library) -> set[str]:
    """Every term the library's clauses define (**Term**), in normal form."""
    found = {
        normalise(t)
        for clause in library.clauses.values()
        for position in clause.positions.values()
        for t in defined_terms(position.text)
    }
    return {t for t in found if t and "{" not in t}
