"""Helpers for the warm pool's tests: whether LibreOffice's Python bindings are there, waiting for a
condition, and finding a converter's LibreOffice."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable

import pytest

from contractkit.pdf import procs


def needs_uno() -> pytest.MarkDecorator:
    """The pool needs LibreOffice's Python bindings; `make test` installs them (python3-uno)."""
    found = subprocess.run(["/usr/bin/python3", "-c", "import uno"], capture_output=True, check=False).returncode == 0
    missing = (not found or sys.platform != "linux") and not os.environ.get("CI")
    return pytest.mark.skipif(missing, reason="python3-uno not installed; run `make test`")


def when(condition: Callable[[], bool], timeout: float = 60.0) -> bool:
    """Whether `condition` became true within `timeout` seconds (checked every 50 ms)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def soffice_bin(pid: int) -> int:
    """The LibreOffice process of the converter whose process group `pid` leads."""
    return next(p for p in procs.group_members(pid) if procs.command_name(p) == "soffice.bin")
