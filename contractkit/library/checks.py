"""Cross-file checks. Every function returns all the issues it finds; none stops at the first."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from contextlib import suppress
from typing import Any

from jinja2 import TemplateSyntaxError

from contractkit.core.sandbox import sandbox
from contractkit.core.text import TextError, defined_terms, split_lines
from contractkit.drafting.assemble import TEXT_HINT, _Assembler
from contractkit.errors import Issue, ValidationFailed
from contractkit.library import dealcheck, exclusivity_checks, facts
from contractkit.library.loading import Library
from contractkit.library.model import PRINCIPLE_NAMES, PRINCIPLES, Clause, Deal, Ladder, Playbook
from contractkit.library.yamlio import Document

# The policy guarantee, in code so that no library edit can drop it: these clauses must exist,
# be locked, serve these principles and appear in every playbook.
GUARANTEED = {
    "non-exclusivity": "P3",
    "national-benefit": "P3",
    "open-standards": "P3",
    "transparency": "P4",
}


def principle_label(clause: Clause) -> str:
    return ", ".join(f"{p} ({PRINCIPLE_NAMES[p]})" for p in clause.principles)


def lint(library: Library) -> list[Issue]:
    """Every problem in the library: clauses, playbooks, templates and rendered wording."""
    from contractkit.word.render import lint_template  # docxtpl is needed only from here on

    issues = _guaranteed(library) + exclusivity_checks.rule_examples(library)
    for clause in library.clauses.values():
        issues += _clause(library, clause) + exclusivity_checks.clause_text(library, clause)
    issues += facts.library_issues(library)  # states and needs name real deal fields; no blanks in wording
    templates = {
        p: lint_template(p) for p in {library.template_path(b) for b in library.playbooks.values()} if p.is_file()
    }
    for path in sorted(templates):
        issues += templates[path] + exclusivity_checks.template_text(library, path)
    for playbook in library.playbooks.values():
        issues += _playbook(library, playbook, trial=templates.get(library.template_path(playbook)) == [])
    if not library.playbooks:
        issues.append(Issue("the library has no playbooks", file=str(library.root / "playbooks")))
    return list(dict.fromkeys(issues))  # a clause shared by several playbooks is reported once


def _guaranteed(library: Library) -> list[Issue]:
    issues = []
    for clause_id, principle in GUARANTEED.items():
        clause = library.clauses.get(clause_id)
        if clause is None:
            issues.append(
                Issue(
                    f"locked clause {clause_id!r} ({principle}) is missing from the library",
                    file=f"clauses/{clause_id}.yaml",
                    hint="this clause is required by the DHSC principles",
                )
            )
            continue
        if clause.status != "locked":
            issues.append(library.locate(f"clause:{clause_id}", ["status"], f"must be locked (got {clause.status!r})"))
        if principle not in clause.principles:
            issues.append(library.locate(f"clause:{clause_id}", ["principles"], f"must include {principle}"))
    return issues


def _clause(library: Library, clause: Clause) -> list[Issue]:
    issues = []
    env = sandbox()
    for pid, position in clause.positions.items():
        try:
            for line in split_lines(position.text):
                try:
                    env.parse(line.source)
                except TemplateSyntaxError as exc:
                    raise TextError(str(exc), line.offset) from None
        except TextError as exc:
            issues.append(library.locate_text(clause.id, pid, str(exc), exc.offset))
    return issues


def _playbook(library: Library, playbook: Playbook, *, trial: bool) -> list[Issue]:
    key = f"playbook:{playbook.id}"
    issues = []

    def at(loc: list[Any], message: str, **extra: Any) -> None:
        issues.append(library.locate(key, loc, message, **extra))

    if not library.template_path(playbook).is_file():
        at(["template"], f"template {playbook.template!r} not found in templates/")
    entries = [
        (["sections", i, "clauses", j], e) for i, s in enumerate(playbook.sections) for j, e in enumerate(s.clauses)
    ]
    entries += [
        (["schedules", i, "clauses", j], e) for i, s in enumerate(playbook.schedules) for j, e in enumerate(s.clauses)
    ]
    for clause_id, count in Counter(e.clause for _, e in entries).items():
        if count > 1:
            at([], f"clause {clause_id!r} appears {count} times")
    for loc, entry in entries:
        clause = library.clauses.get(entry.clause)
        if clause is None:
            at(loc, f"unknown clause {entry.clause!r}", hint="see 'contractkit clauses list'")
            continue
        issues.extend(_entry(library, key, loc, clause, entry))
    present = {e.clause for _, e in entries}
    for clause in library.clauses.values():
        if clause.status == "locked" and clause.id not in present:
            at(
                ["sections"],
                f"leaves out locked clause {clause.id!r}, which protects {principle_label(clause)}",
                hint="every playbook must include every locked clause",
            )
    covered = {p for c in present if c in library.clauses for p in library.clauses[c].principles}
    for principle in PRINCIPLES:
        if principle not in covered:
            at(["sections"], f"no clause serves {principle} ({PRINCIPLE_NAMES[principle]})")
    for schedule_id, count in Counter(s.id for s in playbook.schedules).items():
        if count > 1:
            at(["schedules"], f"schedule id {schedule_id!r} is used {count} times")
    return issues or _wording(library, playbook, trial=trial)


def _wording(library: Library, playbook: Playbook, *, trial: bool) -> list[Issue]:
    """Checks that need a structurally sound playbook: defined terms, every wording rendered, and
    (when its template is sound) a whole trial draft."""
    issues = _defined_terms(library, playbook) + _rendering(library, playbook)
    return issues or (_trial_render(library, playbook) if trial else [])


def _trial_render(library: Library, playbook: Playbook) -> list[Issue]:
    """Draft the specimen deal through the playbook's template: a template mistake that only
    shows when rendering (a misspelt attribute, hidden clause text) is caught here, not in a draft."""
    from contractkit.drafting.assemble import assemble
    from contractkit.word.render import render

    deal = facts.specimen(library, playbook.id)
    try:
        render(assemble(library, deal), library.template_path(playbook), sign=False)
    except ValidationFailed as exc:
        return exc.issues
    return []


def _entry(library: Library, key: str, loc: list[Any], clause: Clause, entry: Any) -> list[Issue]:
    out = []

    def at(message: str, *more: Any, **extra: Any) -> None:
        out.append(library.locate(key, [*loc, *more], message, **extra))

    if clause.status == "locked" and (entry.when or entry.choose or entry.ladder):
        at(f"locked clause {clause.id!r} cannot have a condition, choice or ladder")
    if clause.status == "conditional" and not entry.when:
        at(f"conditional clause {clause.id!r} needs a 'when' condition")
    if clause.status != "conditional" and entry.when:
        at(f"only conditional clauses take 'when' ({clause.id!r} is {clause.status})")
    if clause.status == "negotiable" and entry.ladder is None:
        at(f"negotiable clause {clause.id!r} needs a ladder")
    if clause.status != "negotiable" and entry.ladder is not None:
        at(f"only negotiable clauses take a ladder ({clause.id!r} is {clause.status})")
    for n, rule in enumerate(entry.choose):
        if rule.position not in clause.positions:
            at(f"unknown position {rule.position!r} of {clause.id!r}", "choose", n, "position")
    if entry.ladder:
        out += _ladder(library, key, loc, clause, entry.ladder)
    return out


def _ladder(library: Library, key: str, loc: list[Any], clause: Clause, ladder: Ladder) -> list[Issue]:
    out = []

    def at(message: str, *more: Any, **extra: Any) -> None:
        out.append(library.locate(key, [*loc, *more], message, **extra))

    for n, rung in enumerate(ladder.rungs):
        more = ("ladder", "preferred") if n == 0 else ("ladder", "fallbacks", n - 1)
        if rung.position not in clause.positions:
            at(f"unknown position {rung.position!r} (known: {', '.join(clause.positions)})", *more, "position")
        if rung.approver not in library.meta.roles:
            at(f"unknown role {rung.approver!r} (known: {', '.join(library.meta.roles)})", *more, "approver")
    if ladder.preferred.approver != "negotiator":
        at(
            "the preferred position needs no approval: its approver is 'negotiator'",
            "ladder",
            "preferred",
            "approver",
        )
    rungs = [r.position for r in ladder.rungs]
    if len(set(rungs)) != len(rungs):
        at("a position appears twice on the ladder", "ladder")
    if len(ladder.fallbacks) < 2:
        out.append(
            library.locate(key, [*loc, "ladder", "fallbacks"], "fewer than two approved fallbacks", severity="warning")
        )
    return out


def _defined_terms(library: Library, playbook: Playbook) -> list[Issue]:
    seen: dict[str, str] = {}
    issues = []
    for entry in playbook.entries():
        clause = library.clauses[entry.clause]
        terms = {t for p in clause.positions.values() for t in defined_terms(p.text)}
        for term in sorted(terms):
            if term in seen and seen[term] != clause.id:
                issues.append(
                    library.locate(
                        f"clause:{clause.id}",
                        ["positions"],
                        f"term {term!r} is already defined in clause {seen[term]!r}",
                        hint="define each term once; use it capitalised elsewhere",
                    )
                )
            seen.setdefault(term, clause.id)
    return issues


def _rendering(library: Library, playbook: Playbook) -> list[Issue]:
    """Render every position of every clause against the specimen deal: unknown variables,
    broken cross-references and bad filters show up here, not in a lawyer's draft."""
    deal = facts.specimen(library, playbook.id)
    assembler = _Assembler(library, deal, playbook, include_all=True)
    with suppress(ValidationFailed):  # its issues are collected below, with everything else
        assembler.run()
    issues = list(assembler.issues)
    for entry in playbook.entries():
        clause = library.clauses[entry.clause]
        number = assembler.numbers[clause.id][0]
        for pid, position in clause.positions.items():
            try:
                assembler.paragraphs(position.text, number)
            except TextError as exc:
                issues.append(library.locate_text(clause.id, pid, str(exc), exc.offset, hint=TEXT_HINT))
    return issues


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
