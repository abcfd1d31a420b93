"""Which deal fields a playbook uses, and which of those a lawyer is asked to fill in.

`contractkit new` (scaffold.py) and the web app's deal form (web/dealform.py) both ask here, so a
deal file and the form always offer the same fields for the same playbook.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, get_args

from contractkit.library.model import VALUE_SHARE_CLAUSE, Playbook, ValueShareModel

if TYPE_CHECKING:
    from pydantic.fields import FieldInfo

    from contractkit.library.loading import Library

# The value-share facts each mechanism needs: a playbook offers only those its value-share
# clause can use.
MECHANISM_FIELDS = {
    "milestones": ("milestones",),
    "upfront": ("upfront_amount",),
    "subscription": ("subscription_amount", "subscription_period"),
    "royalty": ("royalty_percent",),
    "in-kind": ("in_kind",),
}
# Optional in the schema, but asked for: the register publishes the headline value unless the
# deal says why not; and a playbook with the fees or approvals clause prints a schedule of them.
ASKED = frozenset({"commercial.value_share.headline_value"})
ASKED_FOR_CLAUSE = {"fees": "commercial.fees", "approvals": "approvals"}
# Fields that are not facts of the partnership: the playbook is chosen once, and `swap` (or the
# web app's ladder) writes the positions and their history.
NOT_FACTS = ("playbook", "positions", "history")
# Facts that apply only when an NHS Wales body is a party (or, for the locale, when the agreement
# is to read in Welsh style); everywhere else they stay empty.
WELSH = frozenset({"agreement.title_cy", "agreement.lay_summary_cy", "agreement.locale"})


def offered_models(library: Library, playbook: Playbook) -> list[str]:
    """The value-share mechanisms the playbook's value-share clause can draft, in ladder order."""
    entry = next((e for e in playbook.entries() if e.clause == VALUE_SHARE_CLAUSE), None)
    clause = library.clauses.get(VALUE_SHARE_CLAUSE)
    if entry is None or clause is None:
        return list(get_args(ValueShareModel))
    positions = [r.position for r in entry.ladder.rungs] if entry.ladder else list(clause.positions)
    models = [m for p in positions for m in get_args(ValueShareModel) if p == m or p.startswith(m + "-")]
    return list(dict.fromkeys(models))


@dataclass(frozen=True)
class FieldPlan:
    """The deal fields one playbook uses. Paths are dotted, with `[]` for any list item
    (`partners[].name`); `hidden` names whole fields the playbook never uses."""

    playbook: Playbook
    models: tuple[str, ...]
    hidden: frozenset[str]
    asked: frozenset[str]

    def shows(self, path: str) -> bool:
        """Whether the playbook uses the field at `path` (a fact, not one the tools write)."""
        return path not in self.hidden and path.split(".", maxsplit=1)[0] not in NOT_FACTS

    def optional(self, path: str, info: FieldInfo) -> bool:
        """A field the deal may leave out: optional in the schema and not asked for by the playbook."""
        return not info.is_required() and path not in self.asked


def field_plan(library: Library, playbook: Playbook | str) -> FieldPlan:
    """The fields `playbook` uses: value-share facts only for the mechanisms its ladder offers, and
    the fees and approvals schedules asked for when it prints them."""
    pb = library.playbooks[playbook] if isinstance(playbook, str) else playbook
    models = offered_models(library, pb)
    hidden = {f"commercial.value_share.{f}" for m, fs in MECHANISM_FIELDS.items() if m not in models for f in fs}
    present = {e.clause for e in pb.entries()}
    asked = ASKED | {path for clause, path in ASKED_FOR_CLAUSE.items() if clause in present}
    return FieldPlan(pb, tuple(models), frozenset(hidden), frozenset(asked))
