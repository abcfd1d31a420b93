"""Read a Word document the way Word shows it, for verification, the draft self-check and lint.

Every story Word displays is read: the body, and the headers, footers, footnotes, endnotes and
comments the main part relates to. Each paragraph becomes a Block holding the text a reader sees;
text a reader cannot see (hidden, coloured like its background, too small, struck through) is kept
apart, and every such trick becomes a Mark saying what and where. Field results, numbering labels,
symbols, drawings, embedded objects, alternative content and content controls bound to data are
recorded as Things or Marks, so that nothing Word shows passes unread.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from lxml import etree

from .docx_package import Limits, Package
from .docx_style import (
    _PARA_KEYS,
    _RUN_KEYS,
    UNSEEN,
    Ground,
    Props,
    Styles,
    Theme,
    _props,
    on,
    paragraph_problems,
    problems,
    resolve,
    w,
)
from .docx_things import MC, M, Numbering, branches, chosen, describe, disagreement, label_words, numbered

CLAUSE_TAG = "ck:"
MAX_MARKS = 500  # marks kept per document: enough to show the problem, bounded for hostile files
_P, _R, _T, _TBL, _TC, _SDT = w("p"), w("r"), w("t"), w("tbl"), w("tc"), w("sdt")
_PPR, _PSTYLE, _VAL, _RSTYLE = w("pPr"), w("pStyle"), w("val"), w("rStyle")
_FLDCHAR, _DELTEXT, _CODE = w("fldChar"), w("delText"), (w("instrText"), w("delInstrText"))
_REVISED = {w("ins"): "ins", w("moveTo"): "ins", w("del"): "del", w("moveFrom"): "del"}
_FLDSIMPLE, _RPR, _INS, _DEL = w("fldSimple"), w("rPr"), w("ins"), w("del")
_SDT_TAG, _SDT_LOCK = f"{w('sdtPr')}/{w('tag')}", f"{w('sdtPr')}/{w('lock')}"
_SIMPLE = {w("tab"): " ", w("ptab"): " ", w("br"): " ", w("cr"): " ", w("noBreakHyphen"): "-"}
_AC = f"{{{MC}}}AlternateContent"
_OBJECTS = (w("drawing"), w("pict"), w("object"), w("contentPart"), w("control"))
_DATES = tuple(w(t) for t in ("dayShort", "dayLong", "monthShort", "monthLong", "yearShort", "yearLong", "pgNum"))
_QUIET = frozenset(
    w(t)
    for t in (
        "rPr", "pPr", "lastRenderedPageBreak", "footnoteReference", "endnoteReference", "commentReference",
        "annotationRef", "footnoteRef", "endnoteRef", "separator", "continuationSeparator", "bookmarkStart",
        "bookmarkEnd", "proofErr", "permStart", "permEnd", "commentRangeStart", "commentRangeEnd", "sectPr",
        "moveFromRangeStart", "moveFromRangeEnd", "moveToRangeStart", "moveToRangeEnd", "tblPr", "tblGrid",
        "trPr", "tcPr", "sdtPr", "sdtEndPr", "customXmlPr", "tblPrEx", "softHyphen",
    )
)  # fmt: skip
_NOTE_SKIP = frozenset({"separator", "continuationSeparator", "continuationNotice"})


@dataclass(slots=True)
class Block:
    """A paragraph as a reader sees it: style name, visible text, clause content control, and what is not seen."""

    style: str
    text: str
    clause: str | None = None
    inserted: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    locked: bool = False
    hidden: list[str] = field(default_factory=list)  # text a reader cannot see: hidden, invisible, tiny, struck
    location: str = ""  # e.g. "word/document.xml, paragraph 214"
    role: str = "body"  # body, header, footer, footnote, endnote or comment
    table: bool = False  # in a table cell
    frame: str | None = None  # "text box" for a paragraph inside a drawing
    label: str = ""  # words a numbering label prints besides the numbers

    @property
    def has_revisions(self) -> bool:
        return bool(self.inserted or self.deleted)


@dataclass(eq=False)
class Mark:
    """Something a reader of the document would see differently from what its text says."""

    kind: str
    detail: str
    location: str
    block: Block | None = None
    clause: str | None = None  # where no block holds it (a control or alternative content around paragraphs)


@dataclass(eq=False)
class Thing:
    """A field, numbering label or object, to be compared with what the template produces."""

    what: str  # "field", "label" or "object"
    kind: str  # field keyword, number format or object kind
    text: str  # field result, level text or the text the object shows
    role: str
    location: str
    block: Block | None = None


@dataclass
class DocxContent:
    blocks: list[Block]
    custom: dict[str, str]
    notes: list[Block] = field(default_factory=list)  # headers, footers, footnotes, endnotes, comments
    marks: list[Mark] = field(default_factory=list)
    things: list[Thing] = field(default_factory=list)
    levels: set[tuple[str, str]] = field(default_factory=set)  # every list level defined: (format, level text)


@dataclass(frozen=True)
class Ctx:
    """Where a paragraph sits: its clause content control, table cell, frame."""

    clause: str | None = None
    locked: bool = False
    table_style: str | None = None
    cell: str | None = None  # cell shading
    table: bool = False
    frame: str | None = None


@dataclass
class _Field:
    code: str = ""
    result: str = ""
    phase: str = "code"
    location: str = ""


@dataclass(frozen=True)
class _Base:
    """A paragraph style's contribution, in a table style or not."""

    name: str
    runs: list[tuple[str, Props]]  # style levels of run properties, for each run's look
    para: Props
    shading: str | None
    numbering: etree._Element | None  # the style's numPr
    problems: list[tuple[str, str]]


class _Para:
    """What one paragraph's runs add up to while it is read (a plain class: one is made per paragraph)."""

    __slots__ = ("boxes", "deleted", "ground", "hidden", "inserted", "key", "layers", "location", "pending",
                 "things", "visible")  # fmt: skip

    def __init__(
        self, location: str, ground: Ground, layers: list[tuple[str, Props]], key: tuple[str | None, str]
    ) -> None:
        self.location, self.ground, self.layers = location, ground, layers
        self.key = key  # table style and paragraph style, for caching run looks
        self.visible: list[str] = []
        self.inserted: list[str] = []
        self.deleted: list[str] = []
        self.hidden: list[str] = []
        self.pending: list[tuple[str, str]] = []  # finding kind, detail
        self.things: list[tuple[str, str, str]] = []
        self.boxes: list[etree._Element] = []


def read_docx(data: bytes, limits: Limits | None = None) -> DocxContent:
    """Every story of a DOCX as Word shows it (raises CannotVerify when it cannot be read safely)."""
    return _Reader(Package(data, limits or Limits())).read()


class _Reader:
    def __init__(self, package: Package) -> None:
        self.package = package
        self.main = package.main
        self.rels = package.rels(self.main)
        settings = self._part("settings")
        self.styles = Styles(self._part("styles"), Theme(self._part("theme"), settings), self._part("fontTable"))
        self.numbering = Numbering(self._part("numbering"), self.styles)
        self.settings = settings
        self.result = DocxContent([], {})
        self.page: str | None = None

    def _part(self, kind: str) -> etree._Element | None:
        rel = next((r for r in self.rels if r.type == kind and not r.external), None)
        return self.package.xml(rel.target) if rel is not None else None

    def read(self) -> DocxContent:
        root = self.package.xml(self.main)
        body = root.find(w("body"))
        if body is None:
            from .errors import CannotVerify

            raise CannotVerify("not a Word document (no body)")
        background = root.find(w("background"))
        self.page = self.styles.theme.resolve(background, "color") if background is not None else None
        self._package_marks()
        _Story(self, self.main, "body", self.result.blocks).read(body)
        for kind in ("header", "footer", "footnotes", "endnotes", "comments"):
            for rel in (r for r in self.rels if r.type == kind and not r.external):
                self._notes(rel.target, kind)
        self.result.custom = _custom(self.package)
        self.result.levels = self.numbering.all_levels()
        return self.result

    def _notes(self, part: str, kind: str) -> None:
        root = self.package.xml(part)
        role = {"footnotes": "footnote", "endnotes": "endnote", "comments": "comment"}.get(kind, kind)
        story = _Story(self, part, role, self.result.notes)
        if kind in ("header", "footer"):
            story.read(root)
            return
        for note in root:
            if not isinstance(note.tag, str) or note.get(w("type")) in _NOTE_SKIP:
                continue
            if role == "comment":
                author = note.get(w("author")) or "someone"
                text = " ".join(t.text or "" for t in note.iter(_T)).strip()
                self.mark("comment", f"a comment by {author}: {text[:160]!r}", f"{part}, comment {note.get(w('id'))}")
            story.read(note)

    def _package_marks(self) -> None:
        for rel in self.rels:
            if rel.type in ("vbaProject", "subDocument"):
                what = "macros (a VBA project)" if rel.type == "vbaProject" else f"a subdocument ({rel.target})"
                self.mark("object", f"the document carries {what}", self.main)
        for name in self.styles.embedded:
            self.mark(
                "distorted-text",
                f"the document embeds the font {name!r}, whose letters may be drawn as others",
                self.main,
            )
        if self.settings is not None and on(self.settings.find(w("linkStyles"))):
            self.mark(
                "distorted-text", "styles are replaced from an attached template when the document opens", self.main
            )

    def mark(
        self, kind: str, detail: str, location: str, block: Block | None = None, clause: str | None = None
    ) -> None:
        if len(self.result.marks) < MAX_MARKS:
            self.result.marks.append(Mark(kind, detail, location, block, clause))

    def thing(self, thing: Thing) -> None:
        if len(self.result.things) < MAX_MARKS:
            self.result.things.append(thing)


class _Story:
    """One part's text (the body, a header, the footnotes...), read paragraph by paragraph."""

    def __init__(self, reader: _Reader, part: str, role: str, out: list[Block]) -> None:
        self.reader, self.styles, self.part, self.role, self.out = reader, reader.styles, part, role, out
        self.count = 0
        self.fields: list[_Field] = []
        self.seen: set[etree._Element] = set()
        self.looks: dict[tuple[object, ...], list[tuple[str, str]]] = {}
        self.bases: dict[tuple[str | None, str], _Base] = {}
        self.grounds: dict[str | None, Ground] = {}

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
            self.blocks(tc, replace(ctx, table_style=style, cell=cell, table=True))

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

    def alternate(self, el: etree._Element, state: _Para | None, ctx: Ctx | None) -> etree._Element:
        """The branch Word shows; a finding when the branches read differently."""
        differ = disagreement(el)
        if differ is not None:
            detail = f"Word shows {differ[0][:120]!r} where other programs show {differ[1][:120]!r}"
            self._note("alternate-content", detail, state, ctx)
        shown = chosen(el)
        for branch in branches(el):
            if branch is not shown:
                self.seen.update(branch.iter(_T))
        return shown if shown is not None else etree.Element("empty")

    def _control(self, sdt: etree._Element, state: _Para | None, ctx: Ctx | None) -> etree._Element:
        """A content control's content; a control bound to data shows the data, not its text: a finding."""
        binding = sdt.find(f"{w('sdtPr')}/{w('dataBinding')}")
        if binding is not None:
            path = binding.get(w("xpath")) or ""
            detail = f"a content control bound to data ({path}): Word shows the bound value, not the text it holds"
            self._note("content-control", detail, state, ctx)
        content = sdt.find(w("sdtContent"))
        return content if content is not None else etree.Element("empty")

    def _note(self, kind: str, detail: str, state: _Para | None, ctx: Ctx | None) -> None:
        """A finding in the paragraph being read, or (around paragraphs) at the next one."""
        if state is not None:
            state.pending.append((kind, detail))
        else:
            where = f"{self.part}, paragraph {self.count + 1}"
            self.reader.mark(kind, detail, where, None, ctx.clause if ctx is not None else None)

    # ------------------------------------------------------------------------- paragraphs

    def paragraph(self, p: etree._Element, ctx: Ctx) -> None:
        self.count += 1
        location = f"{self.part}, paragraph {self.count}" + (f" ({ctx.frame})" if ctx.frame else "")
        ppr = child(p, _PPR)
        style_el = child(ppr, _PSTYLE) if ppr is not None else None
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
        found = paragraph_problems(para) if set(direct) - {"numPr", "shd"} else base.problems
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
        at = numbered(direct, styled)
        label = self.reader.numbering.label(*at) if at else None
        if label is None:
            return ""
        self.reader.thing(Thing("label", label[0], label[1], self.role, block.location, block))
        return label_words(label[1]).strip()

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

    # ------------------------------------------------------------------------- runs

    def run(self, r: etree._Element, state: _Para, revision: str | None) -> None:
        shown: list[str] = []
        self._pieces(r, shown, state)
        text = "".join(shown)
        if revision == "del":
            state.deleted.append(text)
            return
        if not text:
            return
        found = self._problems(r, state, len(text)) if text.strip() else []
        if any(kind in UNSEEN for kind, _ in found):
            state.hidden.append(text)
        else:
            state.visible.append(text)
            if revision == "ins":
                state.inserted.append(text)
        state.pending += [(kind, f"{text.strip()[:120]!r} is {how}") for kind, how in found]

    def _pieces(self, r: etree._Element, shown: list[str], state: _Para) -> None:
        """The run's content in order, alternative content replaced by the branch Word shows."""
        for child in r:
            tag = child.tag
            if tag == _T:  # the common case, inline
                self.seen.add(child)
                if self.fields:
                    self._text(child.text or "", shown)
                else:
                    shown.append(child.text or "")
            elif tag == _RPR:
                continue
            elif tag == _AC:
                self._pieces(self.alternate(child, state, None), shown, state)
            elif isinstance(tag, str):
                self._piece(child, shown, state)

    def _piece(self, child: etree._Element, shown: list[str], state: _Para) -> None:
        tag = child.tag
        if tag == _T:
            self.seen.add(child)
            self._text(child.text or "", shown)
        elif tag in _SIMPLE:
            self._text(_SIMPLE[tag], shown)
        elif tag == _FLDCHAR:
            self._field_char(child, state)
        elif tag in _CODE:
            coding = next((f for f in reversed(self.fields) if f.phase == "code"), None)
            if coding is not None:
                coding.code += child.text or ""
        elif tag == _DELTEXT:
            state.deleted.append(child.text or "")
        else:
            self._special(child, shown, state)

    def _special(self, child: etree._Element, shown: list[str], state: _Para) -> None:
        """Symbols, drawings and objects, date blocks and phonetic guides inside a run."""
        tag = child.tag
        if tag == w("sym"):
            self._text("\ufffd", shown)
            font, char = child.get(w("font")) or "?", child.get(w("char")) or "?"
            state.pending.append(("symbol", f"a symbol (character {char} of the font {font}) in place of text"))
        elif tag in _OBJECTS:
            kind, text, boxes = describe(child)
            state.things.append(("object", kind, text))
            state.boxes += boxes
        elif tag in _DATES:
            state.things.append(("field", "PAGE" if tag == w("pgNum") else "DATE", ""))
        elif tag == w("ruby"):
            base = child.find(w("rubyBase"))
            self._text("".join(t.text or "" for t in base.iter(_T)) if base is not None else "", shown)
            state.things.append(("object", "phonetic guide", _texts(child)))
            self.seen.update(child.iter(_T))

    def _text(self, text: str, shown: list[str]) -> None:
        """Text goes to the field code being read, or is shown (and is the result of any open field)."""
        if not self.fields:
            shown.append(text)
            return
        coding = next((f for f in reversed(self.fields) if f.phase == "code"), None)
        if coding is not None:
            coding.code += text
            return
        shown.append(text)
        for open_field in self.fields:
            open_field.result += text

    def _field_char(self, el: etree._Element, state: _Para) -> None:
        kind = el.get(w("fldCharType"))
        if kind == "begin":
            self.fields.append(_Field(location=state.location))
        elif kind == "separate" and self.fields:
            self.fields[-1].phase = "result"
        elif kind == "end" and self.fields:
            self._end_field(state)

    def _end_field(self, state: _Para) -> None:
        done = self.fields.pop()
        state.things.append(("field", _keyword(done.code), done.result))

    def _problems(self, r: etree._Element, state: _Para, chars: int) -> list[tuple[str, str]]:
        rpr = child(r, _RPR)
        direct = _props(rpr, _RUN_KEYS)
        extra = rpr.getnext() if rpr is not None else None
        while extra is not None:  # a second rPr: programs differ on which they obey, so both count
            if extra.tag == _RPR:
                direct.update(_props(extra, _RUN_KEYS))
                direct["twice"] = extra
            extra = extra.getnext()
        rstyle_el = child(rpr, _RSTYLE) if rpr is not None else None
        rstyle = rstyle_el.get(_VAL) if rstyle_el is not None else None
        return self._look(state, rstyle, direct, chars)

    def _look(self, state: _Para, rstyle: str | None, direct: Props, chars: int) -> list[tuple[str, str]]:
        """Why a run in this paragraph, with this character style and these properties, cannot be read."""
        key = (*state.key, rstyle, state.ground) if not direct else None
        if key is not None and key in self.looks:
            return self.looks[key]
        levels = list(state.layers)
        if rstyle and rstyle in self.styles.by_id:
            levels.append((f"character style {self.styles.name(rstyle)!r}", self.styles.layer(rstyle).run))
        found = problems(resolve(levels, direct), state.ground, self.styles.theme, self.styles.symbol_fonts, chars)
        if key is not None:
            self.looks[key] = found
        return found

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


def child(el: etree._Element, tag: str) -> etree._Element | None:
    """An element's first child with this tag (faster than find() for the few children a w:p or w:r has)."""
    for node in el:
        if node.tag == tag:
            return node
    return None


def _mark_revision(ppr: etree._Element | None, state: _Para) -> None:
    mark = child(ppr, _RPR) if ppr is not None else None
    if mark is not None and (mark.find(_INS) is not None or mark.find(_DEL) is not None):
        (state.inserted if mark.find(_INS) is not None else state.deleted).append("\u00b6")


def _texts(el: etree._Element) -> str:
    return " ".join(" ".join(str(t) for t in el.itertext()).split())


def _keyword(code: str) -> str:
    words = code.split()
    return words[0].upper().lstrip("\\") if words else "(empty)"


def _custom(package: Package) -> dict[str, str]:
    """Custom document properties (the manifest lives there), as the package relates them."""
    rel = next((r for r in package.rels("") if r.type == "custom-properties" and not r.external), None)
    if rel is None or not package.has(rel.target):
        return {}
    values: dict[str, str] = {}
    for prop in package.xml(rel.target):
        name = prop.get("name") or ""
        text = "".join(str(t) for t in prop.itertext())
        base, _, chunk = name.rpartition(".")
        if base and chunk.isdigit() and len(chunk) == 3:
            values[base] = values.get(base, "") + text
        else:
            values[name] = text
    return values


def style_problems(data: bytes, names: list[str], grounds: dict[str, str]) -> dict[str, list[tuple[str, str]]]:
    """How each named style, applied to a paragraph on its own (or the given background), hides its text."""
    reader = _Reader(Package(data, Limits()))
    styles = reader.styles
    by_name = {styles.name(sid): sid for sid in styles.by_id}
    out: dict[str, list[tuple[str, str]]] = {}
    for name in names:
        sid = by_name.get(name)
        if sid is None:
            continue
        layer = styles.layer(sid)
        levels = [("the document defaults", styles.doc_defaults.run), (f"style {name!r}", layer.run)]
        para = {**styles.doc_defaults.para, **layer.para}
        shading = grounds.get(name) or styles.theme.shading(para.get("shd"))
        look = resolve(levels, {})
        found = problems(look, Ground(shading, reader.page), styles.theme, styles.symbol_fonts, 0)
        found += paragraph_problems(para)
        if found:
            out[name] = found
    return out
