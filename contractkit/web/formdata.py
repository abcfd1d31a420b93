"""The deal form's values: flat text by input name (`partners.0.name`), to and from the deal's
nested plain data, and read from a posted form with every refusal that saves nothing.

Values stay as the lawyer typed them (dates, amounts); only yes/no and whole numbers become
booleans and integers, and a value equal to the field's default is left out, as a deal file
exported by the app leaves it out. The deal model decides everything else (services.check_data).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .dealform import DealForm, Group, Leaf, Node, Repeat, as_text

T = TypeVar("T", Leaf, Repeat)

MAX_VALUE = 10_000  # characters in one input: more than twice the longest text a deal allows
MAX_ROWS = 60  # rows in one list
CONTROLS = frozenset({"csrfmiddlewaretoken", "action", "add", "remove", "organisation", "based_on"})
_MISSING = object()


@dataclass
class Values:
    """What the form holds: text by input name, and the number of rows of each list by its name."""

    text: dict[str, str] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)


def join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix and key else prefix or key


# ----------------------------------------------------------------------------- data -> values


def from_data(form: DealForm, data: Any) -> Values:
    """The form's values for a deal's plain data (fields the form does not show are ignored)."""
    values = Values()
    _flatten(form.root, "", data if isinstance(data, dict) else {}, values)
    return values


def _flatten(node: Node, name: str, data: Any, values: Values) -> None:
    if isinstance(node, Leaf):
        values.text[name] = node.default_text if data is _MISSING or data is None else as_text(data)
    elif isinstance(node, Group):
        found = data if isinstance(data, dict) else {}
        for child in node.children:
            _flatten(child, join(name, child.key), found.get(child.key, _MISSING), values)
    else:
        items = data if isinstance(data, list) else []
        values.rows[name] = len(items)
        for n, item in enumerate(items):
            _flatten(node.item, f"{name}.{n}", item, values)


def starting(form: DealForm, data: dict[str, Any]) -> Values:
    """A new deal's values: `data` (its first NHS party), an empty row in each list a deal needs
    (two signatories: one for each side), and any choice the playbook leaves only one way to make."""
    values = from_data(form, data)
    for node, name in _outside_lists(form.root, "", Repeat):
        if not node.optional and values.rows.get(name, 0) == 0:
            values.rows[name] = 2 if name == "signatories" else 1
    for leaf, name in _outside_lists(form.root, "", Leaf):
        if len(leaf.choices) == 1 and not values.text.get(name):
            values.text[name] = leaf.choices[0][0]
    return values


def _outside_lists(group: Group, prefix: str, kind: type[T]) -> list[tuple[T, str]]:
    """The nodes of `kind` under `group`, with their names, not looking inside lists."""
    found: list[tuple[T, str]] = []
    for child in group.children:
        if isinstance(child, kind):
            found.append((child, join(prefix, child.key)))
        elif isinstance(child, Group):
            found += _outside_lists(child, join(prefix, child.key), kind)
    return found


# ----------------------------------------------------------------------------- values -> data


def to_data(form: DealForm, values: Values) -> dict[str, Any]:
    """The plain deal data of the form's fields: the nested shape of a deal file."""
    found = _collect(form.root, "", values)
    return found if isinstance(found, dict) else {}


def _collect(node: Node, name: str, values: Values) -> Any:
    if isinstance(node, Leaf):
        return _value(node, values.text.get(name, ""))
    if isinstance(node, Group):
        found = {c.key: _collect(c, join(name, c.key), values) for c in node.children}
        return {k: v for k, v in found.items() if v is not _MISSING}
    items = [_collect(node.item, f"{name}.{n}", values) for n in range(values.rows.get(name, 0))]
    items = [i for i in items if i is not _MISSING and i != {}]  # a row left empty is no row
    return items if items or node.required else _MISSING


def _value(leaf: Leaf, text: str) -> Any:
    text = text.replace("\r\n", "\n").strip()
    if not text:
        return _MISSING
    value: Any = text
    if leaf.kind == "yesno" and text in ("yes", "no"):
        value = text == "yes"
    elif leaf.kind == "number" and re.fullmatch(r"\d{1,9}", text):
        value = int(text)
    return _MISSING if leaf.default is not None and value == leaf.default else value


def merged(form: DealForm, base: Any, posted: dict[str, Any]) -> dict[str, Any]:
    """`base` (the deal as last saved) with every field the form shows replaced by `posted`; fields
    the form does not show (the positions, their history, facts this playbook does not use) are kept."""
    return _merge(form.root, base if isinstance(base, dict) else {}, posted)


def _merge(group: Group, base: dict[str, Any], posted: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for child in group.children:
        if isinstance(child, Group):
            inner = base.get(child.key)
            out[child.key] = _merge(child, inner if isinstance(inner, dict) else {}, posted.get(child.key, {}))
        elif child.key in posted:
            out[child.key] = posted[child.key]
        else:
            out.pop(child.key, None)
    return out


def changed(form: DealForm, before: Values, after: Values) -> list[str]:
    """The deal's top-level fields whose values differ ('partners', 'term'), in the deal's order."""

    def part(values: Values, key: str) -> tuple[object, ...]:
        inside = (key + ".", key)
        text = sorted((k, v) for k, v in values.text.items() if k.startswith(inside[0]) or k == key)
        rows = sorted((k, n) for k, n in values.rows.items() if k.startswith(inside[0]) or k == key)
        return (text, rows)

    return [c.key for c in form.root.children if part(before, c.key) != part(after, c.key)]


# ----------------------------------------------------------------------------- posted form -> values


@dataclass(frozen=True)
class Refusal:
    """Why a post saves nothing; `name` is the input it concerns, when there is one."""

    message: str
    name: str | None = None
    why: str = "the form was changed outside this site"


def from_post(form: DealForm, post: Mapping[str, Any]) -> tuple[Values, list[Refusal]]:
    """The posted values (rows renumbered from 0, in the order posted), and every reason to save
    nothing: names the form does not have, values too long, lists too long."""
    reader = _Reader(post)
    reader.refusals += [
        Refusal(f"the form has no field named {k[:60]!r}; it was changed outside this site")
        for k in _unknown(form, post)
    ]
    reader.read(form.root, "", "")
    return reader.values, reader.refusals


class _Reader:
    def __init__(self, post: Mapping[str, Any]) -> None:
        self.post, self.values, self.refusals = post, Values(), list[Refusal]()

    def read(self, node: Node, posted: str, name: str) -> None:
        """Read `node` from the inputs named `posted...`, storing it as `name...` (rows renumbered)."""
        if isinstance(node, Leaf):
            self.values.text[name] = self._text(posted, name)
        elif isinstance(node, Group):
            for child in node.children:
                self.read(child, join(posted, child.key), join(name, child.key))
        else:
            numbers = _row_numbers(self.post, posted)
            if len(numbers) > MAX_ROWS:
                why = "a list is longer than any deal needs"
                self.refusals.append(Refusal(f"a list here holds at most {MAX_ROWS} entries", name, why))
                numbers = numbers[:MAX_ROWS]
            self.values.rows[name] = len(numbers)
            for n, number in enumerate(numbers):
                self.read(node.item, f"{posted}.{number}", f"{name}.{n}")

    def _text(self, posted: str, name: str) -> str:
        text = str(self.post.get(posted, ""))
        if len(text) > MAX_VALUE:
            message = f"this is {len(text):,} characters long; no field takes more than {MAX_VALUE:,}"
            self.refusals.append(Refusal(message, name, "a value is longer than any field takes"))
        return text[:MAX_VALUE]


def _row_numbers(post: Mapping[str, Any], name: str) -> list[int]:
    pattern = re.compile(re.escape(name) + r"\.(\d{1,4})(?:\.|$)")
    return sorted({int(m[1]) for key in post if (m := pattern.match(key))})


def _unknown(form: DealForm, post: Mapping[str, Any]) -> list[str]:
    allowed = re.compile("|".join(_patterns(form.root, "")))
    return [k for k in post if k not in CONTROLS and not allowed.fullmatch(k)]


def _patterns(node: Node, prefix: str) -> list[str]:
    if isinstance(node, Leaf):
        return [prefix]
    if isinstance(node, Group):
        return [p for c in node.children for p in _patterns(c, join(prefix, re.escape(c.key)))]
    return _patterns(node.item, prefix + r"\.\d{1,4}")


# ----------------------------------------------------------------------------- adding and removing rows


def add_row(values: Values, name: str) -> bool:
    """One more (empty) row in the list `name`; False when there is no such list or it is full."""
    if name not in values.rows or values.rows[name] >= MAX_ROWS:
        return False
    values.rows[name] += 1
    return True


def remove_row(values: Values, row: str) -> bool:
    """Remove row `row` ('partners.1'), renumbering the rows after it; False when there is none."""
    name, _, number = row.rpartition(".")
    if name not in values.rows or not number.isdigit() or int(number) >= values.rows[name]:
        return False
    n, count = int(number), values.rows[name]
    renamed = _shift(values, name, n, count)
    values.text = {k: v for k, v in values.text.items() if not _in_rows(k, name, n, count)} | renamed[0]
    values.rows = {k: v for k, v in values.rows.items() if not _in_rows(k, name, n, count)} | renamed[1]
    values.rows[name] = count - 1
    return True


def _in_rows(key: str, name: str, start: int, count: int) -> bool:
    return any(key == f"{name}.{n}" or key.startswith(f"{name}.{n}.") for n in range(start, count))


def _shift(values: Values, name: str, removed: int, count: int) -> tuple[dict[str, str], dict[str, int]]:
    """The rows after `removed`, each moved up by one."""
    text: dict[str, str] = {}
    rows: dict[str, int] = {}
    for n in range(removed + 1, count):
        old, new = f"{name}.{n}", f"{name}.{n - 1}"
        for key, value in values.text.items():
            if key == old or key.startswith(old + "."):
                text[new + key[len(old) :]] = value
        for key, number in values.rows.items():
            if key.startswith(old + "."):
                rows[new + key[len(old) :]] = number
    return text, rows
