"""Pure assembly: library + playbook + deal -> Agreement, with numbering and cross-references.

No file is read or written here. Clause numbers are computed before any text is rendered, so
`{{ ref('clause-id') }}` always prints the number the clause will have in the document.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from typing import Any, Literal

from jinja2 import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from contractkit.core.sandbox import sandbox
from contractkit.core.text import Run, TextError, render_runs, split_lines
from contractkit.drafting import completeness
from contractkit.drafting.agreement import Agreement, Deviation, Para, Placed, PlacedSchedule
from contractkit.errors import Issue, ValidationFailed
from contractkit.library import facts
from contractkit.library.deal import Deal, HistoryApproval
from contractkit.library.facts import Where
from contractkit.library.loading import Library
from contractkit.library.model import VALUE_SHARE_CLAUSE, Clause, Entry, Ladder, LibraryMeta, Playbook, Position, Rung
from contractkit.library.yamlio import Document

__all__ = [
    "VALUE_SHARE_CLAUSE",
    "Agreement",
    "Deviation",
    "Para",
    "Placed",
    "PlacedSchedule",
    "approval_of",
    "assemble",
    "deal_context",
    "deviations",
    "evaluate",
    "ladder_position",
    "rung_of",
]

TEXT_HINT = "fix the clause text or the deal fact it uses"
Source = Literal["rule", "negotiated", "facts"]  # what picked a clause's position
PARAGRAPH_LOOP = re.compile(
    r"^\{%-?\s*for\s+(?P<name>[A-Za-z_]\w*)\s+in\s+(?P<items>.+?)\s*-?%\}(?P<body>.*)\{%-?\s*endfor\s*-?%\}$"
)


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


def ladder_position(clause: Clause, ladder: Ladder, deal: Deal, context: dict[str, Any] | None = None) -> str:
    """Where a negotiable clause stands: as the negotiation recorded it in `positions`, else the
    first rung (preferred first) whose wording agrees with the deal's facts, else the preferred."""
    if clause.id in deal.positions:
        return deal.positions[clause.id]
    context = context if context is not None else deal_context(deal)
    return next(
        (
            r.position
            for r in ladder.rungs
            if r.position in clause.positions and facts.agrees(clause.positions[r.position], context)
        ),
        ladder.preferred.position,
    )


def _show(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


class _Assembler:
    def __init__(
        self,
        library: Library,
        deal: Deal,
        playbook: Playbook,
        *,
        include_all: bool = False,
        where: Where | None = None,
    ) -> None:
        self.library, self.deal, self.playbook = library, deal, playbook
        self.include_all = include_all  # lint renders every clause, whatever the conditions say
        self.where = where or Where()
        self.locale = deal.agreement.locale
        self.env = sandbox(self.locale)
        self.context: dict[str, Any] = {"deal": deal_context(deal)}
        self.numbers: dict[str, tuple[str, int | None]] = {}  # clause id -> (number, schedule number)
        self.schedule_numbers: dict[str, int] = {}
        self.current_schedule: int | None = None  # the schedule being placed: it is "this Schedule"
        self.issues: list[Issue] = []
        self.warnings: list[Issue] = []

    def included(self, entry: Entry) -> bool:
        if self.include_all:
            return True
        return entry.when is None or self._guard(
            entry.clause, lambda: evaluate(self.env, entry.when or "", self.context)
        )

    def position(self, entry: Entry) -> tuple[str, Source]:
        """The position of a clause and what picked it: a playbook rule, the negotiation, or the facts."""
        clause = self.library.clause(entry.clause)
        for rule in entry.choose:
            if self._guard(entry.clause, lambda r=rule: evaluate(self.env, r.when, self.context)):  # type: ignore[misc]
                return rule.position, "rule"
        if entry.ladder:
            source: Source = "negotiated" if clause.id in self.deal.positions else "facts"
            return ladder_position(clause, entry.ladder, self.deal, self.context["deal"]), source
        agreeing = (p for p, wording in clause.positions.items() if facts.agrees(wording, self.context["deal"]))
        return next(agreeing, next(iter(clause.positions))), "facts"

    def _guard(self, clause_id: str, check: Callable[[], bool]) -> bool:
        try:
            return check()
        except TextError as exc:
            self.issues.append(self.library.locate(f"playbook:{self.playbook.id}", [], f"clause {clause_id}: {exc}"))
            return False

    def ref(self, clause_id: str, paragraph: int | None = None) -> str:
        """Jinja global: 'clause 7', 'clause 7.2', 'paragraph 1.2 of Schedule 3' or, inside
        Schedule 3 itself, 'paragraph 1.2 of this Schedule'."""
        if clause_id not in self.numbers:
            raise TextError(f"cross-reference to {clause_id!r}, which is not in this agreement")
        number, schedule = self.numbers[clause_id]
        if paragraph is not None:
            number = f"{number}.{paragraph}"
        if schedule is None:
            return f"clause {number}"
        here = "this Schedule" if schedule == self.current_schedule else f"Schedule {schedule}"
        return f"paragraph {number} of {here}"

    def schedule(self, schedule_id: str) -> str:
        if schedule_id not in self.schedule_numbers:
            raise TextError(f"reference to schedule {schedule_id!r}, which is not in this agreement")
        number = self.schedule_numbers[schedule_id]
        return "this Schedule" if number == self.current_schedule else f"Schedule {number}"

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
        schedules = []
        for n, s, es in scheduled:
            self.current_schedule = n
            schedules.append(PlacedSchedule(s.id, n, s.title, tuple(self.place(e, s.id) for e in es), tuple(s.tables)))
        self.current_schedule = None
        if self.issues:
            raise ValidationFailed(self.issues)
        return clauses, schedules

    def place(self, entry: Entry, schedule: str | None = None) -> Placed:
        clause = self.library.clause(entry.clause)
        position, source = self.position(entry)
        number = self.numbers[clause.id][0]
        context = self.context
        if not self.include_all:
            self._check_states(entry, clause, position, source)
            context = self._fill(clause, position)
        try:
            paragraphs = self.paragraphs(clause.positions[position].text, number, context)
        except TextError as exc:
            self.issues.append(self.library.locate_text(clause.id, position, str(exc), exc.offset, hint=TEXT_HINT))
            paragraphs = ()
        return Placed(clause, position, number, paragraphs, schedule)

    def paragraphs(self, source: str, number: str, context: dict[str, Any] | None = None) -> tuple[Para, ...]:
        counters = [0, 0, 0]
        out = []
        for line in split_lines(source):
            try:
                rendered = self._render_line(line.source, context if context is not None else self.context)
            except TextError as exc:
                raise TextError(str(exc), line.offset) from None
            for runs in rendered:
                label = ""
                if line.numbered:
                    counters[line.level - 1] += 1
                    counters[line.level :] = [0] * (3 - line.level)
                    label = _label(number, counters, line.level)
                out.append(Para(line.level, tuple(runs), label))
        return tuple(out)

    def _render_line(self, source: str, context: dict[str, Any]) -> list[list[Run]]:
        """One paragraph, or, for a line that is a single `{% for x in list %}...{% endfor %}`
        loop, one paragraph per item (so that each special condition is a numbered sub-clause)."""
        loop = PARAGRAPH_LOOP.match(source)
        if loop is None or "{% for" in loop["body"]:
            return [render_runs(self.env, source, context)]
        try:
            items: Any = self.env.compile_expression(loop["items"], undefined_to_none=False)(**context)
        except TemplateError as exc:
            raise TextError(f"template error: {exc.message or exc}") from None
        if not isinstance(items, list | tuple):
            raise TextError(f"{loop['items']!r} is not a list, so it cannot give one paragraph per item")
        rendered = [render_runs(self.env, loop["body"], {**context, loop["name"]: item}) for item in items]
        return [runs for runs in rendered if "".join(r.text for r in runs).strip()]

    # ------------------------------------------------------------------------- one source of truth

    def where_is(self, clause: Clause) -> str:
        """'clause 20 (Value share)' or 'paragraph 1 of Schedule 4 (Fees)', for messages."""
        number, schedule = self.numbers[clause.id]
        place = f"paragraph {number} of Schedule {schedule}" if schedule else f"clause {number}"
        return f"{place} ({clause.title})"

    def _check_states(self, entry: Entry, clause: Clause, position: str, source: Source) -> None:
        """The wording placed must not state a fact the deal contradicts: one decides, never both."""
        wording = clause.positions[position]
        for path, stated, actual in facts.disagreements(wording, self.context["deal"]):
            if source == "negotiated":
                self.issues.append(
                    self.where.issue(
                        ["positions", clause.id],
                        f"{position!r} ({wording.label or position}) is the wording for {path}: {_show(stated)}, "
                        f"but {self.where.cite(path)} says {_show(actual)}",
                        hint="make the two agree: 'contractkit swap' changes both together",
                    )
                )
            elif source == "rule":
                self.issues.append(
                    self.library.locate(
                        f"playbook:{self.playbook.id}",
                        [],
                        f"clause {clause.id}: the rule chose {position!r}, which states {path}: {_show(stated)}, "
                        f"but the deal says {_show(actual)}",
                        hint="make the playbook's 'choose' rules agree with the wordings' 'states'",
                    )
                )
            else:
                self.issues.append(self._no_wording(entry, clause, path, actual))

    def _no_wording(self, entry: Entry, clause: Clause, path: str, actual: Any) -> Issue:
        offered = [r.position for r in entry.ladder.rungs] if entry.ladder else list(clause.positions)
        values = [_show(clause.positions[p].states[path]) for p in offered if path in clause.positions[p].states]
        hint = (
            "choose one of those values, or a playbook whose ladder offers this one"
            if entry.ladder
            else "the library has no wording for this value"
        )
        return self.where.issue(
            path,
            f"{_show(actual)!r} has no approved wording in {self.where_is(clause)} of playbook "
            f"{self.playbook.id!r} (approved: {', '.join(dict.fromkeys(values))})",
            hint=hint,
        )

    def _fill(self, clause: Clause, position: str) -> dict[str, Any]:
        """The context for one wording: each fact it needs but the deal lacks becomes a visible
        blank, and a located warning."""
        wording = clause.positions[position]
        missing = [p for p in facts.needs(wording) if facts.is_missing(facts.lookup(self.context["deal"], p))]
        for path in missing:
            self.warnings.append(self._gap_warning(clause, wording, position, path))
        if not missing:
            return self.context
        return {**self.context, "deal": facts.with_gaps(self.context["deal"], missing)}

    def _gap_warning(self, clause: Clause, wording: Position, position: str, path: str) -> Issue:
        movable = clause.id in {e.clause for e in self.playbook.entries() if e.ladder}
        hint = "add it to the deal file" + (
            f", or move {clause.id} to a position that does not need it ('contractkit positions')" if movable else ""
        )
        return self.where.issue(
            path,
            f"not given, but {self.where_is(clause)}, {wording.label or position}, needs it: "
            "the draft shows a blank there",
            hint=hint,
            severity="warning",
        )


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


def deviations(
    deal: Deal, playbook: Playbook, clauses: list[Placed], meta: LibraryMeta | None = None
) -> list[Deviation]:
    """Every clause away from its preferred rung, with who approved it (or that approval is pending)."""
    out = []
    ladders = {e.clause: e.ladder for e in playbook.entries()}
    for placed in clauses:
        ladder = ladders.get(placed.id)
        if ladder is None or placed.position == ladder.preferred.position:
            continue
        rung = rung_of(ladder, placed.position)
        approval = approval_of(deal, placed.id, rung)
        approver = rung.approver if rung else "centre"
        out.append(
            Deviation(
                placed.id,
                placed.clause.title,
                placed.number,
                placed.position,
                placed.clause.positions[placed.position].label or placed.position,
                approver,
                approval.name if isinstance(approval, HistoryApproval) else None,
                approval == "pending",
                meta.role_label(approver) if meta else approver,
            )
        )
    return out


def assemble(library: Library, deal: Deal, *, final: bool = False, doc: Document | None = None) -> Agreement:
    """Put the agreement together. Raises ValidationFailed listing every problem found; facts the
    wordings need but the deal lacks become the agreement's warnings (located in `doc` if given)."""
    playbook = library.playbooks[deal.playbook]
    assembler = _Assembler(library, deal, playbook, where=Where(doc))
    clauses, schedules = assembler.run()
    placed = clauses + [c for s in schedules for c in s.clauses]
    agreement = Agreement(
        deal,
        playbook,
        library.version,
        clauses,
        schedules,
        deviations(deal, playbook, placed, library.meta),
        final=final,
        warnings=tuple(dict.fromkeys(assembler.warnings)),
    )
    agreement.warnings += tuple(completeness.gaps_and_blanks(agreement, assembler.where))
    return agreement
