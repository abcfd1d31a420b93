"""The Word template's contract with drafting: the variables it may use, the markers, styles and lists
it must keep, and the structural checks `lint` runs on it.

The centre edits templates/agreement.docx in Word. Each check here names what an edit broke in
Word's own terms (a style, a list, a marker paragraph), so the person who made the edit can undo it.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from contractkit.errors import CannotVerify, Issue
from contractkit.word.reader.package import safe_xml
from contractkit.word.xml import w


@dataclass(frozen=True)
class Variable:
    """One name the template may use, with its fields (for a list, the fields of each item)."""

    name: str
    meaning: str
    fields: tuple[tuple[str, str], ...] = ()
    item: str | None = None  # for a list: the loop name the shipped template uses, e.g. 'p'
    marker: str | None = None  # for a marker: what drafting puts in its place

    @property
    def is_list(self) -> bool:
        return self.item is not None


VARIABLES: tuple[Variable, ...] = (
    Variable(
        "agreement",
        "The agreement being drafted.",
        (
            ("title", "the agreement's title: the playbook's title, e.g. 'Research Collaboration Agreement'"),
            ("project", "the project's title, from the deal (`agreement.title`)"),
            ("reference", "the agreement reference, e.g. 'NHS-DPA-2026-0001'"),
            ("version", "the agreement's version number"),
            ("date", "the agreement date, written out in the deal's language, e.g. '1 April 2027'"),
            ("status", "'draft' or 'final'"),
            ("draft", "true unless drafted with `--final`: use it as `{% if agreement.draft %}`"),
        ),
    ),
    Variable(
        "playbook",
        "The playbook the agreement follows.",
        (("id", "the playbook's id"), ("title", "its title"), ("version", "its version")),
    ),
    Variable("library_version", "The clause library's version (`library.yaml`)."),
    Variable(
        "parties",
        "Every party, NHS bodies first, then the partners.",
        (
            ("name", "the party's full legal name"),
            ("short_name", "the name the agreement calls it by, e.g. 'Northby'"),
            ("description", "who the party is: its ODS code or company number, and its address"),
        ),
        item="p",
    ),
    Variable("recitals", "The background paragraphs (recitals), each a sentence of text.", item="r"),
    Variable(
        "signatories",
        "Who signs, one signature block each.",
        (
            ("party_name", "the full name of the party they sign for"),
            ("name", "the signatory's name"),
            ("title", "the signatory's job title"),
        ),
        item="s",
    ),
    Variable("contents", "Marker for the contents list.", marker="one line per clause and schedule, with its page"),
    Variable("clauses", "Marker for the clause block.", marker="every clause, numbered 1, 1.1, 1.1.1, (a)"),
    Variable("schedules", "Marker for the schedules block.", marker="every schedule, each starting on a new page"),
)
CONTEXT_NAMES = frozenset(v.name for v in VARIABLES)
MARKERS = tuple(v.name for v in VARIABLES if v.marker)
BLOCKS = {v.name: v.meaning.removeprefix("Marker for the ").rstrip(".") for v in VARIABLES if v.marker}
# Each numbered list drafting relies on: its four paragraph styles are levels 1 to 4 of one list.
LISTS = {"Clause": "clause", "Schedule": "schedule"}
PARAGRAPH_STYLES = (
    *(f"Clause {n}" for n in range(1, 5)),
    *(f"Clause Text {n}" for n in range(2, 5)),
    "Schedule Title",
    *(f"Schedule {n}" for n in range(1, 5)),
    "Schedule Text",
    "Contents Entry",
    "Table Heading",
    "Table Text",
)
TABLE_STYLES = ("Contract Table",)
REQUIRED_STYLES = (*PARAGRAPH_STYLES, *TABLE_STYLES)
STYLES_PART, DOCUMENT_PART = "word/styles.xml", "word/document.xml"
MAX_PART = 50 * 1024 * 1024


@dataclass(frozen=True)
class ListLevel:
    """Where a numbered style sits: its list instance (w:num), that list's definition and the level."""

    num_id: int
    abstract_id: int
    level: int


def marker_pattern(name: str) -> re.Pattern[str]:
    return re.compile(r"\{\{-?\s*" + re.escape(name) + r"\s*-?\}\}")


# ----------------------------------------------------------------------------- styles and lists


def styles_by_name(styles: etree._Element) -> dict[str, etree._Element]:
    """Every w:style element under its display name (Word's name, not its internal id)."""
    found = {}
    for style in styles.iter(w("style")):
        name = style.find(w("name"))
        found[name.get(w("val"), "") if name is not None else style.get(w("styleId"), "")] = style
    return found


def list_level(styles: etree._Element, numbering: etree._Element | None, name: str) -> ListLevel | None:
    """The list a paragraph style numbers with (through its basedOn chain), or None if it is not numbered."""
    by_id = {s.get(w("styleId")): s for s in styles.iter(w("style"))}
    style = styles_by_name(styles).get(name)
    num_id, level, seen = None, None, set()
    while style is not None and style.get(w("styleId")) not in seen and (num_id is None or level is None):
        seen.add(style.get(w("styleId")))
        numpr = style.find(f"{w('pPr')}/{w('numPr')}")
        if numpr is not None:
            num_id = num_id if num_id is not None else _int(numpr.find(w("numId")))
            level = level if level is not None else _int(numpr.find(w("ilvl")))
        based = style.find(w("basedOn"))
        style = by_id.get(based.get(w("val"))) if based is not None else None
    if not num_id or numbering is None:  # numId 0 means "no numbering"
        return None
    for num in numbering.iterchildren(w("num")):
        if num.get(w("numId")) == str(num_id):
            abstract = _int(num.find(w("abstractNumId")))
            return ListLevel(num_id, abstract, level or 0) if abstract is not None else None
    return ListLevel(num_id, -1, level or 0)  # a list the numbering part does not define


def shows_number(numbering: etree._Element, abstract_id: int, level: int) -> bool:
    """Whether level `level` of list definition `abstract_id` exists and prints a number."""
    for abstract in numbering.iterchildren(w("abstractNum")):
        if abstract.get(w("abstractNumId")) == str(abstract_id):
            for lvl in abstract.iterchildren(w("lvl")):
                if lvl.get(w("ilvl")) == str(level):
                    fmt = lvl.find(w("numFmt"))
                    return fmt is None or fmt.get(w("val")) != "none"
    return False


def _int(el: etree._Element | None) -> int | None:
    value = el.get(w("val")) if el is not None else None
    return int(value) if value is not None and value.lstrip("-").isdigit() else None


# ----------------------------------------------------------------------------- lint


@dataclass(frozen=True)
class _Parts:
    document: etree._Element
    styles: etree._Element
    numbering: etree._Element | None


def structure(path: Path) -> list[Issue]:
    """Everything drafting needs from the template's structure, each problem located in Word's terms."""
    try:
        parts = _read(path)
    except CannotVerify as exc:
        return [Issue(f"not a readable Word template ({exc})", file=str(path))]
    return _styles(parts, str(path)) + _lists(parts, str(path)) + _markers(parts, str(path))


def _read(path: Path) -> _Parts:
    try:
        with zipfile.ZipFile(path) as archive:
            main = _target(archive, "_rels/.rels", "/officeDocument") or DOCUMENT_PART
            rels = posixpath.join(posixpath.dirname(main), "_rels", posixpath.basename(main) + ".rels")
            styles = _target(archive, rels, "/styles", base=posixpath.dirname(main))
            numbering = _target(archive, rels, "/numbering", base=posixpath.dirname(main))
            document = _xml(archive, main)
            if document is None:
                raise CannotVerify(f"it has no {main}")
            style_root = _xml(archive, styles) if styles else None
            return _Parts(
                document,
                style_root if style_root is not None else etree.Element(w("styles")),
                _xml(archive, numbering) if numbering else None,
            )
    except (OSError, zipfile.BadZipFile, ValueError) as exc:
        raise CannotVerify(str(exc)) from None


def _xml(archive: zipfile.ZipFile, name: str) -> etree._Element | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_PART:
        raise CannotVerify(f"{name} is {info.file_size} bytes (limit {MAX_PART})")
    return safe_xml(archive.read(info))


def _target(archive: zipfile.ZipFile, rels: str, kind: str, base: str = "") -> str | None:
    """The part a relationship of type ending in `kind` points to, as a zip entry name."""
    root = _xml(archive, rels)
    for rel in root if root is not None else []:
        if (rel.get("Type") or "").endswith(kind) and rel.get("TargetMode") != "External":
            target = rel.get("Target") or ""
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
    return None


def _styles(parts: _Parts, label: str) -> list[Issue]:
    found = styles_by_name(parts.styles)
    issues = []
    for name in REQUIRED_STYLES:
        kind = "table" if name in TABLE_STYLES else "paragraph"
        style = found.get(name)
        if style is None:
            hint = f"in Word, create a {kind} style named '{name}' (Styles pane, New Style), or restore the template"
            issues.append(Issue(f"style '{name}' is missing", file=label, field=STYLES_PART, hint=hint))
        elif style.get(w("type"), "paragraph") != kind:
            issues.append(
                Issue(
                    f"style '{name}' is a {style.get(w('type'))} style; drafting needs a {kind} style of that name",
                    file=label,
                    field=STYLES_PART,
                    hint="delete it and create it again as the right type of style",
                )
            )
    return issues


def _lists(parts: _Parts, label: str) -> list[Issue]:
    """Clause 1-4 are levels 1-4 of one list; so are Schedule 1-4, on a list of their own."""
    found, issues, firsts = styles_by_name(parts.styles), [], {}
    for base, what in LISTS.items():
        first = None
        for level in range(4):
            name = f"{base} {level + 1}"
            if name not in found:
                continue  # reported as missing
            problem, at = _list_problem(parts, name, level, first, what)
            if problem:
                hint = (
                    f"in Word, modify style '{name}' (Format, Numbering) and choose level {level + 1} of the {what} "
                    "list (1. / 1.1 / 1.1.1 / (a)), or restore the template"
                )
                issues.append(Issue(problem, file=label, field=STYLES_PART, hint=hint))
            elif first is None:
                first = at
        firsts[base] = first
    clause, schedule = firsts.get("Clause"), firsts.get("Schedule")
    if clause is not None and schedule is not None and clause.abstract_id == schedule.abstract_id:
        issues.append(
            Issue(
                "styles 'Clause 1' and 'Schedule 1' are numbered by the same list; each schedule restarts its "
                "numbering at 1, so the schedules need a list of their own",
                file=label,
                field=STYLES_PART,
                hint="in Word, give the Schedule styles a new multilevel list (Format, Numbering, Define New)",
            )
        )
    return issues


def _list_problem(
    parts: _Parts, name: str, level: int, first: ListLevel | None, what: str
) -> tuple[str | None, ListLevel | None]:
    at = list_level(parts.styles, parts.numbering, name)
    if at is None:
        return f"style '{name}' is no longer numbered", None
    if at.abstract_id < 0:
        return f"style '{name}' is numbered by a list the document no longer defines (list {at.num_id})", None
    if at.level != level:
        return f"style '{name}' is numbered at level {at.level + 1} of its list; it must be level {level + 1}", None
    if parts.numbering is None or not shows_number(parts.numbering, at.abstract_id, level):
        return f"style '{name}' is no longer numbered (level {level + 1} of its list shows no number)", None
    if first is not None and at.abstract_id != first.abstract_id:
        base = name.rsplit(" ", 1)[0]
        return f"style '{name}' is numbered by a different list from '{base} 1'; the {what} list needs one", None
    return None, at


def _markers(parts: _Parts, label: str) -> list[Issue]:
    """Each marker stands alone in one body paragraph: drafting replaces that whole paragraph."""
    body = parts.document.find(w("body"))
    paragraphs = list(body.iter(w("p"))) if body is not None else []
    texts = ["".join(t.text or "" for t in p.iter(w("t"))) for p in paragraphs]
    issues = []
    for name in MARKERS:
        pattern, what = marker_pattern(name), f"the marker for the {BLOCKS[name]} ({{{{ {name} }}}})"
        where = [n for n, text in enumerate(texts) if pattern.search(text)]
        field = DOCUMENT_PART + (f", paragraph {where[0] + 1}" if where else "")
        if not where:
            hint = f"type {{{{ {name} }}}} in a paragraph of its own where the {BLOCKS[name]} belongs"
            issues.append(Issue(f"{what} was deleted", file=label, field=field, hint=hint))
        elif len(where) > 1:
            places = ", ".join(str(n + 1) for n in where)
            issues.append(
                Issue(f"{what} appears {len(where)} times (paragraphs {places})", file=label, field=field,
                      hint="keep one and delete the others")
            )  # fmt: skip
        elif pattern.sub("", texts[where[0]]).strip():
            other = _quote(pattern.sub("", texts[where[0]]).strip())
            issues.append(
                Issue(
                    f"{what} shares its paragraph with other text ({other}), which drafting would drop",
                    file=label,
                    field=field,
                    hint="press Enter before and after the marker so it stands alone in its paragraph",
                )
            )
    return issues


def _quote(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "\u2026")
