"""Building the agreement's contents, clauses and schedules into the rendered template.

The template marks where each goes with a paragraph holding a marker token (its `{{ contents }}`,
`{{ clauses }}` and `{{ schedules }}`); each marker paragraph is replaced by the blocks built for
it: clause headings and paragraphs in locked or unlocked content controls tagged with the clause
id, numbered through the template's list styles (each schedule restarts its list), bookmarks the
contents' page fields point to, and the schedules' tables. Blocks are written as markup and parsed
once (word.markup).
"""

from __future__ import annotations

import itertools
from typing import Any

from contractkit.drafting.assemble import Agreement, Placed, PlacedSchedule
from contractkit.drafting.tables import TABLES
from contractkit.errors import Issue, ValidationFailed
from contractkit.word import markup, template, xml
from contractkit.word.opened import Opened
from contractkit.word.template import MARKERS, REQUIRED_STYLES

LINT_HINT = "run 'contractkit lint'"


def token(name: str) -> str:
    """The text the template context gives a marker, found again in the rendered body."""
    return f"CONTRACTKIT-MARKER-{name.upper()}"


class Builder:
    """Builds clause, schedule and contents blocks into the rendered document."""

    def __init__(self, document: Any, agreement: Agreement, opened: Opened) -> None:
        self.agreement = agreement
        self.ids = iter(range(1000, 10_000_000))
        self.styles: dict[str, str] = opened.styles
        missing = [s for s in REQUIRED_STYLES if s not in self.styles]
        if missing:
            raise ValidationFailed(
                [Issue(f"style '{name}' is missing from the template", hint=LINT_HINT) for name in missing]
            )
        self.body = document.element.body
        self.numbering = document.part.numbering_part.element
        self.schedule_list = _schedule_list(opened)
        # New list instances (one per schedule) take ids above the template's own, from 501.
        self.num_ids = itertools.count(max([500, *xml.num_ids(self.numbering)]) + 1)
        self.bookmarks = {c.id: f"_Ck{n:04d}" for n, c in enumerate(agreement.all_clauses())}

    def style(self, name: str) -> str:
        return self.styles[name]

    def markers(self) -> dict[str, Any]:
        """Each marker's paragraph: the first whose whole text is its token, found before anything is built."""
        wanted = {token(name): name for name in MARKERS}
        found: dict[str, Any] = {}
        for p in self.body.iter(xml.w("p")):
            name = wanted.get("".join(t.text or "" for t in p.iter(xml.w("t"))).strip())
            if name is not None and name not in found:
                found[name] = p
        for name in MARKERS:
            if name not in found:
                what = f"the marker for the {template.BLOCKS[name]} ({{{{ {name} }}}})"
                raise ValidationFailed([Issue(f"{what} was deleted from the template", hint=LINT_HINT)])
        return found

    def clause(self, placed: Placed, styles: tuple[str, str], num: int | None = None) -> str:
        """Heading and paragraphs of one clause, in a content control tagged with its id."""
        number_style, text_style = styles
        heading = markup.paragraph(
            self.style(f"{number_style} 1"),
            [(placed.clause.title, False)],
            num=(num, 0) if num else None,
            keep_next=True,
            bookmark=(self.bookmarks[placed.id], next(self.ids)),
        )
        blocks = [heading]
        for para in placed.paragraphs:
            name = f"{number_style} {para.level + 1}" if para.number else f"{text_style} {para.level + 1}"
            if name not in self.styles:
                name = f"{text_style}"
            blocks.append(
                markup.paragraph(
                    self.style(name),
                    [(r.text, r.bold) for r in para.runs],
                    num=(num, para.level) if num and para.number else None,
                )
            )
        tag = xml.CLAUSE_TAG + placed.id
        return markup.content_control("".join(blocks), tag, placed.id, next(self.ids), locked=placed.locked)

    def schedule(self, placed: PlacedSchedule) -> str:
        num_id = next(self.num_ids)
        xml.restart_list(self.numbering, self.schedule_list, num_id)
        title = markup.paragraph(
            self.style("Schedule Title"),
            [(f"Schedule {placed.number}: {placed.title}", False)],
            bookmark=(f"_CkS{placed.number:03d}", next(self.ids)),
        )
        blocks = [title] + [self.clause(c, ("Schedule", "Schedule Text"), num_id) for c in placed.clauses]
        for kind in placed.tables:
            rows, widths = TABLES[kind](self.agreement)
            heading, cell = self.style("Table Heading"), self.style("Table Text")
            blocks.append(markup.table(rows, self.style("Contract Table"), widths, head_style=heading, cell_style=cell))
            blocks.append(markup.paragraph(self.style("Schedule Text"), []))
        return "".join(blocks)

    def contents(self) -> str:
        entries = [
            self._entry(f"{placed.number}.", placed.clause.title, self.bookmarks[placed.id])
            for placed in self.agreement.clauses
        ]
        entries += [
            self._entry("", f"Schedule {s.number}: {s.title}", f"_CkS{s.number:03d}") for s in self.agreement.schedules
        ]
        return "".join(entries)

    def _entry(self, number: str, title: str, bookmark: str) -> str:
        text = f"{number}\t{title}\t" if number else f"{title}\t"
        page = markup.field(f"PAGEREF {bookmark} \\h", "")
        return markup.paragraph(self.style("Contents Entry"), [(text, False)], fields=page)

    def build(self) -> None:
        anchors = self.markers()
        built = {
            "contents": self.contents(),
            "clauses": "".join(self.clause(c, ("Clause", "Clause Text")) for c in self.agreement.clauses),
            "schedules": "".join(self.schedule(s) for s in self.agreement.schedules),
        }
        for name in MARKERS:
            anchor = anchors[name]
            for block in markup.blocks(built[name]):
                anchor.addprevious(block)
            anchor.getparent().remove(anchor)


def _schedule_list(opened: Opened) -> int:
    """The list definition the 'Schedule 1' style numbers with; each schedule restarts it."""
    at = opened.schedule_list
    if at is None or at.abstract_id < 0:
        raise ValidationFailed([Issue("style 'Schedule 1' is no longer numbered in the template", hint=LINT_HINT)])
    return at.abstract_id
