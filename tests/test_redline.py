"""Redlines: native Word tracked changes whose accept-all gives NEW and reject-all gives OLD."""

from __future__ import annotations

import copy
import datetime as dt
import io
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import Result
from conftest import example, needs_soffice
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from ooxml import validate_part

from contractkit import api
from contractkit.library.loading import Library
from contractkit.negotiation import negotiate
from contractkit.word import markup
from contractkit.word import xml as docx_io
from contractkit.word.redline import compare, paragraph_text, redline_tree
from contractkit.word.redline_diff import tokens
from contractkit.word.xml import W, w

Cli = Callable[..., Result]
Element = etree._Element
WHEN = dt.datetime(2026, 3, 4, 5, 6, 7, tzinfo=dt.UTC)
MARK_PARENTS = (w("rPr"), w("trPr"))


# ----------------------------------------------------------------------------- accept / reject helper


def resolve(root: Element, *, accept: bool) -> Element:
    """A copy of a w:document with every revision accepted (or rejected), as Word would do it."""
    root = copy.deepcopy(root)
    keep, drop = ("ins", "del") if accept else ("del", "ins")
    for tr in list(root.iter(w("tr"))):
        if tr.find(f"{w('trPr')}/{w(drop)}") is not None:
            _remove(tr)
    for tbl in list(root.iter(w("tbl"))):
        if tbl.find(w("tr")) is None:
            _remove(tbl)
    for el in list(root.iter(w(drop))):
        if _up(el).tag not in MARK_PARENTS:
            _remove(el)
    for el in list(root.iter(w(keep))):
        if _up(el).tag not in MARK_PARENTS:
            for child in list(el):
                el.addprevious(child)
            _remove(el)
    if not accept:
        for t in root.iter(w("delText"), w("delInstrText")):
            t.tag = w("t") if t.tag == w("delText") else w("instrText")
    _merge_marked_paragraphs(root, drop)
    for mark in list(root.iter(w(keep))):
        _remove(mark)
    return root


def _merge_marked_paragraphs(root: Element, drop: str) -> None:
    """A removed paragraph mark joins what is left of its paragraph to the next paragraph."""
    paras = list(root.iter(w("p")))
    for index, p in enumerate(paras):
        if p.find(f"{w('pPr')}/{w('rPr')}/{w(drop)}") is None:
            continue
        rest = [c for c in p if c.tag != w("pPr")]
        following = paras[index + 1] if index + 1 < len(paras) else None
        if following is not None:
            at = 1 if following.find(w("pPr")) is not None else 0
            for offset, child in enumerate(rest):
                following.insert(at + offset, child)
        _remove(p)


def _up(el: Element) -> Element:
    parent = el.getparent()
    assert parent is not None
    return parent


def _remove(el: Element) -> None:
    _up(el).remove(el)


def texts(root: Element) -> list[str]:
    body = root.find(w("body"))
    assert body is not None
    return [paragraph_text(p) for p in body.iter(w("p"))]


def document_xml(data: bytes) -> Element:
    return docx_io.safe_xml(docx_io.open_zip(data, docx_io.Limits())["word/document.xml"])


def revisions(root: Element) -> list[Element]:
    return list(root.iter(w("ins"), w("del")))


# ----------------------------------------------------------------------------- small documents


Run = tuple[str, bool]
Para = tuple[str, tuple[Run, ...], bool]  # ("p", runs, inside a content control)
Table = tuple[str, tuple[tuple[str, str], ...], bool]
Block = Para | Table


def build(blocks: list[Block]) -> Element:
    """A w:document from a list of paragraphs (optionally in content controls) and two-column tables."""
    root = etree.Element(w("document"), nsmap={"w": W})
    body = etree.SubElement(root, w("body"))
    sdt_content: Element | None = None
    for kind, content, in_sdt in blocks:
        if kind == "p" and in_sdt:
            if sdt_content is None:
                sdt_content = etree.SubElement(etree.SubElement(body, w("sdt")), w("sdtContent"))
            sdt_content.append(_para(content))  # type: ignore[arg-type]
            continue
        sdt_content = None
        body.append(_para(content) if kind == "p" else _table(content))  # type: ignore[arg-type]
    etree.SubElement(body, w("sectPr"))
    return root


def _para(runs: tuple[Run, ...]) -> Element:
    return markup.blocks(markup.paragraph("Clause2", runs))[0]


def _table(rows: tuple[tuple[str, str], ...]) -> Element:
    return markup.blocks(markup.table(rows, "Table", [4.0, 4.0], head_style="Head", cell_style="Cell"))[0]


WORDS = st.sampled_from(["the", "NHS", "Partner", "shall", "data", "licence", "a", ",", ".", "&", "<x>", "  "])
PHRASE = st.lists(WORDS, max_size=5).map(" ".join)
RUNS = st.lists(st.tuples(PHRASE, st.booleans()), max_size=3).map(tuple)
ROWS = st.lists(st.tuples(PHRASE, PHRASE), min_size=1, max_size=4).map(tuple)
BLOCK = st.one_of(
    st.tuples(st.just("p"), RUNS, st.booleans()),
    st.tuples(st.just("tbl"), ROWS, st.just(False)),
)


@st.composite
def small_edit(draw: st.DrawFn, block: Block) -> Block:
    kind, content, in_sdt = block
    if kind == "tbl":
        rows = [r for r in content if draw(st.integers(0, 4))]  # type: ignore[union-attr]
        if draw(st.booleans()) or not rows:
            rows.insert(draw(st.integers(0, len(rows))), draw(st.tuples(PHRASE, PHRASE)))
        index = draw(st.integers(0, len(rows) - 1))
        rows[index] = (draw(PHRASE), rows[index][1])
        return ("tbl", tuple(rows), False)
    runs = list(content)
    if not runs or draw(st.booleans()):
        runs.insert(draw(st.integers(0, len(runs))), (draw(PHRASE), draw(st.booleans())))
    else:
        index = draw(st.integers(0, len(runs) - 1))
        words = str(runs[index][0]).split(" ")
        at = draw(st.integers(0, len(words) - 1))
        words[at : at + draw(st.integers(0, 2))] = draw(st.lists(WORDS, max_size=2))
        runs[index] = (" ".join(words), bool(runs[index][1]))
    return ("p", tuple(runs), in_sdt)  # type: ignore[return-value]


@st.composite
def edited(draw: st.DrawFn) -> tuple[list[Block], list[Block]]:
    """An OLD document and a NEW one made from it by random paragraph and row edits."""
    old: list[Block] = draw(st.lists(BLOCK, min_size=1, max_size=8))  # type: ignore[arg-type]
    new: list[Block] = []
    for block in old:
        action = draw(st.sampled_from(["keep", "keep", "edit", "delete", "insert"]))
        if action == "insert":
            new.append(draw(BLOCK))  # type: ignore[arg-type]
        if action in ("keep", "insert"):
            new.append(block)
        elif action == "edit":
            new.append(draw(small_edit(block)))
    if draw(st.booleans()):
        new.append(draw(BLOCK))  # type: ignore[arg-type]
    return old, new


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edited())
def test_accept_gives_new_and_reject_gives_old(docs: tuple[list[Block], list[Block]]) -> None:
    old, new = build(docs[0]), build(docs[1])
    marked = redline_tree(old, new, author="Sam Negotiator", date=WHEN)
    assert texts(resolve(marked, accept=True)) == texts(new)
    assert texts(resolve(marked, accept=False)) == texts(old)
    ids = [r.get(w("id")) for r in revisions(marked)]
    assert len(ids) == len(set(ids))
    assert all(r.get(w("author")) == "Sam Negotiator" and r.get(w("date")) for r in revisions(marked))
    assert not any(True for _ in marked.iter(w("ins")) for _ in _.iter(w("delText")))
    assert validate_part("word/document.xml", etree.tostring(marked)) == []


def test_word_level_change_marks_only_the_changed_word() -> None:
    old = build([("p", (("The Partner shall pay ", False), ("Net Revenue", True), (" monthly.", False)), False)])
    new = build([("p", (("The Partner shall pay ", False), ("Net Revenue", True), (" quarterly.", False)), False)])
    marked = redline_tree(old, new, author="A", date=WHEN)
    deleted = ["".join(d.itertext()) for d in marked.iter(w("del"))]
    inserted = ["".join(i.itertext()) for i in marked.iter(w("ins"))]
    assert deleted == ["monthly"] and inserted == ["quarterly"]
    bold = [r for r in marked.iter(w("r")) if r.find(f"{w('rPr')}/{w('b')}") is not None]
    assert ["".join(r.itertext()) for r in bold] == ["Net Revenue"]  # formatting of unchanged text kept


def shown(marked: Element) -> str:
    """The first paragraph of a redline as a reader sees it: [-deleted-]{+inserted+}."""
    p = next(marked.iter(w("p")))
    out = []
    for child in p:
        text = "".join(t.text or "" for t in child.iter(w("t"), w("delText")))
        out.append({w("ins"): f"{{+{text}+}}", w("del"): f"[-{text}-]"}.get(child.tag, text))
    return "".join(out)


WHOLE_VALUES = [
    ("The fee is £120,000 a year.", "The fee is £150,000 a year.", "The fee is £[-120,000-]{+150,000+} a year."),
    ("It starts on 1/4/2027.", "It starts on 1/5/2027.", "It starts on [-1/4/2027-]{+1/5/2027+}."),
    ("Due 2027-02-01 at 10:30.", "Due 2027-03-01 at 10:30.", "Due [-2027-02-01-]{+2027-03-01+} at 10:30."),
    ("A royalty of 3.5% applies.", "A royalty of 3.25% applies.", "A royalty of [-3.5-]{+3.25+}% applies."),
    ("See clause 14.2 above.", "See clause 14.12 above.", "See clause [-14.2-]{+14.12+} above."),
    (
        "No sub-licence is granted.",
        "No sub-licences are granted.",
        "No [-sub-licence is-]{+sub-licences are+} granted.",
    ),
    ("The Partner's data.", "The Partners' data.", "The [-Partner's-]{+Partners'+} data."),
]


@pytest.mark.parametrize(("old", "new", "expected"), WHOLE_VALUES, ids=[c[2] for c in WHOLE_VALUES])
def test_changes_show_whole_words_and_numbers(old: str, new: str, expected: str) -> None:
    marked = redline_tree(
        build([("p", ((old, False),), False)]), build([("p", ((new, False),), False)]), author="A", date=WHEN
    )
    assert shown(marked) == expected


@given(st.integers(0, 10**9), st.integers(0, 10**9), st.dates(), st.dates())
def test_numbers_and_dates_are_single_tokens(a: int, b: int, day: dt.date, other: dt.date) -> None:
    for value in (f"{a:,}", f"{a:,}.{b % 100:02d}", day.isoformat(), f"{day.day}/{day.month}/{day.year}"):
        assert tokens(value) == [value]
    old, new = f"Pay £{a:,} by {day:%d/%m/%Y}.", f"Pay £{b:,} by {other:%d/%m/%Y}."
    marked = redline_tree(
        build([("p", ((old, False),), False)]), build([("p", ((new, False),), False)]), author="A", date=WHEN
    )
    deleted = {"".join(d.itertext()) for d in marked.iter(w("del"))}
    inserted = {"".join(i.itertext()) for i in marked.iter(w("ins"))}
    assert deleted == ({f"{a:,}"} if a != b else set()) | ({f"{day:%d/%m/%Y}"} if day != other else set())
    assert inserted == ({f"{b:,}"} if a != b else set()) | ({f"{other:%d/%m/%Y}"} if day != other else set())


def test_whole_paragraphs_mark_their_paragraph_marks() -> None:
    old = build([("p", (("kept", False),), False), ("p", (("gone", False),), False)])
    new = build([("p", (("kept", False),), False), ("p", (("added", False),), False)])
    marked = redline_tree(old, new, author="A", date=WHEN)
    marks = [m.tag for ppr in marked.iter(w("pPr")) for rpr in ppr.iterchildren(w("rPr")) for m in rpr]
    assert sorted(marks) == [w("del"), w("ins")]
    assert ["".join(p.itertext()) for p in marked.iter(w("p"))] == ["kept", "gone", "added"]


def test_long_documents_of_repeated_paragraphs_show_only_the_changes() -> None:
    boiler = ("p", (("Each Party shall keep proper records.", False),), True)
    blank: Block = ("p", (), False)
    old: list[Block] = []
    for n in range(150):
        old += [("p", ((f"Clause {n}", True),), False), boiler, boiler, blank]
    new = list(old)
    new[41] = ("p", (("Each Party shall keep full records.", False),), True)
    del new[202]
    new.insert(400, ("p", (("A new paragraph.", False),), False))
    marked = redline_tree(build(old), build(new), author="A", date=WHEN)
    assert texts(resolve(marked, accept=True)) == texts(build(new))
    assert texts(resolve(marked, accept=False)) == texts(build(old))
    changed = [
        p for p in marked.iter(w("p")) if p.find(f".//{w('ins')}") is not None or p.find(f".//{w('del')}") is not None
    ]
    assert len(changed) == 3


def test_locked_controls_holding_revisions_can_be_accepted_others_stay_locked() -> None:
    def doc(word: str) -> Element:
        root = etree.Element(w("document"), nsmap={"w": W})
        body = etree.SubElement(root, w("body"))
        for text in (f"Clause text {word}.", "Locked and unchanged."):
            para = markup.paragraph("Clause2", [(text, False)])
            body.append(markup.blocks(markup.content_control(para, "ck:x", "X", 9, locked=True))[0])
        return root

    marked = redline_tree(doc("one"), doc("two"), author="A", date=WHEN)
    assert [el.get(w("val")) for el in marked.iter(w("lock"))] == ["sdtLocked", "sdtContentLocked"]


# ----------------------------------------------------------------------------- real agreements


@dataclass(frozen=True)
class Pair:
    old: bytes
    new: bytes
    redline: bytes
    path: Path  # the redline, written to disk


@pytest.fixture(scope="module")
def agreements(library: Library, tmp_path_factory: pytest.TempPathFactory) -> Pair:
    """OLD: the example as drafted; NEW: after two clauses moved down their ladders."""
    folder = tmp_path_factory.mktemp("redline")
    deal = folder / "deal.yaml"
    shutil.copy(example("northby-sepsis"), deal)
    old = api.render_docx(library, api.assemble(library, api.load_deal(deal, library)))
    first, second = [e for e in library.playbooks["research-collaboration"].entries() if e.ladder][:2]
    assert first.ladder is not None and second.ladder is not None
    rung = first.ladder.fallbacks[0]
    approval = negotiate.SwapRequest(first.clause, rung.position, "Sam", "Jo", rung.approver)
    negotiate.swap(library, deal, approval, now=WHEN)
    move = negotiate.SwapRequest(second.clause, second.ladder.fallbacks[-1].position, "Sam")
    result = negotiate.swap(library, deal, move, now=WHEN)
    new = api.render_docx(library, api.assemble(library, result.after))
    out = compare(old, new, author="Sam", date=WHEN)
    (folder / "redline.docx").write_bytes(out)
    return Pair(old, new, out, folder / "redline.docx")


def test_real_redline_accepts_to_new_and_rejects_to_old(agreements: Pair) -> None:
    marked, old, new = (document_xml(x) for x in (agreements.redline, agreements.old, agreements.new))
    assert texts(resolve(marked, accept=True)) == texts(new)
    assert texts(resolve(marked, accept=False)) == texts(old)
    assert revisions(marked)
    assert {r.get(w("author")) for r in revisions(marked)} == {"Sam"}
    assert {r.get(w("date")) for r in revisions(marked)} == {"2026-03-04T05:06:07Z"}
    others = {el.get(w("id")) for el in new.iter() if el.get(w("id")) is not None}
    assert not others & {r.get(w("id")) for r in revisions(marked)}


def test_unchanged_content_numbering_and_styles_are_news(agreements: Pair) -> None:
    with zipfile.ZipFile(io.BytesIO(agreements.redline)) as out, zipfile.ZipFile(io.BytesIO(agreements.new)) as new:
        assert out.namelist() == new.namelist()
        for name in ("word/numbering.xml", "word/styles.xml", "word/settings.xml"):
            assert out.read(name) == new.read(name)
    marked, new_root = document_xml(agreements.redline), document_xml(agreements.new)
    locked = {
        tag.get(w("val")): etree.tostring(sdt)
        for root in (new_root,)
        for sdt in root.iter(w("sdt"))
        if (tag := sdt.find(f"{w('sdtPr')}/{w('tag')}")) is not None and "non-exclusivity" in (tag.get(w("val")) or "")
    }
    assert locked
    for sdt in marked.iter(w("sdt")):
        tag = sdt.find(f"{w('sdtPr')}/{w('tag')}")
        if tag is not None and tag.get(w("val")) in locked:
            assert etree.tostring(sdt) == locked[tag.get(w("val"))]


def test_redline_cli(cli: Cli, agreements: Pair, tmp_path: Path) -> None:
    old, new, out = tmp_path / "old.docx", tmp_path / "new.docx", tmp_path / "out.docx"
    old.write_bytes(agreements.old)
    new.write_bytes(agreements.new)
    result = cli("redline", old, new, "-o", out, "--author", "Kim Lawyer", "--date", "2026-05-01T10:00:00Z")
    assert result.exit_code == 0, result.stderr
    marked = document_xml(out.read_bytes())
    assert {r.get(w("author")) for r in revisions(marked)} == {"Kim Lawyer"}
    assert {r.get(w("date")) for r in revisions(marked)} == {"2026-05-01T10:00:00Z"}
    again = cli("redline", old, new, "-o", out)
    assert again.exit_code == 1 and "already exists" in again.stderr
    assert cli("redline", old, new, "-o", out, "--date", "soon", "--force").exit_code == 2


def test_redline_refuses_bad_inputs(cli: Cli, agreements: Pair, tmp_path: Path) -> None:
    new, junk, tracked = tmp_path / "new.docx", tmp_path / "junk.docx", tmp_path / "tracked.docx"
    new.write_bytes(agreements.new)
    junk.write_bytes(b"not a zip")
    tracked.write_bytes(agreements.redline)
    bad = cli("redline", junk, new, "-o", tmp_path / "a.docx")
    assert bad.exit_code == 1 and "junk.docx" in bad.stderr and "Traceback" not in bad.output
    again = cli("redline", tracked, new, "-o", tmp_path / "b.docx")
    assert again.exit_code == 1 and "already contains tracked changes" in again.stderr
    assert not (tmp_path / "a.docx").exists() and not (tmp_path / "b.docx").exists()


@needs_soffice()
def test_libreoffice_lists_the_tracked_changes(agreements: Pair, tmp_path: Path) -> None:
    source = agreements.path
    profile = f"file://{tmp_path / 'lo-profile'}"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "fodt",
            "--outdir",
            tmp_path,
            source,
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    flat = (tmp_path / "redline.fodt").read_bytes()
    root = etree.fromstring(flat, etree.XMLParser(resolve_entities=False, huge_tree=True))
    ns = {"text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0", "dc": "http://purl.org/dc/elements/1.1/"}
    regions = root.findall(".//text:tracked-changes/text:changed-region", ns)
    kinds = {child.tag.rsplit("}", 1)[1] for region in regions for child in region}
    assert len(regions) >= 4
    assert {"insertion", "deletion"} <= kinds
    assert {c.text for c in root.iterfind(".//text:changed-region//dc:creator", ns)} == {"Sam"}
