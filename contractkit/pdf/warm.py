"""One warm converter: unoserver keeping a LibreOffice running, and the calls that convert with it.

unoserver runs under the Python that carries LibreOffice's UNO bindings (Debian's /usr/bin/python3
with `python3-uno`), which is not contractkit's own: it is given only the folder where pip
installed the `unoserver` dependency (see pdf/unoserve.py). Each converter has its own LibreOffice
profile and temporary folder, listens on one loopback port (XML-RPC, answering only this user's
sockets) while its LibreOffice listens on a private pipe (see pdf/unoserve.py), and runs in a
session of its own, so that killing its process group stops unoserver and
LibreOffice together. contractkit talks to it with the standard library's XML-RPC client, with a
time limit on every call (unoserver's own client has none).
"""

from __future__ import annotations

import http.client
import importlib.metadata
import os
import secrets
import shutil
import socket
import subprocess
import xmlrpc.client
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contractkit.pdf import procs
from contractkit.pdf.soffice import ConversionFailed, kill_group, soffice

UNO_PYTHON_ENV = "CONTRACTKIT_UNO_PYTHON"  # optional: the Python that can `import uno`
UNO_HINT = "install LibreOffice's Python bindings: sudo apt-get install python3-uno"
UNOSERVER_HINT = "reinstall contractkit, which depends on unoserver: pip install 'unoserver>=3.7,<4'"
API_VERSION = "3"  # unoserver's XML-RPC interface, the same for every 3.x release
LAUNCHER = Path(__file__).with_name("unoserve.py")
LOOPBACK = "127.0.0.1"
PIPE_ENV = "CONTRACTKIT_UNO_PIPE"  # the same name as in pdf/unoserve.py, which imports nothing of ours
REFUSED_DOCUMENT = "Could not load document"  # unoserver's message for a file LibreOffice cannot open


class PoolUnavailable(ConversionFailed):
    """No warm converter can take the document now; the caller converts it with a cold soffice."""


class ConverterLost(Exception):
    """A converter died, timed out or answered nonsense while converting; it is replaced."""


def uno_python() -> str:
    """The Python that can import LibreOffice's UNO bindings, or PoolUnavailable saying how to get one."""
    configured = os.environ.get(UNO_PYTHON_ENV)
    bundled = Path(os.path.realpath(soffice())).with_name("python")  # LibreOffice's own, where it ships one
    candidates = [configured] if configured else ["/usr/bin/python3", str(bundled), shutil.which("python3")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and _imports_uno(candidate):
            return candidate
    where = configured or "/usr/bin/python3"
    raise PoolUnavailable(f"LibreOffice's Python bindings (uno) cannot be imported by {where}", hint=UNO_HINT)


def _imports_uno(python: str) -> bool:
    try:
        done = subprocess.run([python, "-I", "-c", "import uno"], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def unoserver_site() -> str:
    """The folder holding the installed unoserver package, which the UNO Python is given."""
    try:
        dist = importlib.metadata.distribution("unoserver")
    except importlib.metadata.PackageNotFoundError:
        raise PoolUnavailable("the unoserver package is not installed", hint=UNOSERVER_HINT) from None
    if not dist.version.startswith("3."):
        raise PoolUnavailable(f"unoserver {dist.version} is installed; contractkit needs 3.x", hint=UNOSERVER_HINT)
    return str(dist.locate_file(""))


def free_ports(count: int = 2) -> list[int]:
    """`count` loopback ports free at this moment (a converter that then fails to bind is restarted)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind((LOOPBACK, 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


@dataclass
class Launch:
    """What every converter of a pool is started with."""

    python: str
    site: str
    executable: str
    timeout: float  # seconds unoserver allows one conversion before it stops LibreOffice


def launch_config(timeout: float) -> Launch:
    """The UNO Python, unoserver's folder and soffice, found once per pool (PoolUnavailable if missing)."""
    return Launch(uno_python(), unoserver_site(), soffice(), timeout)


@dataclass
class Warm:
    """One running converter: its process group, ports and private folder."""

    proc: subprocess.Popen[bytes]
    port: int
    uno_port: int
    folder: Path

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        """Stop unoserver and LibreOffice at once (the whole process group) and remove the folder."""
        kill_group(self.proc)
        shutil.rmtree(self.folder, ignore_errors=True)

    def ready(self, timeout: float = 1.0) -> bool:
        """Whether it answers: unoserver serves only once it has connected to its LibreOffice."""
        return answers(self.port, timeout)

    def convert(self, docx: bytes, *, pdfa: int, timeout: float) -> bytes:
        """The DOCX as PDF/A (2 or 3); ConverterLost if the converter failed, ConversionFailed if the document did."""
        return convert_on(self.port, docx, pdfa=pdfa, timeout=timeout)

    def memory(self) -> int:
        """Resident memory of the converter's processes together (unoserver and LibreOffice), in bytes."""
        return sum(procs.rss_bytes(pid) for pid in procs.group_members(self.pid))


def start(config: Launch, folder: Path, *, stop_after: int) -> Warm:
    """Start one converter in a session of its own; it answers `ready` a few seconds later."""
    folder.mkdir(mode=0o700, parents=True)
    (folder / "tmp").mkdir()
    port, uno_port = free_ports()
    command = [
        config.python, "-I", str(LAUNCHER), config.site, str(os.getpid()),
        "--interface", LOOPBACK, "--uno-interface", LOOPBACK, "--port", str(port), "--uno-port", str(uno_port),
        "--executable", config.executable, "--user-installation", str(folder / "profile"),
        "--temp-dir", str(folder / "tmp"), "--conversion-timeout", str(max(1, round(config.timeout))),
        "--stop-after", str(stop_after),
    ]  # fmt: skip
    env = {**os.environ, PIPE_ENV: f"contractkit-{secrets.token_hex(12)}"}  # LibreOffice's pipe (pdf/unoserve.py)
    with (folder / "unoserver.log").open("wb") as log:
        try:
            proc = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env
            )
        except OSError as exc:
            raise PoolUnavailable(f"cannot start {config.python}: {exc.strerror}", hint=UNO_HINT) from None
    return Warm(proc, port, uno_port, folder)


def answers(port: int, timeout: float = 1.0) -> bool:
    """Whether a converter answers on `port` (and speaks unoserver's interface)."""
    try:
        info = _proxy(port, timeout).info()
    except (OSError, http.client.HTTPException, xmlrpc.client.Error):
        return False
    return isinstance(info, dict) and info.get("api") == API_VERSION


def convert_on(port: int, docx: bytes, *, pdfa: int, timeout: float) -> bytes:
    """Convert on the converter listening on `port`: the PDF/A's bytes.

    ConverterLost when it could not be reached, failed, took longer than `timeout` or returned
    something that is not a PDF; ConversionFailed when LibreOffice could not open the document."""
    try:
        result = _proxy(port, timeout).convert(
            None, xmlrpc.client.Binary(docx), None, "pdf", "writer_pdf_Export", [f"SelectPdfVersion={pdfa}"], False
        )
    except xmlrpc.client.Fault as fault:
        if REFUSED_DOCUMENT in str(fault.faultString):
            raise ConversionFailed("LibreOffice could not open the document to convert it") from None
        raise ConverterLost(f"the converter failed: {_first_line(fault.faultString)}") from None
    except TimeoutError:
        raise ConverterLost(f"the converter did not answer within {timeout:g} s") from None
    except (OSError, http.client.HTTPException, xmlrpc.client.Error) as exc:
        raise ConverterLost(f"the converter stopped answering ({type(exc).__name__}: {exc})") from None
    data = result.data if isinstance(result, xmlrpc.client.Binary) else b""
    if not data.startswith(b"%PDF-"):
        raise ConverterLost("the converter returned something that is not a PDF")
    return data


def _first_line(text: Any) -> str:
    lines = [line for line in str(text).splitlines() if line.strip()]
    return lines[0][:200] if lines else "no message"


class _Transport(xmlrpc.client.Transport):
    """Plain HTTP with a time limit on connecting and on every read."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.timeout = timeout

    def make_connection(self, host: Any) -> http.client.HTTPConnection:
        connection = super().make_connection(host)
        connection.timeout = self.timeout
        return connection


def _proxy(port: int, timeout: float) -> Any:
    return xmlrpc.client.ServerProxy(f"http://{LOOPBACK}:{port}", transport=_Transport(timeout), allow_none=True)
