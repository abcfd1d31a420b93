"""Reading one story of a Word document (the body, a header, the footnotes...) paragraph by paragraph.

Block-level content is walked as Word lays it out: paragraphs, tables (with each cell's shading),
content controls (their `ck:` tags give a paragraph its clause), alternative content (the branch
Word shows) and embedded content; each paragraph's styles are resolved once per style.
"""

from __future__ import annotations

from dataclasses import replace

from lxml import etree

from contractkit.word.reader.blocks import (
    _AC,
    _DEL,
    _FLDSIMPLE,
    _INS,
    _P,
    _PPR,
    _PSTYLE,
    _QUIET,
    _R,
    _REVISED,
    _RPR,
    _SDT,
    _SDT_LOCK,
    _SDT_TAG,
    _T,
    _TBL,
    _TC,
    _VAL,
    CLAUSE_TAG,
    Block,
    Ctx,
    Reading,
    Thing,
    _Base,
    _Field,
    _keyword,
    _Para,
    _texts,
    first_child,
)
from contractkit.word.reader.runs import _Runs
from contractkit.word.reader.style import _PARA_KEYS, Props, _props, number, resolve, w
from contractkit.word.reader.things import M, label_words, numbered
from contractkit.word.reader.visibility import MIN_LINE_TWIPS, Ground, paragraph_problems, problems

_STYLE_ONLY = frozenset({"numPr", "shd"})  # direct formatting that leaves the style's paragraph problems as they are


class _Story(_Runs):
    """One part's text (the body, a header, the footnotes...), read paragraph by paragraph."""

    def __init__(self, reader: Reading, part: str, role: str, out: list[Block]) -> None:
        self.reader, self.styles, self.part, self.role, self.out = reader, reader.styles, part, role, out
        self.count = 0
        self.fields: list[_Field] = []
        self.seen: set[etree._Element] = set()
        self.looks: dict[tuple[object, ...], list[tuple[str, str]]] = reader.styles.looks
        self.bases: dict[tuple[str | None, str], _Base] = reader.styles.bases
        self.grounds: dict[str | None, Ground] = {}
        self.words: dict[str, str] = {}  # a list level's text -> the words its labels print

    def read(self, root: etree._Element) -> None:
        self.blocks(root, Ctx())
        for open_field in self.fields:
            self.reader.mark("field", f"a field that never ends ({_keyword(open_field.code)})", open_field.location)
        self.fields = []
        self._unread(root)

    # ------------------------------------------------------------------------- block level

    def blocks(self, container: etree._Element, ctx: Ctx) -> None:
        for child in container:
            tag = child.tag
            if tag == _P:
                self.paragraph(child, ctx)
            elif tag == _TBL:
                self.table(child, ctx)
            elif tag == _SDT:
                inner = _control_ctx(child, ctx)
                self.blocks(self._control(child, None, inner), inner)
            elif tag == _AC:
                self.blocks(self.alternate(child, None, ctx), ctx)
            elif tag == w("altChunk"):
                where = f"{self.part}, after paragraph {self.count}"
                self.reader.mark(
                    "object", "content embedded in another format (altChunk), which Word shows as text", where
                )
                self.reader.thing(Thing("object", "altChunk", "", self.role, where))
            elif isinstance(tag, str) and tag not in _QUIET:
                self.blocks(child, ctx)  # customXml, tracked changes around blocks, and what Word may add

    def table(self, tbl: etree._Element, ctx: Ctx) -> None:
        pr = tbl.find(w("tblPr"))
        style_el = pr.find(w("tblStyle")) if pr is not None else None
        style = style_el.get(w("val")) if style_el is not None else None
        theme = self.styles.theme
        shade = theme.shading(pr.find(w("shd")) if pr is not None else None) or self.styles.table_shading(style)
        self._table_style(style)
        for tc in tbl.iter(_TC):
            if next(tc.iterancestors(_TBL)) is not tbl:
                continue
            cell = theme.shading(tc.find(f"{w('tcPr')}/{w('shd')}")) or shade
            before = len(self.out)
            self.blocks(tc, replace(ctx, table_style=style, cell=cell, table=True))
            self._clipped_row(tc, self.out[before:])

    def _clipped_row(self, tc: etree._Element, blocks: list[Block]) -> None:
        """A row of exact height under 6 pt clips the text of its cells."""
        row = tc.getparent()
        height = row.find(f"{w('trPr')}/{w('trHeight')}") if row is not None else None
        if height is None or height.get(w("hRule")) != "exact":
            return
        twips = number(height.get(w("val")), 1e9)
        if twips < MIN_LINE_TWIPS:
            for block in (b for b in blocks if b.text.strip()):
                how = f"{block.text.strip()[:120]!r} is clipped by a table row {twips / 20:g} pt high"
                self.reader.mark("tiny-text", how, block.location, block)

    def _table_style(self, style: str | None) -> None:
        """A table style whose conditional formats (first row, bands...) hide or whiten text is a finding."""
        for kind, layer, shading in self.styles.conditional(style or ""):
            look = resolve([(f"the {kind} format of table style {self.styles.name(style or '')!r}", layer.run)], {})
            for what, how in problems(
                look, Ground(shading, self.reader.page), self.styles.theme, self.styles.symbol_fonts, 0
            ):
                self.reader.mark(
                    what, f"table text {how}", f"{self.part}, table style {self.styles.name(style or '')!r}"
                )

    # ------------------------------------------------------------------------- paragraphs

    def paragraph(self, p: etree._Element, ctx: Ctx) -> None:
        self.count += 1
        location = f"{self.part}, paragraph {self.count}" + (f" ({ctx.frame})" if ctx.frame else "")
        ppr = first_child(p, _PPR)
        style_el = first_child(ppr, _PSTYLE) if ppr is not None else None
        style_id = self.styles.paragraph_style(style_el.get(_VAL) if style_el is not None else None)
        base = self._base(ctx.table_style, style_id)
        direct = _props(ppr, _PARA_KEYS)
        extra = ppr.getnext() if ppr is not None else None
        while extra is not None and extra.tag == _PPR:  # a second pPr: programs differ on which they obey
            direct.update(_props(extra, _PARA_KEYS))
            direct["twice"] = extra
            extra = extra.getnext()
        para = {**base.para, **direct} if direct else base.para
        shading = self.styles.theme.shading(para.get("shd")) if "shd" in direct else base.shading
        ground = self._ground(shading or ctx.cell)
        state = _Para(location, ground, base.runs, (ctx.table_style, style_id))
        self.content(p, state, None)
        _mark_revision(ppr, state)
        block = Block(base.name, "".join(state.visible), ctx.clause, state.inserted, state.deleted,
                      ctx.locked, state.hidden, location, self.role, ctx.table, ctx.frame)  # fmt: skip
        block.label = self._label(direct.get("numPr"), base.numbering, block)
        self.out.append(block)
        found = base.problems if direct.keys() <= _STYLE_ONLY else paragraph_problems(para)
        self._flush(state, found, block)
        for box in state.boxes:
            self.blocks(box, replace(ctx, frame="text box"))

    def _ground(self, shading: str | None) -> Ground:
        if shading not in self.grounds:
            self.grounds[shading] = Ground(shading, self.reader.page)
        return self.grounds[shading]

    def _base(self, table_style: str | None, style_id: str) -> _Base:
        """What a paragraph's styles give it, once per table style and paragraph style."""
        key = (table_style, style_id)
        if key not in self.bases:
            levels = [("the document defaults", self.styles.doc_defaults)]
            if table_style:
                levels.append((f"table style {self.styles.name(table_style)!r}", self.styles.layer(table_style)))
            levels.append((f"paragraph style {self.styles.name(style_id)!r}", self.styles.layer(style_id)))
            para: Props = {}
            for _where, layer in levels:
                para.update(layer.para)
            self.bases[key] = _Base(
                self.styles.name(style_id),
                [(where, layer.run) for where, layer in levels],
                para,
                self.styles.theme.shading(para.get("shd")),
                levels[-1][1].para.get("numPr"),
                paragraph_problems(para),
            )
        return self.bases[key]

    def _label(self, direct: etree._Element | None, styled: etree._Element | None, block: Block) -> str:
        at = numbered(direct, styled) if direct is not None or styled is not None else None
        label = self.reader.numbering.label(*at) if at else None
        if label is None:
            return ""
        self.reader.thing(Thing("label", label[0], label[1], self.role, block.location, block))
        words = self.words.get(label[1])
        if words is None:
            words = self.words[label[1]] = label_words(label[1]).strip()
        return words

    def _flush(self, state: _Para, found: list[tuple[str, str]], block: Block) -> None:
        if block.text.strip() or state.hidden:
            for kind, how in found:
                self.reader.mark(kind, f"the paragraph is {how}", block.location, block)
        for kind, detail in state.pending:
            self.reader.mark(kind, detail, block.location, block)
        for what, kind, text in state.things:
            self.reader.thing(Thing(what, kind, text, self.role, block.location, block))

    def content(self, el: etree._Element, state: _Para, revision: str | None) -> None:
        """Paragraph content: runs, and the containers Word allows around them."""
        for child in el:
            tag = child.tag
            if tag == _R:
                self.run(child, state, revision)
            elif tag in _QUIET or not isinstance(tag, str):
                continue
            elif tag in _REVISED:
                self.content(child, state, _REVISED[tag])
            elif tag == _SDT:
                self.content(self._control(child, state, None), state, revision)
            elif tag == _AC:
                self.content(self.alternate(child, state, None), state, revision)
            elif tag == _FLDSIMPLE:
                self.fields.append(_Field(child.get(w("instr")) or "", "", "result", state.location))
                self.content(child, state, revision)
                self._end_field(state)
            else:
                self._other_content(child, state, revision)

    def _other_content(self, child: etree._Element, state: _Para, revision: str | None) -> None:
        """Equations, bidi overrides and subdocuments; any other container is read through."""
        tag = child.tag
        if tag in (f"{{{M}}}oMath", f"{{{M}}}oMathPara"):
            state.visible.append(" ".join(t.text or "" for t in child.iter(f"{{{M}}}t")))
            state.things.append(("object", "equation", _texts(child)))
        elif tag in (w("dir"), w("bdo")):
            detail = f"{_texts(child)[:120]!r} is laid out by a bidirectional override"
            state.pending.append(("distorted-text", detail))
            self.content(child, state, revision)
        elif tag == w("subDoc"):
            state.things.append(("object", "subdocument", ""))
        else:
            self.content(child, state, revision)  # hyperlink, smartTag, customXml and the like

    def _unread(self, root: etree._Element) -> None:
        """Text Word may show that this reader did not place: a finding, never silence."""
        total = sum(1 for _ in root.iter(_T))
        if total <= len(self.seen):
            return
        for t in root.iter(_T):
            if t not in self.seen and (t.text or "").strip():
                detail = f"text this reader cannot place in the document: {(t.text or '').strip()[:120]!r}"
                self.reader.mark("unread-text", detail, self.part)


def _control_ctx(sdt: etree._Element, ctx: Ctx) -> Ctx:
    tag_el = sdt.find(_SDT_TAG)
    value = tag_el.get(_VAL, "") if tag_el is not None else ""
    if not value.startswith(CLAUSE_TAG):
        return ctx
    lock = sdt.find(_SDT_LOCK)
    locked = lock is not None and "Content" in (lock.get(_VAL) or "")
    return replace(ctx, clause=value[len(CLAUSE_TAG) :], locked=locked)


def _mark_revision(ppr: etree._Element | None, state: _Para) -> None:
    mark = first_child(ppr, _RPR) if ppr is not None else None
    if mark is not None and (mark.find(_INS) is not None or mark.find(_DEL) is not None):
        (state.inserted if mark.find(_INS) is not None else state.deleted).append("\u00b6")
