"""Clause text: paragraph levels, inline markup, sandboxed Jinja, and normalisation for comparison.

Clause wording is Jinja source written by the centre; deal values are data. Rendering uses an
ImmutableSandboxedEnvironment with autoescape and StrictUndefined, and **bold** markup is turned
into tags *before* Jinja runs, so nothing in a deal value can become markup or template code.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_LEVEL = 3
UNNUMBERED = "| "
_JINJA = re.compile(r"({{.*?}}|{%.*?%})", re.S)
_TAGS = re.compile(r"(<b>|</b>)")
DEFINED_TERM = re.compile(r"\*\*([^*]+)\*\*")


@dataclass(frozen=True)
class Line:
    """One paragraph of clause source: its level (1 = 1.1, 2 = 1.1.1, 3 = (a)) and text."""

    level: int
    source: str
    offset: int  # line within the text block, for error messages
    numbered: bool = True


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False


class TextError(ValueError):
    """A problem in clause source; `offset` is the line within the text block."""

    def __init__(self, message: str, offset: int = 0) -> None:
        super().__init__(message)
        self.offset = offset


def split_lines(text: str) -> list[Line]:
    """Split a text block into paragraphs; two spaces of indent per sub-level."""
    lines: list[Line] = []
    for offset, raw in enumerate(text.splitlines()):
        if not raw.strip():
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        if indent % 2:
            raise TextError("indent sub-levels by two spaces", offset)
        level = indent // 2 + 1
        previous = lines[-1].level if lines else 1
        if level > MAX_LEVEL or level > previous + 1:
            raise TextError(f"sub-level jumps from {previous} to {level}", offset)
        body = raw.strip()
        numbered = not body.startswith(UNNUMBERED.strip())
        if not numbered:
            body = body[1:].strip()
        lines.append(Line(level, body, offset, numbered))
    if not lines:
        raise TextError("clause text is empty")
    return lines


def defined_terms(source: str) -> list[str]:
    """Terms defined in a paragraph with **Term**."""
    return [t.strip() for t in DEFINED_TERM.findall(source)]


def _to_tags(source: str) -> str:
    """Escape literal text and turn ** pairs into <b>..</b>, leaving Jinja tags alone.

    A ** pair may enclose a Jinja expression, so `**{{ deal.agreement.title }}**` is bold.
    """
    out, bold = [], False
    for i, part in enumerate(_JINJA.split(source)):
        if i % 2:
            out.append(part)
            continue
        pieces = html.escape(part, quote=False).split("**")
        for j, piece in enumerate(pieces):
            if j:
                out.append("</b>" if bold else "<b>")
                bold = not bold
            out.append(piece)
    if bold:
        raise TextError("unbalanced ** (bold) markup")
    return "".join(out)


def render_runs(env: ImmutableSandboxedEnvironment, source: str, context: Mapping[str, Any]) -> list[Run]:
    """Render one paragraph of clause source to runs of plain text."""
    tagged = _to_tags(source)
    if "{" in tagged:
        try:
            tagged = str(env.from_string(tagged).render(context))
        except TemplateError as exc:
            raise TextError(f"template error: {exc.message or exc}") from None
    runs: list[Run] = []
    bold = False
    for piece in _TAGS.split(tagged):
        if piece in ("<b>", "</b>"):
            bold = piece == "<b>"
        elif piece:
            runs.append(Run(collapse(html.unescape(piece)), bold))
    return _merge(runs)


def _merge(runs: list[Run]) -> list[Run]:
    merged: list[Run] = []
    for run in runs:
        if merged and merged[-1].bold == run.bold:
            merged[-1] = Run(merged[-1].text + run.text, run.bold)
        else:
            merged.append(run)
    return merged


def collapse(text: str) -> str:
    """Fold any run of whitespace (newlines in deal values included) into one space."""
    return re.sub(r"\s+", " ", text)


_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\u00ad": None,
        "\u200b": None,
    }
)


_NOT_PLAIN = re.compile(r"[^\x20-\x7e\t\n\r]")
_SPACE_PUNCT = re.compile(r" ([,.;:)])")


def normalise(text: str) -> str:
    """Canonical form for comparing legal text: NFC, plain quotes and dashes, single spaces."""
    if _NOT_PLAIN.search(text):  # printable ASCII, the usual case, needs neither NFC nor the table
        text = unicodedata.normalize("NFC", text).translate(_QUOTES)
    return _SPACE_PUNCT.sub(r"\1", " ".join(text.split()))
