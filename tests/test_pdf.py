"""PDF output: LibreOffice conversion, PDF/A, metadata, manifest, draft marking, batch, failure paths.

End-to-end tests use the real soffice (installed by `make test`); the failure-path tests put a
fake `soffice` script first on PATH to exercise our own process handling.
"""

from __future__ import annotations

import io
import json
import os
import re
import signal
import threading
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from conftest import example, needs_soffice
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter

from contractkit import api
from contractkit.cli import main
from contractkit.core.text import normalise
from contractkit.drafting.assemble import Agreement
from contractkit.errors import CannotVerify, ContractkitError
from contractkit.library.loading import Library
from contractkit.pdf import batch
from contractkit.pdf import render as render_pdf
from contractkit.word import xml as docx_io
from contractkit.word.render import MANIFEST_PROPERTY

DEAL = example("northby-sepsis")
INSTALL = "sudo apt-get install libreoffice-writer-nogui"


# ----------------------------------------------------------------------------- helpers


def pages(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def body_text(pdf: bytes, reference: str) -> str:
    """The PDF's text without page headers and footers, normalised, without whitespace, casefolded."""
    kept = [
        line
        for page in pages(pdf)
        for line in page.splitlines()
        if not line.strip().startswith(reference) and not re.fullmatch(r"\s*Page \d+ of \d+\s*", line)
    ]
    return squash(" ".join(kept))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", normalise(text)).casefold()


def expected_clauses(agreement: Agreement, docx: bytes) -> list[str]:
    """Each clause heading and paragraph of the DOCX, in order, with the number it prints with."""
    blocks: dict[str, list[str]] = {}
    for block in docx_io.read_docx(docx).blocks:
        if block.clause:
            blocks.setdefault(block.clause, []).append(block.text)
    out = []
    for placed in agreement.all_clauses():
        heading, *paras = blocks[placed.id]
        assert len(paras) == len(placed.paragraphs), placed.id
        out.append(f"{placed.number}. {heading}")
        out += [f"{p.number} {text}" for p, text in zip(placed.paragraphs, paras, strict=True)]
    return out


def xmp(pdf: bytes) -> str:
    root: Any = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    return str(root["/Metadata"].get_object().get_data().decode())


def fake_soffice(folder: Path, body: str) -> Path:
    """A `soffice` shell script for failure paths; returns the folder to put first on PATH."""
    folder.mkdir(exist_ok=True)
    script = folder / "soffice"
    script.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    script.chmod(0o755)
    return folder


def gone(pid: int) -> bool:
    """True once a process has exited (a zombie awaiting its new parent counts as gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "State:\tZ" in status


def run(*args: object, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)


def deal_copy(folder: Path, name: str, reference: str, *, text: str | None = None) -> Path:
    source = text if text is not None else DEAL.read_text(encoding="utf-8")
    path = folder / f"{name}.yaml"
    path.write_text(source.replace("NHS-DPA-2026-0001", reference), encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- real LibreOffice


class Rendered:
    """The example as draft and final, DOCX and PDF, converted in one soffice call."""

    def __init__(self, library: Library, tmp: Path) -> None:
        self.agreement = {f: api.assemble(library, api.load_deal(DEAL, library), final=f) for f in (False, True)}
        self.docx = {f: api.render_docx(library, a) for f, a in self.agreement.items()}
        sources = []
        for final, data in self.docx.items():
            sources.append(tmp / f"{'final' if final else 'draft'}.docx")
            sources[-1].write_bytes(data)
        results = render_pdf.convert_many(sources, tmp / "pdf", pdfa=render_pdf.PDFA3)
        self.pdf = {}
        for final, result in zip((False, True), results, strict=True):
            assert result.pdf is not None, result.error
            self.pdf[final] = render_pdf.finish(self.agreement[final], result.pdf.read_bytes())


@pytest.fixture(scope="module")
def rendered(library: Library, tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    return Rendered(library, tmp_path_factory.mktemp("pdf"))


@needs_soffice()
@pytest.mark.parametrize("final", [False, True])
def test_pdf_has_every_clause_of_the_docx_in_order_with_numbers(rendered: Rendered, final: bool) -> None:
    agreement = rendered.agreement[final]
    text = body_text(rendered.pdf[final], agreement.deal.agreement.reference)
    position = text.index(squash("Agreed terms"))
    for item in expected_clauses(agreement, rendered.docx[final]):
        found = text.find(squash(item), position)
        assert found >= 0, f"not found in order: {item[:80]!r}"
        position = found + len(squash(item))


@needs_soffice()
@pytest.mark.parametrize("final", [False, True])
def test_attached_manifest_equals_the_docx_manifest(rendered: Rendered, final: bool) -> None:
    docx_manifest = json.loads(docx_io.read_docx(rendered.docx[final]).custom[MANIFEST_PROPERTY])
    assert render_pdf.read_manifest(rendered.pdf[final]) == docx_manifest
    assert docx_manifest["final"] is final
    names = PdfReader(io.BytesIO(rendered.pdf[final])).attachments
    assert list(names) == [render_pdf.MANIFEST_NAME]


@needs_soffice()
def test_metadata_and_pdfa_identification(rendered: Rendered) -> None:
    agreement, pdf = rendered.agreement[False], rendered.pdf[False]
    deal = agreement.deal.agreement
    info: Any = PdfReader(io.BytesIO(pdf)).metadata
    assert info.title == f"{agreement.playbook.title}: {deal.title}"
    assert deal.title in info.subject and deal.reference in info.subject
    keywords = info["/Keywords"]
    assert f"agreement {deal.reference}" in keywords
    assert f"clause library {agreement.library_version}" in keywords
    assert f"playbook {agreement.playbook.id} {agreement.playbook.version}" in keywords
    packet = xmp(pdf)
    assert "<pdfaid:part>3</pdfaid:part>" in packet and "<pdfaid:conformance>B</pdfaid:conformance>" in packet
    for value in (info.title, info.subject, keywords):  # PDF/A: XMP mirrors the document information
        assert value.replace("&", "&amp;") in packet


@needs_soffice()
def test_manifest_is_a_pdfa3_associated_file(rendered: Rendered) -> None:
    root: Any = PdfReader(io.BytesIO(rendered.pdf[False])).trailer["/Root"]
    filespec = root["/AF"][0].get_object()
    assert filespec["/AFRelationship"] == "/Data" and filespec["/UF"] == render_pdf.MANIFEST_NAME
    stream = filespec["/EF"]["/F"].get_object()
    assert stream["/Subtype"] == "/application/json" and "/ModDate" in stream["/Params"]


@needs_soffice()
def test_draft_marking_on_every_page_and_none_when_final(rendered: Rendered) -> None:
    draft, final = pages(rendered.pdf[False]), pages(rendered.pdf[True])
    assert len(draft) > 3
    assert all("DRAFT" in page for page in draft)
    assert not any("DRAFT" in page for page in final)


def test_watermark_is_in_every_draft_header_and_gone_when_final(library: Library) -> None:
    for final in (False, True):
        agreement = api.assemble(library, api.load_deal(DEAL, library), final=final)
        with zipfile.ZipFile(io.BytesIO(api.render_docx(library, agreement))) as docx:
            headers = [docx.read(n) for n in docx.namelist() if n.startswith("word/header")]
        assert len(headers) == 2  # the cover page's and the other pages'
        assert all((b'string="DRAFT"' in h) is not final for h in headers)


@needs_soffice()
def test_docx_to_pdf_alone_is_pdfa2b_without_a_manifest(rendered: Rendered) -> None:
    pdf = render_pdf.docx_to_pdf(rendered.docx[True])
    assert pdf.startswith(b"%PDF-")
    assert "<pdfaid:part>2</pdfaid:part>" in xmp(pdf)
    assert render_pdf.read_manifest(pdf) is None


@needs_soffice()
def test_cli_draft_writes_a_pdf_and_refuses_to_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "agreement.pdf"
    result = run("draft", DEAL, "-o", out)
    assert result.exit_code == 0, result.output
    manifest = render_pdf.read_manifest(out.read_bytes())
    assert manifest is not None and manifest["agreement"]["reference"] == "NHS-DPA-2026-0001"
    again = run("draft", DEAL, "-o", out)
    assert again.exit_code == 1 and "already exists" in again.stderr


@needs_soffice()
def test_batch_to_pdf_reports_a_bad_deal_and_converts_the_others(tmp_path: Path) -> None:
    deals = [deal_copy(tmp_path, n, f"NHS-DPA-2026-{k:04d}") for k, n in enumerate(("alpha", "beta", "gamma"), 10)]
    bad = deal_copy(tmp_path, "broken", "X", text="playbook: research-collaboration\nagreement: [\n")
    outdir = tmp_path / "out"
    outdir.mkdir()
    result = run("batch", *deals, bad, "--outdir", outdir, "--jobs", "2")
    assert result.exit_code == 1
    assert str(bad) in result.stderr and "drafting" not in result.stderr  # no progress bar off a TTY
    assert sorted(p.name for p in outdir.iterdir()) == ["alpha.pdf", "beta.pdf", "gamma.pdf"]
    rows = {line.split()[0]: line for line in result.stdout.splitlines()[2:]}
    assert "FAILED" in rows["broken.yaml"] and all(" ok " in rows[f"{n}.yaml"] for n in ("alpha", "beta", "gamma"))
    for k, name in enumerate(("alpha", "beta", "gamma"), 10):
        manifest = render_pdf.read_manifest((outdir / f"{name}.pdf").read_bytes())
        assert manifest is not None and manifest["agreement"]["reference"] == f"NHS-DPA-2026-{k:04d}"


# ----------------------------------------------------------------------------- no LibreOffice needed


def test_batch_to_docx_keeps_existing_files_without_force(tmp_path: Path) -> None:
    deals = [deal_copy(tmp_path, n, f"NHS-DPA-2026-{k:04d}") for k, n in enumerate(("one", "two"), 20)]
    outdir = tmp_path / "out"
    outdir.mkdir()
    (outdir / "one.docx").write_bytes(b"keep me")
    result = run("batch", *deals, "--outdir", outdir, "--to", "docx", "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert [d["ok"] for d in report["deals"]] == [False, True]
    assert "already exists" in report["deals"][0]["error"]
    assert (outdir / "one.docx").read_bytes() == b"keep me"
    assert run("batch", *deals, "--outdir", outdir, "--to", "docx", "--force").exit_code == 0
    assert (outdir / "one.docx").read_bytes().startswith(b"PK")


def test_batch_refuses_clashing_output_names(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = deal_copy(tmp_path / "a", "same", "NHS-DPA-2026-0031")
    second = deal_copy(tmp_path / "b", "same", "NHS-DPA-2026-0032")
    result = run("batch", first, second, "--outdir", tmp_path, "--to", "docx")
    assert result.exit_code == 1 and "clashes with" in result.stderr
    assert (tmp_path / "same.docx").is_file()


def unwritable(tmp_path: Path) -> Path:
    """A directory this process cannot write to; root ignores permission bits, but not procfs."""
    if os.geteuid() == 0:
        return Path("/proc/self")
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    return folder


@pytest.mark.parametrize("to", ["docx", "pdf"])
def test_batch_fails_at_once_when_the_output_directory_is_not_writable(tmp_path: Path, to: str) -> None:
    outdir = unwritable(tmp_path)
    result = run("batch", DEAL, "--outdir", outdir, "--to", to)
    assert result.exit_code == 1
    assert result.stderr.strip() == f"{outdir}: output directory is not writable"


def test_draft_fails_before_work_when_the_directory_is_not_writable(tmp_path: Path) -> None:
    result = run("draft", DEAL, "-o", unwritable(tmp_path) / "x.pdf")
    assert result.exit_code == 1 and "not writable" in result.stderr


def test_missing_libreoffice_gives_the_install_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(render_pdf.SOFFICE_ENV, raising=False)
    env = {"PATH": str(tmp_path / "empty"), render_pdf.SOFFICE_ENV: ""}
    out = tmp_path / "x.pdf"
    result = run("draft", DEAL, "-o", out, env=env)
    assert result.exit_code == 1
    assert "LibreOffice (soffice) is needed" in result.stderr and INSTALL in result.stderr
    assert not out.exists()
    batched = run("batch", DEAL, "--outdir", tmp_path, env=env)
    assert batched.exit_code == 1 and INSTALL in batched.stderr


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], Path]:
    """Install a fake soffice first on PATH; returns the file where it records its child's pid."""
    monkeypatch.delenv(render_pdf.SOFFICE_ENV, raising=False)
    pidfile = tmp_path / "child.pid"

    def install(body: str) -> Path:
        folder = fake_soffice(tmp_path / "bin", body.replace("PIDFILE", str(pidfile)))
        monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
        return pidfile

    return install


def test_timeout_kills_the_whole_process_group(fake: Callable[[str], Path]) -> None:
    pidfile = fake("sleep 60 &\necho $! > PIDFILE\nwait")
    with pytest.raises(ContractkitError, match=r"did not finish within 0\.5 s"):
        render_pdf.docx_to_pdf(b"PK", timeout=0.5)
    assert gone(int(pidfile.read_text()))


def test_ctrl_c_kills_the_whole_process_group(fake: Callable[[str], Path]) -> None:
    pidfile = fake("sleep 60 &\necho $! > PIDFILE\nwait")
    # A real SIGINT to the main thread, as Ctrl-C gives: unlike _thread.interrupt_main, it also
    # breaks a wait inside a system call.
    main_thread = threading.main_thread().ident
    assert main_thread is not None
    timer = threading.Timer(0.5, signal.pthread_kill, (main_thread, signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        render_pdf.docx_to_pdf(b"PK", timeout=30)
    timer.cancel()
    assert gone(int(pidfile.read_text()))


def test_an_interrupt_while_soffice_starts_still_kills_it(
    fake: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C landing after LibreOffice has started but before its clean-up is registered."""
    import time

    from contractkit.pdf import soffice

    pidfile = fake("sleep 60 &\necho $! > PIDFILE\nwait")
    real_spawn = soffice.spawn

    def spawn_then_interrupt(command: list[str], log: Path) -> Any:
        proc = real_spawn(command, log)
        while not (pidfile.exists() and pidfile.read_text().strip()):
            time.sleep(0.01)
        signal.raise_signal(signal.SIGINT)
        return proc

    monkeypatch.setattr(soffice, "spawn", spawn_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        render_pdf.docx_to_pdf(b"PK", timeout=30)
    assert gone(int(pidfile.read_text()))


def test_soffice_exiting_0_without_output_is_an_error(fake: Callable[[str], Path]) -> None:
    fake("echo 'Error: source file could not be loaded'\nexit 0")
    with pytest.raises(ContractkitError, match=r"wrote no PDF.*source file could not be loaded"):
        render_pdf.docx_to_pdf(b"PK")


def test_soffice_failing_is_an_error_with_its_message(fake: Callable[[str], Path]) -> None:
    fake("echo 'bad things' >&2\nexit 3")
    with pytest.raises(ContractkitError, match=r"LibreOffice failed \(exit 3\): bad things"):
        render_pdf.docx_to_pdf(b"PK")


def test_each_run_has_its_own_profile_and_pdfa_filter(tmp_path: Path) -> None:
    command = render_pdf.soffice_command("soffice", tmp_path / "p", tmp_path, [tmp_path / "a.docx"], 3)
    assert command[1] == f"-env:UserInstallation={(tmp_path / 'p').resolve().as_uri()}"
    assert '"SelectPdfVersion":{"type":"long","value":"3"}' in command[command.index("--convert-to") + 1]


# ----------------------------------------------------------------------------- final refusals


REVISION = b'<w:ins w:id="9001" w:author="Reviewer" w:date="2026-01-01T00:00:00Z"><w:r><w:t>late</w:t></w:r></w:ins>'


def with_revision(template: bytes) -> bytes:
    """The Word template with one unaccepted tracked insertion in its body."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(template)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                data = data.replace(b"</w:p>", REVISION + b"</w:p>", 1)
            dst.writestr(item, data)
    return out.getvalue()


def test_final_refuses_unaccepted_tracked_changes(workspace: Callable[..., Path], tmp_path: Path) -> None:
    root = workspace()
    template = root / "templates" / "agreement.docx"
    template.write_bytes(with_revision(template.read_bytes()))
    out = tmp_path / "final.docx"
    refused = run("--library", root, "draft", DEAL, "-o", out, "--final")
    assert refused.exit_code == 1
    assert "1 unaccepted tracked change(s)" in refused.stderr and "agreement.docx" in refused.stderr
    assert not out.exists()
    assert run("--library", root, "draft", DEAL, "-o", out).exit_code == 0  # a draft may carry them


def test_final_refuses_pending_approvals(library: Library, tmp_path: Path) -> None:
    clause, position = next(
        (e.clause, rung.position)
        for s in library.playbooks["research-collaboration"].sections
        for e in s.clauses
        if e.ladder
        for rung in e.ladder.rungs[1:]
        if rung.approver != "negotiator"
    )
    text = DEAL.read_text(encoding="utf-8").replace("positions: {}", f"positions:\n  {clause}: {position}")
    deal = deal_copy(tmp_path, "pending", "NHS-DPA-2026-0040", text=text)
    for suffix in ("docx", "pdf"):
        result = run("draft", deal, "-o", tmp_path / f"final.{suffix}", "--final")
        assert result.exit_code == 1 and "approval pending" in result.stderr
        assert not (tmp_path / f"final.{suffix}").exists()


# ----------------------------------------------------------------------------- reading back, helpers


def test_read_manifest_refuses_what_it_cannot_read() -> None:
    with pytest.raises(CannotVerify):
        render_pdf.read_manifest(b"not a pdf at all")
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    plain = io.BytesIO()
    writer.write(plain)
    assert render_pdf.read_manifest(plain.getvalue()) is None
    writer.add_attachment(render_pdf.MANIFEST_NAME, b"[1, 2]")
    listed = io.BytesIO()
    writer.write(listed)
    with pytest.raises(CannotVerify, match="not a JSON object"):
        render_pdf.read_manifest(listed.getvalue())
    writer.encrypt("secret")
    locked = io.BytesIO()
    writer.write(locked)
    with pytest.raises(CannotVerify, match="encrypted"):
        render_pdf.read_manifest(locked.getvalue())


@given(st.lists(st.integers(), max_size=50), st.integers(min_value=1, max_value=8))
def test_split_keeps_order_and_balances_jobs(items: list[int], parts: int) -> None:
    chunks = render_pdf.split(items, parts)
    assert [x for c in chunks for x in c] == items
    assert len(chunks) <= parts and all(chunks)
    if chunks:
        assert max(map(len, chunks)) - min(map(len, chunks)) <= 1


@given(st.lists(st.integers(), max_size=50), st.integers(min_value=1, max_value=8))
def test_batch_shares_keep_order_and_front_load(items: list[Any], parts: int) -> None:
    shares = batch.front_loaded(items, parts)
    assert [x for s in shares for x in s] == items
    assert len(shares) <= parts and all(shares)
    assert len(shares) == min(parts, len(items))


def terminate_once_soffice_runs(args: list[str], pidfile: Path) -> tuple[int, str]:
    """Run `contractkit ARGS`, SIGTERM it once the fake soffice has started; (exit code, stderr)."""
    import subprocess
    import sys
    import time

    command = [sys.executable, "-m", "contractkit", *args]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for _ in range(400):
        if pidfile.exists() and pidfile.read_text().strip():
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    return proc.returncode, stderr


def test_sigterm_cleans_up_like_ctrl_c(fake: Callable[[str], Path], tmp_path: Path) -> None:
    """A terminated `contractkit draft` kills LibreOffice's process group and writes nothing."""
    pidfile = fake("sleep 60 &\necho $! > PIDFILE\nwait")
    out = tmp_path / "x.pdf"
    code, stderr = terminate_once_soffice_runs(["draft", str(DEAL), "-o", str(out)], pidfile)
    assert code == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert gone(int(pidfile.read_text()))
    assert not out.exists()
    assert not list(tmp_path.glob(".x.pdf*"))


def test_batch_renders_in_workers_exactly_as_draft_does(tmp_path: Path) -> None:
    """Deals rendered in forked worker processes give the same bytes as a serial draft."""
    from conftest import EXAMPLES

    library = api.load_library()
    report = batch.run(library, EXAMPLES, tmp_path, to="docx", jobs=2)
    assert not report.failed
    for deal in EXAMPLES:
        expected = api.render_docx(library, api.prepare(library, deal))
        assert (tmp_path / f"{deal.stem}.docx").read_bytes() == expected


def test_sigterm_during_a_batch_leaves_nothing_behind(fake: Callable[[str], Path], tmp_path: Path) -> None:
    """Render workers, LibreOffice process groups and partial outputs all go on SIGTERM."""
    import subprocess
    import time

    from conftest import EXAMPLES

    pidfile = fake("sleep 60 &\necho $! > PIDFILE\nwait")
    outdir = tmp_path / "out"
    outdir.mkdir()
    args = ["batch", *map(str, EXAMPLES), "--outdir", str(outdir), "--jobs", "2"]
    code, stderr = terminate_once_soffice_runs(args, pidfile)
    assert code == 130, stderr
    assert "Traceback" not in stderr
    assert gone(int(pidfile.read_text()))
    assert list(outdir.iterdir()) == []
    time.sleep(0.5)  # forked render workers carry the parent's command line, with this unique folder
    left = subprocess.run(["pgrep", "-f", str(outdir)], capture_output=True, text=True, check=False)
    assert left.stdout.strip() == "", "render workers left running"
