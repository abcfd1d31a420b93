"""Matching clause text for verification: expected wordings, the comparison and word diffs.

A clause's source becomes a regular expression: literal words escaped, each {{ ... }} (or
{% if %} block) a bounded wildcard, and in PDF text the printed numbering (4.1, (a)) skippable.
With a deal the wording is exact. Both sides are normalised first, so whitespace, quote and dash
styles never count as differences; one changed word does.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from contractkit.core.findings import Finding, Severity
from contractkit.core.pattern import CLOSE, LOOP, LOOP_FILL, OPEN, paragraph_pattern, shown, template_paragraphs
from contractkit.core.text import TextError, normalise
from contractkit.drafting.assemble import Agreement
from contractkit.library.loading import Library
from contractkit.library.model import Clause, Playbook
from contractkit.word.reader.document import Block

LABEL = r"(?:\d+\.|\d+(?:\.\d+)+|\([A-Za-z]{1,4}\))"  # numbering printed in PDF text: 4. 4.1 4.2.1 (a)
_LABEL_TOKEN = re.compile(f"^{LABEL}$")
# A paragraph that is nothing but a loop is drafted as one paragraph per item (assemble.PARAGRAPH_LOOP).
LOOP_PARAGRAPHS = r"([^\n]{1,5000}?(?:\n[^\n]{1,5000}?){0,500})"
_MAX_CHANGES = 6  # changes shown per altered clause


@dataclass(frozen=True)
class Expected:
    """A clause the document should contain, with its acceptable wordings (paragraph lists)."""

    id: str
    title: str
    locked: bool
    principles: str
    block: str  # "operative" or the schedule id
    required: bool
    variants: tuple[tuple[str, ...], ...]  # normalised paragraphs; WILD marks a deal value
    exact: bool = False  # built from a deal: every clause must match word for word
    sha256: str | None = None  # from the manifest or the assembled agreement

    @property
    def strict(self) -> bool:
        """Whether a difference makes the document non-compliant (otherwise it is a warning)."""
        return self.locked or self.exact

    @property
    def severity(self) -> Severity:
        return "error" if self.strict else "warning"


@dataclass
class Segment:
    """A clause as found in the document: heading, body text and (DOCX) its paragraphs."""

    title: str
    body: str
    clause: str | None = None  # from the content-control tag, when Word kept it
    blocks: list[Block] = field(default_factory=list)
    pdf: bool = False
    last_in_block: bool = True  # PDF: text after the clause may be template text (tables, titles)


@dataclass(frozen=True)
class Outcome:
    ok: bool
    fills: tuple[str, ...] = ()
    text: str = ""  # the clause's normalised text as found, for the manifest hash
    diff: str = ""
    changed: tuple[str, ...] = ()  # document text that differs, with context, for the scan
    trailing: str = ""  # PDF: text after the clause's end, before the next heading


# ----------------------------------------------------------------------------- what to expect


def from_agreement(agreement: Agreement) -> list[Expected]:
    """Every clause of the agreement a deal produces, exactly."""
    return [
        Expected(
            p.id,
            p.clause.title,
            p.locked,
            ", ".join(p.clause.principles),
            p.schedule or "operative",
            True,
            (tuple(t for t in (normalise(para.text) for para in p.paragraphs) if t),),
            exact=True,
            sha256=p.sha256(),
        )
        for p in agreement.all_clauses()
    ]


def from_library(library: Library, playbook: Playbook, manifest: dict[str, Any] | None) -> list[Expected]:
    """The playbook's clauses; locked ones must be there, each clause's wording from its source."""
    listed = {c["id"]: c for c in (manifest or {}).get("clauses", [])}
    out = []
    for block, entry in _entries(playbook):
        clause = library.clauses.get(entry.clause)
        if clause is None:
            continue
        record = listed.get(clause.id, {})
        position = record.get("position")
        names = [position] if position in clause.positions else list(clause.positions)
        out.append(
            Expected(
                clause.id,
                clause.title,
                clause.status == "locked",
                ", ".join(clause.principles),
                block,
                (clause.status == "locked" and entry.when is None) or bool(record),
                tuple(_variant(clause, name) for name in names),
                sha256=record.get("sha256") if isinstance(record.get("sha256"), str) else None,
            )
        )
    return out


def _entries(playbook: Playbook) -> Iterator[tuple[str, Any]]:
    for section in playbook.sections:
        for entry in section.clauses:
            yield "operative", entry
    for schedule in playbook.schedules:
        for entry in schedule.clauses:
            yield schedule.id, entry


def _variant(clause: Clause, position: str) -> tuple[str, ...]:
    try:
        return template_paragraphs(clause.positions[position].text)
    except TextError:  # lint reports it; the clause then matches nothing
        return ("\ue001",)


# ----------------------------------------------------------------------------- comparing one clause


@lru_cache(maxsize=4096)
def _pattern(paras: tuple[str, ...], pdf: bool, prefix: bool) -> tuple[re.Pattern[str], tuple[str, ...]]:
    """A regex for a wording, and what each of its groups captures: a deal 'value' or a PDF 'label'.

    `prefix`: the wording may be followed by other text (PDF, at the end of a block), else it must
    run to the end of the clause, so that a value at the end is not cut short.
    """
    kinds: list[str] = []
    label = f"({LABEL} )?"
    out = ""
    for n, para in enumerate(paras):
        optional = para.startswith(OPEN) and para.endswith(CLOSE) and _closes_at_end(para)
        joiner = "" if n == 0 else (" " + label if pdf else "\n")
        if pdf and joiner:
            kinds.append("label")
        if para == LOOP:  # one paragraph per item: in PDF text, each after its printed number
            kinds.append("value" if not pdf else "items")
            inner = LOOP_PARAGRAPHS if not pdf else LOOP_FILL
        else:
            inner = paragraph_pattern(para, kinds)
        out += f"(?:{joiner}{inner})?" if optional else joiner + inner
    end = "(?= |$)" if prefix else r"\Z"
    if pdf:
        return re.compile(label + out + end), ("label", *kinds)
    return re.compile(out + end), tuple(kinds)


def _closes_at_end(para: str) -> bool:
    depth = 0
    for i, char in enumerate(para):
        depth += (char == OPEN) - (char == CLOSE)
        if depth == 0 and i < len(para) - 1:
            return False
    return True


@lru_cache(maxsize=16384)
def fold(text: str) -> str:
    return normalise(text).casefold()


def compare(expected: Expected, segment: Segment) -> Outcome:
    """Does the clause in the document match one of its wordings? If not, a word-level diff."""
    if fold(segment.title) == fold(expected.title):
        for paras in expected.variants:
            regex, kinds = _pattern(paras, segment.pdf, segment.pdf and segment.last_in_block)
            found = regex.match(segment.body)
            if found:
                return _matched(expected, found, kinds, segment.body[found.end() :].strip())
    return _difference(expected, segment)


def _matched(expected: Expected, found: re.Match[str], kinds: tuple[str, ...], trailing: str) -> Outcome:
    """The clause's text as found, without printed numbering, for the manifest hash; and its values."""
    cuts: list[tuple[int, int]] = []
    label = None
    for n, kind in enumerate(kinds, 1):
        if kind == "label":
            label = found.group(n)
            if label:
                cuts.append(found.span(n))
        elif kind == "items" and label and found.group(n):
            cuts += _item_labels(found.string, found.span(n), label.strip())
    cuts.sort()
    values = tuple(v for n, kind in enumerate(kinds, 1) if kind in ("value", "items") and (v := _cut(found, n, cuts)))
    text = _without(found.string, found.span(), cuts)
    return Outcome(True, values, joined([expected.title, text]), trailing=trailing)


def _without(text: str, span: tuple[int, int], cuts: list[tuple[int, int]]) -> str:
    """text[span] without the (sorted) cuts that fall inside it."""
    out, pos = [], span[0]
    for start, end in cuts:
        if span[0] <= start and end <= span[1]:
            out.append(text[pos:start])
            pos = end
    out.append(text[pos : span[1]])
    return "".join(out)


def _cut(found: re.Match[str], group: int, cuts: list[tuple[int, int]]) -> str:
    return _without(found.string, found.span(group), cuts) if found.group(group) else ""


def _item_labels(text: str, span: tuple[int, int], first: str) -> list[tuple[int, int]]:
    """PDF: where the printed numbers of a loop's later items stand in text[span] (each paragraph
    after the first carries the next number: 28.2 then 28.3, (a) then (b)), with the space after each."""
    out: list[tuple[int, int]] = []
    pos, label = span[0], first
    while True:
        places = [(at, nxt) for nxt in _next_labels(label) if (at := text.find(f" {nxt} ", pos, span[1] + 1)) >= 0]
        if not places:
            return out
        at, label = min(places)
        out.append((at + 1, at + len(label) + 2))
        pos = at + len(label) + 1


_ROMAN = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii", "xiii", "xiv", "xv", "xvi")


def _next_labels(label: str) -> tuple[str, ...]:
    """What the next paragraph of the same level may print: 4. -> 5., 4.2 -> 4.3, (a) -> (b),
    (iv) -> (v); (i), (v) and (x) may be letters or numerals, so both."""
    if found := re.fullmatch(r"(\d+)\.", label):
        return (f"{int(found[1]) + 1}.",)
    if found := re.fullmatch(r"((?:\d+\.)+)(\d+)", label):
        return (f"{found[1]}{int(found[2]) + 1}",)
    inner, out = label[1:-1], []
    for numerals in (_ROMAN, tuple(r.upper() for r in _ROMAN)):
        if inner in numerals[:-1]:
            out.append(f"({numerals[numerals.index(inner) + 1]})")
    if len(inner) == 1 and inner.isalpha() and inner not in "zZ":
        out.append(f"({chr(ord(inner) + 1)})")
    return tuple(out)


def joined(texts: list[str]) -> str:
    """normalise(" ".join(texts)) for texts that are already normalised (normalise() is slow on long text)."""
    return re.sub(r"\s+([,.;:)])", r"\1", re.sub(r"\s+", " ", " ".join(texts))).strip()


def _difference(expected: Expected, segment: Segment) -> Outcome:
    mine = _tokens(segment.title, segment.body)
    best = max(
        (_tokens(expected.title, " ".join(shown(x) for x in p)) for p in expected.variants),
        key=lambda theirs: difflib.SequenceMatcher(None, theirs, mine, autojunk=False).ratio(),
    )
    trailing: list[str] = []
    if segment.pdf and segment.last_in_block:
        mine, trailing = _trim(best, mine)
    if fold(segment.title) == fold(expected.title):  # headings are often printed in capitals
        mine[: len(_tokens(segment.title, ""))] = best[: len(_tokens(expected.title, ""))]
    ops = _opcodes(best, mine, segment.pdf)
    return Outcome(False, diff=_show(best, mine, ops), changed=tuple(_changed(mine, ops)), trailing=" ".join(trailing))


def _tokens(title: str, body: str) -> list[str]:
    return normalise(f"{title} {body}").split()


def _trim(theirs: list[str], mine: list[str]) -> tuple[list[str], list[str]]:
    """PDF: split off what follows the clause's last word at the end of a block (tables, titles)."""
    blocks = difflib.SequenceMatcher(None, theirs, mine, autojunk=False).get_matching_blocks()[:-1]
    if not blocks:
        return mine, []
    last = blocks[-1]
    end = last.b + last.size + (len(theirs) - last.a - last.size)
    return mine[:end], mine[end:]


Op = tuple[str, int, int, int, int]


def _opcodes(theirs: list[str], mine: list[str], pdf: bool) -> list[Op]:
    """Differences, leaving out deal values filling a wildcard and (PDF) printed numbering."""
    ops = difflib.SequenceMatcher(None, theirs, mine, autojunk=False).get_opcodes()
    return [op for op in ops if op[0] != "equal" and not _value(op, theirs, mine) and not _label(op, mine, pdf)]


def _value(op: Op, theirs: list[str], mine: list[str]) -> bool:
    values = mine[op[3] : op[4]]
    sentence = any(a.endswith(".") and b[:1].isupper() for a, b in itertools.pairwise(values))
    return op[2] > op[1] and all("…" in t for t in theirs[op[1] : op[2]]) and len(values) <= 20 and not sentence


def _label(op: Op, mine: list[str], pdf: bool) -> bool:
    return pdf and op[0] == "insert" and all(_LABEL_TOKEN.match(t) for t in mine[op[3] : op[4]])


def _show(theirs: list[str], mine: list[str], ops: list[Op]) -> str:
    """A compact word diff: [-removed-] {+added+} with a few words of context, '…' is a deal value."""
    parts = []
    for _tag, i1, i2, j1, j2 in ops[:_MAX_CHANGES]:
        before = " ".join(mine[max(0, j1 - 5) : j1])
        after = " ".join(mine[j2 : j2 + 5])
        removed = f"[-{' '.join(theirs[i1:i2])}-]" if i2 > i1 else ""
        added = f"{{+{' '.join(mine[j1:j2])}+}}" if j2 > j1 else ""
        parts.append(" ".join(x for x in (before, removed, added, after) if x))
    more = len(ops) - _MAX_CHANGES
    return " | ".join(parts) + (f" | (and {more} more change(s))" if more > 0 else "")


def _changed(mine: list[str], ops: list[Op]) -> Iterator[str]:
    for _tag, _i1, _i2, j1, j2 in ops:
        if j2 > j1:
            yield " ".join(mine[max(0, j1 - 8) : j2 + 8])


def unique(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str | None, str]] = set()
    out = []
    for finding in findings:
        key = (finding.kind, finding.clause, finding.detail.split(" in \u201c")[0])
        if key not in seen:
            seen.add(key)
            out.append(finding)
    return out
