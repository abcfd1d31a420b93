"""The user's contractkit cache folder, used only when it is a private folder of the user's own.

Compiled Jinja templates (sandbox) and the parsed exclusivity rules (yamlio) are kept there.
`CONTRACTKIT_CACHE_DIR` moves it; set it empty to turn caching off.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

CACHE_ENV = "CONTRACTKIT_CACHE_DIR"


def cache_dir() -> Path | None:
    """Where cached entries are kept, or None when caching is off."""
    configured = os.environ.get(CACHE_ENV)
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "contractkit" / "jinja"


def private_cache() -> Path | None:
    """The cache folder, created if need be, or None when it is off, cannot be made, or is not a
    real folder of ours that nobody else can write (entries are trusted, so others must not write them)."""
    try:
        path = cache_dir()
        if path is None:
            return None
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = path.lstat()
    except (OSError, RuntimeError):  # RuntimeError: no home directory to expand
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_mode & 0o022 or info.st_uid != os.getuid():
        return None
    return path
