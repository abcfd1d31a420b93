"""What verify finds in the clauses it has paired with the library's: clauses missing, added or
altered, pending tracked changes, and exclusivity wording anywhere in the text read (the library's
detector, run with the parties the document names).
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

from contractkit.checking.verify_docx import first_difference
from contractkit.checking.verify_text import Expected, Outcome, Segment
from contractkit.core.findings import Finding, Severity
from contractkit.core.text import normalise
from contractkit.library.loading import Library
from contractkit.word.reader.document import Block

ADDED_PRINCIPLES = "P3, P4"  # change control: nothing outside the agreed text (topic 28)
Scanned = tuple[str | None, str | None, str]  # clause, location, normalised text


def for_clauses(
    expected: list[Expected],
    pairs: list[tuple[Expected, Segment]],
    outcomes: list[Outcome],
    extra: list[Segment],
    *,
    exact: bool,
) -> list[Finding]:
    found = {e.id for e, _ in pairs}
    findings = [_missing(e, exact) for e in expected if e.required and e.id not in found]
    for (exp, segment), outcome in zip(pairs, outcomes, strict=True):
        findings += clause_findings(exp, segment, outcome)
    return findings + [_added(segment, exact) for segment in extra]


def exclusivity(library: Library, items: list[Scanned]) -> list[Finding]:
    """The exclusivity detector over everything read, clause by clause, with the parties the document
    names; each finding says where its words are."""
    from contractkit.library.exclusivity import Parties, detect
    from contractkit.library.exclusivity_checks import finding_text

    chunks: dict[str | None, list[tuple[str | None, str]]] = {}
    for clause, location, text in items:
        for line in text.split("\n"):
            if line.strip():
                chunks.setdefault(clause, []).append((location, line))
    parties = Parties.from_text("\n".join(t for pieces in chunks.values() for _, t in pieces))
    findings = []
    for where, pieces in chunks.items():
        for hit in detect("\n".join(t for _, t in pieces), library.rules, parties):
            location = pieces[hit.line][0] if 0 <= hit.line < len(pieces) else None
            findings.append(Finding("exclusivity", where, "P3", finding_text(hit), location=location))
    return findings


def to_scan(
    pairs: list[tuple[Expected, Segment]], outcomes: list[Outcome], extra: list[Segment], outside: list[Block]
) -> list[Scanned]:
    """All the text to scan, with its clause and location."""
    items: list[Scanned] = [(None, b.location, normalise(f"{b.label} {b.text}")) for b in outside]
    for (exp, segment), outcome in zip(pairs, outcomes, strict=True):
        items += _scannable(exp, segment, outcome)
    for segment in extra:
        items += [(segment.clause, b.location, normalise(b.text)) for b in segment.blocks]
    return items


def _missing(exp: Expected, exact: bool) -> Finding:
    if exp.locked:
        return Finding("missing", exp.id, exp.principles, f"locked clause {exp.title!r} is missing")
    return Finding(
        "removed",
        exp.id,
        exp.principles,
        f"clause {exp.title!r} is missing ({'the deal' if exact else 'the manifest'} includes it)",
        severity=_severity(exact),
    )


def _severity(strict: bool) -> Severity:
    return "error" if strict else "warning"


def _added(segment: Segment, exact: bool) -> Finding:
    """A clause the playbook does not have: an addition, which fails the check with or without the deal."""
    what = f"tagged {segment.clause!r}" if segment.clause else f"headed {segment.title!r}"
    where = segment.blocks[0].location if segment.blocks else None
    detail = f"a clause {what} that is not in the agreement{' the deal produces' if exact else ''}"
    return Finding("added", segment.clause, ADDED_PRINCIPLES, detail, location=where)


def clause_findings(exp: Expected, segment: Segment, outcome: Outcome) -> list[Finding]:
    """Altered text and tracked changes in one clause."""
    what = "locked clause" if exp.locked else "clause"
    where = (
        first_difference(exp, segment) if not outcome.ok else (segment.blocks[0].location if segment.blocks else None)
    )
    out = [replace(f, location=where) for f in _text_findings(exp, outcome, what)]
    revised = [b for b in segment.blocks if b.has_revisions]
    if revised:
        inserted = " ".join(t for b in revised for t in b.inserted).strip()
        deleted = " ".join(t for b in revised for t in b.deleted).strip()
        detail = f"{what} {exp.title!r} has pending tracked changes in {len(revised)} paragraph(s)"
        diff = " ".join(x for x in (f"[-{deleted}-]" if deleted else "", f"{{+{inserted}+}}" if inserted else "") if x)
        finding = Finding("tracked-changes", exp.id, exp.principles, detail, diff or None, exp.severity)
        out.append(replace(finding, location=revised[0].location))
    return out


def _text_findings(exp: Expected, outcome: Outcome, what: str) -> list[Finding]:
    if not outcome.ok:
        against = (
            "the text the deal produces"
            if exp.exact
            else "the canonical text"
            if exp.locked
            else "any approved position"
        )
        detail = f"{what} {exp.title!r} differs from {against}"
        return [Finding("altered", exp.id, exp.principles, detail, outcome.diff, exp.severity)]
    if exp.sha256 and not exp.exact and hashlib.sha256(outcome.text.encode()).hexdigest() != exp.sha256:
        values = ", ".join(repr(v) for v in outcome.fills) or "none"
        detail = f"{what} {exp.title!r}: its deal values ({values}) differ from those recorded when it was drafted"
        return [Finding("altered", exp.id, exp.principles, detail + " (manifest hash)", severity=exp.severity)]
    return []


def _scannable(exp: Expected, segment: Segment, outcome: Outcome) -> list[Scanned]:
    """What of a clause to scan: all of it, except that of an intact locked clause, whose own words
    deny exclusivity, only the deal's values and any text after its end."""
    if not exp.locked or not outcome.ok:
        if segment.blocks:
            return [(exp.id, b.location, normalise(b.text)) for b in segment.blocks]
        return [(exp.id, None, t) for t in (normalise(segment.title), segment.body, outcome.trailing)]
    where = segment.blocks[0].location if segment.blocks else None
    return [(exp.id, where, t) for t in (*outcome.fills, outcome.trailing)]


def unproven(pairs: list[tuple[Expected, Segment]], outcomes: list[Outcome]) -> str:
    """Without the deal or a trusted manifest, nothing vouches for the deal values inside locked
    clauses (a party name, a date): the document can then be shown not to comply, never to comply."""
    clauses = [e.id for (e, _), o in zip(pairs, outcomes, strict=True) if e.locked and o.ok and o.fills]
    if not clauses:
        return ""
    return (
        f"the deal values in locked clause(s) {', '.join(clauses)} cannot be proved without the deal "
        "or a manifest signed by a key you trust"
    )
