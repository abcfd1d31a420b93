"""Benchmark the web app over loopback against `contractkit draft` of the same deal, in one run.

Starts `contractkit serve --demo` (waitress) with a throwaway data folder, logs in as the demo
negotiator, and measures the deal page, a DOCX download and a PDF download with 1 and 10
concurrent clients (threads, each with its own keep-alive connection; bounded in requests and in
time). The first request for each file is timed on its own: it is the one that drafts.
Baselines in the same run: `contractkit draft` as a whole process, and the API's in-process draft.
The server runs its warm LibreOffice pool (one converter per core); the bench waits until it answers.
Last, each converter's resident memory (unoserver and LibreOffice together) every 100 of its own
conversions up to 500, with a pool of the same size that never recycles, so that growth would show.

Usage: .venv/bin/python bench/web.py [--quick] [--memory-only]
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from common import CONTRACTKIT, ROOT, best_of, installed_like, run

DEAL_FILE = ROOT / "examples" / "northby-sepsis.yaml"
USER, PASSWORD = "negotiator", "demo-negotiator-2026"  # printed by `serve --demo`
BUDGET = 120.0  # seconds, at most, for any one measurement


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def reference() -> str:
    found = re.search(r"^  reference: (\S+)$", DEAL_FILE.read_text(encoding="utf-8"), re.M)
    assert found, "the example deal has no reference"
    return found.group(1)


@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]
    cookies: dict[str, str] = field(default_factory=dict)

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=BUDGET)

    def get(self, conn: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
        conn.request("GET", path, headers={"Cookie": self.cookie_header()})
        response = conn.getresponse()
        return response.status, response.read()

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def keep(self, response: http.client.HTTPResponse) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]


def start(data: Path, env: dict[str, str]) -> Server:
    """The app on a free loopback port, answering within 120 s (migrations and demo data first)."""
    port = free_port()
    log = (data.parent / "serve.log").open("wb")
    args = [CONTRACTKIT, "serve", "--data", str(data), "--demo", "--host", "127.0.0.1", "--port", str(port)]
    server = Server(port, subprocess.Popen(args, stdout=log, stderr=log, env=env))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SystemExit(f"contractkit serve exited; see {data.parent / 'serve.log'}")
        try:
            status, _ = server.get(server.connect(), "/login/")
            if status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.process.terminate()
    raise SystemExit("contractkit serve did not answer within 120 s")


def pool_ready(server: Server, wait: float = 120.0) -> int:
    """Wait until the server's converters (its child processes) all answer; how many there are."""
    from contractkit.pdf import warm
    from contractkit.pdf.pool import default_size

    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        ports = converter_ports(server.process.pid)
        if len(ports) == default_size() and all(warm.answers(port) for port in ports):
            return len(ports)
        time.sleep(0.2)
    raise SystemExit("the server's PDF converters did not answer within 120 s")


def converter_ports(pid: int) -> list[int]:
    """The loopback ports of the converters process `pid` started (from their command lines)."""
    ports = []
    for entry in Path("/proc").iterdir():
        try:
            parent = re.search(r"\nPPid:\t(\d+)\n", (entry / "status").read_text())
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except (OSError, NotADirectoryError):
            continue
        if parent and int(parent.group(1)) == pid and b"--port" in args:
            ports.append(int(args[args.index(b"--port") + 1]))
    return ports


def converter_memory(conversions: int, step: int = 100) -> list[tuple[int, list[float]]]:
    """Each converter's resident memory in MB after every `step` of its own conversions, the
    example agreements in turn, with recycling turned off."""
    from contractkit import api
    from contractkit.pdf.pool import Pool
    from contractkit.pdf.soffice import PDFA3

    library = api.load_library()
    docs = [api.render_docx(library, api.assemble(library, api.load_deal(path, library)))
            for path in sorted((ROOT / "examples").glob("*.yaml"))]  # fmt: skip
    rows: list[tuple[int, list[float]]] = []
    with Pool(recycle_after=10**9) as pool:
        if not pool.wait_ready(120):
            raise SystemExit(f"the pool did not start: {pool.problem}")

        def convert(k: int) -> None:
            for n in range(step):
                pool.convert(docs[(k + n) % len(docs)], pdfa=PDFA3)

        rows.append((0, [row.memory / 2**20 for row in pool.status()]))
        for _ in range(conversions // step):
            threads = [threading.Thread(target=convert, args=(k,)) for k in range(pool.size)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            status = pool.status()
            assert all(row.starts == 1 for row in status), "a converter was replaced during the measurement"
            done = round(statistics.mean(row.conversions for row in status))
            rows.append((done, [row.memory / 2**20 for row in status]))
    return rows


def report_memory(rows: list[tuple[int, list[float]]]) -> None:
    print("converter memory (RSS of unoserver + LibreOffice, MB), recycling off:")
    print(f"{'conversions':>11} " + " ".join(f"{'converter ' + str(k):>12}" for k in range(len(rows[0][1]))))
    for done, memory in rows:
        print(f"{done:>11} " + " ".join(f"{mb:>12.0f}" for mb in memory))
    growth = [(last - first) for first, last in zip(rows[1][1], rows[-1][1], strict=True)]
    print(f"growth from {rows[1][0]} to {rows[-1][0]} conversions: " + ", ".join(f"{g:+.0f} MB" for g in growth))


def log_in(server: Server) -> None:
    """Through the real login form: its CSRF cookie and token, then the session cookie."""
    conn = server.connect()
    conn.request("GET", "/login/")
    response = conn.getresponse()
    server.keep(response)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', response.read())
    assert token, "no CSRF token on the login page"
    form = urllib.parse.urlencode({"username": USER, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)})
    headers = {"Cookie": server.cookie_header(), "Content-Type": "application/x-www-form-urlencoded"}
    conn.request("POST", "/login/", body=form, headers=headers)
    response = conn.getresponse()
    response.read()
    server.keep(response)
    assert response.status == 302 and "sessionid" in server.cookies, f"login failed ({response.status})"


def load(server: Server, paths: list[str], clients: int) -> list[float]:
    """GET each of `paths` once, shared among `clients` threads; each latency in seconds."""
    times: list[float] = []
    lock, queue = threading.Lock(), list(reversed(paths))
    deadline = time.monotonic() + BUDGET

    def client() -> None:
        conn = server.connect()
        while time.monotonic() < deadline:
            with lock:
                if not queue:
                    return
                path = queue.pop()
            began = time.perf_counter()
            status, body = server.get(conn, path)
            spent = time.perf_counter() - began
            assert status == 200 and body, f"{path}: {status}"
            with lock:
                times.append(spent)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(BUDGET + 10)
    return times


def new_versions(server: Server, ref: str, count: int) -> list[int]:
    """`count` new versions of the deal, made by swapping confidentiality between two wordings the
    negotiator may choose alone (no approval needed): each is a version no one has drafted yet."""
    conn, made = server.connect(), []
    for i in range(count):
        position = "five-years" if i % 2 == 0 else "three-years"
        form = urllib.parse.urlencode({"clause": "confidentiality", "position": position})
        headers = {
            "Cookie": server.cookie_header(),
            "Content-Type": "application/x-www-form-urlencoded",
            "X-CSRFToken": server.cookies["csrftoken"],
        }
        conn.request("POST", f"/deals/{ref}/swap/", body=form, headers=headers)
        response = conn.getresponse()
        response.read()
        assert response.status == 302, f"swap refused ({response.status})"
        status, page = server.get(conn, f"/deals/{ref}/")
        number = re.search(rb"version (\d+)", page)
        assert status == 200 and number, "deal page without a version number"
        made.append(int(number.group(1)))
    return made


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def timed(action: Callable[[], object]) -> float:
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


def fetch(server: Server, conn: http.client.HTTPConnection, path: str) -> None:
    status, body = server.get(conn, path)
    assert status == 200 and body, f"{path}: {status}"


Row = tuple[str, int, list[float]]


def one_client(server: Server, ref: str, runs: int) -> tuple[list[Row], list[float]]:
    """One client. Each new version's download is paired with an in-process draft of that same
    version's deal file (exported from the app), timed just before it, so both sides draft the same
    deal under the same load on the machine."""
    from contractkit import api

    library = api.load_library()
    work = Path(tempfile.mkdtemp(prefix="contractkit-bench-web-"))
    api.draft(library, DEAL_FILE, work / "warm.docx", force=True)  # locale data, compiled templates
    conn = server.connect()
    inproc: list[float] = []
    rows: dict[str, list[float]] = {"deal page": [], "DOCX, new version": [], "DOCX, again": []}
    for number in new_versions(server, ref, runs):
        deal = work / f"v{number}.yaml"
        status, text = server.get(conn, f"/deals/{ref}/v{number}/deal.yaml")
        assert status == 200, f"export of version {number}: {status}"
        deal.write_bytes(text)
        inproc.append(timed(lambda deal=deal: api.draft(library, deal, work / "in-process.docx", force=True)))
        docx = f"/deals/{ref}/v{number}/agreement.docx"
        rows["DOCX, new version"].append(timed(lambda docx=docx: fetch(server, conn, docx)))
        rows["DOCX, again"].append(timed(lambda docx=docx: fetch(server, conn, docx)))
        rows["deal page"].append(timed(lambda: fetch(server, conn, f"/deals/{ref}/")))
    pdfs = [f"/deals/{ref}/v{n}/agreement.pdf" for n in new_versions(server, ref, max(2, runs // 5))]
    rows["PDF, new version"] = load(server, pdfs, 1)
    rows["PDF, again"] = load(server, pdfs * 2, 1)
    return [(name, 1, times) for name, times in rows.items()], inproc


def ten_clients(server: Server, ref: str, runs: int) -> list[Row]:
    fresh = [f"/deals/{ref}/v{v}/agreement.docx" for v in new_versions(server, ref, runs)]
    pdfs = [f"/deals/{ref}/v{v}/agreement.pdf" for v in new_versions(server, ref, 10)]
    paths = {
        "deal page": [f"/deals/{ref}/"] * runs,
        "DOCX, new version": fresh,
        "DOCX, again": fresh,
        "PDF, new version": pdfs,
        "PDF, again": pdfs,
    }
    return [(name, 10, load(server, wanted, 10)) for name, wanted in paths.items()]


def main(quick: bool, memory_only: bool) -> None:
    installed_like()
    if memory_only:
        report_memory(converter_memory(100 if quick else 500))
        return
    work = Path(tempfile.mkdtemp(prefix="contractkit-bench-web-"))
    os.environ["CONTRACTKIT_CONFIG_DIR"] = str(work / "config")  # a signing key of this run's own
    runs = 10 if quick else 30
    server = start(work / "data", dict(os.environ))
    try:
        converters = pool_ready(server)
        print(f"server with a warm pool of {converters} PDF converter(s)")
        log_in(server)
        ref = reference()
        firsts = {kind: timed(lambda kind=kind: fetch(server, server.connect(), f"/deals/{ref}/v1/agreement.{kind}"))
                  for kind in ("docx", "pdf")}  # fmt: skip
        rows, inproc = one_client(server, ref, runs)
        rows += ten_clients(server, ref, 2 * runs)
    finally:
        server.process.terminate()
        server.process.wait(30)
    cli = best_of(5, lambda: run(CONTRACTKIT, "draft", str(DEAL_FILE), "-o", str(work / "cli.docx"), "--force"))
    report(firsts, rows, cli, statistics.median(inproc))
    report_memory(converter_memory(100 if quick else 500))


def report(firsts: dict[str, float], rows: list[Row], cli: float, inproc: float) -> None:
    print(f"baseline: `contractkit draft` whole process {cli:.3f} s; API in-process draft {inproc:.3f} s (median)")
    print("first download after start-up: " + ", ".join(f"{k.upper()} {v:.3f} s" for k, v in firsts.items()))
    print(f"{'measure':<18} {'clients':>7} {'requests':>8} {'median':>9} {'p95':>9} {'median / in-process':>20}")
    for name, clients, times in rows:
        median = statistics.median(times)
        print(f"{name:<18} {clients:>7} {len(times):>8} {median:>8.3f}s {p95(times):>8.3f}s {median / inproc:>19.2f}x")
    fresh = statistics.median(next(t for name, c, t in rows if name == "DOCX, new version" and c == 1))
    again = statistics.median(next(t for name, c, t in rows if name == "DOCX, again" and c == 1))
    verdict = "met" if fresh <= inproc else "NOT met"
    print(f"DOCX download vs in-process draft, 1 client: new version {fresh / inproc:.2f}x ({verdict}), "
          f"again {again / inproc:.2f}x")  # fmt: skip


if __name__ == "__main__":
    main("--quick" in sys.argv[1:], "--memory-only" in sys.argv[1:])
    sys.exit(0)
