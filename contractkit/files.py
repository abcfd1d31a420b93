"""Writing output files safely: atomically, and never over a file the user has without --force."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from contractkit.errors import ContractkitError, OutputExists


def check_target(path: Path, *, force: bool) -> None:
    """Fail before any work is done if `path` cannot or must not be written."""
    if path.exists() and not force:
        raise OutputExists(path)
    if not path.parent.is_dir():
        raise ContractkitError(f"{path.parent}: directory does not exist", hint="create it first")
    if not os.access(path.parent, os.W_OK):
        raise ContractkitError(f"{path.parent}: directory is not writable")


def write_atomic(path: Path, data: bytes, *, force: bool) -> None:
    """Write via a temporary file in the same directory, then rename: no partial files, ever."""
    check_target(path, force=force)
    tmp: Path | None = None
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        tmp = Path(name)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        tmp.chmod(0o644)
        tmp.replace(path)
    except OSError as exc:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        raise ContractkitError(f"{path}: cannot write ({exc.strerror})") from None
