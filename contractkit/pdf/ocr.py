"""Rendered-page cross-check: what each PDF page prints (pdftoppm, then Tesseract OCR) against its text.

A PDF can carry text that is not what it prints: a font whose ToUnicode map lies, a page turned
into a picture with the original words kept as an invisible layer, words drawn as vector outlines.
Each page is rendered as a reader would see it and read back by OCR; the words of the two are
compared as multisets (OCR reads a page in its own order), after forgiving the noise measured on
genuine contractkit PDFs (see docs/verify.md): misread letters, words run together or split, and
the short clause and page numbers OCR drops from the margins.
"""

from __future__ import annotations

import difflib
import itertools
import os
import re
import shutil
import tempfile
import time
import unicodedata
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from contractkit.errors import CannotVerify
from contractkit.pdf.geometry import Box
from contractkit.pdf.ocr_render import PageRenderer

CONFIG = "--psm 4"  # one column of lines: reads contents pages with dot leaders better than automatic layout
NOISE_BOUND = 3  # differing words a genuine page may show (measured maximum 2), plus NOISE_SHARE of its words
NOISE_SHARE = 0.01
MIN_WORD = 3  # shorter words are where OCR is noisiest: margin numbers, list labels, dot leaders
NEAR_MISS = 0.7  # letters in common (difflib ratio) for two words to count as one word misread
SYSTEMATIC = 3  # the same edit in this many word pairs of a page is a pattern (a lying font), not noise
MAX_PAIRS = 250_000  # beyond this many word pairs the page differs far beyond noise: skip the pairing
INSTALL_HINT = "install Tesseract (sudo apt-get install tesseract-ocr tesseract-ocr-eng, or `make setup`)"
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class PageView:
    """What rendering a page for OCR needs: its visible area (CropBox, pt), rotation and dark rectangles."""

    area: Box
    rotate: int = 0
    dark: tuple[Box, ...] = ()


@dataclass
class PageDiff:
    """Words of one page that only the extracted text has, and words only the printed page has."""

    page: int
    words: int
    not_printed: list[str] = field(default_factory=list)
    not_extracted: list[str] = field(default_factory=list)

    @property
    def differing(self) -> int:
        return len(self.not_printed) + len(self.not_extracted)

    @property
    def beyond_noise(self) -> bool:
        """More words differ than OCR noise explains (NOISE_BOUND plus NOISE_SHARE of the page's words)."""
        return self.differing > NOISE_BOUND + int(NOISE_SHARE * self.words)


def check_available() -> None:
    """CannotVerify, with the fix, when the renderer or Tesseract with English is missing."""
    if shutil.which("pdftoppm") is None:
        raise CannotVerify(
            "pdftoppm is not installed, so the printed pages cannot be cross-checked",
            hint="install poppler-utils (sudo apt-get install poppler-utils), or pass --no-ocr",
        )
    if "eng" not in _languages():
        raise CannotVerify(
            "Tesseract OCR (with English) is not installed, so the printed pages cannot be cross-checked",
            hint=f"{INSTALL_HINT}, or pass --no-ocr to skip this check",
        )


@lru_cache(maxsize=1)
def _languages() -> tuple[str, ...]:
    import pytesseract

    try:
        return tuple(pytesseract.get_languages(config=""))
    except (pytesseract.TesseractNotFoundError, pytesseract.TesseractError, OSError):
        return ()


class PrintedPages:
    """OCR of pages as soon as each is submitted, one Tesseract process per core, so that the
    cross-check runs while the rest of the PDF is still being read. Use as a context manager."""

    def __init__(self, data: bytes, *, seconds: float) -> None:
        self.data = data
        self.deadline = time.monotonic() + seconds
        self.futures: dict[int, Future[str]] = {}
        self._stack = ExitStack()

    def __enter__(self) -> PrintedPages:
        check_available()
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # its OpenMP threads spin: one process per core instead
        self.folder = Path(self._stack.enter_context(tempfile.TemporaryDirectory(prefix="contractkit-ocr-")))
        (self.folder / "in.pdf").write_bytes(self.data)
        self.renderer = PageRenderer(self.folder / "in.pdf", self.folder, self.deadline, _too_slow)
        self._stack.callback(self.renderer.close)
        self.pool = ThreadPoolExecutor(_cores())
        return self

    def __exit__(self, kind: object, *rest: object) -> None:
        if kind is not None:
            self.renderer.close()  # reading failed: stop the work nobody will use
        self.pool.shutdown(wait=True, cancel_futures=True)
        self._stack.close()

    def submit(self, n: int, view: PageView) -> None:
        """Render and read page `n` (0-based) in the background."""
        self.futures[n] = self.pool.submit(self._page, n, view)

    def texts(self, count: int) -> list[str]:
        """The OCR text of pages 0 to count - 1 (all submitted), waiting for them."""
        return [self.futures[n].result() for n in range(count)]

    def _page(self, n: int, view: PageView) -> str:
        import pytesseract

        image = self.renderer.page(n)
        try:
            if view.dark and view.rotate % 360 == 0:
                _lighten(image, view)
            text = pytesseract.image_to_string(str(image), lang="eng", config=CONFIG, timeout=_remaining(self.deadline))
        except RuntimeError:  # pytesseract's timeout (it kills the process)
            raise _too_slow() from None
        except (pytesseract.TesseractError, OSError) as exc:
            raise CannotVerify(f"OCR failed on page {n + 1}: {exc}") from None
        finally:
            image.unlink(missing_ok=True)
        return str(text)


def printed_text(data: bytes, views: list[PageView], *, seconds: float) -> list[str]:
    """The OCR text of every page."""
    with PrintedPages(data, seconds=seconds) as printed:
        for n, view in enumerate(views):
            printed.submit(n, view)
        return printed.texts(len(views))


def _cores() -> int:
    """The cores this process may run on (one Tesseract process each)."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity is not None else os.cpu_count() or 1


def _lighten(image: Path, view: PageView) -> None:
    """Print the dark rectangles inverted (light text on them becomes dark): Tesseract misses much of it."""
    from PIL import Image, ImageDraw, ImageOps

    with Image.open(image) as opened:
        picture = opened.convert("L")
    left, bottom, right, top = view.area
    sx, sy = picture.width / max(right - left, 1e-6), picture.height / max(top - bottom, 1e-6)
    mask = Image.new("L", picture.size, 0)
    pen = ImageDraw.Draw(mask)
    for x0, y0, x1, y1 in view.dark:
        corners = ((x0 - left) * sx, (top - y1) * sy, (x1 - left) * sx, (top - y0) * sy)
        if corners[0] < corners[2] and corners[1] < corners[3]:
            pen.rectangle(corners, fill=255)
    picture.paste(ImageOps.invert(picture), mask=mask)
    picture.save(image, format="PPM")


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise _too_slow()
    return left


def _too_slow() -> CannotVerify:
    return CannotVerify("the OCR cross-check took longer than its time limit", hint="pass --no-ocr to skip it")


# ----------------------------------------------------------------------------- comparing


def compare(page: int, extracted: str, printed: str) -> PageDiff:
    """The words that differ between a page's extracted text and its OCR, noise forgiven."""
    ours, seen = _tokens(extracted), _tokens(printed)
    only_ours = Counter(w for w in ours if len(w) >= MIN_WORD) - Counter(w for w in seen if len(w) >= MIN_WORD)
    only_seen = Counter(w for w in seen if len(w) >= MIN_WORD) - Counter(w for w in ours if len(w) >= MIN_WORD)
    _joined(ours, only_ours, only_seen)
    _joined(seen, only_seen, only_ours)
    not_printed, not_extracted = _near_misses(list(only_ours.elements()), list(only_seen.elements()))
    words = sum(len(w) >= MIN_WORD for w in ours)
    return PageDiff(page, words, _in_order(ours, not_printed), _in_order(seen, not_extracted))


def _in_order(sequence: list[str], chosen: list[str]) -> list[str]:
    """`chosen` (a multiset of words of `sequence`) in the order the words come in the sequence (the last
    occurrences, so that an addition at the end of a page reads as written)."""
    left = Counter(chosen)
    out = []
    for word in reversed(sequence):
        if left[word] > 0:
            left[word] -= 1
            out.append(word)
    return out[::-1]


def _tokens(text: str) -> list[str]:
    """Words, compatibility-folded (ligatures split), case-folded and without accents: the English
    model reads the Welsh ŵ and ŷ as w and y, which is not a difference in what is printed."""
    decomposed = unicodedata.normalize("NFKD", text).casefold()
    return _WORD.findall("".join(c for c in decomposed if not unicodedata.combining(c)))


def _joined(sequence: list[str], mine: Counter[str], theirs: Counter[str]) -> None:
    """Two adjacent words of one side that the other side reads as one ("a period" / "aperiod")."""
    for first, second in itertools.pairwise(sequence):
        both = first + second
        if theirs[both] > 0 and all(len(w) < MIN_WORD or mine[w] > 0 for w in (first, second)):
            theirs[both] -= 1
            for word in (first, second):
                mine[word] -= len(word) >= MIN_WORD


def _near_misses(ours: list[str], seen: list[str]) -> tuple[list[str], list[str]]:
    """Pair off words that are one word misread (most letters in common); the rest differ.

    OCR misreads at random; a font whose map lies changes the same letter everywhere. So a pair
    is forgiven only when its edit is not one that three or more pairs on the page share.
    """
    if len(ours) * len(seen) > MAX_PAIRS:
        return ours, seen
    left: list[str] = []
    pairs: list[tuple[str, str]] = []
    for word in ours:
        scored = [(difflib.SequenceMatcher(None, word, other).ratio(), other) for other in seen]
        best = max(scored, default=(0.0, ""))
        if best[0] >= NEAR_MISS:
            seen.remove(best[1])
            pairs.append((word, best[1]))
        else:
            left.append(word)
    edits = [_edits(a, b) for a, b in pairs]
    shared = Counter(e for pair in edits for e in set(pair))
    for (a, b), pair in zip(pairs, edits, strict=True):
        if any(shared[e] >= SYSTEMATIC for e in pair):
            left.append(a)
            seen.append(b)
    return left, seen


def _edits(one: str, two: str) -> list[tuple[str, str]]:
    matcher = difflib.SequenceMatcher(None, one, two)
    return [(one[i1:i2], two[j1:j2]) for op, i1, i2, j1, j2 in matcher.get_opcodes() if op != "equal"]
