"""Reading the runs of a paragraph: their text, field codes and results, symbols, objects and looks.

A mixin of the story reader (story): it reads what a run shows, routes text a reader cannot
see away from the text read, and works out each run's look through the style levels, once per
paragraph style and character style when the run has no formatting of its own.
"""

from __future__ import annotations

from lxml import etree

from contractkit.word.reader.blocks import (
    _AC,
    _CODE,
    _DATES,
    _DELTEXT,
    _FLDCHAR,
    _OBJECTS,
    _RPR,
    _RSTYLE,
    _SIMPLE,
    _T,
    _VAL,
    Ctx,
    Reading,
    _Field,
    _keyword,
    _Para,
    _texts,
    first_child,
)
from contractkit.word.reader.style import _RUN_KEYS, Props, Styles, _props, resolve, w
from contractkit.word.reader.things import branches, chosen, describe, disagreement
from contractkit.word.reader.visibility import UNSEEN, problems


class _Runs:
    """Run-level reading, shared by every story."""

    reader: Reading
    styles: Styles
    part: str
    count: int
    fields: list[_Field]
    seen: set[etree._Element]
    looks: dict[tuple[object, ...], list[tuple[str, str]]]

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
        if not found:  # the usual case: a run a reader sees
            state.visible.append(text)
            if revision == "ins":
                state.inserted.append(text)
            return
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
        rpr = first_child(r, _RPR)
        direct = _props(rpr, _RUN_KEYS)
        extra = rpr.getnext() if rpr is not None else None
        while extra is not None:  # a second rPr: programs differ on which they obey, so both count
            if extra.tag == _RPR:
                direct.update(_props(extra, _RUN_KEYS))
                direct["twice"] = extra
            extra = extra.getnext()
        rstyle_el = first_child(rpr, _RSTYLE) if rpr is not None else None
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
