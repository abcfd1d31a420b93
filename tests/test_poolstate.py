"""The pool's state file: a command uses the pool it names only when the file is ours, private,
well formed, and names processes that are still the ones that wrote it; otherwise it is stale
and the command converts with a cold soffice. Also how a converter's answers are read (one that
hangs, answers nonsense or refuses the document). No LibreOffice is needed here."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import xmlrpc.client
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any
from xmlrpc.server import SimpleXMLRPCServer

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contractkit.pdf import poolstate, procs, warm
from contractkit.pdf.poolstate import Converter, State
from contractkit.pdf.soffice import ConversionFailed

ME = os.getpid()
TICKS = procs.start_ticks(ME) or 0


def ended_pid() -> int:
    """The id of a process that has ended (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def good(**changes: Any) -> dict[str, Any]:
    """A state naming this test process as the pool and as its one converter (both running)."""
    raw: dict[str, Any] = {"format": 1, "pid": ME, "started": TICKS, "size": 1, "problem": None,
                           "converters": [{"port": 40000, "pid": ME, "started": TICKS}]}  # fmt: skip
    raw.update(changes)
    return raw


def write(folder: Path, content: bytes | str | dict[str, Any], mode: int = 0o644) -> Path:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / poolstate.STATE_NAME
    path.unlink(missing_ok=True)
    data = json.dumps(content).encode() if isinstance(content, dict) else content
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    path.chmod(mode)
    return path


Case = Callable[[Path], None]


def symlinked(folder: Path) -> None:
    target = write(folder.parent / "elsewhere", good())
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    (folder / poolstate.STATE_NAME).unlink(missing_ok=True)
    (folder / poolstate.STATE_NAME).symlink_to(target)


def open_folder(folder: Path) -> None:
    write(folder, good())
    folder.chmod(0o777)


STALE: dict[str, tuple[Case, str]] = {
    "no file": (lambda f: f.mkdir(mode=0o700, parents=True, exist_ok=True), "no state file"),
    "no folder": (lambda f: shutil.rmtree(f, ignore_errors=True), "no state file"),
    "empty": (lambda f: write(f, b""), "not a pool state file"),
    "not JSON": (lambda f: write(f, b"port=40000\n"), "not a pool state file"),
    "not UTF-8": (lambda f: write(f, b'{"format": 1, "pid": "\xff"}'), "not a pool state file"),
    "a list": (lambda f: write(f, b"[1, 2]"), "unknown format"),
    "another format": (lambda f: write(f, good(format=2)), "unknown format"),
    "pid as text": (lambda f: write(f, good(pid=str(ME))), "pid is not a whole number"),
    "pid true": (lambda f: write(f, good(pid=True)), "pid is not a whole number"),
    "pid negative": (lambda f: write(f, good(pid=-1)), "pid is not a whole number"),
    "start time a float": (lambda f: write(f, good(started=1.5)), "started is not a whole number"),
    "no converters": (lambda f: write(f, good(converters=None)), "converters is not a list"),
    "too many converters": (lambda f: write(f, good(converters=[{}] * 65)), "converters is not a list"),
    "a converter not an object": (lambda f: write(f, good(converters=[40000])), "a converter is not an object"),
    "port 0": (lambda f: write(f, good(converters=[{"port": 0, "pid": ME, "started": TICKS}])), "port is not"),
    "port too high": (lambda f: write(f, good(converters=[{"port": 70000, "pid": ME, "started": 1}])), "port is not"),
    "problem not text": (lambda f: write(f, good(problem=["x"])), "problem is not text"),
    "huge": (lambda f: write(f, json.dumps(good(problem="x" * 70000))), "larger than"),
    "others can write it": (lambda f: write(f, good(), mode=0o666), "others can write to the state file"),
    "others can write the folder": (open_folder, "others can write to the folder"),
    "a symbolic link": (symlinked, "cannot read it"),
    "its process has ended": (lambda f: write(f, good(pid=ended_pid())), "which has ended"),
    "its id reused by another process": (lambda f: write(f, good(started=TICKS + 1)), "which has ended"),
}


@pytest.mark.parametrize("case", STALE)
def test_a_stale_or_untrustworthy_state_file_names_no_pool(case: str, runtime_dir: Path) -> None:
    make, reason = STALE[case]
    make(runtime_dir)
    try:
        assert poolstate.running_state() is None
        report = poolstate.report()
        assert report["running"] is False and reason in report["reason"], report["reason"]
        assert poolstate.external_convert(b"PK", pdfa=2, timeout=1) is None  # so a cold soffice converts
    finally:
        if runtime_dir.exists():
            runtime_dir.chmod(0o700)
            (runtime_dir / poolstate.STATE_NAME).unlink(missing_ok=True)


def test_a_state_file_of_a_running_pool_is_used(runtime_dir: Path) -> None:
    write(runtime_dir, good())
    try:
        state = poolstate.running_state()
        assert state == State(ME, TICKS, 1, [Converter(40000, ME, TICKS)])
        assert poolstate.report()["converters"][0]["port"] == 40000
    finally:
        (runtime_dir / poolstate.STATE_NAME).unlink()


def test_a_converter_that_has_ended_is_not_used(runtime_dir: Path) -> None:
    """The pool runs but its converter has gone (replaced a moment ago): nothing to try, so cold."""
    write(runtime_dir, good(converters=[{"port": 40000, "pid": ended_pid(), "started": 1}]))
    try:
        assert poolstate.running_state() is not None
        assert poolstate.report()["converters"] == []
        assert poolstate.external_convert(b"PK", pdfa=2, timeout=1) is None
    finally:
        (runtime_dir / poolstate.STATE_NAME).unlink()


def test_stop_removes_a_stale_state_file(runtime_dir: Path) -> None:
    from contractkit.pdf.poolservice import stop_running

    path = write(runtime_dir, good(pid=ended_pid()))
    assert stop_running() is None and not path.exists()


def test_the_runtime_folder_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(poolstate.RUNTIME_ENV)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "xdg"))
    assert poolstate.runtime_dir() == tmp_path / "xdg" / "contractkit"
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    monkeypatch.setenv("CONTRACTKIT_CONFIG_DIR", str(tmp_path / "config"))
    assert poolstate.runtime_dir() == tmp_path / "config" / "run"


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
FIELDS = st.sampled_from(["format", "pid", "started", "size", "converters", "problem", "port"])


@given(st.dictionaries(FIELDS, JSON | st.integers(-5, 70000), max_size=7) | JSON)
def test_any_json_is_read_as_a_valid_state_or_refused(raw: Any) -> None:
    try:
        state = poolstate.parse_state(raw)
    except ValueError:
        return
    assert 1 <= state.pid < 2**31 and 1 <= state.size <= poolstate.MAX_CONVERTERS
    assert all(1 <= c.port <= 65535 and c.pid >= 1 for c in state.converters)


CONVERTERS = st.builds(Converter, st.integers(1, 65535), st.integers(1, 2**31 - 1), st.integers(0, 2**40))
STATES = st.builds(
    State,
    pid=st.integers(1, 2**31 - 1),
    started=st.integers(0, 2**40),
    size=st.integers(1, 64),
    converters=st.lists(CONVERTERS, max_size=4),
    problem=st.none() | st.text(max_size=40),
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(state=STATES)
def test_a_state_written_is_read_back_the_same(state: State, runtime_dir: Path) -> None:
    poolstate.write_state(state)
    assert poolstate.load_state() == state


# ----------------------------------------------------------------------------- a converter's answers


def hung(server: socket.socket) -> None:
    """Read the request and never answer, as a converter stuck in LibreOffice would, until the
    client gives up and closes the connection."""
    conn, _ = server.accept()
    with conn:
        while conn.recv(65536):
            pass


def answering(result: Callable[[], Any]) -> Callable[[socket.socket], None]:
    """An XML-RPC converter whose `convert` returns (or raises) what `result` gives."""

    def serve(server: socket.socket) -> None:
        rpc = SimpleXMLRPCServer(server.getsockname(), bind_and_activate=False, logRequests=False, allow_none=True)
        rpc.socket.close()
        rpc.socket = server
        rpc.register_function(lambda *args: result(), "convert")
        with suppress(OSError, ValueError):
            rpc.handle_request()

    return serve


def refuse(message: str) -> Callable[[], Any]:
    def fault() -> Any:
        raise xmlrpc.client.Fault(1, message)

    return fault


@pytest.mark.parametrize(
    ("peer", "expected", "words"),
    [
        (hung, warm.ConverterLost, "did not answer within 0.5 s"),
        (answering(lambda: xmlrpc.client.Binary(b"<html>not a pdf</html>")), warm.ConverterLost, "not a PDF"),
        (answering(lambda: "text"), warm.ConverterLost, "not a PDF"),
        (answering(refuse("RuntimeError: Could not load document <remote file>")), ConversionFailed, "could not open"),
        (
            answering(refuse("com.sun.star.lang.DisposedException: Binary URP bridge disposed")),
            warm.ConverterLost,
            "the converter failed: .*DisposedException",
        ),
    ],
    ids=["no answer in time", "not a PDF", "not bytes", "document refused", "LibreOffice gone"],
)
def test_what_a_converter_answers_decides_whether_it_is_replaced(
    peer: Callable[[socket.socket], None], expected: type[Exception], words: str
) -> None:
    """ConverterLost (the pool replaces it, and tries the document again) or ConversionFailed (the
    document's fault: the converter is kept, and a cold soffice would fail the same way)."""
    server = socket.create_server(("127.0.0.1", 0))
    thread = threading.Thread(target=peer, args=(server,), daemon=True)
    thread.start()
    try:
        with pytest.raises(expected, match=words) as raised:
            warm.convert_on(server.getsockname()[1], b"PK\x03\x04", pdfa=3, timeout=0.5)
        assert type(raised.value) is expected  # a refused document is not a lost converter, nor the reverse
    finally:
        server.close()
        thread.join(5)
