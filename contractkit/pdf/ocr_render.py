"""PDF pages rendered for OCR by poppler's pdftoppm, a few pages per process, ahead of the OCR.

One process per page would parse the PDF and load its fonts again for every page (four times the
CPU); one process for the whole document would race ahead and fill the disk with a long PDF's
images. So pages are rendered in chunks, the next chunk started only while fewer than a chunk's
worth of images wait to be read. pdftoppm is a separate process: a hostile page cannot crash or
hang contractkit, and it is killed at the time limit.
"""

from __future__ import annotations

import re
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

from contractkit.errors import CannotVerify

LONG_SIDE = 1754  # pixels of a page's longer side: A4 at 150 dpi; a giant page is scaled down to it
CHUNK = 8  # pages per pdftoppm process
_PAGE_FILE = re.compile(r"^p-(\d+)\.pgm$")


class PageRenderer:
    """Renders the pages of `pdf` into `folder` as p-N.pgm; `page(n)` waits for one (thread-safe)."""

    def __init__(self, pdf: Path, folder: Path, deadline: float, too_slow: Callable[[], Exception]) -> None:
        self.pdf, self.folder, self.deadline, self.too_slow = pdf, folder, deadline, too_slow
        self.lock = threading.Lock()
        self.end: int | None = None  # the last page, once pdftoppm has run past it
        self.rendered = 0  # the highest page seen rendered (images are deleted once read)
        self.first = 1
        self.closed = False
        self.process = self._start(1)

    def page(self, n: int) -> Path:
        """The image of page n (0-based) once it is complete; the caller deletes it when read."""
        while True:
            with self.lock:
                image = self._ready(n + 1)
            if image is not None:
                return image
            if time.monotonic() > self.deadline:
                raise self.too_slow()
            time.sleep(0.02)

    def close(self) -> None:
        """Stop rendering; a page still awaited is then refused."""
        with self.lock:
            self.closed = True
            if self.process.poll() is None:
                self.process.kill()
            self.process.wait()

    def _start(self, first: int) -> subprocess.Popen[bytes]:
        self.first = first
        last = first + CHUNK - 1
        command = ["pdftoppm", "-scale-to", str(LONG_SIDE), "-gray", "-f", str(first), "-l", str(last)]
        with (self.folder / "errors.txt").open("wb") as errors:  # a file: a pipe nobody reads can fill and block
            return subprocess.Popen([*command, str(self.pdf), str(self.folder / "p")], stderr=errors)

    def _ready(self, number: int) -> Path | None:
        if self.closed:
            raise CannotVerify("rendering stopped")
        done = self.process.poll() is not None  # before looking: every page it wrote is then in sight
        files = {int(m.group(1)): p for p in self.folder.glob("p-*.pgm") if (m := _PAGE_FILE.match(p.name))}
        self.rendered = max([self.rendered, *files])
        if number in files and (number < self.first or number + 1 in files or done):
            return files[number]
        if done:
            self._next(files, number)
        return None

    def _next(self, files: dict[int, Path], wanted: int) -> None:
        """The current chunk has ended: note the end of the document, or start the next chunk."""
        last = self.first + CHUNK - 1
        if self.process.returncode != 0 and self.rendered < self.first and self.first > 1:
            self.end = self.first - 1  # pdftoppm refuses a first page after the last one
        elif self.process.returncode != 0:
            raise CannotVerify(f"the pages cannot be rendered: {self._errors()}")
        elif self.rendered < last:
            self.end = self.rendered  # pdftoppm stops at the last page
        if self.end is not None and wanted > self.end:
            raise CannotVerify(f"page {wanted} cannot be rendered: the PDF has {self.end} pages as rendered")
        if self.end is None and (len(files) < CHUNK or wanted > last):
            self.process = self._start(last + 1)

    def _errors(self) -> str:
        return (self.folder / "errors.txt").read_bytes().decode(errors="replace").strip()[-200:] or "pdftoppm failed"
