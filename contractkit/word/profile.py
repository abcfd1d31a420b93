"""What the library's Word template produces, read by the same reader as a received document.

A received agreement may contain only what contractkit puts there: clause paragraphs, and the
template's own furniture (cover, parties, recitals, signature block, headers and footers, a
watermark, page-number fields, list levels). Rather than hard-coding that furniture, it is read
from the template itself: each template paragraph becomes a pattern in which every Jinja tag is a
deal value, and the template's objects, fields and list levels are what a document may carry
(`thing_problem` says why anything else is a problem, for verify and for draft's self-check).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from contractkit.core.pattern import SENTENCE_END, paragraph_pattern, template_paragraphs
from contractkit.core.text import TextError, collapse, normalise
from contractkit.word.reader.document import DocxContent, Thing, read_docx

MARKERS = ("contents", "clauses", "schedules")  # where the builder puts what it generates
BUILT_FIELDS = frozenset({"PAGEREF"})  # the contents' page numbers, written by word.render
PAGE_FIELDS = frozenset({"PAGE", "NUMPAGES", "SECTIONPAGES", "PAGEREF"})
_CONTROL = re.compile(r"^\{%-?\s*[prc]?\s*(for|endfor|if|elif|else|endif)\b[^%]*%\}$")
_BLOCK_TAG = re.compile(r"\{%\s*(?:[prc]|tr|tc)\s+")
# A deal value in the cover, parties, recitals or signatures: one paragraph, up to 2,000 characters
# (a recital carries the project's description), no new sentence.
FURNITURE_FILL = rf"((?:(?!{SENTENCE_END})[^\n]){{0,2000}}?)"
# LibreOffice renames a few styles to its own names when it saves a DOCX.
_ALIASES = {"toc heading": "contents heading"}
_DIGITS = re.compile(r"\d+")
_MARKER = re.compile(r"\{\{\s*(" + "|".join(MARKERS) + r")\s*\}\}")
NUMERIC_FORMATS = frozenset(
    {"decimal", "decimalZero", "lowerLetter", "upperLetter", "lowerRoman", "upperRoman", "bullet", "none"}
)


_PAGE_RESULT = re.compile(r"^\s*(\d+|[ivxlcdm]+|[IVXLCDM]+)?\s*$")


@dataclass(frozen=True)
class Furniture:
    """One template paragraph: its style, its pattern and the template region it belongs to."""

    style: str  # folded by style_key()
    pattern: re.Pattern[str]
    region: int  # 0 before the contents, 1 before the clauses, 2 before the schedules, 3 after them
    source: str = ""  # the template paragraph, markers in place of its Jinja tags

    def exact(self, fill: str) -> Furniture:
        """The same paragraph with its deal values limited to `fill` (the values a deal gives the template)."""
        return replace(self, pattern=re.compile(paragraph_pattern(self.source, [], fill) + r"\Z"))


@dataclass(frozen=True)
class Profile:
    """Everything the template itself puts in an agreement."""

    body: tuple[Furniture, ...]
    notes: dict[str, tuple[Furniture, ...]]  # role (header, footer) -> its paragraphs
    objects: frozenset[tuple[str, str, str]]  # (role, kind, text)
    fields: frozenset[str]
    levels: frozenset[tuple[str, str]]

    def exact(self, values: list[str]) -> Profile:
        """The profile for one deal: each Jinja tag of the furniture may only be one of the deal's values."""
        folded = sorted({digits(normalise(v)) for v in values if normalise(v)}, key=len, reverse=True)
        fill = "(" + "|".join(re.escape(v) for v in folded) + "|)" if folded else "()"
        return replace(
            self,
            body=tuple(f.exact(fill) for f in self.body),
            notes={role: tuple(f.exact(fill) for f in items) for role, items in self.notes.items()},
        )


def deal_values(context: object) -> list[str]:
    """Every text a template context holds (the values its Jinja tags print), and the numbers of loops."""
    if isinstance(context, dict):
        return [v for item in context.values() for v in deal_values(item)]
    if isinstance(context, list | tuple):
        return [v for item in context for v in deal_values(item)] + ["0"]
    return [] if context is None else [str(context)]


def profile(template: Path) -> Profile:
    """The template's profile (cached while the file is unchanged)."""
    stat = template.stat()
    return _profile(template, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _profile(template: Path, _mtime: int, _size: int) -> Profile:
    return from_content(read_docx(template.read_bytes()))


def from_content(content: DocxContent) -> Profile:
    body: list[Furniture] = []
    region = 0
    for block in content.blocks:
        marker = _MARKER.search(block.text)
        if marker:
            region = MARKERS.index(marker.group(1)) + 1
            continue
        body += _furniture(block.style, block.text, region)
    notes: dict[str, list[Furniture]] = {}
    for block in content.notes:
        notes.setdefault(block.role, []).extend(_furniture(block.style, block.text, 0))
    things = content.things
    return Profile(
        tuple(body),
        {role: tuple(items) for role, items in notes.items()},
        frozenset((t.role, t.kind, t.text) for t in things if t.what == "object"),
        frozenset(t.kind for t in things if t.what == "field") | BUILT_FIELDS,
        frozenset(content.levels),
    )


def _furniture(style: str, source: str, region: int) -> list[Furniture]:
    """A template paragraph as patterns (none for a paragraph docxtpl removes)."""
    text = collapse(source).strip()
    if not text or _CONTROL.match(text):
        return []
    text = _BLOCK_TAG.sub("{% ", text)
    try:
        paras = template_paragraphs(text.replace("**", ""))
    except TextError:
        return []
    out = []
    for para in paras:
        kinds: list[str] = []
        source = digits(para)
        out.append(
            Furniture(
                style_key(style), re.compile(paragraph_pattern(source, kinds, FURNITURE_FILL) + r"\Z"), region, source
            )
        )
    return out


def style_key(name: str) -> str:
    """A style name as compared: case folded, LibreOffice's renamings undone."""
    key = name.casefold()
    return _ALIASES.get(key, key)


def digits(text: str) -> str:
    """Numbers reduced to one digit: page numbers in fields change with every layout."""
    return _DIGITS.sub("0", text)


def matches(items: tuple[Furniture, ...], style: str, text: str, regions: frozenset[int] | None = None) -> bool:
    """Whether a paragraph (normalised text) is one of the template's, in the same style and region."""
    plain, key = digits(normalise(text)), style_key(style)
    return any(f.style == key and (regions is None or f.region in regions) and f.pattern.match(plain) for f in items)


def thing_problem(thing: Thing, profile: Profile) -> str | None:
    """Why a field, list label or object the template does not produce is a problem (None if it does)."""
    if thing.what == "field":
        return _field_problem(thing, profile)
    if thing.what == "label":
        words = re.sub(r"%[1-9]", "", thing.text)
        plain = thing.kind in NUMERIC_FORMATS and not any(c.isalnum() for c in words)
        if (thing.kind, thing.text) in profile.levels or plain:
            return None
        return (
            f"the paragraph's number is printed as {thing.text!r} ({thing.kind}), words the clause text does not hold"
        )
    if (thing.role, thing.kind, thing.text) in profile.objects:
        return None
    if thing.text and any((role, text) == (thing.role, thing.text) for role, _kind, text in profile.objects):
        return None  # the template's own drawing with the same text, saved another way (VML or DrawingML)
    what = f"{thing.kind} showing {thing.text[:120]!r}" if thing.text else thing.kind
    return f"{_article(what)} {what} that the template does not contain (a signing copy carries none)"


def _field_problem(thing: Thing, profile: Profile) -> str | None:
    if thing.kind not in profile.fields:
        return (
            f"a {thing.kind} field, which contractkit never writes: Word shows its stored result "
            f"{thing.text[:120]!r} and may replace it with something else when fields are updated"
        )
    if thing.kind in PAGE_FIELDS and not _PAGE_RESULT.match(thing.text):
        return f"a {thing.kind} page-number field whose stored result reads {thing.text[:120]!r}"
    return None


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"
