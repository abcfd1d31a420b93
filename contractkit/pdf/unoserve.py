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
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from typing import Any

WATCH_EVERY = 0.5  # seconds between checks that the pool is still there


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


def hide_documents(converter_class: Any) -> None:
    """Have every converter unoserver makes load its documents hidden."""
    original = converter_class.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.desktop = HiddenDesktop(self.desktop)

    converter_class.__init__ = init


def main(argv: list[str]) -> int:
    site, parent, *options = argv
    sys.path.append(site)
    threading.Thread(target=watch, args=(int(parent),), name="contractkit-watchdog", daemon=True).start()
    sys.argv = ["unoserver", *options]
    from unoserver import converter
    from unoserver.server import main as serve

    hide_documents(converter.UnoConverter)

    return int(serve() or 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
