"""Shared fixtures: the shipped library, inline workspaces, CLI runner and document readers."""

from __future__ import annotations

import io
import json
import os
import shutil
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pgserver
import pytest
from click.testing import CliRunner, Result

from contractkit import api
from contractkit.cli import main
from contractkit.core.sandbox import CACHE_ENV
from contractkit.drafting.assemble import Agreement
from contractkit.library.loading import Library
from contractkit.trust.keys import CONFIG_ENV, Signer
from contractkit.word import xml as docx_io

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
LIBRARY_PARTS = ("library.yaml", "library.pins.json", "exclusivity.yaml", "clauses", "playbooks", "templates")


def needs_soffice() -> pytest.MarkDecorator:
    """Tests that need LibreOffice. `make test` installs it, so in CI (CI=true) they never skip."""
    missing = shutil.which("soffice") is None and not os.environ.get("CI")
    return pytest.mark.skipif(missing, reason="LibreOffice not installed; run `make test`")


def needs_tesseract() -> pytest.MarkDecorator:
    """Tests that OCR a page. `make test` installs Tesseract, so in CI (CI=true) they never skip."""
    missing = shutil.which("tesseract") is None and not os.environ.get("CI")
    return pytest.mark.skipif(missing, reason="Tesseract not installed; run `make test`")


@pytest.fixture(scope="session", autouse=True)
def template_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Compiled templates go to a cache of the test run's own, never the user's."""
    path = tmp_path_factory.mktemp("cache") / "jinja"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CACHE_ENV, str(path))
        yield path


@pytest.fixture(scope="session", autouse=True)
def config_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The user's configuration (signing key, trusted keys, centre key) is a folder of the test
    run's own: the first draft makes a throwaway signing key there, which the run trusts."""
    path = tmp_path_factory.mktemp("config") / "contractkit"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CONFIG_ENV, str(path))
        yield path


@pytest.fixture(scope="session", autouse=True)
def runtime_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The PDF pool's state file (`contractkit pool start`) is looked for in a folder of the test
    run's own, so a pool the user runs is never used, and none the tests start is left behind."""
    from contractkit.pdf.poolstate import RUNTIME_ENV

    path = tmp_path_factory.mktemp("runtime") / "contractkit"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(RUNTIME_ENV, str(path))
        yield path


@pytest.fixture(scope="session")
def pool() -> Iterator[Any]:
    """Two warm LibreOffice converters, started once for every pool test (tests/test_pool*.py) and
    stopped, with their LibreOffices, at the end of the run."""
    from contractkit.pdf.pool import Pool

    with Pool(2, timeout=90) as started:
        assert started.wait_ready(120), started.problem
        yield started


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--postgres",
        action="store_true",
        help="run the web tests against a throwaway PostgreSQL server (also CONTRACTKIT_TEST_POSTGRES=1)",
    )


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    request: pytest.FixtureRequest, django_db_modify_db_settings_parallel_suffix: None
) -> Iterator[None]:
    """With --postgres, the web tests' database is a PostgreSQL server started for this run and
    removed after it; otherwise the app's own SQLite settings."""
    if not pgserver.wanted(bool(request.config.getoption("--postgres"))):
        yield
        return
    from django.conf import settings
    from django.db import connections

    server = pgserver.start()
    try:
        connections.close_all()
        default = settings.DATABASES["default"]
        default.clear()
        default.update(server.django_settings())
        connections.configure_settings(settings.DATABASES)
        if hasattr(connections._connections, "default"):
            del connections["default"]
        yield
    finally:
        server.stop()


@pytest.fixture(scope="session")
def library() -> Library:
    return api.load_library(ROOT)


@pytest.fixture(scope="module")
def agreement(library: Library) -> Agreement:
    """The northby-sepsis example, assembled (a test module may define its own)."""
    return api.assemble(library, api.load_deal(example("northby-sepsis"), library))


@pytest.fixture(scope="module")
def drafted(library: Library, agreement: Agreement) -> bytes:
    """The northby-sepsis example's Word file, signed with the run's own key."""
    return api.render_docx(library, agreement)


@pytest.fixture
def workspace(tmp_path: Path) -> Callable[..., Path]:
    """Copy the shipped library to tmp, then apply `{relative path: text or None}` edits."""

    def build(files: dict[str, str | bytes | None] | None = None) -> Path:
        for part in LIBRARY_PARTS:
            source = ROOT / part
            if source.is_dir():
                shutil.copytree(source, tmp_path / part)
            else:
                shutil.copy(source, tmp_path / part)
        for rel, content in (files or {}).items():
            path = tmp_path / rel
            if content is None:
                path.unlink()
            elif isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(content, encoding="utf-8")
        return tmp_path

    return build


@pytest.fixture
def cli() -> Callable[..., Result]:
    def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
        return CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)

    return invoke


def example(name: str) -> Path:
    return ROOT / "examples" / f"{name}.yaml"


def paragraphs(data: bytes) -> list[str]:
    """Visible paragraph texts of a DOCX, as a reader would see them."""
    return [b.text for b in docx_io.read_docx(data).blocks if b.text.strip()]


def manifest_of(data: bytes) -> dict[str, Any]:
    """The provenance manifest in a DOCX's custom properties."""
    return dict(json.loads(docx_io.read_docx(data).custom["contractkit.manifest"]))


def with_manifest(data: bytes, manifest: dict[str, Any], *, signer: Signer | None = None) -> bytes:
    """The DOCX with its manifest replaced, signed by `signer` (as a drafter would) or left as given."""
    from contractkit.trust import signing

    text = signing.canonical(signing.sign(manifest, signer, "manifest") if signer else manifest).decode()
    reference = docx_io.read_docx(data).custom.get("contractkit.reference", "")
    custom = docx_io.custom_properties_xml({"contractkit.manifest": text, "contractkit.reference": reference})
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, custom if info.filename == "docProps/custom.xml" else src.read(info.filename))
    return out.getvalue()


def agreeing(library: Library, data: dict[str, Any]) -> dict[str, Any]:
    """Deal data whose facts agree with the positions it names, as `contractkit swap` keeps them:
    each fact a chosen wording states (e.g. the value-share model) is set to what it states."""
    for clause_id, position in data.get("positions", {}).items():
        for path, value in library.clause(clause_id).positions[position].states.items():
            *parents, leaf = path.split(".")
            node = data
            for part in parents:
                node = node[part]
            node[leaf] = value
    return data
