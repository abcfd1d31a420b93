"""What a warm process keeps between drafts (issue 15) changes nothing a draft says or finds.

Each kept result is compared with the work it stands for: docxtpl's own cleaning and listing
rewrite of a template part, the reader's findings with and without the styles shared between
drafts, and the per-text caches of clause text, blanks and look-alike characters, whose callers
may change what they are given without changing what the next caller gets. The bytes of whole
drafts are compared in tests/test_draft_bytes.py.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from docx import Document
from docxtpl import DocxTemplate
from hypothesis import given, settings
from hypothesis import strategies as st

from contractkit import api
from contractkit.core.sandbox import sandbox
from contractkit.core.text import Run, render_runs, split_lines, suspicious
from contractkit.errors import ValidationFailed
from contractkit.library import facts
from contractkit.library.loading import Library
from contractkit.word import opened, render
from contractkit.word.reader.document import read_docx, read_parts
from contractkit.word.save import zip_parts

TEXT = st.text(st.sampled_from(list("ab {}%#<>&;/=\"'\t\n\a\f“”‘’")), max_size=24)
TAG = st.sampled_from(["{{", "}}", "{%", "%}", "{#", "#}", "{%p ", "{%tr ", "{% hm %}", "{{r ", "&lt;", "&gt;"])
XMLISH = st.lists(
    st.one_of(
        TEXT,
        TAG,
        st.sampled_from(["<w:p>", "</w:p>", "<w:r>", "</w:r>", "<w:t>", "</w:t>", "<w:rPr><w:b/></w:rPr>"]),
        st.sampled_from(['<w:t xml:space="preserve">', '<w:pPr><w:pStyle w:val="S"/></w:pPr>', "<w:tc>", "</w:tc>"]),
    ),
    max_size=30,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(XMLISH)
def test_the_cleaning_kept_per_part_is_docxtpls(xml: str) -> None:
    expected = DocxTemplate.patch_xml(None, xml)
    assert opened._patched(xml) == expected
    assert opened._patched(xml) == expected  # and again, from what was kept


@settings(max_examples=300, deadline=None)
@given(XMLISH)
def test_the_listing_rewrite_is_skipped_only_where_it_changes_nothing(xml: str) -> None:
    template = opened._template_class()(__file__)
    assert template.resolve_listing(xml) == DocxTemplate.resolve_listing(template, xml)


def test_the_template_parts_clean_as_docxtpl_cleans_them(library: Library) -> None:
    """The real template's body, headers and footers, as each draft hands them to the cleaning."""
    playbook = next(iter(library.playbooks.values()))
    path = library.template_path(playbook)
    template = opened.docx_template(opened.opened(path), path)
    parts = [template.get_xml()]
    parts += [template.get_part_xml(part) for _, part in template.get_headers_footers(template.HEADER_URI)]
    for xml in parts:
        assert opened._patched(xml) == DocxTemplate.patch_xml(None, xml)


def _content(found: Any) -> list[Any]:
    """What the self-check reads: blocks, notes, marks and things, as plain values."""
    marks = [(m.kind, m.detail, m.location, m.clause) for m in found.marks]
    things = [(t.what, t.kind, t.text, t.role, t.location) for t in found.things]
    return [[asdict(b) for b in found.blocks], [asdict(b) for b in found.notes], marks, things, found.custom]


def test_the_reader_finds_the_same_with_styles_shared_between_drafts(library: Library) -> None:
    """A draft's parts read with the styles (and the looks kept on them) that earlier drafts shared,
    and its zip read afresh as a received file: the same blocks, marks and things."""
    agreement = api.prepare(library, ROOT / "examples" / "northby-sepsis.yaml")
    template = library.template_path(agreement.playbook)
    parts = render._parts(agreement, template, sign=False)
    shared = [_content(read_parts(dict(parts))) for _ in range(2)]
    afresh = _content(read_docx(zip_parts(parts)))
    assert shared[0] == shared[1] == afresh


def test_a_hidden_style_is_refused_after_warm_drafts_of_a_clean_template(library: Library, tmp_path: Path) -> None:
    """Looks kept for one template's styles are never used for another's: a copy of the template
    whose clause text style is hidden is refused after the clean one has been drafted."""
    agreement = api.prepare(library, ROOT / "examples" / "northby-sepsis.yaml")
    clean = library.template_path(agreement.playbook)
    render._parts(agreement, clean, sign=False)
    document = Document(str(clean))  # opened afresh: the copies drafting makes share their styles, read only
    document.styles["Clause 2"].font.hidden = True
    hidden = tmp_path / "hidden.docx"
    document.save(str(hidden))
    with pytest.raises(ValidationFailed) as refused:
        render._parts(agreement, hidden, sign=False)
    assert any("(hidden-text)" in issue.message for issue in refused.value.issues), refused.value.issues


def test_kept_clause_lines_and_runs_are_fresh_for_each_caller() -> None:
    source = "**Term** means the data.\n  | an unnumbered line"
    first = split_lines(source)
    first.clear()
    assert [line.source for line in split_lines(source)] == ["**Term** means the data.", "an unnumbered line"]
    env = sandbox("en_GB")
    runs = render_runs(env, "**Term** means the data.", {})
    runs.append(Run("tampered"))
    assert render_runs(env, "**Term** means the data.", {}) == [Run("Term", True), Run(" means the data.")]


def test_kept_blanks_and_lookalikes_are_fresh_for_each_caller() -> None:
    found = facts.unfinished("The fee is [amount], TBC.")
    found.append("tampered")
    assert facts.unfinished("The fee is [amount], TBC.") == ["[amount]", "TBC"]
    text = "Northby Trust (Nоrthby)"  # a Cyrillic o
    first = suspicious(text)
    assert first
    first.clear()
    assert suspicious(text)
