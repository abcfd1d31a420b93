"""unoserver for contractkit's warm pool, run by the Python that carries LibreOffice's UNO bindings.

pdf/warm.py starts this file as `PYTHON -I unoserve.py SITE PARENT ARGS...`, in a session of its
own: SITE is the folder where pip installed contractkit's unoserver (appended to `sys.path`, so
this Python's own packages, `uno` among them, come first), PARENT the process id of the pool
that started it, and ARGS unoserver's own options. Only the standard library and unoserver are
imported here: this Python is not contractkit's. A watchdog kills the whole process group
(unoserver and its LibreOffice) as soon as PARENT is gone, so no LibreOffice outlives its pool,
even when the pool's process is killed with SIGKILL and cannot clean up.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

WATCH_EVERY = 0.5  # seconds between checks that the pool is still there


def watch(parent: int) -> None:
    """Kill this process group once `parent` is no longer this process's parent."""
    while os.getppid() == parent:
        time.sleep(WATCH_EVERY)
    os.killpg(os.getpgrp(), signal.SIGKILL)


def main(argv: list[str]) -> int:
    site, parent, *options = argv
    sys.path.append(site)
    threading.Thread(target=watch, args=(int(parent),), name="contractkit-watchdog", daemon=True).start()
    sys.argv = ["unoserver", *options]
    from unoserver.server import main as serve

    return int(serve() or 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
