"""The web app's PDF downloads through the warm pool: in the test client, and for real, with ten
users downloading at once from `contractkit serve` while one converter's LibreOffice is killed.

Real LibreOffice, real unoserver, real waitress and Django; nothing is mocked.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import EXAMPLES, needs_soffice
from poolkit import needs_uno, soffice_bin, when
from test_pdf import gone

from contractkit.pdf import pool as warm_pool
from contractkit.pdf import procs, warm
from contractkit.pdf import render as render_pdf

pytestmark = [needs_soffice(), needs_uno()]
USERS = 10
LOGIN = ("negotiator", "demo-negotiator-2026")  # printed by `serve --demo`


@pytest.mark.django_db
def test_a_pdf_download_is_converted_by_the_web_process_pool(pool: warm_pool.Pool) -> None:
    from webkit import HARBOURSIDE, HARBOURSIDE_FILE, TRUST_A, example_deal, login, people

    example_deal(HARBOURSIDE_FILE, TRUST_A, people()["a-negotiator"])
    before = sum(row.total for row in pool.status(memory=False))
    warm_pool.use_shared(pool)
    try:
        response = login("a-negotiator").get(f"/deals/{HARBOURSIDE}/v1/agreement.pdf")
    finally:
        warm_pool.use_shared(None)
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert render_pdf.read_manifest(response.content) is not None
    assert sum(row.total for row in pool.status(memory=False)) == before + 1


# ----------------------------------------------------------------------------- the real server


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (the server's converters)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            if f"\nPPid:\t{pid}\n" in status:
                found.append(int(entry.name))
    return found


def answering(server: int, count: int) -> bool:
    """Whether `count` converters of the server answer on their ports (read from their command lines)."""
    ports = []
    for child in children(server):
        try:
            args = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"--port" in args:
            ports.append(int(args[args.index(b"--port") + 1]))
    return len(ports) == count and all(warm.answers(port) for port in ports)


class Browser:
    """One user's session over its own connection: the real login form, then downloads."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.read()

    def log_in(self) -> None:
        status, page = self.request("GET", "/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert status == 200 and token
        form = {"username": LOGIN[0], "password": LOGIN[1], "csrfmiddlewaretoken": token.group(1).decode()}
        status, _ = self.request("POST", "/login/", urllib.parse.urlencode(form))
        assert status == 302 and "sessionid" in self.cookies


@pytest.fixture
def server(tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`contractkit serve --demo` with two converters, answering; killed with its group at the end."""
    port = warm.free_ports(1)[0]
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}  # the app's own settings
    command = [sys.executable, "-m", "contractkit", "serve", "--data", str(tmp_path / "data"), "--demo",
               "--port", str(port), "--threads", str(USERS), "--converters", "2"]  # fmt: skip
    with (tmp_path / "serve.log").open("wb") as log:
        proc = subprocess.Popen(command, stdout=log, stderr=log, env=env, start_new_session=True)
    proc.port = port  # type: ignore[attr-defined]
    try:
        assert when(lambda: proc.poll() is not None or answering(proc.pid, 2), 120), "the converters did not answer"
        assert proc.poll() is None, (tmp_path / "serve.log").read_text()
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_ten_users_downloading_pdfs_at_once_all_get_them_though_a_converter_dies(
    server: subprocess.Popen[bytes],
) -> None:
    """Each user downloads every example agreement as PDF, in a different order, all at once; when
    the first PDF arrives, one converter's LibreOffice is killed. No request fails, and SIGTERM to
    the server then stops every LibreOffice it started."""
    references = [re.search(r"^  reference: (\S+)$", p.read_text(encoding="utf-8"), re.M) for p in EXAMPLES]
    paths = [f"/deals/{m.group(1)}/v1/agreement.pdf" for m in references if m]
    assert len(paths) == len(EXAMPLES)
    browsers = [Browser(server.port) for _ in range(USERS)]  # type: ignore[attr-defined]
    for browser in browsers:
        browser.log_in()
    group = [p for c in children(server.pid) for p in procs.group_members(c)]
    results: list[tuple[str, int, bytes]] = []
    first = threading.Event()

    def user(k: int, browser: Browser) -> None:
        for path in paths[k % len(paths) :] + paths[: k % len(paths)]:
            status, body = browser.request("GET", path)
            results.append((path, status, body))
            first.set()

    threads = [threading.Thread(target=user, args=(k, b)) for k, b in enumerate(browsers)]
    try:
        for thread in threads:
            thread.start()
        assert first.wait(120)
        os.kill(soffice_bin(children(server.pid)[0]), signal.SIGKILL)
        for thread in threads:
            thread.join(180)
    finally:
        for browser in browsers:
            browser.conn.close()
    assert len(results) == USERS * len(paths)
    failed = [(path, status) for path, status, body in results if status != 200 or not body.startswith(b"%PDF-")]
    assert failed == []
    for path in paths:  # each user got the same signed agreement for the same version
        assert len({body for p, _, body in results if p == path}) == 1
    group += [p for c in children(server.pid) for p in procs.group_members(c)]  # the replacement's too
    server.send_signal(signal.SIGTERM)
    assert server.wait(30) in (0, 130)  # waitress ends on SIGTERM itself, or the CLI reports the interrupt
    assert when(lambda: all(gone(pid) for pid in group), 10)
