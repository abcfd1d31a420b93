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
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_LEVEL = 3
UNNUMBERED = "| "
_JINJA = re.compile(r"({{.*?}}|{%.*?%})", re.S)
_TAGS = re.compile(r"(<b>|</b>)")
_SPACES = re.compile(r"\s+")
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
    """Split a text block into paragraphs; two spaces of indent per sub-level.

    A clause's text is split again for every deal drafted with it, so each text's lines are kept
    (a bounded cache; a text that fails is not kept and fails again the same way)."""
    return list(_split_lines(text))


@lru_cache(maxsize=4096)
def _split_lines(text: str) -> tuple[Line, ...]:
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
    return tuple(lines)


def defined_terms(source: str) -> list[str]:
    """Terms defined in a paragraph with **Term**."""
    return [t.strip() for t in DEFINED_TERM.findall(source)]


@lru_cache(maxsize=8192)
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
    """Render one paragraph of clause source to runs of plain text. Most paragraphs hold no Jinja:
    their runs depend on the source alone, so they are worked out once per source."""
    tagged = _to_tags(source)
    if "{" not in tagged:
        return list(_plain_runs(tagged))
    try:
        tagged = str(env.from_string(tagged).render(context))
    except TemplateError as exc:
        raise TextError(f"template error: {exc.message or exc}") from None
    return _runs(tagged)


@lru_cache(maxsize=8192)
def _plain_runs(tagged: str) -> tuple[Run, ...]:
    return tuple(_runs(tagged))


def _runs(tagged: str) -> list[Run]:
    """Tagged text (literal text escaped, bold as <b>..</b>) as runs of plain text."""
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
    return _SPACES.sub(" ", text)


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


# ----------------------------------------------------------------------------- look-alike and invisible characters
# Agreement text is English or Welsh in Latin letters. A character that only looks like a letter
# (Cyrillic U+043E for 'o', a fullwidth U+FF4E for 'n'), one that cannot be seen (a zero-width space, a word
# joiner) or one that reorders what is shown (a bidi override) makes the text read differently from
# what a search, a comparison or a scan sees. Findings name each; deconfuse() folds them away (NFKC,
# then Unicode's UTS #39 confusables data) so that comparing and scanning see what a reader sees.

_CONFUSABLES = Path(__file__).resolve().parents[1] / "data" / "confusables.txt"
_TYPOGRAPHY = frozenset(_QUOTES) | frozenset("·•…£€$§©®™°×±¶†‡№")  # printed as themselves; normalise() folds quotes
_BIDI = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C))
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")  # letters and symbols that print nothing
_OVERLAYS = frozenset(chr(c) for c in (*range(0x0334, 0x0339), *range(0x20D2, 0x20D8), 0x20E5, 0x20E6))
_SCRIPTS = frozenset({
    "LATIN", "CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE", "COPTIC", "GEORGIAN", "HEBREW", "ARABIC", "SYRIAC",
    "THAANA", "NKO", "DEVANAGARI", "BENGALI", "GURMUKHI", "GUJARATI", "ORIYA", "TAMIL", "TELUGU", "KANNADA",
    "MALAYALAM", "SINHALA", "THAI", "LAO", "TIBETAN", "MYANMAR", "ETHIOPIC", "KHMER", "MONGOLIAN", "HIRAGANA",
    "KATAKANA", "HANGUL", "CJK", "YI", "LISU", "VAI", "BAMUM", "OSAGE", "ADLAM", "DESERET", "GOTHIC", "RUNIC",
    "OGHAM", "TIFINAGH", "GLAGOLITIC", "CANADIAN",
})  # fmt: skip
_PHONETIC = ((0x0250, 0x02AF), (0x1D00, 0x1DBF), (0xA720, 0xA7FF), (0xAB30, 0xAB6F))  # Latin letters not used in prose
_WORD = re.compile(r"\w+")


@lru_cache(maxsize=1)
def confusables() -> dict[str, str]:
    """Unicode's confusables mapping (UTS #39, contractkit/data/confusables.txt): character -> prototype."""
    table: dict[str, str] = {}
    with _CONFUSABLES.open(encoding="utf-8-sig") as handle:
        for line in handle:
            if line[:1].isalnum():
                source, target, _ = line.split(";", 2)
                table[chr(int(source, 16))] = "".join(chr(int(x, 16)) for x in target.split())
    return table


def skeleton(text: str) -> str:
    """The UTS #39 skeleton: NFD, each character replaced by its prototype, NFD again."""
    table = confusables()
    return unicodedata.normalize("NFD", "".join(table.get(c, c) for c in unicodedata.normalize("NFD", text)))


def script(char: str) -> str | None:
    """The script of a letter, from its Unicode name (LATIN, CYRILLIC, GREEK...); None for others."""
    if not char.isalpha():
        return None
    word = unicodedata.name(char, "").split(" ", 1)[0]
    return word if word in _SCRIPTS else None


@lru_cache(maxsize=4096)
def char_issue(char: str) -> tuple[str, str, str] | None:
    """(finding kind, description, what a reader takes it for) for a character out of place in agreement text."""
    if char.isascii() or char in _TYPOGRAPHY or char == "\u00ad":  # a soft hyphen prints only at a line end
        return None
    code = f"U+{ord(char):04X} {unicodedata.name(char, 'unnamed character')}"
    category = unicodedata.category(char)
    if char in _BIDI:
        return "bidi-control", code, ""
    if category in ("Cf", "Cc", "Co", "Cn", "Cs", "Zl", "Zp") or char in _BLANK_LETTERS:
        return "invisible-character", code, ""
    if char in _OVERLAYS:
        return "lookalike", f"{code}, which strikes through the letter before it", ""
    return _lookalike(char, code, category)


def _lookalike(char: str, code: str, category: str) -> tuple[str, str, str] | None:
    if category.startswith(("Z", "M")):
        return None  # spaces fold to a space; accents combine with their letter
    folded = unicodedata.normalize("NFKC", char)
    if folded != char:
        return "lookalike", f"{code}, a variant of {folded!r}", folded
    return _confusable(char, code)


def _confusable(char: str, code: str) -> tuple[str, str, str] | None:
    if unicodedata.normalize("NFD", char)[0].isascii():
        return None  # a Latin letter with accents: Welsh ŵ, ŷ, â...
    if script(char) == "LATIN" and not any(low <= ord(char) <= high for low, high in _PHONETIC):
        return None  # a letter of another Latin alphabet (Danish o with stroke, German sharp s, Turkish dotless i)
    prototype = unicodedata.normalize("NFD", confusables().get(char, ""))
    if any(c.isascii() and c.isalnum() for c in prototype):
        plain = "".join(c for c in prototype if not unicodedata.category(c).startswith("M"))
        return "lookalike", f"{code}, which looks like {plain!r}", plain
    return None


def suspicious(text: str) -> list[tuple[str, str]]:
    """Each look-alike, invisible or reordering character and each mixed-script word: (kind, detail).
    Every draft's self-check asks this of each paragraph, mostly the library's own: answers are kept."""
    if text.isascii():
        return []
    return list(_suspicious(text))


@lru_cache(maxsize=4096)
def _suspicious(text: str) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    mixed: set[str] = set()
    for word in _WORD.findall(text):
        scripts = {s for s in map(script, word) if s}
        if len(scripts) > 1:
            out.append(("mixed-script", f"the word {word!r} mixes {' and '.join(sorted(scripts))} letters"))
            mixed.update(c for c in word if script(c) != "LATIN")
    for char in dict.fromkeys(c for c in text if not c.isascii() and c not in mixed):
        issue = char_issue(char)
        if issue is not None:
            out.append((issue[0], f"{issue[1]} in {_excerpt(text, char)!r}"))
    return tuple(out)


def _excerpt(text: str, char: str) -> str:
    at = text.index(char)
    shown = text[max(0, at - 25) : at + 25]
    return shown.replace(char, f"[U+{ord(char):04X}]")


def deconfuse(text: str) -> str:
    """The text as a reader takes it: invisible and bidi characters dropped, look-alikes replaced by the letters
    they imitate (NFKC, then the UTS #39 prototypes). Identity for text with none of them."""
    if text.isascii():
        return text
    out = []
    for char in text:
        issue = None if char.isascii() else char_issue(char)
        out.append(char if issue is None else issue[2])
    return "".join(out)
