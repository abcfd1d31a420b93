"""What the library's Word template produces, read by the same reader as a received document.

A received agreement may contain only what contractkit puts there: clause paragraphs, and the
template's own furniture (cover, parties, recitals, signature block, headers and footers, a
watermark, page-number fields, list levels). Rather than hard-coding that furniture, it is read
from the template itself: each template paragraph becomes a pattern in which every Jinja tag is a
deal value, and the template's objects, fields and list levels are what a document may carry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from contractkit.checking.verify_text import SENTENCE_END, _paragraph, template_paragraphs
from contractkit.core.text import TextError, collapse, normalise
from contractkit.word.reader.document import DocxContent, read_docx

MARKERS = ("contents", "clauses", "schedules")  # where the builder puts what it generates
BUILT_FIELDS = frozenset({"PAGEREF"})  # the contents' page numbers, written by render_docx
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


@dataclass(frozen=True)
class Furniture:
    """One template paragraph: its style, its pattern and the template region it belongs to."""

    style: str  # folded by style_key()
    pattern: re.Pattern[str]
    region: int  # 0 before the contents, 1 before the clauses, 2 before the schedules, 3 after them
    source: str = ""  # the template paragraph, markers in place of its Jinja tags

    def exact(self, fill: str) -> Furniture:
        """The same paragraph with its deal values limited to `fill` (the values a deal gives the template)."""
        return replace(self, pattern=re.compile(_paragraph(self.source, [], fill) + r"\Z"))


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
            Furniture(style_key(style), re.compile(_paragraph(source, kinds, FURNITURE_FILL) + r"\Z"), region, source)
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
