"""Deal facts and the wordings that state or need them: one source of truth, and complete drafts.

A wording may *state* a deal fact (`states:` in clauses/*.yaml, e.g. the royalty wording states
`commercial.value_share.model: royalty`): the deal's fact then picks that wording unless the
negotiation has moved the clause, and a deal whose fact says otherwise is refused, so the clause,
the schedules, the register and the summary cannot disagree. A wording *needs* the facts it prints
(found from its own Jinja source) and any it declares under `needs:`; a draft that lacks one
carries a located warning and a visible blank, and a final version is refused.
"""

from __future__ import annotations

import functools
import re
import typing
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from jinja2 import TemplateSyntaxError, nodes
from pydantic import BaseModel

from contractkit.core.formatting import GAP_PREFIX, Gap
from contractkit.core.sandbox import sandbox
from contractkit.errors import Issue
from contractkit.library import scaffold
from contractkit.library.deal import Deal, Party
from contractkit.library.model import Position
from contractkit.library.yamlio import Document, format_loc

ABSENT = object()  # a path that names no field at all (a library mistake, caught by lint)
DERIVED = {"wales": bool, "governing_law": str, "nhs_names": list, "partner_names": list}  # see deal_context
BLANKS = re.compile(r"\[[^\[\]\n]{1,200}\]|\bTB[ACD]\b")  # '[amount]', TBC, TBA, TBD
JINJA = re.compile(r"{{.*?}}|{%.*?%}", re.S)
TO_BE = re.compile(r"\bto be (?:agreed|confirmed|determined|decided|advised|completed)\b", re.IGNORECASE)


# ----------------------------------------------------------------------------- paths into a deal


def split(path: str) -> list[str]:
    return path.split(".")


def loc_of(path: str) -> list[str | int]:
    """'benefits.0.target' -> ['benefits', 0, 'target'], as the deal file is addressed."""
    return [int(p) if p.isdigit() else p for p in split(path)]


def lookup(context: dict[str, Any], path: str) -> Any:
    """The value at a dotted path of the deal as clause text sees it, or ABSENT."""
    node: Any = context
    for part in split(path):
        if not isinstance(node, dict) or part not in node:
            return ABSENT
        node = node[part]
    return node


def is_missing(value: Any) -> bool:
    """Not given: None, empty text or an empty list."""
    return value is None or value in ("", []) or isinstance(value, Gap)


def with_gaps(context: dict[str, Any], paths: Sequence[str]) -> dict[str, Any]:
    """A copy of the clause-text context with each missing scalar fact replaced by a Gap marker."""
    out = dict(context)
    for path in paths:
        *parents, leaf = split(path)
        node = out
        for part in parents:
            node[part] = dict(node[part])
            node = node[part]
        if not isinstance(node.get(leaf), list):
            node[leaf] = Gap(path)
    return out


def _same(stated: Any, actual: Any) -> bool:
    if isinstance(actual, Decimal | int | float) and not isinstance(actual, bool):
        return str(stated) == str(actual)
    return bool(stated == actual)


def disagreements(position: Position, context: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """Each fact the wording states that the deal contradicts: (path, stated, the deal's value)."""
    out = []
    for path, stated in position.states.items():
        actual = lookup(context, path)
        if actual is not ABSENT and not _same(stated, actual):
            out.append((path, stated, actual))
    return out


def agrees(position: Position, context: dict[str, Any]) -> bool:
    return not disagreements(position, context)


# ----------------------------------------------------------------------------- what a wording needs


def needs(position: Position) -> list[str]:
    """Facts the wording cannot do without: those its text prints outside any condition or loop,
    then those it declares."""
    return list(dict.fromkeys([*printed(position.text), *position.needs]))


@functools.cache
def printed(text: str) -> tuple[str, ...]:
    """Deal paths printed unconditionally by `{{ ... }}` in a text block (jinja2's own parser)."""
    env, found = sandbox(), []
    for line in text.splitlines():
        if "{{" not in line:
            continue  # only an expression prints a path: a line without one need not be parsed
        try:
            tree = env.parse(line)
        except TemplateSyntaxError:
            continue  # lint reports the syntax error itself
        for node in tree.body:
            if isinstance(node, nodes.Output):
                found += [p for child in node.nodes for p in _paths(child)]
    return tuple(dict.fromkeys(found))


def _paths(node: nodes.Node) -> Iterator[str]:
    if isinstance(node, nodes.Getattr):
        chain = _chain(node)
        if chain:
            yield chain
            return
    for child in node.iter_child_nodes():
        yield from _paths(child)


def _chain(node: nodes.Node) -> str | None:
    parts = []
    while isinstance(node, nodes.Getattr):
        parts.append(node.attr)
        node = node.node
    if isinstance(node, nodes.Name) and node.name == "deal" and parts:
        return ".".join(reversed(parts))
    return None


# ----------------------------------------------------------------------------- locating in the deal file


@dataclass(frozen=True)
class Where:
    """Locates issues in the deal file when there is one (line numbers), else by field only."""

    doc: Document | None = None

    @property
    def file(self) -> str | None:
        return self.doc.name if self.doc else None

    def issue(self, path: str | Sequence[str | int], message: str, **extra: Any) -> Issue:
        loc = loc_of(path) if isinstance(path, str) else list(path)
        if self.doc is None:
            return Issue(message, field=format_loc(loc), **extra)
        return self.doc.issue(loc, message, **extra)

    def cite(self, path: str) -> str:
        """'commercial.value_share.model (line 128)', for a message that names a second place."""
        line = self.doc.line_of(loc_of(path)) if self.doc else None
        return f"{path} (line {line})" if line else path


# ----------------------------------------------------------------------------- facts said twice


def deal_checks(deal: Deal, where: Where) -> list[Issue]:
    """Facts of the deal that contradict each other, where no wording decides between them."""
    return _processor(deal, where) + _commercial(deal, where) + _governing_law(deal, where)


def _processor(deal: Deal, where: Where) -> list[Issue]:
    """A party whose role is processor needs the Article 28 terms, which data.processor_used brings
    in. (The converse is fine: a controller may also process another party's data for it.)"""
    if deal.data.processor_used:
        return []
    parties: list[tuple[str, int, Party]] = [("nhs_organisations", i, p) for i, p in enumerate(deal.nhs_organisations)]
    parties += [("partners", i, p) for i, p in enumerate(deal.partners)]
    return [
        where.issue(
            [kind, i, "role"],
            f"{p.short_name} is a processor, but {where.cite('data.processor_used')} is false, so the "
            "agreement would have no processor terms (UK GDPR Article 28)",
            hint="set data.processor_used: true, or give the party its true role",
        )
        for kind, i, p in parties
        if p.role == "processor"
    ]


def _commercial(deal: Deal, where: Where) -> list[Issue]:
    model = deal.commercial.value_share.model
    if not deal.purpose.commercial and model != "cost-recovery":
        return [
            where.issue(
                "commercial.value_share.model",
                f"{model!r} is a share of commercial value, but {where.cite('purpose.commercial')} says the "
                "outputs are not commercialised",
                hint="set purpose.commercial: true, or use cost-recovery (consent to commercialise then "
                "protects any later value)",
            )
        ]
    if deal.purpose.commercial and model == "cost-recovery":
        return [
            where.issue(
                "commercial.value_share.model",
                f"is cost-recovery, but {where.cite('purpose.commercial')} says the outputs are commercialised: "
                "the NHS would receive no share of their value",
                hint="agree a value share (Value Sharing Framework), or set purpose.commercial: false",
                severity="warning",
            )
        ]
    return []


def _governing_law(deal: Deal, where: Where) -> list[Issue]:
    """A stated governing law that is the law of no NHS party (England and Wales share one law)."""
    law = deal.governing_law
    if law is None:
        return []
    family = {"england": "ew", "wales": "ew", "scotland": "scotland", "northern-ireland": "northern-ireland"}
    nations = {o.nation for o in deal.nhs_organisations}
    if family[law] in {family[n] for n in nations}:
        return []
    return [
        where.issue(
            "governing_law",
            f"is {law}, but no NHS party is in that jurisdiction (NHS parties: {', '.join(sorted(nations))})",
            hint="an NHS body normally contracts under the law of its own nation; remove governing_law to use it",
            severity="warning",
        )
    ]


# ----------------------------------------------------------------------------- unfinished text


def unfinished(text: str) -> list[str]:
    """Blanks left in text: square-bracketed spans, 'to be agreed' and the like, TBC/TBA/TBD.
    The visible blanks contractkit prints for missing facts are reported elsewhere, so not here.
    Every draft asks this of each paragraph, mostly the library's own wording: answers are kept."""
    return list(_unfinished(text))


@functools.lru_cache(maxsize=8192)
def _unfinished(text: str) -> tuple[str, ...]:
    found = [m.group() for pattern in (BLANKS, TO_BE) for m in pattern.finditer(text)]
    return tuple(dict.fromkeys(f for f in found if not f.startswith(GAP_PREFIX)))


def deal_strings(node: Any, loc: list[str | int]) -> Iterator[tuple[list[str | int], str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from deal_strings(value, [*loc, key])
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from deal_strings(value, [*loc, index])
    elif isinstance(node, str):
        yield loc, node


# ----------------------------------------------------------------------------- the library's side (lint)


def library_issues(library: Any) -> list[Issue]:
    """Every `states` and `needs` path names a deal field, every stated value is one the field
    allows, and no wording leaves a blank of its own ('[amount to be agreed]')."""
    issues = [
        library.locate(f"clause:{clause.id}", ["positions", pid, *loc], message, hint=hint)
        for clause in library.clauses.values()
        for pid, position in clause.positions.items()
        for loc, message, hint in _position_problems(position)
    ]
    for clause in library.clauses.values():
        stated = {path for p in clause.positions.values() for path in p.states}
        issues += [
            library.locate(
                f"clause:{clause.id}",
                ["positions", pid],
                f"states nothing about {path}, which the clause's other wordings state",
                hint="every wording of a clause states the same facts, so the deal's facts pick exactly one",
            )
            for pid, position in clause.positions.items()
            for path in sorted(stated - set(position.states))
        ]
    return issues


def _position_problems(position: Position) -> Iterator[tuple[list[str], str, str | None]]:
    for path, value in position.states.items():
        problem = field_problem(path, value)
        if problem:
            yield ["states", path], problem, None
    for path in position.needs:
        problem = field_problem(path)
        if problem:
            yield ["needs"], problem, None
    for blank in unfinished(JINJA.sub(" ", position.text)):  # the wording's own words, not its Jinja
        yield ["text"], f"the wording leaves a blank: {blank!r}", "print the deal fact it needs instead"


def field_problem(path: str, value: Any = ABSENT) -> str | None:
    """Why `path` is not a deal field (or `value` not one it allows); None when it is fine."""
    parts = split(path)
    if parts[0] in DERIVED and len(parts) == 1:
        annotation: Any = DERIVED[parts[0]]
        if parts[0] == "governing_law":
            annotation = Deal.model_fields["governing_law"].annotation
    else:
        annotation = Deal
        for n, part in enumerate(parts):
            model = _model_of(annotation)
            if model is None or part not in model.model_fields:
                return f"{'.'.join(parts[: n + 1])!r} is not a field of a deal file (see docs/formats.md)"
            annotation = model.model_fields[part].annotation
    allowed = _literals(annotation)
    if value is not ABSENT and allowed and value not in allowed:
        return f"{path} cannot be {value!r} (allowed: {', '.join(map(str, allowed))})"
    return None


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next((m for arg in typing.get_args(annotation) if (m := _model_of(arg))), None)


def _literals(annotation: Any) -> list[Any]:
    if typing.get_origin(annotation) is typing.Literal:
        return list(typing.get_args(annotation))
    if annotation is bool:
        return [True, False]
    return [v for arg in typing.get_args(annotation) for v in _literals(arg)]


def specimen(library: Any, playbook_id: str) -> Deal:
    """The scaffold's specimen deal, with each fact a preferred wording states set to agree with it,
    so that lint's trial draft of a playbook is a coherent deal."""
    deal = scaffold.specimen(playbook_id)
    for entry in library.playbooks[playbook_id].entries():
        if entry.ladder is None:
            continue
        for path, value in library.clause(entry.clause).positions[entry.ladder.preferred.position].states.items():
            *parents, leaf = split(path)
            node = deal
            for part in parents:
                node = node.setdefault(part, {})
            node[leaf] = value
    return Deal.model_validate(deal)
