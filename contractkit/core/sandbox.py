"""The Jinja sandbox that clause text, playbook conditions and Word templates run in.

One `Sandbox` per locale: an ImmutableSandboxedEnvironment with autoescape, StrictUndefined and the
babel filters. Compiling Jinja source to Python was about a tenth of the time of a draft, so
compiled code is kept twice over: in memory, for a batch of deals, and on disk in Jinja's own
bytecode cache, for the next run. A cached entry is used only if the source, the Jinja and Python versions and the
sandbox's settings all match; a cache that cannot be written, or has been tampered with by another
user, is ignored. `CONTRACTKIT_CACHE_DIR` moves the cache; set it empty to turn it off.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable
from functools import cache
from typing import Any

import jinja2
from jinja2 import BaseLoader, FileSystemBytecodeCache, StrictUndefined
from jinja2.bccache import Bucket
from jinja2.sandbox import ImmutableSandboxedEnvironment

from contractkit.core.cachedir import CACHE_ENV, cache_dir, private_cache

__all__ = ["CACHE_ENV", "Sandbox", "cache_dir", "sandbox"]


class _Sources(BaseLoader):
    """Templates named by a digest of their source, so that the bytecode cache can key them."""

    def __init__(self) -> None:
        self.sources: dict[str, str] = {}

    def get_source(self, environment: Any, template: str) -> tuple[str, None, Callable[[], bool]]:
        return self.sources[template], None, lambda: True  # a name is its source: never stale


class _DiskCache(FileSystemBytecodeCache):
    """Jinja's file cache, except that failing to write an entry is never an error."""

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


class Sandbox(ImmutableSandboxedEnvironment):
    """The sandboxed environment; `from_string` and `compile_expression` compile each distinct
    source once (a playbook's conditions were compiled again on every draft)."""

    loader: _Sources
    MAX_EXPRESSIONS = 4000

    def __init__(self, locale: str | None = None) -> None:
        from contractkit.core import formatting

        super().__init__(
            autoescape=True,
            undefined=StrictUndefined,
            loader=_Sources(),
            bytecode_cache=_disk_cache(),
            cache_size=4000,
            auto_reload=False,
        )
        if locale:
            self.filters.update(formatting.filters(locale))
        # Compiled code depends on these settings, so they are part of every cache key.
        self._settings = f"{jinja2.__version__}|{type(self).__qualname__}|{sorted(self.filters)}|"
        self._expressions: dict[tuple[str, bool], Any] = {}

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Any:
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        name = hashlib.sha256((self._settings + source).encode()).hexdigest()
        self.loader.sources.setdefault(name, source)
        return self.get_template(name)

    def compile_expression(self, source: str, undefined_to_none: bool = True) -> Any:
        """A compiled expression (a playbook condition, a loop's list), kept while fewer than
        MAX_EXPRESSIONS are: calling it renders afresh, so one compiled copy serves every deal."""
        key = (source, undefined_to_none)
        compiled = self._expressions.get(key)
        if compiled is None:
            compiled = super().compile_expression(source, undefined_to_none)
            if len(self._expressions) < self.MAX_EXPRESSIONS:
                self._expressions[key] = compiled
        return compiled


@cache
def sandbox(locale: str | None = None) -> Sandbox:
    """The shared sandbox for `locale`; without one, no formatting filters (for parsing only)."""
    return Sandbox(locale)


def _disk_cache() -> _DiskCache | None:
    path = private_cache()  # cached entries are executed: only a private folder of our own
    return None if path is None else _DiskCache(str(path), "%s.jinja")
