"""Is the agreement finished? Blanks in the drafted text and tables, and what stops a final version.

A draft may carry gaps: each is a located warning, printed by `draft` and `batch`. A final version
may carry none: `--final` refuses while any warning stands or any approval is pending, and lists
every reason at once.
"""

from __future__ import annotations

from dataclasses import replace

from contractkit.core.formatting import Gap
from contractkit.drafting.agreement import Agreement, PlacedSchedule
from contractkit.drafting.tables import TABLES, Rows
from contractkit.errors import Issue, ValidationFailed
from contractkit.library import facts
from contractkit.library.facts import Where

FINAL = "cannot produce a final version"


def gaps_and_blanks(agreement: Agreement, where: Where) -> list[Issue]:
    """Blanks in the schedules' tables (facts the clauses have not already reported), and
    unfinished text ('[...]', 'to be agreed', TBC) anywhere in the agreement, each located at its
    source: the deal field that holds it, else the clause."""
    reported = {w.field for w in agreement.warnings}
    tables = _tables(agreement)
    gaps = [g for g in _table_gaps(tables, where) if g.field not in reported]
    return gaps + _unfinished(agreement, tables, where)


def _tables(agreement: Agreement) -> list[tuple[PlacedSchedule, list[Rows]]]:
    """Each schedule with the rows of its tables, worked out once for both checks (the register's
    table builds the whole register entry)."""
    return [(s, [TABLES[kind](agreement)[0] for kind in s.tables]) for s in agreement.schedules]


def _places(agreement: Agreement, tables: list[tuple[PlacedSchedule, list[Rows]]]) -> list[tuple[str, str]]:
    """Every piece of drafted text with where it sits: ('clause 20.1', text), ('Schedule 4', cell)."""
    out = []
    for placed in agreement.clauses:
        out += [(f"clause {placed.number}", p.text) for p in placed.paragraphs]
    for schedule, rows_of in tables:
        for placed in schedule.clauses:
            out += [(f"Schedule {schedule.number}", p.text) for p in placed.paragraphs]
        for rows in rows_of:
            out += [(f"Schedule {schedule.number}", cell) for row in rows for cell in row]
    return out


def _table_gaps(tables: list[tuple[PlacedSchedule, list[Rows]]], where: Where) -> list[Issue]:
    found: dict[str, str] = {}
    for schedule, rows_of in tables:
        for row in (row for rows in rows_of for row in rows):
            for cell in row:
                if isinstance(cell, Gap):
                    found.setdefault(cell.path, f"Schedule {schedule.number} ({schedule.title})")
    return [
        where.issue(path, f"not given, but {place} needs it: the draft shows a blank there", severity="warning")
        for path, place in found.items()
    ]


def _unfinished(agreement: Agreement, tables: list[tuple[PlacedSchedule, list[Rows]]], where: Where) -> list[Issue]:
    issues, seen = [], set()
    for loc, value in facts.deal_strings(agreement.deal.model_dump(mode="json", by_alias=True), []):
        if loc[0] in ("positions", "history"):
            continue
        for blank in facts.unfinished(value):
            seen.add(blank)
            issues.append(
                where.issue(
                    loc,
                    f"unfinished text {blank!r}",
                    hint="replace it with what was agreed before the final version",
                    severity="warning",
                )
            )
    for place, text in _places(agreement, tables):
        for blank in facts.unfinished(text):
            if blank not in seen:
                seen.add(blank)
                issues.append(Issue(f"{place}: unfinished text {blank!r}", file=where.file, severity="warning"))
    return issues


def final_problems(agreement: Agreement, source: str | None = None) -> list[Issue]:
    """Why the agreement cannot be final: every warning, and every approval still pending."""
    problems = [replace(w, severity="error", message=f"{FINAL}: {w.message}") for w in agreement.warnings]
    if agreement.pending:
        items = ", ".join(f"{d.clause} -> {d.position} (needs {d.approver})" for d in agreement.pending)
        problems.append(
            Issue(
                f"{FINAL}: approval pending for {items}",
                file=source,
                hint="record the approval with 'contractkit swap ... --approved-by NAME --role ROLE'",
            )
        )
    return problems


def refuse_unless_final(agreement: Agreement, source: str | None = None) -> None:
    """Raise, listing every reason, unless the agreement is complete and fully approved."""
    problems = final_problems(agreement, source)
    if problems:
        raise ValidationFailed(problems)
