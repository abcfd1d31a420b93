"""The guided deal form's fields, built from the pydantic deal model and the playbook's field plan.

Every field the playbook uses (contractkit.library.fieldplan, the same plan `contractkit new` follows)
becomes a node: a `Leaf` (one input), a `Group` (a nested model) or a `Repeat` (a list, shown as
rows with "Add another" and "Remove"). Labels and help come from the schema's descriptions, with
a few plainer labels where a description only lists the choices. Nodes are named by their dotted
path, `[]` standing for any row (`partners[].name`); the inputs by the same path with row numbers
(`partners.0.name`). The model stays the one definition of a deal: nothing here validates.
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from contractkit.library.deal import Deal
from contractkit.library.fieldplan import FieldPlan, field_plan
from contractkit.library.loading import Library
from contractkit.library.shapes import EMAIL, Shape, parse_date, parse_money, parse_percent

from .formwords import CHOICE_LABELS, HELP, ITEM_LABELS, LABELS, PLACEHOLDERS, SECTIONS, plain

Kind = Literal["text", "textarea", "choice", "yesno", "number", "date", "money", "percent", "email"]


@dataclass(frozen=True)
class Leaf:
    """One input."""

    key: str
    path: str
    label: str
    help: str
    kind: Kind
    choices: tuple[tuple[str, str], ...] = ()
    optional: bool = False
    default: Any = None
    max_len: int = 0
    placeholder: str = ""

    @property
    def default_text(self) -> str:
        return as_text(self.default)


@dataclass(frozen=True)
class Group:
    """A nested model: its fields, in the model's order."""

    key: str
    path: str
    label: str
    help: str
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Repeat:
    """A list: rows of `item`, each one a Group (a list of models) or a Leaf (a list of texts)."""

    key: str
    path: str
    label: str
    help: str
    item: Group | Leaf
    item_label: str
    required: bool
    optional: bool


Node = Leaf | Group | Repeat


@dataclass(frozen=True)
class Section:
    """A part of the form in the order of a deal, with one sentence of guidance."""

    id: str
    title: str
    guidance: str
    nodes: tuple[Node, ...]
    welsh: bool = False


@dataclass(frozen=True)
class DealForm:
    """The whole form for one playbook: its sections, and the deal model as a tree of nodes."""

    plan: FieldPlan
    root: Group
    sections: tuple[Section, ...]

    @property
    def playbook(self) -> str:
        return self.plan.playbook.id


def as_text(value: Any) -> str:
    """A value as the form shows it: yes/no for booleans, '' for nothing."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def build(library: Library, playbook: str) -> DealForm:
    """The form for `playbook` (KeyError if the library has no such playbook)."""
    plan = field_plan(library, playbook)
    root = Group("", "", "", "", _children(plan, Deal, ""))
    nodes = {n.path: n for n in _walk(root)}
    sections = tuple(
        Section(sid, title, guidance, tuple(_placed(nodes, p) for p in paths if p in nodes), welsh=sid == "welsh")
        for sid, title, guidance, paths in SECTIONS
    )
    _check_complete(root, sections)
    return DealForm(plan, root, sections)


def _placed(nodes: dict[str, Node], path: str) -> Node:
    return nodes[path]


def _walk(node: Node) -> list[Node]:
    if isinstance(node, Group):
        return [node, *(n for c in node.children for n in _walk(c))]
    if isinstance(node, Repeat):
        return [node, *_walk(node.item)]
    return [node]


def _check_complete(root: Group, sections: tuple[Section, ...]) -> None:
    """Every input of the tree sits in exactly one section (a new model field must be placed)."""
    placed = [leaf.path for s in sections for n in s.nodes for leaf in _walk(n) if isinstance(leaf, Leaf)]
    wanted = [leaf.path for leaf in _walk(root) if isinstance(leaf, Leaf)]
    if sorted(placed) != sorted(wanted):
        missing = sorted(set(wanted) - set(placed)) or sorted(p for p in placed if placed.count(p) > 1)
        raise RuntimeError(f"the deal form places these fields in no section, or twice: {', '.join(missing)}")


def _children(plan: FieldPlan, model: type[BaseModel], prefix: str) -> tuple[Node, ...]:
    nodes = (_node(plan, key, info, f"{prefix}.{key}" if prefix else key) for key, info in model.model_fields.items())
    return tuple(n for n in nodes if n is not None)


def _node(plan: FieldPlan, key: str, info: FieldInfo, path: str) -> Node | None:
    if not plan.shows(path):
        return None
    sub, many = _model_of(info.annotation)
    label, help_ = _words(path, info, "")
    if many:
        item_path = f"{path}[]"
        item: Group | Leaf = (
            Group("", item_path, "", "", _children(plan, sub, item_path))
            if sub
            else _leaf(plan, "", typing.get_args(info.annotation)[0], FieldInfo(description=""), item_path, label=label)
        )
        required = info.is_required() and bool(info.metadata)
        return Repeat(key, path, label, help_, item, ITEM_LABELS[path], required, plan.optional(path, info))
    if sub is not None:
        return Group(key, path, label, help_, _children(plan, sub, path))
    return _leaf(plan, key, info.annotation, info, path)


def _leaf(plan: FieldPlan, key: str, annotation: Any, info: FieldInfo, path: str, *, label: str = "") -> Leaf:
    kind, choices, shape = _kind(annotation, info)
    if path == "commercial.value_share.model":
        choices = tuple(c for c in choices if c in plan.models)
    label, help_ = _words(path, info, label)
    default = None if info.is_required() or info.default_factory is not None else info.default
    return Leaf(
        key,
        path,
        label,
        help_ if kind != "choice" else _unlisted(help_, choices),
        kind,
        tuple((c, CHOICE_LABELS.get((path, c)) or CHOICE_LABELS.get(("", c)) or plain(c)) for c in choices),
        optional=plan.optional(path, info) if key else False,
        default=default,
        max_len=shape.max_len if shape else 0,
        placeholder=PLACEHOLDERS.get(kind, "") or _example(info.description or ""),
    )


def _model_of(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """The model a field holds (if any), and whether it is a list."""
    many = typing.get_origin(annotation) is list
    for arg in [annotation, *typing.get_args(annotation)]:
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg, many
    return None, many


def _parts(annotation: Any) -> tuple[list[Any], list[Any]]:
    """The types and the validators/constraints inside an annotation (through Optional and Annotated)."""
    if typing.get_origin(annotation) is typing.Annotated:
        base, *meta = typing.get_args(annotation)
        found, more = _parts(base)
        return found, [*meta, *more]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        found = [_parts(a) for a in typing.get_args(annotation) if a is not type(None)]
        return [t for ts, _ in found for t in ts], [m for _, ms in found for m in ms]
    return [annotation], []


def _kind(annotation: Any, info: FieldInfo) -> tuple[Kind, tuple[str, ...], Shape | None]:
    kinds, meta = _parts(annotation)
    funcs = [getattr(m, "func", None) for m in [*meta, *info.metadata]]
    shape = next((f for f in funcs if isinstance(f, Shape)), None)
    base = kinds[0]
    if typing.get_origin(base) is Literal:
        return "choice", tuple(str(a) for a in typing.get_args(base)), None
    special: dict[Any, Kind] = {parse_date: "date", parse_money: "money", parse_percent: "percent", EMAIL: "email"}
    for func in funcs:
        if func in special:
            return special[func], (), None
    if base is bool:
        return "yesno", (), None
    if base is int:
        return "number", (), None
    if base in (dt.date, Decimal):  # a date or amount without the UK parser would be a schema change
        raise TypeError(f"the deal form does not know how to ask for {base.__name__}")
    return ("textarea" if shape and shape.multiline else "text"), (), shape


def _words(path: str, info: FieldInfo, fallback: str) -> tuple[str, str]:
    """The label and help of a field from its description ('Full legal name; up to 160 ...'): the
    label is its first phrase, the help the rest; or, where LABELS gives a plainer label, the help
    is the whole description. Codes in the help are put in words (CODE_WORDS)."""
    text = info.description or ""
    head = re.split(r";\s|:\s", text, maxsplit=1)[0]
    label = re.sub(r"\s*\([^)]*\)", "", re.split(r",? e\.g\. ", head)[0]).rstrip(".")
    rest = text[len(head) :].lstrip(";: ")
    plain_path = path.replace("[]", "")
    better = LABELS.get(plain_path) or LABELS.get(plain_path.rsplit(".", 1)[-1])
    if better:
        label, rest = better, HELP.get(plain_path.rsplit(".", 1)[-1], text)
    if rest.endswith("yes or no."):
        rest = ""  # a yes/no question needs no help saying so
    return label or fallback, _sentence(plain_words(rest))


def _unlisted(help_: str, choices: tuple[str, ...]) -> str:
    """Help for a choice without the list of choices ('england, wales or scotland.') that the list shows."""
    word = r"[\w-]+(?: \([^)]*\))?"
    listed = re.compile(rf"(?:^|(?<=: )){word}(?:, {word})* or {word}(?:\.|;|$)\s*")
    return _sentence(listed.sub("", help_).rstrip(":; ")) if choices else help_


def _example(description: str) -> str:
    found = re.search(r"e\.g\. (?:'([^']+)'|([^\s:;,']+))", description)
    return f"e.g. {found[1] or found[2]}" if found else ""


def plain_words(text: str) -> str:
    """Field names and codes in a description, in the words the form uses."""
    from .formwords import CODE_WORDS

    for code, words in CODE_WORDS.items():
        text = text.replace(code, words)
    return text


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] if text else ""
