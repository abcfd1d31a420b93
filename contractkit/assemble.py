"""Pure assembly: library + playbook + deal -> Agreement, with numbering and cross-references.

No file is read or written here. Clause numbers are computed before any text is rendered, so
`{{ ref('clause-id') }}` always prints the number the clause will have in the document.
"""

from __future__ import annotations

import hashlib
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, get_args

from jinja2 import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from . import __version__
from .errors import Issue, ValidationFailed
from .loading import Library
from .model import Clause, Deal, Entry, HistoryApproval, Ladder, Playbook, Rung, ValueShareModel
from .sandbox import sandbox
from .text import Run, TextError, normalise, render_runs, split_lines

if TYPE_CHECKING:
    from .keys import Signer

TEXT_HINT = "fix the clause text or the deal fact it uses"
VALUE_SHARE_CLAUSE = "value-share"  # its position says which value-share mechanism was agreed


@dataclass(frozen=True)
class Para:
    level: int  # 1 = 1.1, 2 = 1.1.1, 3 = (a)
    runs: tuple[Run, ...]
    number: str  # "" for an unnumbered paragraph

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True)
class Placed:
    """A clause as it appears in this agreement."""

    clause: Clause
    position: str
    number: str
    paragraphs: tuple[Para, ...]
    schedule: str | None = None

    @property
    def id(self) -> str:
        return self.clause.id

    @property
    def locked(self) -> bool:
        return self.clause.status == "locked"

    def text(self) -> str:
        """Normalised heading and body: what verification compares and the manifest hashes."""
        return normalise(" ".join([self.clause.title, *(p.text for p in self.paragraphs)]))

    def sha256(self) -> str:
        return hashlib.sha256(self.text().encode()).hexdigest()


@dataclass(frozen=True)
class PlacedSchedule:
    id: str
    number: int
    title: str
    clauses: tuple[Placed, ...]
    tables: tuple[str, ...]


@dataclass(frozen=True)
class Deviation:
    """A clause not on its preferred position, and the state of its approval."""

    clause: str
    title: str
    number: str
    position: str
    label: str
    approver: str  # the role the ladder requires
    approved_by: str | None  # name, or None while pending
    pending: bool


@dataclass
class Agreement:
    deal: Deal
    playbook: Playbook
    library_version: str
    clauses: list[Placed]
    schedules: list[PlacedSchedule]
    deviations: list[Deviation]
    final: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    release: dict[str, Any] | None = None  # the library release checked before drafting (pins.Release.record)

    def all_clauses(self) -> list[Placed]:
        return self.clauses + [c for s in self.schedules for c in s.clauses]

    @property
    def pending(self) -> list[Deviation]:
        return [d for d in self.deviations if d.pending]

    @property
    def value_share_model(self) -> str:
        """The value-share mechanism actually drafted: the one the value-share clause's position
        names (e.g. 'cost-recovery-instalments' is cost-recovery), else the deal's declared model.
        After a swap the clause is what was agreed, so registers and summaries follow it."""
        placed = self.value_share_clause
        named = [m for m in get_args(ValueShareModel) if placed and placed.position.startswith(m)]
        return named[0] if named else self.deal.commercial.value_share.model

    def value_share_mechanisms(self) -> frozenset[str]:
        """The mechanisms whose facts belong in the agreement: the drafted one, or every one when
        the playbook has no value-share clause."""
        if self.value_share_clause is None:
            return frozenset(get_args(ValueShareModel))
        return frozenset({self.value_share_model})

    @property
    def value_share_clause(self) -> Placed | None:
        """The value-share clause as drafted, if the playbook has one."""
        return next((c for c in self.all_clauses() if c.id == VALUE_SHARE_CLAUSE), None)

    def manifest(self) -> dict[str, Any]:
        """Provenance: what was assembled, from which versions, with a hash of each clause's text."""
        return {
            "contractkit": __version__,
            "library_version": self.library_version,
            "playbook": {"id": self.playbook.id, "version": self.playbook.version},
            "agreement": {"reference": self.deal.agreement.reference, "version": self.deal.agreement.version},
            "final": self.final,
            "release": self.release,
            "clauses": [
                {
                    "id": c.id,
                    "version": c.clause.version,
                    "position": c.position,
                    "number": c.number,
                    "status": c.clause.status,
                    "sha256": c.sha256(),
                }
                for c in self.all_clauses()
            ],
        }

    def manifest_json(self, signer: Signer | None = None) -> str:
        """The manifest as canonical JSON; with a signer, it carries a signature member over that
        canonical form (see contractkit.signing), so that verify can tell it was not changed."""
        from .signing import canonical, sign

        manifest = self.manifest()
        return canonical(sign(manifest, signer, "manifest") if signer else manifest).decode()


def deal_context(deal: Deal) -> dict[str, Any]:
    """What clause text and conditions see as `deal`: the deal's data plus derived facts."""
    data = deal.model_dump(mode="python", by_alias=True)
    data.update(
        wales=deal.wales,
        governing_law=deal.law,
        nhs_names=[o.short_name for o in deal.nhs_organisations],
        partner_names=[p.short_name for p in deal.partners],
    )
    return data


def evaluate(env: ImmutableSandboxedEnvironment, expression: str, context: dict[str, Any]) -> bool:
    """Evaluate a playbook condition as a sandboxed Jinja expression."""
    try:
        return bool(env.compile_expression(expression, undefined_to_none=False)(**context))
    except TemplateError as exc:
        raise TextError(f"condition {expression!r}: {exc.message or exc}") from None


def rung_of(ladder: Ladder | None, position: str) -> Rung | None:
    return next((r for r in ladder.rungs if r.position == position), None) if ladder else None


class _Assembler:
    def __init__(self, library: Library, deal: Deal, playbook: Playbook, *, include_all: bool = False) -> None:
        self.library, self.deal, self.playbook = library, deal, playbook
        self.include_all = include_all  # lint renders every clause, whatever the conditions say
        self.locale = deal.agreement.locale
        self.env = sandbox(self.locale)
        self.context: dict[str, Any] = {"deal": deal_context(deal)}
        self.numbers: dict[str, tuple[str, int | None]] = {}  # clause id -> (number, schedule number)
        self.schedule_numbers: dict[str, int] = {}
        self.issues: list[Issue] = []

    def included(self, entry: Entry) -> bool:
        if self.include_all:
            return True
        return entry.when is None or self._guard(
            entry.clause, lambda: evaluate(self.env, entry.when or "", self.context)
        )

    def position(self, entry: Entry) -> str:
        clause = self.library.clause(entry.clause)
        for rule in entry.choose:
            if self._guard(entry.clause, lambda r=rule: evaluate(self.env, r.when, self.context)):  # type: ignore[misc]
                return rule.position
        if entry.ladder:
            return self.deal.positions.get(entry.clause, entry.ladder.preferred.position)
        return next(iter(clause.positions))

    def _guard(self, clause_id: str, check: Callable[[], bool]) -> bool:
        try:
            return check()
        except TextError as exc:
            self.issues.append(self.library.locate(f"playbook:{self.playbook.id}", [], f"clause {clause_id}: {exc}"))
            return False

    def ref(self, clause_id: str, paragraph: int | None = None) -> str:
        """Jinja global: 'clause 7', 'clause 7.2' or 'paragraph 1.2 of Schedule 3'."""
        if clause_id not in self.numbers:
            raise TextError(f"cross-reference to {clause_id!r}, which is not in this agreement")
        number, schedule = self.numbers[clause_id]
        if paragraph is not None:
            number = f"{number}.{paragraph}"
        return f"paragraph {number} of Schedule {schedule}" if schedule else f"clause {number}"

    def schedule(self, schedule_id: str) -> str:
        if schedule_id not in self.schedule_numbers:
            raise TextError(f"reference to schedule {schedule_id!r}, which is not in this agreement")
        return f"Schedule {self.schedule_numbers[schedule_id]}"

    def run(self) -> tuple[list[Placed], list[PlacedSchedule]]:
        operative = [e for s in self.playbook.sections for e in s.clauses if self.included(e)]
        for n, entry in enumerate(operative, 1):
            self.numbers[entry.clause] = (str(n), None)
        scheduled: list[tuple[int, Any, list[Entry]]] = []
        for n, sched in enumerate(self.playbook.schedules, 1):
            self.schedule_numbers[sched.id] = n
            entries = [e for e in sched.clauses if self.included(e)]
            for k, entry in enumerate(entries, 1):
                self.numbers[entry.clause] = (str(k), n)
            scheduled.append((n, sched, entries))
        self.context.update(ref=self.ref, schedule=self.schedule)
        clauses = [self.place(e) for e in operative]
        schedules = [
            PlacedSchedule(s.id, n, s.title, tuple(self.place(e, s.id) for e in es), tuple(s.tables))
            for n, s, es in scheduled
        ]
        if self.issues:
            raise ValidationFailed(self.issues)
        return clauses, schedules

    def place(self, entry: Entry, schedule: str | None = None) -> Placed:
        clause = self.library.clause(entry.clause)
        position = self.position(entry)
        number = self.numbers[clause.id][0]
        try:
            paragraphs = self.paragraphs(clause.positions[position].text, number)
        except TextError as exc:
            self.issues.append(self.library.locate_text(clause.id, position, str(exc), exc.offset, hint=TEXT_HINT))
            paragraphs = ()
        return Placed(clause, position, number, paragraphs, schedule)

    def paragraphs(self, source: str, number: str) -> tuple[Para, ...]:
        counters = [0, 0, 0]
        out = []
        for line in split_lines(source):
            label = ""
            if line.numbered:
                counters[line.level - 1] += 1
                counters[line.level :] = [0] * (3 - line.level)
                label = _label(number, counters, line.level)
            try:
                runs = render_runs(self.env, line.source, self.context)
            except TextError as exc:
                raise TextError(str(exc), line.offset) from None
            out.append(Para(line.level, tuple(runs), label))
        return tuple(out)


def _label(number: str, counters: list[int], level: int) -> str:
    if level == 3:
        return f"({string.ascii_lowercase[(counters[2] - 1) % 26]})"
    return ".".join([number, *(str(c) for c in counters[:level])])


Approval = HistoryApproval | Literal["pending", "not-required"]


def approval_of(deal: Deal, clause_id: str, rung: Rung | None) -> Approval:
    """The approval standing for a clause's current rung: recorded, pending or not required.

    Only an approval recorded by the rung's own role counts; one by any other role is pending."""
    if rung is None or rung.approver == "negotiator":
        return "not-required"
    record = next((h for h in reversed(deal.history) if h.clause == clause_id and h.to == rung.position), None)
    if record and isinstance(record.approval, HistoryApproval) and record.approval.role == rung.approver:
        return record.approval
    return "pending"


def deviations(deal: Deal, playbook: Playbook, clauses: list[Placed]) -> list[Deviation]:
    """Every clause away from its preferred rung, with who approved it (or that approval is pending)."""
    out = []
    ladders = {e.clause: e.ladder for e in playbook.entries()}
    for placed in clauses:
        ladder = ladders.get(placed.id)
        if ladder is None or placed.position == ladder.preferred.position:
            continue
        rung = rung_of(ladder, placed.position)
        approval = approval_of(deal, placed.id, rung)
        out.append(
            Deviation(
                placed.id,
                placed.clause.title,
                placed.number,
                placed.position,
                placed.clause.positions[placed.position].label or placed.position,
                rung.approver if rung else "centre",
                approval.name if isinstance(approval, HistoryApproval) else None,
                approval == "pending",
            )
        )
    return out


def assemble(library: Library, deal: Deal, *, final: bool = False) -> Agreement:
    """Put the agreement together. Raises ValidationFailed listing every problem found."""
    playbook = library.playbooks[deal.playbook]
    clauses, schedules = _Assembler(library, deal, playbook).run()
    placed = clauses + [c for s in schedules for c in s.clauses]
    return Agreement(
        deal, playbook, library.version, clauses, schedules, deviations(deal, playbook, placed), final=final
    )
