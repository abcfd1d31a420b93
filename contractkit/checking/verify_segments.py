"""Finding the clauses in a received document. In a DOCX: by content-control tag, else by heading
style, else by place; in PDF text: by numbered heading.

LibreOffice and Word may drop the content controls that tag each clause; a clause then starts at
a paragraph in a heading style and runs while its paragraphs keep a clause style. Each found
segment is paired with the clause the document should contain: by tag, then by heading, then,
for a clause whose heading was reworded, by its place between the clauses around it. A PDF's
text (pdf.read) runs from each numbered clause heading to the next.
"""

from __future__ import annotations

import re
from functools import lru_cache

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


# ----------------------------------------------------------------------------- clauses in PDF text


@lru_cache(maxsize=4096)
def _heading(title: str) -> re.Pattern[str]:
    """A numbered clause heading in PDF text ("4. NON-EXCLUSIVITY ..."), not a contents line."""
    words = " ".join(re.escape(w) for w in normalise(title).split())
    return re.compile(rf"(?:^| )\d+\. (?P<title>{words})(?= |$)(?! \d+(?: |$))", re.IGNORECASE)


def _anchors(text: str, expected: list[Expected]) -> list[tuple[int, int, Expected, str]]:
    found: list[tuple[int, int, Expected, str]] = []
    pos = 0
    for exp in expected:
        hit = _heading(exp.title).search(text, pos)
        if hit:
            found.append((hit.start(), hit.end(), exp, hit.group("title")))
            pos = hit.end()
    for exp in expected:  # out of order: anywhere not already claimed
        if any(a[2] is exp for a in found):
            continue
        for hit in _heading(exp.title).finditer(text):
            if not any(a[0] <= hit.start() < a[1] or hit.start() <= a[0] < hit.end() for a in found):
                found.append((hit.start(), hit.end(), exp, hit.group("title")))
                break
    return sorted(found, key=lambda a: a[0])


def pdf_segments(text: str, expected: list[Expected]) -> list[tuple[Expected, Segment]]:
    """Clauses in PDF text: from each numbered heading to the next."""
    anchors = _anchors(text, expected)
    pairs = []
    for i, (_start, end, exp, title) in enumerate(anchors):
        stop = anchors[i + 1][0] if i + 1 < len(anchors) else len(text)
        last = i + 1 == len(anchors) or anchors[i + 1][2].block != exp.block
        pairs.append((exp, Segment(title, text[end:stop].strip(), pdf=True, last_in_block=last)))
    return pairs


def pdf_preamble(text: str, expected: list[Expected]) -> str:
    """PDF text before the first clause heading: cover, parties, recitals and contents."""
    anchors = _anchors(text, expected)
    return text[: anchors[0][0]] if anchors else text
