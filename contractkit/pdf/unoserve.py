"""unoserver for contractkit's warm pool, run by the Python that carries LibreOffice's UNO bindings.

pdf/warm.py starts this file as `PYTHON -I unoserve.py SITE PARENT ARGS...`, in a session of its
own: SITE is the folder where pip installed contractkit's unoserver (appended to `sys.path`, so
this Python's own packages, `uno` among them, come first), PARENT the process id of the pool
that started it, and ARGS unoserver's own options. Only the standard library and unoserver are
imported here: this Python is not contractkit's. Documents are loaded hidden, as `soffice
--convert-to` loads them (unoserver does not ask for that; a visible load lays out a view as well,
about a fifth more work per conversion, measured). A watchdog kills the whole process group
(unoserver and its LibreOffice) as soon as PARENT is gone, so no LibreOffice outlives its pool,
even when the pool's process is killed with SIGKILL and cannot clean up.

Only the user who started the pool can reach it. LibreOffice listens on a named pipe, which it
creates as a Unix socket in the temporary folder, made with umask 077 so that only this user may
connect to it (unoserver would have it listen on a loopback TCP port that anyone on the machine
can reach, and whoever reaches UNO can drive LibreOffice); and the XML-RPC server, which must stay
on TCP for unoserver's interface, accepts a connection only from a socket that belongs to this
user, as the kernel's table of TCP sockets (/proc/net/tcp) says.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

WATCH_EVERY = 0.5  # seconds between checks that the pool is still there
PIPE_ENV = "CONTRACTKIT_UNO_PIPE"  # the name of the pipe LibreOffice listens on, given by pdf/warm.py
CONNECT_WAIT = 120.0  # seconds to wait for LibreOffice to open its pipe


def watch(parent: int) -> None:
    """Kill this process group once `parent` is no longer this process's parent."""
    while os.getppid() == parent:
        time.sleep(WATCH_EVERY)
    os.killpg(os.getpgrp(), signal.SIGKILL)


class HiddenDesktop:
    """LibreOffice's desktop, loading every document hidden; anything else goes to the desktop itself."""

    def __init__(self, desktop: Any) -> None:
        self.desktop = desktop

    def loadComponentFromURL(
        self, url: str, frame: str, flags: int, properties: tuple[Any, ...]
    ) -> Any:  # UNO names it so
        from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]  # the UNO Python's own

        return self.desktop.loadComponentFromURL(
            url, frame, flags, (*properties, PropertyValue(Name="Hidden", Value=True))
        )

    def __getattr__(self, name: str) -> Any:
        return getattr(self.desktop, name)


def connect_by_pipe(unoserver_class: Any, pipe: str) -> None:
    """Have every converter (or comparer) unoserver makes reach LibreOffice through `pipe`, the
    converter loading documents hidden. The attributes are those unoserver's own constructors set."""

    def init(self: Any, interface: Any = None, port: Any = None, temp_dir: str | None = None) -> None:
        import uno  # type: ignore[import-not-found]  # the UNO Python's own

        self.local_context = uno.getComponentContext()
        self.resolver = self.local_context.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", self.local_context
        )
        self.context = _resolve(self.resolver, f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        self.service = self.context.ServiceManager
        made = self.service.createInstanceWithContext
        self.desktop = HiddenDesktop(made("com.sun.star.frame.Desktop", self.context))
        self.filter_service = made("com.sun.star.document.FilterFactory", self.context)
        self.type_service = made("com.sun.star.document.TypeDetection", self.context)
        self.temp_dir = temp_dir
        self._export_filters = None
        self._import_filters = None

    unoserver_class.__init__ = init


def _resolve(resolver: Any, url: str) -> Any:
    """The component context at `url`, waiting while LibreOffice starts and opens its pipe."""
    deadline = time.monotonic() + CONNECT_WAIT
    while True:
        try:
            return resolver.resolve(url)
        except Exception as exc:  # UNO's NoConnectException: LibreOffice is not listening yet
            if type(exc).__name__ != "NoConnectException" or time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def accept_on_pipe(pipe: str) -> None:
    """Have the LibreOffice unoserver starts listen on `pipe` instead of a TCP port."""
    popen = subprocess.Popen

    def start(command: list[str], *args: Any, **kwargs: Any) -> Any:
        command = [
            f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext" if str(a).startswith("--accept=") else a
            for a in command
        ]
        return popen(command, *args, **kwargs)

    subprocess.Popen = start  # type: ignore[misc,assignment]  # this process only: unoserver's launch of soffice


def tcp_owner(local: tuple[str, int], remote: tuple[str, int], table: str = "/proc/net/tcp") -> int | None:
    """The user id owning the IPv4 TCP socket bound to `local` and connected to `remote`, if listed."""

    def hexed(address: tuple[str, int]) -> str:
        host = bytes(int(part) for part in address[0].split("."))[::-1].hex().upper()
        return f"{host}:{address[1]:04X}"

    want = (hexed(local), hexed(remote))
    with Path(table).open(encoding="ascii") as lines:
        next(lines)
        for line in lines:
            fields = line.split()
            if (fields[1], fields[2]) == want:
                return int(fields[7])
    return None


def own_user_only(server_class: Any) -> Any:
    """unoserver's XML-RPC server class, accepting only connections from this user's sockets."""

    class OwnUserOnly(server_class):  # type: ignore[misc]
        def verify_request(self, request: Any, client_address: Any) -> bool:
            try:
                owner = tcp_owner(tuple(client_address[:2]), tuple(self.server_address[:2]))
            except (OSError, ValueError, IndexError, StopIteration):
                return False
            return owner == os.getuid()

    return OwnUserOnly


def main(argv: list[str]) -> int:
    site, parent, *options = argv
    sys.path.append(site)
    os.umask(0o077)  # LibreOffice's pipe, profile and temporary files: this user's alone
    threading.Thread(target=watch, args=(int(parent),), name="contractkit-watchdog", daemon=True).start()
    pipe = os.environ.pop(PIPE_ENV)
    sys.argv = ["unoserver", *options]
    from unoserver import comparer, converter, server

    connect_by_pipe(converter.UnoConverter, pipe)
    connect_by_pipe(comparer.UnoComparer, pipe)
    accept_on_pipe(pipe)
    server.XMLRPCServer = own_user_only(server.XMLRPCServer)
    return int(server.main() or 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
