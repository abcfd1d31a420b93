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
import math
import os
import re
import shutil
import subprocess
import tempfile
import time
import unicodedata
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .errors import CannotVerify

DPI = 150  # measured: 200 and 300 dpi read no more words correctly and cost more (docs/performance.md)
MAX_PIXELS = 4 * 1240 * 1754  # four A4 pages at 150 dpi: a giant page is rendered at a lower resolution
NOISE_BOUND = 3  # differing words a genuine page may show (measured maximum 2); more is a finding
MIN_WORD = 3  # shorter words are where OCR is noisiest: margin numbers, list labels, dot leaders
NEAR_MISS = 0.7  # letters in common (difflib ratio) for two words to count as one word misread
MAX_PAIRS = 250_000  # beyond this many word pairs the page differs far beyond noise: skip the pairing
INSTALL_HINT = "install Tesseract (sudo apt-get install tesseract-ocr tesseract-ocr-eng, or `make setup`)"
_WORD = re.compile(r"[^\W_]+")


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


def printed_text(data: bytes, sizes: list[tuple[float, float]], *, seconds: float) -> list[str]:
    """The OCR text of every page (sizes in pt give each page's resolution), one process per core."""
    check_available()
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # Tesseract's OpenMP threads spin; one process per core instead
    deadline = time.monotonic() + seconds
    with tempfile.TemporaryDirectory(prefix="contractkit-ocr-") as tmp:
        folder = Path(tmp)
        (folder / "in.pdf").write_bytes(data)
        workers = max(1, min(len(os.sched_getaffinity(0)), len(sizes)))
        chunks = [list(range(k, len(sizes), workers)) for k in range(workers)]
        texts: dict[int, str] = {}
        with ThreadPoolExecutor(workers) as pool:
            for part in pool.map(lambda pages: _work(folder, pages, sizes, deadline), chunks):
                texts.update(part)
    return [texts[n] for n in range(len(sizes))]


def _work(folder: Path, pages: list[int], sizes: list[tuple[float, float]], deadline: float) -> dict[int, str]:
    """Render then read this worker's pages (0-based), one at a time."""
    import pytesseract

    out = {}
    for n in pages:
        image = _render(folder, n, _dpi(*sizes[n]), _remaining(deadline))
        try:
            text = pytesseract.image_to_string(str(image), lang="eng", timeout=_remaining(deadline))
        except RuntimeError:  # pytesseract's timeout (it kills the process)
            raise _too_slow() from None
        except (pytesseract.TesseractError, OSError) as exc:
            raise CannotVerify(f"OCR failed on page {n + 1}: {exc}") from None
        finally:
            image.unlink(missing_ok=True)
        out[n] = str(text)
    return out


def _render(folder: Path, n: int, dpi: int, timeout: float) -> Path:
    prefix = folder / f"p{n + 1}"
    command = ["pdftoppm", "-r", str(dpi), "-gray", "-f", str(n + 1), "-l", str(n + 1), "-singlefile"]
    try:
        subprocess.run(
            [*command, str(folder / "in.pdf"), str(prefix)], capture_output=True, timeout=timeout, check=True
        )
    except subprocess.TimeoutExpired:
        raise _too_slow() from None
    except subprocess.CalledProcessError as exc:
        raise CannotVerify(f"page {n + 1} cannot be rendered: {exc.stderr.decode(errors='replace')[:200]}") from None
    image = prefix.with_suffix(".pgm")
    if not image.exists():
        raise CannotVerify(f"page {n + 1} cannot be rendered")
    return image


def _dpi(width: float, height: float) -> int:
    """150 dpi, or less for a page so large that 150 dpi would exceed MAX_PIXELS."""
    inches = max(abs(width * height), 1.0) / (72 * 72)
    return max(10, min(DPI, int(math.sqrt(MAX_PIXELS / inches))))


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise _too_slow()
    return left


def _too_slow() -> CannotVerify:
    return CannotVerify("the OCR cross-check took longer than its time limit", hint="pass --no-ocr to skip it")


# ----------------------------------------------------------------------------- comparing


def words(text: str) -> list[str]:
    """Words as compared: NFKC, case-folded, letters and digits only, of three characters or more."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return [w for w in _WORD.findall(folded) if len(w) >= MIN_WORD]


def compare(page: int, extracted: str, printed: str) -> PageDiff:
    """The words that differ between a page's extracted text and its OCR, noise forgiven."""
    ours, seen = words(extracted), words(printed)
    only_ours, only_seen = Counter(ours) - Counter(seen), Counter(seen) - Counter(ours)
    _joined(ours, only_ours, only_seen)
    _joined(seen, only_seen, only_ours)
    not_printed, not_extracted = _near_misses(list(only_ours.elements()), list(only_seen.elements()))
    return PageDiff(page, len(ours), not_printed, not_extracted)


def _joined(sequence: list[str], mine: Counter[str], theirs: Counter[str]) -> None:
    """Two adjacent words of one side that the other side reads as one ("a period" / "aperiod")."""
    for first, second in itertools.pairwise(sequence):
        both = first + second
        if theirs[both] > 0 and mine[first] > 0 and mine[second] > 0:
            theirs[both] -= 1
            mine[first] -= 1
            mine[second] -= 1


def _near_misses(ours: list[str], seen: list[str]) -> tuple[list[str], list[str]]:
    """Pair off words that are one word misread (most letters in common); the rest differ."""
    if len(ours) * len(seen) > MAX_PAIRS:
        return ours, seen
    left: list[str] = []
    for word in ours:
        scored = [(difflib.SequenceMatcher(None, word, other).ratio(), other) for other in seen]
        best = max(scored, default=(0.0, ""))
        if best[0] >= NEAR_MISS:
            seen.remove(best[1])
        else:
            left.append(word)
    return left, seen
