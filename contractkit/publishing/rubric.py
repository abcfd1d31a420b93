"""The centre's benchmark of what good looks like (library.yaml `rubric:`), applied to one deal.

Each check is a safe expression evaluated like a playbook condition, over `deal` (as clause text
sees it) and `agreement` (status, clauses, topics, deviations, pending). Scores are weighted, so
two deals can be compared check by check.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from contractkit.core.sandbox import sandbox
from contractkit.core.text import TextError
from contractkit.drafting.assemble import Agreement, assemble, deal_context, evaluate
from contractkit.drafting.register_entry import status
from contractkit.errors import Issue, ValidationFailed
from contractkit.library.deal import Deal
from contractkit.library.loading import Library


@dataclass(frozen=True)
class CheckResult:
    """One rubric check applied to one deal."""

    id: str
    principle: str
    title: str
    weight: int
    passed: bool


def context(agreement: Agreement) -> dict[str, Any]:
    """What rubric tests see: `deal` as in playbook conditions, plus `agreement` facts."""
    placed = agreement.all_clauses()
    return {
        "deal": deal_context(agreement.deal),
        "agreement": {
            "status": status(agreement),
            "clauses": [c.id for c in placed],
            "topics": sorted({t for c in placed for t in c.clause.topics}),
            "deviations": [asdict(d) for d in agreement.deviations],
            "pending": [asdict(d) for d in agreement.pending],
        },
    }


def score(library: Library, agreement: Agreement) -> list[CheckResult]:
    """Apply every rubric check; a test that does not evaluate is a located library error."""
    env = sandbox(agreement.deal.agreement.locale)
    facts = context(agreement)
    results, problems = [], []
    for index, check in enumerate(library.meta.rubric):
        try:
            passed = evaluate(env, check.test, facts)
        except TextError as exc:
            problems.append(library.locate("library", ["rubric", index, "test"], f"rubric check {check.id!r}: {exc}"))
            continue
        results.append(CheckResult(check.id, check.principle, check.title, check.weight, passed))
    if problems:
        raise ValidationFailed(problems)
    return results


def issues(library: Library, deal: Deal) -> list[Issue]:
    """Problems with the rubric found by scoring a known-good deal (for lint)."""
    try:
        score(library, assemble(library, deal))
    except ValidationFailed as exc:
        return exc.issues
    return []


def points(checks: list[CheckResult]) -> tuple[int, int]:
    return sum(c.weight for c in checks if c.passed), sum(c.weight for c in checks)
