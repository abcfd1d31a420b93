"""Drafting is byte-for-byte repeatable: the same inputs give the same DOCX bytes in a warm process
(drafted twice, in between other deals), in a fresh process, and as the code before the warm
drafting work (issue 15) drafted them.

`tests/golden/draft-bytes.json` holds the SHA-256 of each case's DOCX, and of each zip entry's
name and contents, as drafted by the code before issue 15's changes (commit "test_draft_bytes:
capture"), signed with the same fixed throwaway key as the golden documents. Deflate's output is
fixed for one zlib version, so the whole-file digest is compared only under the zlib the fixture
was made with; the entries (names, order, contents) are compared always. After an intended change
to what a draft holds, regenerate with CONTRACTKIT_REGEN_GOLDEN=1 and review the golden XML diff
(tests/test_golden.py) first.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest
from conftest import ROOT

from contractkit import __version__, api
from contractkit.library.loading import Library
from contractkit.trust.keys import CONFIG_ENV, Signer, key_path, write_private

FIXTURE = ROOT / "tests" / "golden" / "draft-bytes.json"
REGEN = bool(os.environ.get("CONTRACTKIT_REGEN_GOLDEN"))
EXAMPLES = ("cwm-alarch-diabetes-academic", "glenmorven-heart-failure", "harbourside-chest-xray-ai", "northby-sepsis")
# (case name, example, final version, locale): every example as a draft, the two that may be
# final as finals, and one in Welsh (dates, money and the sandbox's filters differ).
CASES = [
    *((name, name, False, "en_GB") for name in EXAMPLES),
    ("harbourside-final", "harbourside-chest-xray-ai", True, "en_GB"),
    ("northby-final", "northby-sepsis", True, "en_GB"),
    ("cwm-cy", "cwm-alarch-diabetes-academic", False, "cy_GB"),
]


def deal_text(example: str, locale: str) -> str:
    text = (ROOT / "examples" / f"{example}.yaml").read_text(encoding="utf-8")
    return text.replace("locale: en_GB", f"locale: {locale}")


def digests(data: bytes) -> dict[str, object]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = [[i.filename, hashlib.sha256(archive.read(i)).hexdigest()] for i in archive.infolist()]
    return {"sha256": hashlib.sha256(data).hexdigest(), "entries": entries}


@pytest.fixture(scope="module")
def golden_key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A configuration folder holding the golden documents' fixed throwaway signing key."""
    folder = tmp_path_factory.mktemp("bytes-config")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CONFIG_ENV, str(folder))
        write_private(key_path(), Signer.from_seed(hashlib.sha256(b"contractkit golden key").digest()))
    return folder


def draft(library: Library, case: tuple[str, str, bool, str], config: Path) -> bytes:
    _, example, final, locale = case
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CONFIG_ENV, str(config))
        agreement = api.prepare_text(library, deal_text(example, locale), name=f"{example}.yaml", final=final)
        return api.render_docx(library, agreement)


def expected(name: str) -> dict[str, object]:
    """The fixture's digests of one case, with the zlib version they were made under."""
    fixture = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert fixture["contractkit"] == __version__, "the manifest names the version: regenerate the fixture"
    return {**fixture["cases"][name], "zlib": fixture["zlib"]}


def assert_same(name: str, data: bytes) -> None:
    """The entries first (which part differs is the useful message), then the whole file."""
    got, want = digests(data), expected(name)
    theirs = dict(want["entries"])  # type: ignore[call-overload]
    differ = [part for part, digest in got["entries"] if theirs.get(part) != digest]  # type: ignore[attr-defined]
    assert got["entries"] == want["entries"], f"{name}: these parts differ from the fixture: {differ}"
    if want["zlib"] == zlib.ZLIB_RUNTIME_VERSION:
        assert got["sha256"] == want["sha256"], f"{name}: same parts, but the zip's bytes differ"


def test_drafts_match_the_bytes_of_the_code_before(library: Library, golden_key: Path) -> None:
    """Every case, drafted in this (test) process, against the fixture of the code before issue 15."""
    drafted = {case[0]: draft(library, case, golden_key) for case in CASES}
    if REGEN:
        cases = {name: digests(data) for name, data in drafted.items()}
        record = {"contractkit": __version__, "zlib": zlib.ZLIB_RUNTIME_VERSION, "cases": cases}
        FIXTURE.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    assert set(json.loads(FIXTURE.read_text(encoding="utf-8"))["cases"]) == set(drafted)
    for name, data in drafted.items():
        assert_same(name, data)


def test_warm_process_drafts_the_same_bytes_twice(library: Library, golden_key: Path) -> None:
    """Each case drafted twice in one process, with every other case in between (forwards, then
    backwards), so nothing one draft caches or changes can leak into another."""
    first = {case[0]: draft(library, case, golden_key) for case in CASES}
    again = {case[0]: draft(library, case, golden_key) for case in reversed(CASES)}
    for name, data in first.items():
        assert again[name] == data, f"{name}: a second draft in the same process gave other bytes"
        assert_same(name, data)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_fresh_process_drafts_the_same_bytes(
    case: tuple[str, str, bool, str], golden_key: Path, tmp_path: Path
) -> None:
    """`contractkit draft` in a process of its own writes what the warm process drafts."""
    name, example, final, locale = case
    deal = tmp_path / f"{example}.yaml"
    deal.write_text(deal_text(example, locale), encoding="utf-8")
    out = tmp_path / "out.docx"
    args = [sys.executable, "-m", "contractkit", "--library", str(ROOT), "draft", str(deal), "-o", str(out)]
    args += ["--final"] if final else []
    env = {**os.environ, CONFIG_ENV: str(golden_key)}
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert_same(name, out.read_bytes())


def test_drafts_made_at_once_in_threads_match(library: Library, golden_key: Path) -> None:
    """The web app drafts in several threads at once from the one opened template and the shared
    caches: every case drafted twice, eight at a time, gives the fixture's bytes."""
    from concurrent.futures import ThreadPoolExecutor

    def one(case: tuple[str, str, bool, str]) -> tuple[str, bytes]:
        _, example, final, locale = case
        agreement = api.prepare_text(library, deal_text(example, locale), name=f"{example}.yaml", final=final)
        return case[0], api.render_docx(library, agreement)

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CONFIG_ENV, str(golden_key))
        with ThreadPoolExecutor(8) as threads:
            drafted = list(threads.map(one, [*CASES, *reversed(CASES)]))
    assert len(drafted) == 2 * len(CASES)
    for name, data in drafted:
        assert_same(name, data)
