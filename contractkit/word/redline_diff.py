"""What changed between two Word bodies: the units the diff lines up (paragraphs outside tables, and
table rows), their text as Word shows it, and word-level spans inside a changed paragraph.

Word-level means whole words, numbers and dates: a change from 120,000 to 150,000 or from
1/4/2027 to 1/5/2027 is shown as the whole old value replaced by the whole new one, never as a
few changed digits.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from contractkit.word.xml import w

Element = etree._Element
TOKEN = re.compile(
    r"""
    \d+(?:[.,:/-]\d+)*(?:[^\W\d_]+)?   # a number, amount, date or time, kept whole: 120,000  3.5  1/4/2027  1st
    | \w+(?:['\u2019-]\w+)*            # a word, with inner apostrophes and hyphens: Partner's  sub-licence
    | \s+                               # a run of white space
    | [^\w\s]                          # any other character on its own: punctuation, £, %
    """,
    re.VERBOSE,
)
TEXT_TAGS = {w("t"): None, w("tab"): "\t", w("br"): "\n", w("cr"): "\n"}
SEARCH = 8  # how far ahead a changed unit looks for its counterpart
REFINE = 250_000  # largest changed stretch (old units x new units) compared again with nothing ignored


@dataclass(frozen=True)
class Unit:
    """A paragraph outside tables, or a table row: what the body diff lines up."""

    kind: str  # "p" or "tr"
    el: Element
    key: str


def paragraph_text(p: Element) -> str:
    """A paragraph's text as Word shows it (tabs and breaks as characters; field codes excluded)."""
    return "".join(text for _, text in atoms(p))


def units(body: Element) -> list[Unit]:
    out = []
    for el in body.iter(w("p"), w("tr")):
        depth = sum(1 for _ in el.iterancestors(w("tbl")))
        if el.tag == w("p") and depth == 0:
            out.append(Unit("p", el, paragraph_text(el)))
        elif el.tag == w("tr") and depth == 1:
            out.append(Unit("tr", el, "\x1f".join(_cell_text(tc) for tc in el.iterchildren(w("tc")))))
    return out


def _cell_text(tc: Element) -> str:
    return "\n".join(paragraph_text(p) for p in tc.iter(w("p")))


def atoms(p: Element) -> Iterator[tuple[Element, str]]:
    """(run content element, its text) for every text-bearing item of a paragraph, in order."""
    for run in p.iter(w("r")):
        for child in run:
            if child.tag in TEXT_TAGS:
                yield child, TEXT_TAGS[child.tag] or child.text or ""


def opcodes(a: list[str], b: list[str]) -> list[tuple[str, int, int, int, int]]:
    """difflib opcodes, fast on long documents full of repeated paragraphs.

    The first pass lets difflib ignore very common items (empty paragraphs, boilerplate), which
    keeps it near linear; each changed stretch is then compared again with nothing ignored, so a
    repeated paragraph inside a change is still matched rather than shown as deleted and inserted.
    """
    out: list[tuple[str, int, int, int, int]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b).get_opcodes():
        if op != "replace" or (i2 - i1) * (j2 - j1) > REFINE:
            out.append((op, i1, i2, j1, j2))
            continue
        inner = difflib.SequenceMatcher(None, a[i1:i2], b[j1:j2], autojunk=False).get_opcodes()
        out += [(o, i1 + k1, i1 + k2, j1 + l1, j1 + l2) for o, k1, k2, l1, l2 in inner]
    return out


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text)


def similar(a: Unit, b: Unit) -> bool:
    if a.kind != b.kind:
        return False
    if a.key == b.key:
        return True
    matcher = difflib.SequenceMatcher(None, tokens(a.key), tokens(b.key), autojunk=False)
    return matcher.quick_ratio() >= 0.5 and matcher.ratio() >= 0.5


def pair(olds: list[Unit], news: list[Unit]) -> list[tuple[Unit | None, Unit | None]]:
    """Line up a changed stretch: similar units become word-level pairs, the rest whole inserts/deletes."""
    out: list[tuple[Unit | None, Unit | None]] = []
    j = 0
    for o in olds:
        k = next((k for k in range(j, min(j + SEARCH, len(news))) if similar(o, news[k])), None)
        if k is None:
            out.append((o, None))
            continue
        out += [(None, n) for n in news[j:k]]
        out.append((o, news[k]))
        j = k + 1
    return out + [(None, n) for n in news[j:]]


def char_spans(old: str, new: str) -> list[tuple[str, int, int, int, int]]:
    """Word-level opcodes as character offsets; a lone space between two changes joins them."""
    a, b = tokens(old), tokens(new)
    at, bt = offsets(a), offsets(b)
    raw = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    merged: list[tuple[str, int, int, int, int]] = []
    for index, (op, i1, i2, j1, j2) in enumerate(raw):
        glue = op == "equal" and 0 < index < len(raw) - 1 and all(t.isspace() for t in a[i1:i2])
        if merged and merged[-1][0] != "equal" and (op != "equal" or glue):
            last = merged.pop()
            merged.append(("replace", last[1], i2, last[3], j2))
        else:
            merged.append((op, i1, i2, j1, j2))
    return [(op, at[i1], at[i2], bt[j1], bt[j2]) for op, i1, i2, j1, j2 in merged if op != "equal"]


def offsets(tokens: list[str]) -> list[int]:
    return [0, *itertools.accumulate(len(t) for t in tokens)]
