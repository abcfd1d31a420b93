"""Finding the clauses in a received DOCX: by content-control tag, else by heading style, else by place.

LibreOffice and Word may drop the content controls that tag each clause; a clause then starts at
a paragraph in a heading style and runs while its paragraphs keep a clause style. Each found
segment is paired with the clause the document should contain: by tag, then by heading, then,
for a clause whose heading was reworded, by its place between the clauses around it.
"""

from __future__ import annotations

import re

from contractkit.checking.verify_text import Expected, Segment, fold
from contractkit.core.text import normalise
from contractkit.word.reader.document import Block

HEADING_STYLES = frozenset({"Clause 1", "Schedule 1"})
_BODY_STYLE = re.compile(r"^(Clause|Schedule)( Text)? [2-9]$|^(Clause|Schedule) Text$")


def _by_position(expected: list[Expected], segments: list[Segment], known: set[str], taken: dict[str, int]) -> None:
    """A required clause not found by tag or heading takes the one unknown segment where it belongs."""
    for k, exp in enumerate(expected):
        if exp.id in taken or not exp.required or len(taken) == len(segments):
            continue
        low = max((taken[e.id] for e in expected[:k] if e.id in taken), default=-1)
        high = min((taken[e.id] for e in expected[k + 1 :] if e.id in taken), default=len(segments))
        free = [
            i
            for i in range(low + 1, high)
            if i not in taken.values() and not segments[i].clause and fold(segments[i].title) not in known
        ]
        if len(free) == 1:
            taken[exp.id] = free[0]


def docx_segments(blocks: list[Block]) -> tuple[list[Segment], list[Block]]:
    """Clauses by content-control tag, else by heading style; and the paragraphs outside any clause."""
    segments: list[Segment] = []
    bodies: list[list[str]] = []
    loose: list[Block] = []
    current: Segment | None = None
    for block in blocks:
        if block.frame:  # a text box: read and accounted for apart from the flow of clauses
            loose.append(block)
            continue
        new_tag = block.clause and (current is None or current.clause != block.clause)
        if new_tag or (not block.clause and block.style in HEADING_STYLES):
            heading = block.style in HEADING_STYLES
            current = Segment(block.text if heading else "", "", block.clause, [block])
            segments.append(current)
            bodies.append([] if heading else [block.text])
        elif current is not None and (
            (block.clause and block.clause == current.clause) or _BODY_STYLE.match(block.style)
        ):
            current.blocks.append(block)
            bodies[-1].append(block.text)
        else:
            current = None
            loose.append(block)
    for segment, texts in zip(segments, bodies, strict=True):
        segment.body = normalise_lines([t for t in texts if t.strip()])
    return segments, loose


def normalise_lines(texts: list[str]) -> str:
    """Each text in normalised form, one per line."""
    return "\n".join(normalise(t) for t in texts)


def assign(
    expected: list[Expected], segments: list[Segment], known: set[str]
) -> tuple[list[tuple[Expected, Segment]], list[Segment]]:
    """Pair expected clauses with segments: by tag, then by heading, then by position (heading changed)."""
    taken: dict[str, int] = {}
    ids = {e.id for e in expected}
    for i, segment in enumerate(segments):
        if segment.clause in ids and segment.clause not in taken:
            taken[segment.clause] = i
    by_title: dict[str, list[Expected]] = {}
    for exp in expected:
        by_title.setdefault(fold(exp.title), []).append(exp)
    for i, segment in enumerate(segments):
        if i in taken.values() or (segment.clause and segment.clause not in ids):
            continue
        match = next((e for e in by_title.get(fold(segment.title), []) if e.id not in taken), None)
        if match is not None:
            taken[match.id] = i
    _by_position(expected, segments, known, taken)
    by_id = {e.id: e for e in expected}
    pairs = [(by_id[c], segments[i]) for c, i in sorted(taken.items(), key=lambda item: item[1])]
    claimed = set(taken.values())
    extra = [s for i, s in enumerate(segments) if i not in claimed]
    return pairs, extra
