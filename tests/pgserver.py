"""A throwaway PostgreSQL server for the web tests: its own data folder and loopback port, removed after.

`make test` runs the web tests a second time against it (CONTRACTKIT_TEST_POSTGRES=1 or
`pytest --postgres`). PostgreSQL refuses to run as root, so under root the server runs as the
`postgres` account (Debian's package creates it) in a folder that account owns.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

USER = "ck"
DATABASE = "contractkit"


def wanted(option: bool) -> bool:
    return option or os.environ.get("CONTRACTKIT_TEST_POSTGRES") == "1"


def _bindir() -> Path:
    """Debian keeps the server programs out of PATH, under /usr/lib/postgresql/<version>/bin."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[4]))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise RuntimeError("PostgreSQL is not installed: run `make test`, which installs Debian's postgresql")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_server_user(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@dataclass
class Server:
    folder: Path
    port: int
    bindir: Path

    def _ctl(self, *args: str) -> None:
        command = _as_server_user([str(self.bindir / "pg_ctl"), "-D", str(self.folder / "data"), *args])
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def stop(self) -> None:
        try:
            self._ctl("-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def django_settings(self) -> dict[str, Any]:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": DATABASE,
            "USER": USER,
            "PASSWORD": "",
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "ATOMIC_REQUESTS": True,
            "CONN_MAX_AGE": 0,
            "OPTIONS": {},
        }


def start() -> Server:
    """initdb a fresh cluster (trust on loopback only) and start it; the caller stops it."""
    bindir = _bindir()
    folder = Path(tempfile.mkdtemp(prefix="contractkit-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    server = Server(folder, _free_port(), bindir)
    initdb = [str(bindir / "initdb"), "-D", str(folder / "data"), "-A", "trust", "-U", USER, "-E", "UTF8"]
    try:
        subprocess.run(_as_server_user(initdb), check=True, capture_output=True, timeout=120)
        options = f"-p {server.port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        server._ctl("-o", options, "-l", str(folder / "server.log"), "-w", "start")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return server
