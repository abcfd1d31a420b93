"""Native Word redlines: the changes from OLD to NEW as tracked revisions (w:ins / w:del) in NEW's document.

NEW's package is the base, so numbering, styles, headers and unchanged paragraphs are NEW's own.
The body is compared unit by unit (a paragraph outside tables, or a table row) with difflib;
changed paragraphs are then compared word by word. Accepting every revision gives NEW's text and
rejecting every revision gives OLD's.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import itertools
import zipfile

from lxml import etree

from contractkit.errors import CannotVerify, ContractkitError
from contractkit.word.order import insert_ordered
from contractkit.word.reader.package import Limits, safe_xml
from contractkit.word.redline_diff import TEXT_TAGS, Unit, atoms, char_spans, opcodes, pair, paragraph_text, units
from contractkit.word.xml import W, deterministic_zip, open_zip, w

__all__ = ["compare", "paragraph_text", "redline_tree", "units"]

DOCUMENT = "word/document.xml"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
REVISIONS = ("ins", "del", "moveFrom", "moveTo")
Element = etree._Element


def compare(
    old: bytes, new: bytes, *, author: str, date: dt.datetime, names: tuple[str, str] = ("OLD", "NEW")
) -> bytes:
    """A DOCX: NEW's package with its body marked up with the tracked changes from OLD."""
    old_root = _document(old, names[0])
    new_root = _document(new, names[1])
    marked = redline_tree(old_root, new_root, author=author, date=date)
    xml = etree.tostring(marked, xml_declaration=True, encoding="UTF-8", standalone=True)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(new)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, xml if info.filename == DOCUMENT else src.read(info.filename))
    return deterministic_zip(out.getvalue())  # compresses, with fixed timestamps


def _document(data: bytes, name: str) -> Element:
    try:
        root = safe_xml(open_zip(data, Limits())[DOCUMENT])
    except CannotVerify as exc:
        raise ContractkitError(f"{name}: {exc}") from None
    body = root.find(w("body"))
    if body is None:
        raise ContractkitError(f"{name}: not a Word document (no body)")
    if any(True for _ in body.iter(*(w(t) for t in REVISIONS))):
        raise ContractkitError(
            f"{name}: already contains tracked changes", hint="accept or reject them in Word, then compare again"
        )
    return root


def redline_tree(old: Element, new: Element, *, author: str, date: dt.datetime) -> Element:
    """A copy of NEW's w:document whose body carries the revisions from OLD."""
    result = copy.deepcopy(new)
    old_body, body = old.find(w("body")), result.find(w("body"))
    assert old_body is not None and body is not None
    _Redliner(author, date, _max_id(result) + 1).run(old_body, body)
    _unlock_revised(body)
    return result


def _unlock_revised(body: Element) -> None:
    """Word will not accept or reject a revision inside a content-locked control: relax only those
    controls that hold revisions to 'cannot be deleted' (the agreement itself is drafted afresh)."""
    for sdt in body.iter(w("sdt")):
        lock = sdt.find(f"{w('sdtPr')}/{w('lock')}")
        if lock is None or "Content" not in (lock.get(w("val")) or ""):
            continue
        if next(sdt.iter(w("ins"), w("del")), None) is not None:
            lock.set(w("val"), "sdtLocked")


def _max_id(root: Element) -> int:
    ids = root.xpath("//@w:id", namespaces={"w": W})
    values = ids if isinstance(ids, list) else []
    return max((int(v) for v in values if isinstance(v, str) and v.isdigit()), default=0)


# ----------------------------------------------------------------------------- writing revisions


class _Redliner:
    def __init__(self, author: str, date: dt.datetime, first_id: int) -> None:
        stamp = (date if date.tzinfo else date.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
        self.author, self.date = author, stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
        self.ids = itertools.count(first_id)

    def mark(self, tag: str) -> Element:
        el = etree.Element(w(tag))
        el.set(w("id"), str(next(self.ids)))
        el.set(w("author"), self.author)
        el.set(w("date"), self.date)
        return el

    def run(self, old_body: Element, body: Element) -> None:
        self.body = body
        old, new = units(old_body), units(body)
        for op, i1, i2, j1, j2 in opcodes([u.key for u in old], [u.key for u in new]):
            if op != "equal":
                prev = new[j1 - 1] if j1 > 0 else None
                after = new[j2] if j2 < len(new) else None
                self.stretch(pair(old[i1:i2], new[j1:j2]), prev, after)

    def stretch(self, pairs: list[tuple[Unit | None, Unit | None]], prev: Unit | None, after: Unit | None) -> None:
        cursor = prev.el if prev is not None else None  # what the next deleted unit must follow
        for index, (o, n) in enumerate(pairs):
            if o is not None and n is not None:
                self.changed(o, n)
            elif n is not None:
                self.inserted(n)
            elif o is not None:
                rest = pairs[index + 1 :]
                until = next((k for k, (_, m) in enumerate(rest) if m is not None), len(rest))
                before = rest[until][1] if until < len(rest) else after
                rows_only = all(u is not None and u.kind == "tr" for u, _ in rest[:until])
                cursor = self.deleted(o, cursor, before, join=rows_only)
            cursor = n.el if n is not None else cursor

    # --- whole units

    def inserted(self, unit: Unit) -> None:
        if unit.kind == "tr":
            self.row_mark(unit.el, "ins")
        for p in unit.el.iter(w("p")):
            self.wrap_runs(p, "ins")
            self.paragraph_mark(p, "ins")

    def deleted(self, unit: Unit, cursor: Element | None, after: Unit | None, *, join: bool = True) -> Element:
        """Copy an OLD unit into NEW as deleted content, right after `cursor` (or before `after`).

        A deleted row joins the table of the row `after` it only when `join`: no deleted paragraph
        is still to be placed between them.
        """
        el = _detached_copy(unit.el)
        if unit.kind == "tr":
            self.row_mark(el, "del")
        for p in el.iter(w("p")):
            _to_deleted_text(p)
            self.wrap_runs(p, "del")
            self.paragraph_mark(p, "del")
        if unit.kind == "p":
            self.place_block(el, cursor, after)
        elif cursor is not None and cursor.tag == w("tr"):
            cursor.addnext(el)
        elif join and after is not None and after.kind == "tr":
            after.el.addprevious(el)
        else:  # NEW has no table here: give the deleted row a table of its own
            table = etree.Element(w("tbl"))
            table.extend(copy.deepcopy(c) for c in _parent(unit.el) if c.tag != w("tr"))
            table.append(el)
            self.place_block(table, cursor, after)
        return el

    def place_block(self, el: Element, cursor: Element | None, after: Unit | None) -> None:
        """Put a deleted paragraph or table where OLD had it: after the cursor, or before what follows."""
        if cursor is not None and cursor.tag == w("p"):
            cursor.addnext(el)
        elif after is not None and after.kind == "p":
            after.el.addprevious(el)
        elif cursor is not None:  # after a row: after its table, split there if `after` is in the same table
            table = _parent(cursor)
            if after is not None and _parent(after.el) is table:
                _split_table(cursor)
            table.addnext(el)
        elif after is not None:
            _parent(after.el).addprevious(el)
        else:
            sect = self.body.find(w("sectPr"))
            self.body.insert(self.body.index(sect) if sect is not None else len(self.body), el)

    def row_mark(self, tr: Element, tag: str) -> None:
        trpr = tr.find(w("trPr"))
        if trpr is None:
            trpr = etree.Element(w("trPr"))
            prex = tr.find(w("tblPrEx"))
            tr.insert(1 if prex is not None else 0, trpr)
        insert_ordered(trpr, self.mark(tag))

    def paragraph_mark(self, p: Element, tag: str) -> None:
        ppr = p.find(w("pPr"))
        if ppr is None:
            ppr = etree.Element(w("pPr"))
            p.insert(0, ppr)
        rpr = ppr.find(w("rPr"))
        if rpr is None:
            rpr = insert_ordered(ppr, etree.Element(w("rPr")))
        insert_ordered(rpr, self.mark(tag))

    def wrap_runs(self, p: Element, tag: str) -> None:
        for run in list(p.iter(w("r"))):
            self.wrap(run, tag)

    def wrap(self, run: Element, tag: str) -> None:
        mark = self.mark(tag)
        run.addprevious(mark)
        mark.append(run)

    # --- word level

    def changed(self, old: Unit, new: Unit) -> None:
        if old.kind == "p":
            self.words(old.el, new.el)
            return
        old_cells, new_cells = list(old.el.iterchildren(w("tc"))), list(new.el.iterchildren(w("tc")))
        if len(old_cells) != len(new_cells):
            self.inserted(new)
            self.deleted(old, None, new)
            return
        for old_cell, new_cell in zip(old_cells, new_cells, strict=True):
            olds, news = list(old_cell.iter(w("p"))), list(new_cell.iter(w("p")))
            for o, n in zip(olds, news, strict=False):
                self.words(o, n)
            for n in news[len(olds) :]:
                self.inserted(Unit("p", n, ""))
            cursor = news[-1] if news else None
            for o in olds[len(news) :] if cursor is not None else []:
                cursor = self.deleted(Unit("p", o, ""), cursor, None)

    def words(self, old_p: Element, new_p: Element) -> None:
        """Mark the word-level differences between two paragraphs inside NEW's paragraph."""
        old_text, new_text = paragraph_text(old_p), paragraph_text(new_p)
        if old_text == new_text:
            return
        spans = char_spans(old_text, new_text)
        _explode(new_p)
        _split(new_p, sorted({x for _, _, _, j1, j2 in spans for x in (j1, j2)}))
        atoms = _positions(new_p)
        for op, i1, i2, j1, j2 in spans:
            if op in ("insert", "replace"):
                for run, start, length in atoms:
                    if j1 <= start and start + length <= j2 and length:
                        self.wrap(run, "ins")
            if op in ("delete", "replace"):
                self.put_deletion(new_p, atoms, j1, _deleted_runs(old_p, i1, i2))

    def put_deletion(self, p: Element, atoms: list[tuple[Element, int, int]], at: int, runs: list[Element]) -> None:
        mark = self.mark("del")
        mark.extend(runs)
        anchor = next((run for run, start, length in atoms if start >= at and length), None)
        if anchor is not None:
            parent = _parent(anchor)
            (parent if parent.tag == w("ins") else anchor).addprevious(mark)
            return
        last = next((run for run, _, length in reversed(atoms) if length), None)
        if last is None:
            p.append(mark)
        else:
            parent = _parent(last)
            (parent if parent.tag == w("ins") else last).addnext(mark)


def _explode(p: Element) -> None:
    """One content item per run, so any item can be wrapped in a revision on its own."""
    for run in list(p.iter(w("r"))):
        items = [c for c in run if c.tag != w("rPr")]
        if len(items) < 2:
            continue
        rpr = run.find(w("rPr"))
        for item in reversed(items[1:]):
            clone = etree.Element(w("r"))
            if rpr is not None:
                clone.append(copy.deepcopy(rpr))
            clone.append(item)
            run.addnext(clone)


def _split(p: Element, cuts: list[int]) -> None:
    """Split text runs so that every cut offset falls on a run boundary."""
    for run, start, length in _positions(p):
        t = run.find(w("t"))
        inside = [c - start for c in cuts if start < c < start + length]
        if t is None or not inside:
            continue
        text = t.text or ""
        pieces = [text[x:y] for x, y in itertools.pairwise([0, *inside, len(text)])]
        t.text = pieces[0]
        anchor = run
        for piece in pieces[1:]:
            clone = copy.deepcopy(run)
            clone_t = clone.find(w("t"))
            assert clone_t is not None
            clone_t.text = piece
            anchor.addnext(clone)
            anchor = clone


def _positions(p: Element) -> list[tuple[Element, int, int]]:
    """(run, start offset, length) for every run of a paragraph, text-bearing or not."""
    out, offset = [], 0
    for run in p.iter(w("r")):
        length = sum(len(TEXT_TAGS[c.tag] or c.text or "") for c in run if c.tag in TEXT_TAGS)
        out.append((run, offset, length))
        offset += length
    return out


def _deleted_runs(old_p: Element, start: int, end: int) -> list[Element]:
    """Copies of OLD's text between two offsets, with OLD's run formatting, as deleted text."""
    runs, offset = [], 0
    for item, text in atoms(old_p):
        at, offset = offset, offset + len(text)
        lo, hi = max(start, at), min(end, offset)
        if lo >= hi:
            continue
        run = etree.Element(w("r"))
        rpr = _parent(item).find(w("rPr"))
        if rpr is not None:
            run.append(copy.deepcopy(rpr))
        if item.tag == w("t"):
            deleted = etree.SubElement(run, w("delText"))
            deleted.text = text[lo - at : hi - at]
            deleted.set(XML_SPACE, "preserve")
        else:
            run.append(copy.deepcopy(item))
        runs.append(run)
    return runs


def _parent(el: Element) -> Element:
    parent = el.getparent()
    if parent is None:
        raise ContractkitError("malformed document: an element has no parent")
    return parent


def _split_table(tr: Element) -> None:
    """Split a table after a row, so that OLD content that lay between two tables can go back between them."""
    table = _parent(tr)
    rest = list(tr.itersiblings(w("tr")))
    second = etree.Element(w("tbl"))
    second.extend(copy.deepcopy(c) for c in table if c.tag in (w("tblPr"), w("tblGrid")))
    second.extend(rest)
    table.addnext(second)


def _detached_copy(el: Element) -> Element:
    """A copy of OLD content without what only makes sense in OLD's package: bookmarks, section
    breaks, and references to OLD's relationships (hyperlinks are unwrapped, pictures dropped)."""
    el = copy.deepcopy(el)
    for junk in list(el.iter(w("bookmarkStart"), w("bookmarkEnd"), w("sectPr"), w("drawing"), w("pict"), w("object"))):
        _parent(junk).remove(junk)
    for link in list(el.iter(w("hyperlink"))):
        for child in list(link):
            link.addprevious(child)
        _parent(link).remove(link)
    return el


def _to_deleted_text(p: Element) -> None:
    for t in p.iter(w("t"), w("instrText")):
        t.tag = w("delText") if t.tag == w("t") else w("delInstrText")
        t.set(XML_SPACE, "preserve")
