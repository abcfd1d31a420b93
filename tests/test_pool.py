"""The warm LibreOffice pool: the same PDF as a cold soffice, converters replaced when they die or
have done their share, nothing lost under load, cold soffice when there is no pool, and no
LibreOffice left behind by Ctrl-C, SIGTERM or SIGKILL.

Every test here runs the real LibreOffice under the real unoserver; nothing is mocked.
"""

from __future__ import annotations

import _thread
import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from conftest import example, needs_soffice
from poolkit import needs_uno, soffice_bin, when
from pypdf import PdfReader
from pypdf.generic import DictionaryObject, StreamObject
from test_pdf import fake_soffice, gone, pages, run, xmp

from contractkit import api
from contractkit.core.findings import Report
from contractkit.drafting.assemble import Agreement
from contractkit.library.loading import Library
from contractkit.pdf import pool as warm_pool
from contractkit.pdf import poolstate, procs, warm
from contractkit.pdf import render as render_pdf
from contractkit.pdf.soffice import PDFA3, SOFFICE_ENV
from contractkit.word import xml as docx_io
from contractkit.word.render import MANIFEST_PROPERTY

DEAL = example("northby-sepsis")


pytestmark = [needs_soffice(), needs_uno()]


@pytest.fixture(scope="module")
def drafted(library: Library) -> tuple[Agreement, bytes]:
    agreement = api.assemble(library, api.load_deal(DEAL, library))
    return agreement, api.render_docx(library, agreement)


def members(pool: warm_pool.Pool) -> list[int]:
    """Every process of every converter: unoserver, oosplash and soffice.bin."""
    return [pid for row in pool.status(memory=False) if row.pid for pid in procs.group_members(row.pid)]


def longer(docx: bytes, times: int) -> bytes:
    """The agreement with its body repeated, so that converting it takes a few seconds."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                text = data.decode()
                start, end = text.index("<w:body>") + len("<w:body>"), text.rindex("<w:sectPr")
                data = (text[:start] + text[start:end] * times + text[end:]).encode()
            dst.writestr(item, data)
    return out.getvalue()


# ----------------------------------------------------------------------------- the same PDF


CREATED = re.compile(rb"<xmp:CreateDate>[^<]*</xmp:CreateDate>")


def objects(pdf: bytes) -> dict[int, tuple[bytes, bytes]]:
    """Every object of the PDF, as written (streams decoded), less what LibreOffice stamps afresh on
    each export: the creation date (document information and XMP) and the creation date-time in
    the header of the sRGB colour profile it makes for PDF/A. The trailer (its /ID and
    /DocChecksum, also made from the time) is not an object and is left out."""
    reader = PdfReader(io.BytesIO(pdf))
    found = {}
    for number in range(1, int(reader.trailer["/Size"])):
        obj = reader.get_object(number)
        if obj is None:
            continue
        data = b""
        if isinstance(obj, StreamObject):
            data = obj.get_data()
            if data[36:40] == b"acsp":  # an ICC profile: bytes 24-35 are when it was made
                data = data[:24] + bytes(12) + data[36:]
            data = CREATED.sub(b"", data)
            obj = DictionaryObject({k: v for k, v in obj.items() if k not in ("/Length", "/Filter")})
        if isinstance(obj, DictionaryObject) and "/CreationDate" in obj:
            obj = DictionaryObject({k: v for k, v in obj.items() if k != "/CreationDate"})
        written = io.BytesIO()
        obj.write_to_stream(written)
        found[number] = written.getvalue(), data
    return found


def test_a_pool_conversion_is_finished_exactly_as_a_cold_one(
    pool: warm_pool.Pool, drafted: tuple[Agreement, bytes], library: Library
) -> None:
    agreement, docx = drafted
    cold = render_pdf.finish(agreement, render_pdf.cold_docx_to_pdf(docx, pdfa=PDFA3))
    hot = render_pdf.finish(agreement, pool.convert(docx, pdfa=PDFA3))
    assert pages(hot) == pages(cold) and len(pages(hot)) > 10
    assert "<pdfaid:part>3</pdfaid:part>" in xmp(hot) and "<pdfaid:conformance>B</pdfaid:conformance>" in xmp(hot)
    assert len(hot) == len(cold) and objects(hot) == objects(cold)
    signed = json.loads(docx_io.read_docx(docx).custom[MANIFEST_PROPERTY])
    assert render_pdf.read_manifest(hot) == render_pdf.read_manifest(cold) == signed
    from contractkit.checking.verify import verify

    report: Report = verify(library, hot, name="pool.pdf", ocr=False)
    assert report.compliant, [str(f) for f in report.findings]


def test_draft_to_pdf_in_a_process_with_a_pool_uses_it(
    pool: warm_pool.Pool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a broken soffice first on PATH, only the pool can have made the PDF."""
    monkeypatch.delenv(SOFFICE_ENV, raising=False)
    monkeypatch.setenv("PATH", f"{fake_soffice(tmp_path / 'bin', 'exit 7')}{os.pathsep}{os.environ['PATH']}")
    before = sum(row.total for row in pool.status(memory=False))
    warm_pool.use_shared(pool)
    try:
        result = run("draft", DEAL, "-o", tmp_path / "warm.pdf")
    finally:
        warm_pool.use_shared(None)
    assert result.exit_code == 0, result.output
    assert render_pdf.read_manifest((tmp_path / "warm.pdf").read_bytes()) is not None
    assert sum(row.total for row in pool.status(memory=False)) == before + 1
    cold = run("draft", DEAL, "-o", tmp_path / "cold.pdf")
    assert cold.exit_code == 1 and "LibreOffice failed (exit 7)" in cold.stderr


# ----------------------------------------------------------------------------- nothing lost


def test_a_converter_killed_mid_conversion_is_replaced_and_the_document_tried_once_more(
    pool: warm_pool.Pool, drafted: tuple[Agreement, bytes]
) -> None:
    big = longer(drafted[1], 5)
    before = {row.index: row.pid for row in pool.status(memory=False)}
    retried = pool.retried
    results: list[bytes] = []
    converting = threading.Thread(target=lambda: results.append(pool.convert(big, pdfa=PDFA3)))
    converting.start()
    assert when(lambda: any(row.state == warm_pool.BUSY for row in pool.status(memory=False)), 10)
    time.sleep(0.5)  # LibreOffice is laying it out by now
    busy = next(row for row in pool.status(memory=False) if row.state == warm_pool.BUSY)
    killed = soffice_bin(busy.pid or 0)
    os.kill(killed, signal.SIGKILL)
    converting.join(120)
    once = pool.convert(drafted[1], pdfa=PDFA3)
    assert results and results[0].startswith(b"%PDF-") and len(pages(results[0])) > 4 * len(pages(once))
    assert pool.retried == retried + 1
    assert gone(killed) and gone(busy.pid or 0)
    assert pool.wait_ready(120)
    after = {row.index: row.pid for row in pool.status(memory=False)}
    assert after[busy.index] != before[busy.index]  # replaced
    assert all(after[k] == before[k] for k in after if k != busy.index)


def test_a_conversion_past_the_time_limit_gets_its_converter_replaced(drafted: tuple[Agreement, bytes]) -> None:
    """unoserver stops LibreOffice when a conversion passes the limit (here 1 s, for a document
    twenty agreements long); the pool replaces that converter and tries once more, and with no
    other converter ready says so, for the caller to convert cold."""
    with warm_pool.Pool(1, timeout=1) as small:
        assert small.wait_ready(120), small.problem
        first = small.status(memory=False)[0]
        group = procs.group_members(first.pid or 0)
        with pytest.raises(warm.PoolUnavailable, match="no PDF converter is ready"):
            small.convert(longer(drafted[1], 20), pdfa=PDFA3)
        assert small.retried == 1 and when(lambda: all(gone(pid) for pid in group), 10)
        assert when(lambda: small.status(memory=False)[0].starts == 2, 10)  # a new one is starting
        left = procs.group_members(small.status(memory=False)[0].pid or 0)
    assert when(lambda: all(gone(pid) for pid in left), 10)


def test_a_converter_is_replaced_after_its_share_of_conversions(
    pool: warm_pool.Pool, drafted: tuple[Agreement, bytes]
) -> None:
    """A converter is replaced as soon as it has done its share (here brought down to one more
    conversion than each has done), not at the next request; the others are left alone."""
    before = {row.index: row for row in pool.status(memory=False)}
    groups = {k: procs.group_members(row.pid or 0) for k, row in before.items()}
    with pool.cond:
        shares = {slot.index: slot.limit for slot in pool.slots}
        for slot in pool.slots:
            slot.limit = slot.done + 1
    try:
        assert pool.convert(drafted[1], pdfa=PDFA3).startswith(b"%PDF-")
    finally:
        with pool.cond:
            for slot in pool.slots:
                if slot.starts == before[slot.index].starts:
                    slot.limit = shares[slot.index]
    [recycled] = [k for k, slot in enumerate(pool.slots) if slot.starts == before[k].starts + 1]
    assert len(groups[recycled]) >= 2 and when(lambda: all(gone(pid) for pid in groups[recycled]), 10)
    assert pool.wait_ready(120)
    after = {row.index: row for row in pool.status()}
    old, new = before[recycled], after[recycled]
    assert new.pid != old.pid and new.total == old.total + 1 and new.conversions == 0
    assert new.memory > 50 * 2**20  # LibreOffice itself, counted with unoserver
    assert all(after[k].pid == before[k].pid for k in after if k != recycled)


def test_first_converters_are_replaced_at_staggered_counts() -> None:
    staggered = warm_pool.Pool(4, recycle_after=100)
    assert [staggered._limit(slot) for slot in staggered.slots] == [25, 50, 75, 100]
    staggered.slots[0].starts = 1
    assert staggered._limit(staggered.slots[0]) == 100


# ----------------------------------------------------------------------------- no pool, no leftovers


def test_a_pool_that_cannot_start_falls_back_to_cold_soffice(
    drafted: tuple[Agreement, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(warm.UNO_PYTHON_ENV, sys.executable)  # this venv's Python has no uno
    with pytest.raises(warm.PoolUnavailable, match="cannot be imported") as raised:
        warm_pool.Pool(1).start()
    assert "python3-uno" in (raised.value.hint or "")
    api.stop_pdf_pool()  # forgets a pool the web tests' settings turned off in this process
    try:
        problem = api.start_pdf_pool()
        assert problem is not None and "uno" in problem
        assert warm_pool.warm_capacity() == 0
        assert render_pdf.docx_to_pdf(drafted[1]).startswith(b"%PDF-")  # by a cold soffice
    finally:
        api.stop_pdf_pool()


def test_ctrl_c_while_converters_start_leaves_none_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[int] = []
    real_start = warm.start

    def start_and_record(*args: Any, **kwargs: Any) -> warm.Warm:
        converter = real_start(*args, **kwargs)
        started.append(converter.pid)
        return converter

    monkeypatch.setattr(warm_pool, "start", start_and_record)
    with pytest.raises(KeyboardInterrupt), warm_pool.Pool(2) as starting:
        assert when(lambda: len(started) == 2, 20)
        assert when(lambda: any(procs.command_name(p) == "soffice.bin" for p in members(starting)), 30)
        _thread.interrupt_main()
        time.sleep(5)
    assert when(lambda: all(procs.group_members(pid) == [] for pid in started), 10)


def test_the_pool_process_killed_leaves_no_libreoffice(runtime_dir: Path) -> None:
    """SIGKILL: the pool cannot stop its converters, so each notices its pool has gone and kills
    itself; the state file left is stale. (SIGTERM, as `pool stop` sends, is tested with the CLI.)"""
    how = signal.SIGKILL
    command = [sys.executable, "-m", "contractkit", "pool", "start", "--foreground", "--size", "1"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        assert when(lambda: (s := poolstate.running_state()) is not None and len(s.converters) == 1, 120)
        state = poolstate.running_state()
        assert state is not None and state.pid == proc.pid
        group = procs.group_members(state.converters[0].pid)
        assert any(procs.command_name(pid) == "soffice.bin" for pid in group)
        proc.send_signal(how)
        proc.wait(30)
        assert when(lambda: all(gone(pid) for pid in group), 10)
        assert (runtime_dir / poolstate.STATE_NAME).exists() is (how == signal.SIGKILL)
        assert poolstate.running_state() is None
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_pool_start_status_and_stop_from_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runtime_dir: Path
) -> None:
    started = run("pool", "start", "--size", "1")
    assert started.exit_code == 0, started.output
    try:
        assert "PDF pool started" in started.stderr
        twice = run("pool", "start", "--size", "1")
        assert twice.exit_code == 1 and "a pool is already running" in twice.stderr
        status = run("pool", "status")
        assert status.exit_code == 0 and "1 of 1 converter(s) ready" in status.stdout
        report = json.loads(run("pool", "status", "--format", "json").stdout)
        assert report["running"] and report["converters"][0]["memory"] > 50 * 2**20
        group = procs.group_members(report["converters"][0]["pid"])
        monkeypatch.delenv(SOFFICE_ENV, raising=False)  # only the pool can convert from here on
        monkeypatch.setenv("PATH", f"{fake_soffice(tmp_path / 'bin', 'exit 7')}{os.pathsep}{os.environ['PATH']}")
        drafted = run("draft", DEAL, "-o", tmp_path / "one.pdf")
        assert drafted.exit_code == 0, drafted.output
        deals = [tmp_path / f"{name}.yaml" for name in ("alpha", "beta")]
        for k, deal in enumerate(deals):
            deal.write_text(DEAL.read_text(encoding="utf-8").replace("NHS-DPA-2026-0001", f"NHS-DPA-2026-007{k}"))
        batched = run("batch", *deals, "--outdir", tmp_path / "out")
        assert batched.exit_code == 0, batched.output
        for k, deal in enumerate(deals):
            manifest = render_pdf.read_manifest((tmp_path / "out" / f"{deal.stem}.pdf").read_bytes())
            assert manifest is not None and manifest["agreement"]["reference"] == f"NHS-DPA-2026-007{k}"
    finally:
        stopped = run("pool", "stop")
    assert stopped.exit_code == 0 and "PDF pool stopped" in stopped.stderr
    assert when(lambda: all(gone(pid) for pid in group), 10)
    assert not (runtime_dir / poolstate.STATE_NAME).exists()
    after = run("pool", "status")
    assert after.exit_code == 1 and "no PDF pool is running" in after.stderr
    cold = run("draft", DEAL, "-o", tmp_path / "two.pdf")
    assert cold.exit_code == 1 and "LibreOffice failed (exit 7)" in cold.stderr
    assert run("pool", "stop").stderr.strip() == "no PDF pool is running"


def test_pool_start_says_why_it_cannot(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(warm.UNO_PYTHON_ENV, sys.executable)
    result = run("pool", "start")
    assert result.exit_code == 1
    assert "the pool did not start" in result.stderr and "python3-uno" in result.stderr
    assert poolstate.running_state() is None
