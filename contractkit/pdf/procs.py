"""Processes as the warm pool sees them: alive or not, who is in a process group, how much memory.

Read from Linux's /proc. A process id alone is not enough to know a process is the one we
started (ids are reused), so each is named with its start time as well, in clock ticks since
boot; where /proc is missing, only whether some process has the id can be known.
"""

from __future__ import annotations

import os
from contextlib import suppress
from pathlib import Path

PROC = Path("/proc")


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (which may hold spaces), or None."""
    try:
        text = (PROC / str(pid) / "stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    return text.rpartition(")")[2].split()


def start_ticks(pid: int) -> int | None:
    """When the process started, in clock ticks since boot; None if it is gone (or there is no /proc)."""
    fields = _stat_fields(pid)
    if not fields or len(fields) < 20:
        return None
    if fields[0] in ("Z", "X"):  # a zombie has finished; only its exit status is left
        return None
    return int(fields[19])


def running(pid: int, started: int | None = None) -> bool:
    """Whether process `pid` is running and, when `started` is given, is the one that started then."""
    if pid <= 0:
        return False
    if PROC.is_dir():
        ticks = start_ticks(pid)
        return ticks is not None and (started is None or ticks == started)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def group_members(pgid: int) -> list[int]:
    """The running processes of process group `pgid` (unoserver and its LibreOffice)."""
    members = []
    with suppress(OSError):
        for entry in PROC.iterdir():
            if entry.name.isdigit():
                fields = _stat_fields(int(entry.name))
                if fields and len(fields) > 2 and fields[2] == str(pgid) and fields[0] not in ("Z", "X"):
                    members.append(int(entry.name))
    return sorted(members)


def rss_bytes(pid: int) -> int:
    """The resident memory of a process, in bytes (0 once it has gone)."""
    try:
        status = (PROC / str(pid) / "status").read_text(encoding="ascii", errors="replace")
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def command_name(pid: int) -> str:
    """The short name of a process's program (`soffice.bin`, `python3`), or '' once it has gone."""
    try:
        return (PROC / str(pid) / "comm").read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return ""
