"""A deal checked against the library: its playbook, positions, parties, cross-field sanity and free
text. Loading a deal runs these (library.deal_loading); the library's own lint is checking.lint.
Every function returns all the issues it finds; none stops at the first."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from contractkit.errors import Issue
from contractkit.library import dealcheck, exclusivity_checks
from contractkit.library.deal import Deal
from contractkit.library.loading import Library
from contractkit.library.model import PRINCIPLE_NAMES, Clause, Playbook
from contractkit.library.yamlio import Document


def principle_label(clause: Clause) -> str:
    return ", ".join(f"{p} ({PRINCIPLE_NAMES[p]})" for p in clause.principles)


def locked_overrides(doc: Document, library: Library | None) -> list[Issue]:
    """Unknown deal fields that name a locked clause: an attempt to exclude or override it."""
    if library is None or not isinstance(doc.data, dict):
        return []
    known = set(Deal.model_fields)
    issues = []
    for key, value in doc.data.items():
        if key in known:
            continue
        for clause in library.clauses.values():
            if clause.status == "locked" and clause.id in repr(value):
                issues.append(
                    doc.issue(
                        [key],
                        f"tries to exclude or override locked clause {clause.id!r}, which "
                        f"protects {principle_label(clause)}",
                        hint="locked clauses cannot be removed or changed by a deal",
                    )
                )
    return issues


def check_deal(deal: Deal, doc: Document, library: Library, *, broken: frozenset[str] = frozenset()) -> list[Issue]:
    """Check a deal against the library and its playbook. `broken` names the top-level fields that
    failed the schema: only the checks that need none of them run, so one pass reports everything."""
    issues = []
    playbook = library.playbooks.get(deal.playbook) if "playbook" not in broken else None
    if playbook is None and "playbook" not in broken:
        known = ", ".join(library.playbooks)
        issues.append(
            doc.issue(
                ["playbook"],
                f"unknown playbook {deal.playbook!r} (known: {known})",
                hint=_near(deal.playbook, library.playbooks),
            )
        )
    if playbook is not None and "positions" not in broken:
        issues += _positions(deal, doc, library, playbook)
    issues += _parties(deal, doc, broken) + dealcheck.sanity(deal, doc, broken)
    issues += _exclusive_text(deal, doc, library)
    return issues


def _near(word: str, known: Iterable[str]) -> str | None:
    from difflib import get_close_matches

    near = get_close_matches(word, list(known), n=1, cutoff=0.6)
    return f"did you mean {near[0]!r}?" if near else None


def _positions(deal: Deal, doc: Document, library: Library, playbook: Playbook) -> list[Issue]:
    issues = []
    entries = {e.clause: e for e in playbook.entries()}
    for clause_id, position in deal.positions.items():
        loc = ["positions", clause_id]
        clause = library.clauses.get(clause_id)
        if clause is None:
            near = _near(clause_id, entries)
            issues.append(
                doc.issue(loc, f"unknown clause {clause_id!r}", hint=near or "see 'contractkit positions DEAL'")
            )
        elif clause.status == "locked":
            issues.append(
                doc.issue(
                    loc,
                    f"clause {clause_id!r} is locked: it protects {principle_label(clause)} and has no other position",
                    hint="remove this line",
                )
            )
        elif clause_id not in entries:
            issues.append(doc.issue(loc, f"clause {clause_id!r} is not in playbook {playbook.id!r}"))
        elif entries[clause_id].ladder is None:
            issues.append(
                doc.issue(
                    loc,
                    f"clause {clause_id!r} is {clause.status}, not negotiable",
                    hint="its wording follows from the deal's facts",
                )
            )
        elif position not in [r.position for r in entries[clause_id].ladder.rungs]:  # type: ignore[union-attr]
            rungs = ", ".join(r.position for r in entries[clause_id].ladder.rungs)  # type: ignore[union-attr]
            near = _near(position, rungs.split(", "))
            issues.append(
                doc.issue(
                    loc,
                    f"position {position!r} is not on the approved ladder (approved: {rungs})",
                    hint=near or "a position off the ladder is past the walk-away",
                )
            )
    return issues


def _parties(deal: Deal, doc: Document, broken: frozenset[str] = frozenset()) -> list[Issue]:
    """Every party signs, every reference to a party names one, and no short name is used twice."""
    if broken & {"nhs_organisations", "partners"}:
        return []
    names = [p.short_name for p in [*deal.nhs_organisations, *deal.partners]]
    issues = [
        doc.issue(["nhs_organisations"], f"short name {n!r} is used by two parties")
        for n, c in Counter(names).items()
        if c > 1
    ]
    if "signatories" not in broken:
        issues += [
            doc.issue(["signatories", i, "party"], f"{s.party!r} is not a party (parties: {', '.join(names)})")
            for i, s in enumerate(deal.signatories)
            if s.party not in names
        ]
        unsigned = [n for n in names if n not in {s.party for s in deal.signatories}]
        issues += [doc.issue(["signatories"], f"no signatory for party {n!r}") for n in unsigned]
    return issues + _named_parties(deal, doc, broken, names) + _welsh(deal, doc, broken)


def _named_parties(deal: Deal, doc: Document, broken: frozenset[str], names: list[str]) -> list[Issue]:
    nhs = {o.short_name for o in deal.nhs_organisations}
    issues = []
    if "data" not in broken:
        issues += [
            doc.issue(
                ["data", "datasets", i, "source"],
                f"{d.source!r} is not an NHS party (NHS parties: {', '.join(sorted(nhs))})",
            )
            for i, d in enumerate(deal.data.datasets)
            if d.source not in nhs
        ]
    if "benefits" not in broken:
        issues += [
            doc.issue(["benefits", i, "owner"], f"{b.owner!r} is not a party (parties: {', '.join(names)})")
            for i, b in enumerate(deal.benefits)
            if b.owner is not None and b.owner not in names
        ]
    return issues


def _welsh(deal: Deal, doc: Document, broken: frozenset[str]) -> list[Issue]:
    if not deal.wales or "agreement" in broken:
        return []
    return [
        doc.issue(
            ["agreement", f],
            "required because an NHS Wales body is a party",
            hint="write the Welsh text yourself; contractkit never machine-translates",
        )
        for f in ("title_cy", "lay_summary_cy")
        if not getattr(deal.agreement, f)
    ]


def _exclusive_text(deal: Deal, doc: Document, library: Library) -> list[Issue]:
    """Free text in a deal that grants exclusivity would contradict the locked clauses."""
    guard = library.clauses.get("non-exclusivity")
    return exclusivity_checks.deal_text(deal, doc, library, principle_label(guard) if guard else "P3")
