"""Hardened PDF reading for verification: bounded pages and time, no encrypted files, clean text.

A received PDF is hostile until proven otherwise. pypdf's own limits (page-tree cycles, stream
sizes) apply; on top of them we cap the page count and the wall time of the whole read, and
refuse encrypted files. The text is returned as one string with the repeated page header and
footer lines removed and words broken at a line-end hyphen joined again; checking.verify_segments
then finds each clause in it by its numbered heading.
"""

from __future__ import annotations

import io
import re
import signal
import threading
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from contractkit.core.findings import Finding
from contractkit.errors import CannotVerify

if TYPE_CHECKING:
    from contractkit.pdf.geometry import Box
    from contractkit.pdf.ocr import PageDiff, PageView

    OnPage = Callable[[int, PageView], None]

T = TypeVar("T")
_DIGITS = re.compile(r"\d+")
_PAGE_LINE = re.compile(r"^(page\s+)?\d+(\s+(of|/)\s+\d+)?$", re.IGNORECASE)
_HYPHEN_BREAK = re.compile(r"(?<=\w)-[ \t]*\n[ \t]*(?=\w)")
_EDGE = 2  # header/footer lines are looked for among the first and last two lines of a page


@dataclass(frozen=True)
class PdfLimits:
    """Caps for PDFs we did not make (see docs/security.md)."""

    max_bytes: int = 50 * 1024 * 1024
    max_pages: int = 2000
    max_seconds: float = 30.0
    max_ocr_seconds: float = 300.0  # the rendered-page cross-check, about 0.6 s a page on two cores


@dataclass
class PdfContent:
    """A PDF as read back: its text with page furniture removed, its manifest, and what it hides."""

    text: str
    pages: int
    manifest: dict[str, Any] | None
    page_texts: list[str] = field(default_factory=list)  # as extracted, one per page
    issues: list[Finding] = field(default_factory=list)  # what is drawn differs from the text (inspect, ocr)


class _Timeout(BaseException):
    """Raised by the alarm; a BaseException so that pypdf's `except Exception` cannot swallow it."""


def read_pdf(data: bytes, limits: PdfLimits | None = None, *, ocr: bool = False) -> PdfContent:
    """Text, manifest and drawing findings of a PDF (with `ocr`, the printed-page cross-check too),
    or CannotVerify if it is encrypted, broken, too big or too slow."""
    limits = limits or PdfLimits()
    if len(data) > limits.max_bytes:
        raise CannotVerify(f"the PDF is {len(data)} bytes (limit {limits.max_bytes})")
    if not ocr:
        return _bounded(data, limits, None)[0]
    from contractkit.pdf.ocr import PrintedPages

    with PrintedPages(data, seconds=limits.max_ocr_seconds) as printed:
        content, views = _bounded(data, limits, printed.submit)
        content.issues += cross_check(content.page_texts, printed.texts(len(views)))
    return content


def _bounded(data: bytes, limits: PdfLimits, on_page: OnPage | None) -> tuple[PdfContent, list[PageView]]:
    try:
        with _deadline(limits.max_seconds):
            return _read(data, limits, time.monotonic() + limits.max_seconds, on_page)
    except _Timeout:
        raise CannotVerify(f"reading the PDF took longer than {limits.max_seconds:g} s: refused") from None


def _read(
    data: bytes, limits: PdfLimits, deadline: float, on_page: OnPage | None = None
) -> tuple[PdfContent, list[PageView]]:
    """Inspect each page (handing its view to `on_page` at once, for OCR), then extract its text."""
    from pypdf import PdfReader

    from contractkit.pdf.inspect import inspect

    reader = _guard(lambda: PdfReader(io.BytesIO(data), strict=False))
    if _guard(lambda: reader.is_encrypted):
        raise CannotVerify("the PDF is encrypted, so it cannot be verified", hint="ask for an unencrypted copy")
    count = _guard(lambda: len(reader.pages))
    if count > limits.max_pages:
        raise CannotVerify(f"the PDF has {count} pages (limit {limits.max_pages})")
    views: list[PageView] = []

    def seen(n: int, page: Any, dark: list[Box]) -> None:
        views.append(_view(page, dark))
        if on_page is not None:
            on_page(n, views[-1])

    inspection = _guard(lambda: inspect(reader, seen))
    pages = []
    for number in range(count):
        if time.monotonic() > deadline:
            raise _Timeout
        pages.append(_guard(lambda n=number: reader.pages[n].extract_text() or ""))  # type: ignore[misc]
    return PdfContent(clean_pages(pages), count, _manifest(data), pages, inspection.findings), views


def _view(page: Any, dark: list[Box]) -> PageView:
    from contractkit.pdf.inspect import page_area
    from contractkit.pdf.ocr import PageView

    return PageView(page_area(page), int(page.get("/Rotate", 0) or 0), tuple(dark))


def cross_check(page_texts: list[str], printed: list[str]) -> list[Finding]:
    """An `ocr-mismatch` finding for each page whose printed words differ from its text beyond OCR noise."""
    from contractkit.pdf.ocr import compare

    findings = []
    for number, (ours, seen) in enumerate(zip(page_texts, printed, strict=True), 1):
        diff = compare(number, ours, seen)
        if diff.beyond_noise:
            findings.append(_mismatch(diff))
    return findings


def _mismatch(diff: PageDiff) -> Finding:
    parts = []
    if diff.not_printed:
        parts.append(f"in the text but not printed: {_sample(diff.not_printed)}")
    if diff.not_extracted:
        parts.append(f"printed but not in the text: {_sample(diff.not_extracted)}")
    detail = (
        f"page {diff.page} as printed (read by OCR) differs from its text in {diff.differing} of "
        f"{diff.words} words, beyond OCR noise; " + "; ".join(parts)
    )
    return Finding("ocr-mismatch", None, "P4", detail, location=f"page {diff.page}")


def _sample(words: list[str], limit: int = 12) -> str:
    shown = " ".join(words[:limit])
    return repr(shown + (f" … ({len(words) - limit} more)" if len(words) > limit else ""))


def _manifest(data: bytes) -> dict[str, Any] | None:
    from contractkit.pdf.render import read_manifest

    return read_manifest(data)


def _guard(action: Callable[[], T]) -> T:
    """Run one pypdf call, turning any failure of a malformed file into CannotVerify."""
    try:
        return action()
    except (CannotVerify, _Timeout):
        raise
    except RecursionError:
        raise CannotVerify("the PDF's structure is nested too deeply (a loop in its page tree?)") from None
    except MemoryError:
        raise CannotVerify("the PDF needs too much memory to read") from None
    except Exception as exc:  # pypdf raises many types on malformed input; all mean "cannot read"
        raise CannotVerify(f"not a readable PDF ({type(exc).__name__}: {exc})") from None


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """A hard time limit via SIGALRM in the main thread; elsewhere only the per-page check applies."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def clean_pages(pages: list[str]) -> str:
    """Join page texts, dropping repeated headers and footers and page numbers, mending hyphenation."""
    split = [[line.strip() for line in unicodedata.normalize("NFKC", page).splitlines()] for page in pages]
    split = [[line for line in lines if line] for lines in split]
    furniture = _furniture(split)
    kept = []
    for lines in split:
        edges = set(range(_EDGE)) | set(range(len(lines) - _EDGE, len(lines)))
        kept.append(
            "\n".join(
                line
                for i, line in enumerate(lines)
                if not (i in edges and (_mask(line) in furniture or _PAGE_LINE.match(line)))
            )
        )
    return _HYPHEN_BREAK.sub("-", "\n".join(kept))


def _mask(line: str) -> str:
    return _DIGITS.sub("#", " ".join(line.split()))


def _furniture(pages: list[list[str]]) -> set[str]:
    """Lines (digits masked) at the top or bottom of at least half the pages: header and footer."""
    if len(pages) < 2:
        return set()
    seen: Counter[str] = Counter()
    for lines in pages:
        seen.update({_mask(line) for line in lines[:_EDGE] + lines[-_EDGE:]})
    return {line for line, n in seen.items() if n >= max(2, len(pages) // 2)}
