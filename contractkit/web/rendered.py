"""Documents already drafted, kept per version: a version never changes, so neither do its files.

A DOCX or PDF is a pure function of the version's data, the library (loaded once per process) and
this installation's signing key, so the second download of a version costs a lookup instead of a
draft, and ten people opening the same PDF at once start one LibreOffice conversion, not ten.
Bounded in bytes; least recently used first out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

MAX_BYTES = 64 * 1024 * 1024


class Rendered:
    """A bounded, thread-safe store of rendered files; each is made once even when asked for at once."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._files: OrderedDict[Hashable, bytes] = OrderedDict()
        self._making: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()
        self._size = 0

    def _kept(self, key: Hashable) -> bytes | None:
        with self._lock:
            data = self._files.get(key)
            if data is not None:
                self._files.move_to_end(key)
            return data

    def get(self, key: Hashable, make: Callable[[], bytes]) -> bytes:
        """The file for `key`, made by `make` if no one has made it yet (errors are not kept)."""
        data = self._kept(key)
        if data is not None:
            return data
        with self._lock:
            making = self._making.setdefault(key, threading.Lock())
        with making:
            data = self._kept(key)
            if data is None:
                data = make()
                self._keep(key, data)
        with self._lock:
            self._making.pop(key, None)
        return data

    def _keep(self, key: Hashable, data: bytes) -> None:
        if len(data) > self.max_bytes:
            return
        with self._lock:
            self._files[key] = data
            self._size += len(data)
            while self._size > self.max_bytes:
                _, dropped = self._files.popitem(last=False)
                self._size -= len(dropped)

    def clear(self) -> None:
        with self._lock:
            self._files.clear()
            self._size = 0


FILES = Rendered()
