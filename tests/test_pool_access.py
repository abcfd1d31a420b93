"""Only the user who started a pool can reach its converters: LibreOffice listens on a pipe only
its user may open, not on a TCP port, and the converter's XML-RPC port answers only connections
from its user's sockets (pdf/unoserve.py). Real converters, real LibreOffice; another user is
played by `setpriv` where the tests run as root."""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import needs_soffice
from poolkit import needs_uno

from contractkit.pdf import procs
from contractkit.pdf.unoserve import tcp_owner

LISTEN = "0A"


def table(tmp_path: Path, rows: list[tuple[str, str, str, int]]) -> Path:
    """A /proc/net/tcp of our own: (local, remote, state, uid) per socket."""
    head = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    lines = [
        f"   {n}: {local} {remote} {state} 00000000:00000000 00:00000000 00000000  {uid}        0 {1000 + n} 1\n"
        for n, (local, remote, state, uid) in enumerate(rows)
    ]
    path = tmp_path / "tcp"
    path.write_text(head + "".join(lines), encoding="ascii")
    return path


def test_the_owner_of_a_loopback_socket_is_read_from_the_kernel_table(tmp_path: Path) -> None:
    path = table(
        tmp_path,
        [
            ("0100007F:B7C1", "00000000:0000", LISTEN, 0),  # the server listening on 47041
            ("0100007F:D431", "0100007F:B7C1", "01", 1001),  # a client on 54321 connected to it
            ("0100007F:B7C1", "0100007F:D431", "01", 0),  # the server's side of that connection
        ],
    )
    assert tcp_owner(("127.0.0.1", 54321), ("127.0.0.1", 47041), str(path)) == 1001
    assert tcp_owner(("127.0.0.1", 47041), ("127.0.0.1", 54321), str(path)) == 0
    assert tcp_owner(("127.0.0.1", 54322), ("127.0.0.1", 47041), str(path)) is None


def test_the_owner_of_a_real_connection_is_this_user() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        client = socket.create_connection(server.getsockname())
        with client, server.accept()[0]:
            assert tcp_owner(client.getsockname(), server.getsockname()) == os.getuid()


# ----------------------------------------------------------------------------- live converters


def listening_tcp_ports(pids: list[int]) -> set[int]:
    """TCP ports the processes listen on (IPv4 and IPv6), from their sockets and the kernel's tables."""
    inodes = set()
    for pid in pids:
        fds = Path(f"/proc/{pid}/fd")
        for fd in fds.iterdir() if fds.exists() else []:
            target = str(fd.readlink()) if fd.is_symlink() else ""
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    ports = set()
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(name).read_text(encoding="ascii").splitlines()[1:]:
            fields = line.split()
            if fields[3] == LISTEN and fields[9] in inodes:
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


@needs_soffice()
@needs_uno()
def test_a_converter_listens_on_its_xmlrpc_port_alone(pool: Any) -> None:
    """unoserver alone would have LibreOffice accept UNO connections on a loopback TCP port too."""
    for row in pool.status(memory=False):
        assert row.pid is not None and row.port is not None
        members = procs.group_members(row.pid)
        assert any(procs.command_name(p) == "soffice.bin" for p in members)
        assert listening_tcp_ports(members) == {row.port}


@needs_soffice()
@needs_uno()
def test_each_libreoffice_accepts_on_a_pipe_only_its_user_may_open(pool: Any) -> None:
    for row in pool.status(memory=False):
        assert row.pid is not None
        office = next(p for p in procs.group_members(row.pid) if procs.command_name(p) == "soffice.bin")
        arguments = Path(f"/proc/{office}/cmdline").read_bytes().decode().split("\0")
        accepts = [a for a in arguments if a.startswith("--accept=")]
        assert len(accepts) == 1 and accepts[0].startswith("--accept=pipe,name=contractkit-"), accepts
        name = accepts[0].removeprefix("--accept=pipe,name=").split(";")[0]
        pipe = Path(f"/tmp/OSL_PIPE_{os.getuid()}_{name}")
        info = pipe.stat()
        assert stat.S_ISSOCK(info.st_mode) and info.st_uid == os.getuid()
        assert stat.S_IMODE(info.st_mode) & 0o077 == 0, f"{pipe}: {stat.filemode(info.st_mode)}"


OTHER_USER = 65534  # nobody


@needs_soffice()
@needs_uno()
@pytest.mark.skipif(os.getuid() != 0 or not shutil.which("setpriv"), reason="playing another user needs root")
def test_another_user_gets_no_answer_and_this_user_does(pool: Any) -> None:
    port = next(row.port for row in pool.status(memory=False) if row.port)
    ask = (
        "import xmlrpc.client\n"
        "try:\n"
        f"    print(xmlrpc.client.ServerProxy('http://127.0.0.1:{port}').info()['api'])\n"
        "except OSError as exc:\n"
        "    print(type(exc).__name__)\n"
    )
    python = ["/usr/bin/python3", "-I", "-c", ask]
    as_other = ["setpriv", f"--reuid={OTHER_USER}", f"--regid={OTHER_USER}", "--clear-groups"]
    other = subprocess.run([*as_other, *python], check=False, capture_output=True, text=True, timeout=60)
    # the connection is closed unread: the client sees it closed or reset, before or after sending
    assert other.stdout.strip() in ("RemoteDisconnected", "ConnectionResetError", "BrokenPipeError"), other
    mine = subprocess.run(python, check=False, capture_output=True, text=True, timeout=60)
    assert mine.returncode == 0 and mine.stdout.strip() == "3", mine.stderr
