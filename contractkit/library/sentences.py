"""Legal text to the units a reader analyses: sentences, and each list item read with its lead-in.

A list such as "No NHS Party shall grant: (a) an option; (b) a right of first refusal." means
"No NHS Party shall grant an option" and "No NHS Party shall grant a right of first refusal", so
each item is analysed together with the words that introduce it, whether the list is one
paragraph per item (clause source, DOCX) or runs on in one paragraph (PDF text, a deal value).
An item that is a sentence of its own ("Ardentis shall be the only company ...") is not governed
by the lead-in, so a negative lead-in cannot hide it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from contractkit.core.text import normalise

# Words that end with a full stop without ending a sentence.
_ABBREVIATIONS = frozenset(
    [
        "e.g",
        "i.e",
        "etc",
        "no",
        "nos",
        "ltd",
        "co",
        "inc",
        "plc",
        "dr",
        "mr",
        "mrs",
        "ms",
        "st",
        "art",
        "arts",
        "para",
        "paras",
        "cl",
        "sch",
        "reg",
        "regs",
        "vs",
        "approx",
        "fig",
    ]
)
_BOUNDARY = re.compile(r"(?<=[.!?])[\"')\]]?\s+(?=[\"'(\[]?[A-Z0-9])")
_LABEL = re.compile(r"^\s*(?:\(?[a-z]{1,3}\)|\(?[ivx]{1,5}\)|\(?\d{1,2}\)|\d+(?:\.\d+)+\.?|\d+\.)\s+", re.IGNORECASE)
_INLINE_LABEL = re.compile(r"\s\((?:[a-z]|[ivx]{1,4}|\d{1,2})\)\s")
_CONTINUES = re.compile(r"(?:;|;\s*(?:and|or)|,\s*(?:and|or)|:)$")
_JOINER = re.compile(r"^(?:and|or|and/or)\s+", re.IGNORECASE)
# An item that opens with its own subject and verb is a sentence, not the end of the lead-in (unless
# its subject is a pronoun, which stands for a party named in the lead-in).
_OWN_CLAUSE = re.compile(
    r"^(?!(?:it|they|he|she|we)\b)(?:(?!(?:which|that|who|whom|whose|whereby|where|when|during|under|in)\b)[^\s,;:]+\s+){1,6}?"
    r"(?:shall|will|must|may|can|cannot|is|are|has|have|agrees|undertakes)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Unit:
    """One thing to analyse: its text and, for each piece it was joined from, where that piece starts
    in `text` and which line of the input it came from."""

    text: str
    pieces: tuple[tuple[int, int], ...]  # (offset in text, line of the input)

    def line_at(self, offset: int) -> int:
        """The input line (0-based) holding the character at `offset` of the unit's text."""
        line = self.pieces[0][1]
        for start, piece_line in self.pieces:
            if start > offset:
                break
            line = piece_line
        return line


def units(text: str) -> list[Unit]:
    """Every sentence of `text` (paragraphs split on newlines), list items joined to their lead-in."""
    sentences: list[tuple[int, str]] = []
    for line, raw in enumerate(text.split("\n")):
        paragraph = normalise(raw)
        if paragraph:
            sentences += [(line, s) for s in split_sentences(paragraph)]
    out: list[Unit] = []
    lead: tuple[int, str] | None = None
    for line, sentence in sentences:
        body = _item(sentence)
        if lead is not None and not _OWN_CLAUSE.match(body):
            out.append(_joined([lead, (line, body)]))
        else:
            out += _inline(line, sentence)
        if sentence.endswith(":"):
            lead = (line, sentence) if lead is None or _OWN_CLAUSE.match(body) else (lead[0], f"{lead[1]} {body}")
        elif lead is not None and not _CONTINUES.search(sentence):
            lead = None
    return out


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of one normalised paragraph; an abbreviation or an initial does not end one."""
    out, start = [], 0
    for match in _BOUNDARY.finditer(paragraph):
        before = paragraph[start : match.start()].rstrip("\"')]").rstrip(".!?")
        last = before.rsplit(" ", 1)[-1].lower()
        if last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha()):
            continue
        out.append(paragraph[start : match.start()].strip())
        start = match.end()
    out.append(paragraph[start:].strip())
    return [s for s in out if s]


def _inline(line: int, sentence: str) -> list[Unit]:
    """A sentence whose list runs on after a colon, or whose parts are joined by semicolons."""
    head, colon, rest = sentence.partition(": ")
    if colon and (";" in rest or _INLINE_LABEL.search(" " + rest)):
        items = [_item(i) for i in re.split(r";|(?<=\s)(?=\((?:[a-z]|[ivx]{1,4}|\d{1,2})\)\s)", rest)]
        lead = f"{head}:"
        return [
            _joined([(line, item)] if _OWN_CLAUSE.match(item) else [(line, lead), (line, item)])
            for item in items
            if item
        ]
    parts = [_item(p) for p in sentence.split(";")]
    return [_joined([(line, p)]) for p in parts if p]


def _item(text: str) -> str:
    """A list item without its label and its leading "and" / "or"."""
    text = _JOINER.sub("", _LABEL.sub("", text.strip())).strip()
    return "" if text.lower() in ("and", "or", "and/or") else text


def _joined(parts: list[tuple[int, str]]) -> Unit:
    pieces, texts, offset = [], [], 0
    for line, text in parts:
        pieces.append((offset, line))
        texts.append(text)
        offset += len(text) + 1
    return Unit(" ".join(texts), tuple(pieces))
