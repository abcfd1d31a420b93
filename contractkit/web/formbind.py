"""The deal form as the template shows it: each input with its value and the problems found in it.

A located issue names its field as the checks do (`partners[0].name`); it is shown beside the input
of that name (`partners.0.name`), or beside the nearest row, group or section holding it, and in the
summary at the top, errors first. An issue about a field the form does not show (a negotiated
position, say) is shown in the summary only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from contractkit.errors import Issue
from contractkit.library.shapes import MONTHS, parse_date, parse_money

from .dealform import DealForm, Group, Leaf, Node, Repeat, Section
from .formdata import MAX_ROWS, Values, join

# Inputs that name a party by its short name: offered the short names typed under Parties.
SHORT_NAME_REFS = frozenset({"signatories[].party", "benefits[].owner", "data.datasets[].source"})
SHORT_NAMES = ("nhs_organisations", "partners")


@dataclass
class Bound:
    """One node of the form with its input name, where it is (in words) and its problems."""

    kind: str  # field, group, repeat or row
    name: str
    label: str
    where: str
    node: Node | None = None
    value: str = ""
    children: list[Bound] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    number: int = 0
    can_add: bool = False
    readonly: bool = False
    needed: bool = False  # optional in the schema, but needed by this deal (Welsh text for a Wales body)

    @property
    def optional(self) -> bool:
        return isinstance(self.node, (Leaf, Repeat)) and self.node.optional and not self.needed

    @property
    def id(self) -> str:
        return self.name

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def options(self) -> list[tuple[str, str, bool]]:
        """A choice's options, each with whether it is chosen; a saved value this playbook does not
        offer stays on the list (so saving the form never changes it unseen)."""
        choices = list(self.node.choices) if isinstance(self.node, Leaf) else []
        if self.value and self.value not in dict(choices):
            choices.append((self.value, f"{self.value} (not offered by this playbook)"))
        return [(value, label, value == self.value) for value, label in choices]

    @property
    def blank_option(self) -> str:
        """The label of a choice's empty option ('' when it has none: its default stands instead)."""
        if not isinstance(self.node, Leaf) or self.node.default is not None:
            return ""
        return "Not stated" if self.node.optional else "Choose one"

    @property
    def reading(self) -> str:
        """How a date or amount typed here is read ('1/2/2027' -> '1 February 2027'), so a lawyer
        can confirm it; '' when it is empty or not read at all (the checks then say why)."""
        kind = self.node.kind if isinstance(self.node, Leaf) else ""
        if not self.value.strip() or kind not in ("date", "money"):
            return ""
        try:
            if kind == "date":
                day = parse_date(self.value)
                return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
            return f"£{parse_money(self.value):,.2f}"
        except ValueError:
            return ""

    @property
    def add_label(self) -> str:
        """'Add another partner', 'Add an NHS organisation'."""
        item = self.node.item_label if isinstance(self.node, Repeat) else ""
        noun = item if item.split(" ")[0].isupper() else item[:1].lower() + item[1:]
        article = "an" if noun[:1] in "aeiouAEIOU" or noun.startswith("NHS") else "a"
        return f"Add another {noun}" if self.children else f"Add {article} {noun}"

    @property
    def suggests_names(self) -> bool:
        return isinstance(self.node, Leaf) and self.node.path in SHORT_NAME_REFS


@dataclass
class BoundSection:
    section: Section
    children: list[Bound]
    issues: list[Issue] = field(default_factory=list)
    open: bool = True

    @property
    def lone_list(self) -> bool:
        """A section that is one list: the list needs no heading of its own."""
        return len(self.children) == 1 and self.children[0].kind == "repeat"


@dataclass(frozen=True)
class Summary:
    """One line of the summary at the top: the problem, where it is, and a link to its input."""

    issue: Issue
    where: str
    anchor: str | None


@dataclass
class BoundForm:
    """The whole form, bound to its values and issues."""

    sections: list[BoundSection]
    summary: list[Summary]
    short_names: list[str]

    @property
    def errors(self) -> list[Summary]:
        return [s for s in self.summary if s.issue.severity == "error"]

    @property
    def warnings(self) -> list[Summary]:
        return [s for s in self.summary if s.issue.severity != "error"]


def bind(form: DealForm, values: Values, issues: Iterable[Issue] = (), *, fixed: Iterable[str] = ()) -> BoundForm:
    """The form with `values` in its inputs and each issue beside its field; `fixed` names inputs
    shown but not editable (a saved deal's reference)."""
    binder = _Binder(values, set(fixed))
    sections = [BoundSection(s, [binder.node(n, n.path, s.title) for n in s.nodes]) for s in form.sections]
    index: dict[str, Bound | BoundSection] = {}
    for section in sections:
        for bound in section.children:
            index.setdefault(bound.name.split(".", 1)[0], section)
            _index(bound, index)
    summary = [_place(issue, index) for issue in _ordered(_for_the_web(i) for i in issues)]
    wales = _welsh(values)
    for section in sections:
        section.open = not section.section.welsh or wales or _filled(section) or _troubled(section)
        for bound in _all(section.children) if section.section.welsh and wales else ():
            bound.needed = isinstance(bound.node, Leaf) and bound.node.kind in ("text", "textarea")
    return BoundForm(sections, summary, _short_names(values))


@dataclass(frozen=True)
class _Binder:
    values: Values
    readonly: set[str]

    def node(self, node: Node, name: str, where: str) -> Bound:
        values = self.values
        if isinstance(node, Leaf):
            trail = f"{where} › {node.label}"
            value = values.text.get(name, "")
            return Bound("field", name, node.label, trail, node, value, readonly=name in self.readonly)
        if isinstance(node, Group):
            trail = f"{where} › {node.label}" if node.label else where
            children = [self.node(c, join(name, c.key), trail) for c in node.children]
            return Bound("group", name, node.label, trail, node, children=children)
        count = values.rows.get(name, 0)
        rows = [self.row(node, name, n, where) for n in range(count)]
        trail = f"{where} › {node.label}"
        return Bound("repeat", name, node.label, trail, node, children=rows, can_add=count < MAX_ROWS)

    def row(self, node: Repeat, name: str, n: int, where: str) -> Bound:
        label = f"{node.item_label} {n + 1}"
        row_name, trail = f"{name}.{n}", f"{where} › {label}"
        if isinstance(node.item, Leaf):
            item = Bound("field", row_name, label, trail, node.item, self.values.text.get(row_name, ""))
            return Bound("row", row_name, label, trail, node.item, children=[item], number=n + 1)
        children = [self.node(c, join(row_name, c.key), trail) for c in node.item.children]
        return Bound("row", row_name, label, trail, node.item, children=children, number=n + 1)


def _index(bound: Bound, index: dict[str, Bound | BoundSection]) -> None:
    index[bound.name] = bound
    for child in bound.children:
        _index(child, index)


def input_name(field_path: str) -> str:
    """A checked field's path as an input name: 'partners[0].name' -> 'partners.0.name'."""
    return re.sub(r"\[(\d+)\]", r".\1", field_path)


def _place(issue: Issue, index: dict[str, Bound | BoundSection]) -> Summary:
    """Put the issue beside its input, or the nearest row, group or section that holds it."""
    name = input_name(issue.field or "")
    while name:
        found = index.get(name)
        if found is not None:
            found.issues.append(issue)
            if isinstance(found, BoundSection):
                return Summary(issue, found.section.title, f"section-{found.section.id}")
            return Summary(issue, found.where, found.id)
        name = name.rpartition(".")[0]
    return Summary(issue, _outside(issue.field), None)


def _outside(field_path: str | None) -> str:
    """Where an issue is, for one about a field the form does not show."""
    if not field_path:
        return "The deal"
    if field_path.startswith("positions"):
        return "Negotiated positions"
    return field_path


CLI_ADVICE = re.compile(r"'contractkit [a-z]|--[a-z]")


def _for_the_web(issue: Issue) -> Issue:
    """The issue without a hint that only makes sense at the command line ('run contractkit new')."""
    if issue.hint and CLI_ADVICE.search(issue.hint):
        return Issue(issue.message, issue.file, issue.line, issue.field, None, issue.severity)
    return issue


def _ordered(issues: Iterable[Issue]) -> list[Issue]:
    unique = list(dict.fromkeys(issues))
    return [i for i in unique if i.severity == "error"] + [i for i in unique if i.severity != "error"]


def _all(bounds: Iterable[Bound]) -> Iterable[Bound]:
    for bound in bounds:
        yield bound
        yield from _all(bound.children)


def _filled(section: BoundSection) -> bool:
    node_default = {b.name: b.node.default_text for b in _all(section.children) if isinstance(b.node, Leaf)}
    return any(b.kind == "field" and b.value and b.value != node_default.get(b.name) for b in _all(section.children))


def _troubled(section: BoundSection) -> bool:
    return bool(section.issues) or any(b.issues for b in _all(section.children))


def _welsh(values: Values) -> bool:
    """An NHS Wales body is named, or the law is Welsh: the Welsh fields are then needed."""
    nations = (v for k, v in values.text.items() if k.startswith("nhs_organisations.") and k.endswith(".nation"))
    return "wales" in nations or values.text.get("governing_law") == "wales"


def _short_names(values: Values) -> list[str]:
    names = (
        values.text.get(f"{group}.{n}.short_name", "").strip()
        for group in SHORT_NAMES
        for n in range(values.rows.get(group, 0))
    )
    return list(dict.fromkeys(n for n in names if n))


def as_issue(message: str, name: str | None, *, hint: str | None = None) -> Issue:
    """A problem the web app finds itself (a reference in use, say), located like the checks' own."""
    return Issue(message, file="deal form", field=name, hint=hint)
