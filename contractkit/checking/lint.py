"""The library lint: every problem in the clauses, playbooks, rule file and Word templates, found
by checking them and by trial drafts of every playbook through its template (so it sits above the
word layer). Every function returns all the issues it finds; none stops at the first."""

from __future__ import annotations

from collections import Counter
from contextlib import suppress
from pathlib import Path
from typing import Any

from jinja2 import TemplateSyntaxError

from contractkit.core.sandbox import sandbox
from contractkit.core.text import TextError, defined_terms, split_lines
from contractkit.drafting.assemble import TEXT_HINT, _Assembler, assemble
from contractkit.errors import ContractkitError, Issue, ValidationFailed
from contractkit.library import exclusivity_checks, facts
from contractkit.library.checks import principle_label
from contractkit.library.exclusivity import detect
from contractkit.library.exclusivity_checks import P3_HINT, plain_source
from contractkit.library.loading import Library
from contractkit.library.model import PRINCIPLE_NAMES, PRINCIPLES, Clause, Ladder, Playbook

# The policy guarantee, in code so that no library edit can drop it: these clauses must exist,
# be locked, serve these principles and appear in every playbook.
GUARANTEED = {
    "non-exclusivity": "P3",
    "national-benefit": "P3",
    "open-standards": "P3",
    "transparency": "P4",
}


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
        issues += templates[path] + template_text(library, path)
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


def template_text(library: Library, path: Path) -> list[Issue]:
    """Exclusivity wording in a Word template's own text (cover, recitals, headers, footers)."""
    from contractkit.word.reader.document import read_docx

    try:
        content = read_docx(path.read_bytes())
    except (OSError, ContractkitError):
        return []  # an unreadable template is reported by the template checks
    places = [(f"paragraph {n}", b.text) for n, b in enumerate(content.blocks, 1)]
    places += [(f"header or footer paragraph {n}", b.text) for n, b in enumerate(content.notes, 1)]
    return [
        Issue(
            f"exclusivity language in the template's text: {hit.summary()}", file=str(path), field=where, hint=P3_HINT
        )
        for where, text in places
        if text.strip()
        for hit in detect(plain_source(text), library.rules)
    ]
