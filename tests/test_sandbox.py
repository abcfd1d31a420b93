"""The template sandbox's on-disk cache of compiled code: used when sound, ignored when not."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import example
from jinja2 import TemplateError

from contractkit import api
from contractkit.core.sandbox import CACHE_ENV, Sandbox

SOURCE = "{{ deal.fee | money }} from {{ deal.start | date }}{% if deal.extra %}, {{ deal.extra }}{% endif %}"
CONTEXT = {"deal": {"fee": "1250.5", "start": "2026-12-01", "extra": "<b>{{ 7*7 }}</b>"}}
EXPECTED = "£1,250.50 from 1 December 2026, &lt;b&gt;{{ 7*7 }}&lt;/b&gt;"


def render(source: str = SOURCE) -> str:
    return str(Sandbox("en_GB").from_string(source).render(CONTEXT))


def entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("*.jinja"))


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "jinja"
    monkeypatch.setenv(CACHE_ENV, str(path))
    return path


def test_a_new_sandbox_runs_cached_code_without_compiling(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert render() == EXPECTED
    assert len(entries(cache)) == 1
    assert cache.stat().st_mode & 0o777 == 0o700

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("compiled again despite a cached entry")

    monkeypatch.setattr(Sandbox, "compile", refuse)
    assert render() == EXPECTED


def test_settings_are_part_of_the_key(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Code compiled with the babel filters is not reused by a sandbox without them."""
    render()
    compiled = []
    original = Sandbox.compile
    monkeypatch.setattr(Sandbox, "compile", lambda self, *a, **k: compiled.append(1) or original(self, *a, **k))
    with pytest.raises(TemplateError, match="No filter named 'money'"):
        Sandbox().from_string(SOURCE)
    assert compiled == [1]


def test_a_corrupt_entry_is_compiled_afresh(cache: Path) -> None:
    render()
    for entry in entries(cache):
        entry.write_bytes(b"j2 not marshalled code" * 10)
    assert render() == EXPECTED


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o722])
def test_a_directory_others_can_write_is_not_used(cache: Path, mode: int) -> None:
    cache.mkdir()
    cache.chmod(mode)
    assert Sandbox().bytecode_cache is None
    assert render() == EXPECTED
    assert entries(cache) == []


def test_a_symlinked_directory_is_not_used(cache: Path, tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir(mode=0o700)
    cache.symlink_to(tmp_path / "elsewhere")
    assert Sandbox().bytecode_cache is None


def test_a_cache_that_cannot_be_made_or_written_is_no_error(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "file").write_text("not a directory")
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "file" / "jinja"))
    assert Sandbox().bytecode_cache is None
    assert render() == EXPECTED

    monkeypatch.setenv(CACHE_ENV, str(cache))
    sandbox = Sandbox("en_GB")
    cache.rmdir()  # the cache vanishes after start-up: writing an entry fails quietly
    assert str(sandbox.from_string(SOURCE).render(CONTEXT)) == EXPECTED


def test_an_empty_setting_turns_the_cache_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, "")
    assert Sandbox().bytecode_cache is None
    assert render() == EXPECTED


def test_default_location_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cache = Sandbox().bytecode_cache
    assert cache is not None and Path(cache.directory) == tmp_path / "contractkit" / "jinja"


def test_deal_values_are_never_compiled(template_cache: Path, tmp_path: Path, library: api.Library) -> None:
    """Drafting another deal adds nothing to the cache: only library and template source is compiled."""
    assert os.environ[CACHE_ENV] == str(template_cache)
    source = example("northby-sepsis").read_text(encoding="utf-8")
    # In free text, where any characters are allowed (a name refuses braces outright).
    changed = source.replace("sepsis", "sepsis {{ 7*7 }} {% raw %}")
    assert changed != source
    deal = tmp_path / "deal.yaml"

    def draft(text: str) -> set[str]:
        deal.write_text(text, encoding="utf-8")
        api.draft(library, deal, tmp_path / "out.docx", force=True)
        return {p.name for p in entries(template_cache)}

    before = draft(source)
    assert before and draft(changed) == before
