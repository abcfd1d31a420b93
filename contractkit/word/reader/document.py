"""Read a Word document the way Word shows it, for verification, the draft self-check and lint.

Every story Word displays is read: the body, and the headers, footers, footnotes, endnotes and
comments the main part relates to. Each paragraph becomes a Block holding the text a reader sees;
text a reader cannot see (hidden, coloured like its background, too small, struck through) is kept
apart, and every such trick becomes a Mark saying what and where. Field results, numbering labels,
symbols, drawings, embedded objects, alternative content and content controls bound to data are
recorded as Things or Marks, so that nothing Word shows passes unread.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping

from lxml import etree

from contractkit.word.reader.blocks import _NOTE_SKIP, _T, MAX_MARKS, Block, DocxContent, Mark, Thing
from contractkit.word.reader.package import Limits, Package
from contractkit.word.reader.story import _Story
from contractkit.word.reader.style import Styles, Theme, on, resolve, w
from contractkit.word.reader.things import Numbering
from contractkit.word.reader.visibility import Ground, paragraph_problems, problems

__all__ = ["Block", "DocxContent", "Mark", "Thing", "read_docx", "read_parts", "style_problems"]
_STYLE_PARTS = ("styles", "theme", "settings", "fontTable")
MAX_STYLES = 4  # resolved styles kept for documents contractkit wrote (one per template, in practice)


def read_docx(data: bytes, limits: Limits | None = None) -> DocxContent:
    """Every story of a DOCX as Word shows it (raises CannotVerify when it cannot be read safely)."""
    return _Reader(Package(data, limits or Limits())).read()


def read_parts(parts: Mapping[str, bytes]) -> DocxContent:
    """A DOCX contractkit has just written, given as its parts before they were zipped (word.save),
    read exactly as read_docx reads a file. Styles, theme and fonts are resolved once per distinct
    bytes of those parts (every draft from one template carries the same), never for a received file."""
    return _Reader(Package(parts, Limits()), share_styles=True).read()


class _SharedStyles:
    """Styles resolved from the exact bytes of the parts they come from, the least recently used out."""

    def __init__(self) -> None:
        self.items: OrderedDict[tuple[bytes | None, ...], Styles] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[bytes | None, ...]) -> Styles | None:
        with self.lock:
            found = self.items.get(key)
            if found is not None:
                self.items.move_to_end(key)
            return found

    def put(self, key: tuple[bytes | None, ...], styles: Styles) -> None:
        with self.lock:
            self.items[key] = styles
            while len(self.items) > MAX_STYLES:
                self.items.popitem(last=False)


_SHARED = _SharedStyles()


class _Reader:
    def __init__(self, package: Package, *, share_styles: bool = False) -> None:
        self.package = package
        self.main = package.main
        self.rels = package.rels(self.main)
        settings = self._part("settings")
        key = self._style_key() if share_styles else None
        styles = _SHARED.get(key) if key is not None else None
        if styles is None:
            styles = Styles(self._part("styles"), Theme(self._part("theme"), settings), self._part("fontTable"))
            if key is not None:
                _SHARED.put(key, styles)
        self.styles = styles
        self.numbering = Numbering(self._part("numbering"), self.styles)
        self.settings = settings
        self.result = DocxContent([], {})
        self.page: str | None = None

    def _part(self, kind: str) -> etree._Element | None:
        rel = next((r for r in self.rels if r.type == kind and not r.external), None)
        return self.package.xml(rel.target) if rel is not None else None

    def _style_key(self) -> tuple[bytes | None, ...] | None:
        """The bytes the styles are resolved from, when every one of those parts is at hand unzipped."""
        targets = [next((r.target for r in self.rels if r.type == k and not r.external), None) for k in _STYLE_PARTS]
        members = self.package.members
        if any(t is not None and t.lower() not in members for t in targets):
            return None
        return tuple(members[t.lower()] if t is not None else None for t in targets)

    def read(self) -> DocxContent:
        root = self.package.xml(self.main)
        body = root.find(w("body"))
        if body is None:
            from contractkit.errors import CannotVerify

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
