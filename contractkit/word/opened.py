"""The library's Word templates, opened once per process and copied for each draft.

Opening the template with python-docx parsed every part on every draft, the styles part (hundreds
of kilobytes in a template Word has saved) most of all. A template is opened once, keyed by the
digest of its bytes (read on every draft, so an edited template is opened afresh, whatever its
timestamps say), and each draft works on a deep copy. The styles part is the one part drafting
never changes: every copy shares its tree, read only, and its serialised bytes, which the writer
(word.save) then takes instead of serialising it again. Shared, it must stay untouched: nothing in
drafting writes to styles, and tests/test_draft_bytes.py checks that the shared tree still
serialises to the bytes kept.

docxtpl cleans each part's XML with a score of regular expressions before Jinja sees it; the
cleaning depends on the XML alone, and every draft from one template hands it the same XML, so
`Template` keeps the cleaned text per XML (about a tenth of a warm draft), and skips docxtpl's
rewriting of tabs and line breaks in text that holds none.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import io
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contractkit.word import template
from contractkit.word.template import ListLevel

MAX_TEMPLATES = 8
_LISTING = re.compile("[\t\n\a\f]")
MAX_PATCHED = 32  # cleaned parts kept: a template's body, headers and footers, for a few templates


@dataclass(frozen=True)
class Opened:
    """One template, parsed: never drafted into itself, only copied."""

    pristine: Any  # the python-docx Document as opened
    styles: dict[str, str]  # style name -> style id
    schedule_list: ListLevel | None  # the list 'Schedule 1' numbers with
    kept: dict[str, bytes]  # part name -> bytes of the parts every copy shares

    def document(self) -> Any:
        """A python-docx Document of its own for one draft; the styles tree is shared, read only."""
        styles = self.pristine.part._styles_part.element
        return copy.deepcopy(self.pristine, {id(styles): styles})

    def shared_unchanged(self) -> bool:
        """Whether the shared styles tree still serialises to the bytes every draft writes."""
        part = self.pristine.part._styles_part
        return bool(part.blob == self.kept[str(part.partname)])


_OPENED: OrderedDict[bytes, Opened] = OrderedDict()
_LOCK = threading.Lock()


def opened(path: Path) -> Opened:
    """The template at `path`, opened once for its current bytes."""
    data = path.read_bytes()
    key = hashlib.sha256(data).digest()
    with _LOCK:
        found = _OPENED.get(key)
        if found is not None:
            _OPENED.move_to_end(key)
            return found
    made = _open(data)
    with _LOCK:
        _OPENED[key] = made
        while len(_OPENED) > MAX_TEMPLATES:
            _OPENED.popitem(last=False)
    return made


def _open(data: bytes) -> Opened:
    from docx import Document

    document = Document(io.BytesIO(data))
    styles = {s.name: s.style_id for s in document.styles}
    numbering = document.part.numbering_part.element
    schedule = template.list_level(document.styles.element, numbering, "Schedule 1")
    part = document.part._styles_part
    return Opened(document, styles, schedule, {str(part.partname): part.blob})


def docx_template(source: Opened, path: Path) -> Any:
    """A docxtpl template for one draft from `source` (the template at `path`, opened once), on a copy."""
    made = _template_class()(str(path))
    made.docx = source.document()
    return made


@functools.cache
def _template_class() -> Any:
    from docxtpl import DocxTemplate

    class Template(DocxTemplate):  # type: ignore[misc]
        """docxtpl's template, its cleaning of each part kept per XML."""

        def patch_xml(self, src_xml: str) -> str:
            return _patched(src_xml)

        def resolve_listing(self, xml: str) -> str:
            # docxtpl turns tabs, newlines, \a and \f in text into Word's breaks; without any, it
            # gives the XML back unchanged, after a regular expression over every paragraph and run.
            return super().resolve_listing(xml) if _LISTING.search(xml) else xml

    return Template


_PATCHED: OrderedDict[str, str] = OrderedDict()


def _patched(src_xml: str) -> str:
    """docxtpl's cleaning of one part's XML (a pure function of it), kept per XML."""
    from docxtpl import DocxTemplate

    with _LOCK:
        found = _PATCHED.get(src_xml)
        if found is not None:
            _PATCHED.move_to_end(src_xml)
            return found
    made: str = DocxTemplate.patch_xml(None, src_xml)
    with _LOCK:
        _PATCHED[src_xml] = made
        while len(_PATCHED) > MAX_PATCHED:
            _PATCHED.popitem(last=False)
    return made
