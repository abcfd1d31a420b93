"""The blocks a draft adds, written as markup (word.markup), are the very elements the lxml builder
made before issue 15: built both ways from the same values and moved into a document, they
serialise to the same bytes, whatever the text holds (markup characters, quotes, tabs, carriage
returns, empty strings, any Unicode a deal may carry)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from contractkit.word import markup
from contractkit.word.order import insert_ordered

W = markup.W
Spec = tuple[Any, ...]
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


# ----------------------------------------------------------------------------- the element builder, as it was


def _el(tag: str, parent: etree._Element | None = None, **attrs: str) -> etree._Element:
    el = etree.Element(w(tag))
    for key, value in attrs.items():
        el.set(w(key), value)
    if parent is not None:
        insert_ordered(parent, el)
    return el


def ref_run(p: etree._Element, text: str, *, bold: bool = False, tag: str = "t") -> None:
    r = _el("r", p)
    if bold:
        _el("b", _el("rPr", r))
    t = _el(tag, r)
    t.text = text
    t.set(XML_SPACE, "preserve")


def ref_paragraph(
    style_id: str,
    runs: Sequence[tuple[str, bool]],
    *,
    num: tuple[int, int] | None = None,
    keep_next: bool = False,
    bookmark: tuple[str, int] | None = None,
    field: tuple[str, str] | None = None,
) -> etree._Element:
    p = _el("p")
    ppr = _el("pPr", p)
    _el("pStyle", ppr, val=style_id)
    if keep_next:
        _el("keepNext", ppr)
    if num is not None:
        numpr = _el("numPr", ppr)
        _el("ilvl", numpr, val=str(num[1]))
        _el("numId", numpr, val=str(num[0]))
    for text, bold in runs:
        ref_run(p, text, bold=bold)
    if field is not None:
        _el("fldChar", _el("r", p), fldCharType="begin")
        ref_run(p, f" {field[0]} ", tag="instrText")
        _el("fldChar", _el("r", p), fldCharType="separate")
        ref_run(p, field[1])
        _el("fldChar", _el("r", p), fldCharType="end")
    if bookmark is not None:
        ppr.addnext(_el("bookmarkStart", id=str(bookmark[1]), name=bookmark[0]))
        _el("bookmarkEnd", p, id=str(bookmark[1]))
    return p


def ref_control(children: list[etree._Element], tag: str, alias: str, ident: int, locked: bool) -> etree._Element:
    sdt = _el("sdt")
    pr = _el("sdtPr", sdt)
    _el("alias", pr, val=alias)
    _el("tag", pr, val=tag)
    _el("id", pr, val=str(ident))
    if locked:
        _el("lock", pr, val="sdtContentLocked")
    content = _el("sdtContent", sdt)
    for child in children:
        content.append(child)
    return sdt


def ref_table(rows: Sequence[Sequence[str]], style_id: str, widths: Sequence[float], fill: str) -> etree._Element:
    tbl = _el("tbl")
    pr = _el("tblPr", tbl)
    _el("tblStyle", pr, val=style_id)
    _el("tblW", pr, w=str(int(sum(widths) * 567)), type="dxa")
    _el("tblLayout", pr, type="fixed")
    grid = _el("tblGrid", tbl)
    for width in widths:
        _el("gridCol", grid, w=str(int(width * 567)))
    for index, row in enumerate(rows):
        tr = _el("tr", tbl)
        trpr = _el("trPr", tr)
        _el("cantSplit", trpr)
        if index == 0:
            _el("tblHeader", trpr)
        for width, value in zip(widths, row, strict=True):
            tc = _el("tc", tr)
            tcpr = _el("tcPr", tc)
            _el("tcW", tcpr, w=str(int(width * 567)), type="dxa")
            if index == 0:
                _el("shd", tcpr, val="clear", color="auto", fill=fill)
            tc.append(ref_paragraph("Head" if index == 0 else "Cell", [(value, False)]))
    return tbl


# ----------------------------------------------------------------------------- both ways into a document


def saved(blocks: list[etree._Element]) -> bytes:
    """The blocks moved into a document before its marker paragraph, as python-docx saves a part."""
    root = etree.fromstring(f'<w:document xmlns:w="{W}"><w:body><w:p/><w:sectPr/></w:body></w:document>')
    marker = root[0][0]
    for block in blocks:
        marker.addprevious(block)
    root[0].remove(marker)
    return etree.tostring(root, encoding="UTF-8", standalone=True)


# Any text an XML 1.0 document can hold (deal values with other control characters are refused on loading).
_CONTROL = [chr(c) for c in range(32) if c not in (9, 10, 13)]
TEXT = st.text(
    st.characters(codec="utf-8", blacklist_characters=[*_CONTROL, "\ufffe", "\uffff"]),
    max_size=12,
) | st.sampled_from(["", " ", "&", "<x>", "]]>", '"quoted"', "it's", "a\r\nb", "\t", "Ŵ £ — “x”"])
RUNS = st.lists(st.tuples(TEXT, st.booleans()), max_size=4)
NUM = st.none() | st.tuples(st.integers(0, 9999), st.integers(0, 8))
BOOKMARK = st.none() | st.tuples(TEXT, st.integers(0, 10**7))
FIELD = st.none() | st.tuples(TEXT, TEXT)
PARAGRAPH = st.tuples(TEXT, RUNS, NUM, st.booleans(), BOOKMARK, FIELD)


def both_paragraph(spec: Spec) -> tuple[etree._Element, str]:
    style, runs, num, keep, bookmark, field = spec
    fields = markup.field(*field) if field else ""
    text = markup.paragraph(style, runs, num=num, keep_next=keep, bookmark=bookmark, fields=fields)
    return ref_paragraph(style, runs, num=num, keep_next=keep, bookmark=bookmark, field=field), text


@settings(max_examples=300, deadline=None)
@given(st.lists(PARAGRAPH, min_size=1, max_size=4))
def test_paragraphs_are_the_elements_the_builder_made(specs: list[Spec]) -> None:
    pairs = [both_paragraph(s) for s in specs]
    assert saved(markup.blocks("".join(t for _, t in pairs))) == saved([e for e, _ in pairs])


@settings(max_examples=150, deadline=None)
@given(st.lists(PARAGRAPH, max_size=3), TEXT, TEXT, st.integers(0, 10**7), st.booleans())
def test_content_controls_are_the_elements_the_builder_made(
    specs: list[Spec], tag: str, alias: str, ident: int, locked: bool
) -> None:
    pairs = [both_paragraph(s) for s in specs]
    text = markup.content_control("".join(t for _, t in pairs), tag, alias, ident, locked=locked)
    expected = ref_control([e for e, _ in pairs], tag, alias, ident, locked)
    assert saved(markup.blocks(text)) == saved([expected])


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 4).flatmap(lambda n: st.tuples(
    st.lists(st.lists(TEXT, min_size=n, max_size=n), min_size=1, max_size=4),
    st.lists(st.floats(0.5, 12.0), min_size=n, max_size=n),
    TEXT,
    st.sampled_from(["003087", "FFFFFF", "a&b"]),
)))  # fmt: skip
def test_tables_are_the_elements_the_builder_made(spec: Spec) -> None:
    rows, widths, style, fill = spec
    text = markup.table(rows, style, widths, head_style="Head", cell_style="Cell", fill=fill)
    assert saved(markup.blocks(text)) == saved([ref_table(rows, style, widths, fill)])


def test_text_holding_markup_stays_text() -> None:
    value = "<w:r><w:t>injected</w:t></w:r>"
    p = markup.blocks(markup.paragraph("S", [(value, False)]))[0]
    assert len(list(p.iter(w("r")))) == 1 and [t.text for t in p.iter(w("t"))] == [value]


def test_an_attribute_holding_markup_stays_one_value() -> None:
    style = 'S"/><w:vanish/><w:x a="'
    p = markup.blocks(markup.paragraph(style, []))[0]
    assert p.findtext(f"{w('pPr')}/{w('pStyle')}") == "" and p[0][0].get(w("val")) == style
    assert [etree.QName(el).localname for el in p.iter()] == ["p", "pPr", "pStyle"]


def test_a_clause_tag_holding_markup_cannot_unlock_its_control() -> None:
    tag = 'ck:x"/><w:lock w:val="none'
    sdt = markup.blocks(markup.content_control(markup.paragraph("S", []), tag, "a", 1, locked=True))[0]
    assert [el.get(w("val")) for el in sdt.iter(w("tag"))] == [tag]
    assert [el.get(w("val")) for el in sdt.iter(w("lock"))] == ["sdtContentLocked"]
