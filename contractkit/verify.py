"""Verify a received agreement (DOCX or PDF): locked clauses intact, no exclusivity, every deviation shown.

Locks inside Word are only a hint, so the document the partner sends back is read with hostile-input
limits (docx_io, pdf_read), split into clauses (content-control tags, else heading styles, else
numbered headings in the PDF text) and compared with what the library produces (verify_text).
The result is a Report; the CLI prints it and exits 0 (complies), 3 (does not) or 1 (cannot tell).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .docx_io import Block
from .errors import CannotVerify, ContractkitError
from .loading import Library
from .model import Deal, Playbook
from .text import normalise
from .verify_text import (
    Expected,
    Finding,
    Outcome,
    Report,
    Segment,
    Severity,
    compare,
    exclusivity,
    fold,
    unique,
)

MANIFEST_PROPERTY = "contractkit.manifest"  # as written by render_docx (not imported: it pulls docxtpl)
MAX_FILE_BYTES = 100 * 1024 * 1024
HEADING_STYLES = frozenset({"Clause 1", "Schedule 1"})
_BODY_STYLE = re.compile(r"^(Clause|Schedule)( Text)? [2-9]$|^(Clause|Schedule) Text$")
SEPARATOR = " ; "  # between scanned paragraphs: a pattern made of words, \s and [^.;] cannot span it
ADDED_PRINCIPLES = "P3, P4"  # change control: nothing outside the agreed text (topic 28)


@dataclass
class Received:
    """A document as read back, before it is split into clauses."""

    format: str
    manifest: dict[str, Any] | None
    head: str  # the first part of the text, to recognise the playbook by its title
    blocks: list[Block] = field(default_factory=list)  # DOCX body paragraphs
    notes: list[Block] = field(default_factory=list)  # DOCX headers, footers and notes
    text: str = ""  # PDF: the whole normalised text
    issues: list[Finding] = field(default_factory=list)

    def all_text(self) -> str:
        return self.text or "\n".join(b.text for b in self.blocks)


# ----------------------------------------------------------------------------- entry points


def verify_path(library: Library, path: Path, *, against: Path | None = None, ocr: bool = True) -> Report:
    """Verify the file at `path`, optionally against the deal file `against` (`ocr`: cross-check PDF pages)."""
    deal = None
    if against is not None:
        from .loading import load_deal

        deal = load_deal(against, library)[0]
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise CannotVerify(f"the file is larger than {MAX_FILE_BYTES} bytes")
        data = path.read_bytes()
    except OSError as exc:
        raise ContractkitError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        return verify(library, data, name=str(path), deal=deal, ocr=ocr)
    except CannotVerify as exc:
        raise CannotVerify(f"{path}: cannot verify: {exc}", hint=exc.hint) from None


def verify(
    library: Library, data: bytes, *, name: str = "document", deal: Deal | None = None, ocr: bool = True
) -> Report:
    """Every finding for one document; raises CannotVerify if it cannot be read as an agreement."""
    received = read(data, ocr=ocr)
    manifest = received.manifest
    playbook = choose_playbook(library, manifest, deal, received.head, received.all_text())
    expected = _expected(library, playbook, manifest, deal)
    if received.format == "pdf":
        extra: list[Segment] = []
        from .pdf_read import pdf_preamble, pdf_segments

        pairs, outside = pdf_segments(received.text, expected), [pdf_preamble(received.text, expected)]
    else:
        segments, loose = docx_segments(received.blocks)
        pairs, extra = assign(expected, segments, {fold(c.title) for c in library.clauses.values()})
        outside = [b.text for b in loose + received.notes]
    if not pairs:
        raise CannotVerify(f"no clause of the {playbook.title} was found: not an agreement from this library")
    findings = received.issues + provenance(manifest, library, playbook, deal)
    outcomes = [compare(e, s) for e, s in pairs]
    findings += _clauses(expected, pairs, outcomes, extra, exact=deal is not None)
    findings += _scan(library, pairs, outcomes, extra, outside)
    report = Report(name, received.format, unique(findings), summary(manifest, received.format))
    report.clauses = len(pairs)
    report.locked = sum(1 for (e, _), o in zip(pairs, outcomes, strict=True) if e.locked and o.ok)
    return report


def _expected(
    library: Library, playbook: Playbook, manifest: dict[str, Any] | None, deal: Deal | None
) -> list[Expected]:
    from .verify_text import from_agreement, from_library

    if deal is None:
        return from_library(library, playbook, manifest)
    from .assemble import assemble

    return from_agreement(assemble(library, deal))


# ----------------------------------------------------------------------------- reading


def sniff(data: bytes) -> str:
    """'docx' or 'pdf' by content, never by file name; a file that is two formats at once is refused."""
    from .filetype import classify

    return classify(data)


def read(data: bytes, *, ocr: bool = True) -> Received:
    if sniff(data) == "pdf":
        from .pdf_read import read_pdf

        content = read_pdf(data, ocr=ocr)
        text = normalise(content.text)
        return Received("pdf", _valid(content.manifest), text[:3000], text=text, issues=content.issues)
    from .docx_io import read_docx

    docx = read_docx(data)
    manifest, issues = None, []
    raw = docx.custom.get(MANIFEST_PROPERTY)
    if raw:
        try:
            manifest = _valid(json.loads(raw))
        except ValueError:
            manifest = None
        if manifest is None:
            issues.append(Finding("provenance", None, "P4", "the manifest is unreadable; ignored", severity="warning"))
    head = " ".join(b.text for b in docx.blocks[:40])
    return Received("docx", manifest, head, docx.blocks, docx.notes, issues=issues)


def _valid(manifest: Any) -> dict[str, Any] | None:
    if not isinstance(manifest, dict) or not isinstance(manifest.get("clauses"), list):
        return None
    return manifest if all(isinstance(c, dict) for c in manifest["clauses"]) else None


def choose_playbook(
    library: Library, manifest: dict[str, Any] | None, deal: Deal | None, head: str, text: str
) -> Playbook:
    """The deal's playbook, else the manifest's, else the one whose title the document bears."""
    if deal is not None:
        return library.playbooks[deal.playbook]
    named = (manifest or {}).get("playbook")
    if isinstance(named, dict) and named.get("id") in library.playbooks:
        return library.playbooks[named["id"]]
    titled = sorted((p for p in library.playbooks.values() if fold(p.title) in fold(head)), key=lambda p: -len(p.title))
    if titled:
        return titled[0]
    return _most_headings(library, fold(text))


def _most_headings(library: Library, text: str) -> Playbook:
    """Without a manifest or title: the playbook whose clause headings the document has most of."""
    scores = [
        (sum(fold(library.clauses[e.clause].title) in text for e in p.entries() if e.clause in library.clauses), p)
        for p in library.playbooks.values()
    ]
    best, playbook = max(scores, key=lambda s: s[0])
    if not best:
        raise CannotVerify("not an agreement: none of the library's clause headings is in it")
    return playbook


# ----------------------------------------------------------------------------- finding the clauses


def _by_position(expected: list[Expected], segments: list[Segment], known: set[str], taken: dict[str, int]) -> None:
    """A required clause not found by tag or heading takes the one unknown segment where it belongs."""
    for k, exp in enumerate(expected):
        if exp.id in taken or not exp.required or len(taken) == len(segments):
            continue
        low = max((taken[e.id] for e in expected[:k] if e.id in taken), default=-1)
        high = min((taken[e.id] for e in expected[k + 1 :] if e.id in taken), default=len(segments))
        free = [
            i
            for i in range(low + 1, high)
            if i not in taken.values() and not segments[i].clause and fold(segments[i].title) not in known
        ]
        if len(free) == 1:
            taken[exp.id] = free[0]


def docx_segments(blocks: list[Block]) -> tuple[list[Segment], list[Block]]:
    """Clauses by content-control tag, else by heading style; and the paragraphs outside any clause."""
    segments: list[Segment] = []
    bodies: list[list[str]] = []
    loose: list[Block] = []
    current: Segment | None = None
    for block in blocks:
        new_tag = block.clause and (current is None or current.clause != block.clause)
        if new_tag or (not block.clause and block.style in HEADING_STYLES):
            heading = block.style in HEADING_STYLES
            current = Segment(block.text if heading else "", "", block.clause, [block])
            segments.append(current)
            bodies.append([] if heading else [block.text])
        elif current is not None and (
            (block.clause and block.clause == current.clause) or _BODY_STYLE.match(block.style)
        ):
            current.blocks.append(block)
            bodies[-1].append(block.text)
        else:
            current = None
            loose.append(block)
    for segment, texts in zip(segments, bodies, strict=True):
        segment.body = normalise_lines([t for t in texts if t.strip()])
    return segments, loose


def normalise_lines(texts: list[str]) -> str:
    """Each text in normalised form, one per line."""
    return "\n".join(normalise(t) for t in texts)


def assign(
    expected: list[Expected], segments: list[Segment], known: set[str]
) -> tuple[list[tuple[Expected, Segment]], list[Segment]]:
    """Pair expected clauses with segments: by tag, then by heading, then by position (heading changed)."""
    taken: dict[str, int] = {}
    ids = {e.id for e in expected}
    for i, segment in enumerate(segments):
        if segment.clause in ids and segment.clause not in taken:
            taken[segment.clause] = i
    by_title: dict[str, list[Expected]] = {}
    for exp in expected:
        by_title.setdefault(fold(exp.title), []).append(exp)
    for i, segment in enumerate(segments):
        if i in taken.values() or (segment.clause and segment.clause not in ids):
            continue
        match = next((e for e in by_title.get(fold(segment.title), []) if e.id not in taken), None)
        if match is not None:
            taken[match.id] = i
    _by_position(expected, segments, known, taken)
    by_id = {e.id: e for e in expected}
    pairs = [(by_id[c], segments[i]) for c, i in sorted(taken.items(), key=lambda item: item[1])]
    claimed = set(taken.values())
    extra = [s for i, s in enumerate(segments) if i not in claimed]
    return pairs, extra


# ----------------------------------------------------------------------------- findings


def _clauses(
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


def _scan(
    library: Library,
    pairs: list[tuple[Expected, Segment]],
    outcomes: list[Outcome],
    extra: list[Segment],
    outside: list[str],
) -> list[Finding]:
    """The exclusivity scan over everything but a locked clause's own (intact) words, clause by clause."""
    chunks: dict[str | None, list[str]] = {None: [normalise_lines([t for t in outside if t.strip()])]}
    for (exp, segment), outcome in zip(pairs, outcomes, strict=True):
        chunks.setdefault(exp.id, []).extend(_scannable(exp, segment, outcome))
    for segment in extra:
        chunks.setdefault(segment.clause, []).extend([normalise(segment.title), segment.body])
    findings = []
    for where, texts in chunks.items():
        text = SEPARATOR.join(texts).replace("\n", SEPARATOR)
        findings += exclusivity(text, library.meta.exclusivity_patterns, where, normalised=True)
    return findings


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
    what = f"tagged {segment.clause!r}" if segment.clause else f"headed {segment.title!r}"
    return Finding(
        "added",
        segment.clause,
        ADDED_PRINCIPLES,
        f"a clause {what} that is not in the agreement{' the deal produces' if exact else ''}",
        severity=_severity(exact),
    )


def clause_findings(exp: Expected, segment: Segment, outcome: Outcome) -> list[Finding]:
    """Altered text, tracked changes and hidden text in one clause."""
    what = "locked clause" if exp.locked else "clause"
    out = _text_findings(exp, outcome, what)
    revised = [b for b in segment.blocks if b.has_revisions]
    if revised:
        inserted = " ".join(t for b in revised for t in b.inserted).strip()
        deleted = " ".join(t for b in revised for t in b.deleted).strip()
        detail = f"{what} {exp.title!r} has pending tracked changes in {len(revised)} paragraph(s)"
        diff = " ".join(x for x in (f"[-{deleted}-]" if deleted else "", f"{{+{inserted}+}}" if inserted else "") if x)
        out.append(Finding("tracked-changes", exp.id, exp.principles, detail, diff or None, exp.severity))
    hidden = " ".join(t for b in segment.blocks for t in b.hidden).strip()
    if hidden:
        detail = f"{what} {exp.title!r} has hidden text: {hidden[:200]!r}"
        out.append(Finding("hidden-text", exp.id, exp.principles, detail, severity=exp.severity))
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


def _scannable(exp: Expected, segment: Segment, outcome: Outcome) -> list[str]:
    """What of a clause to scan: a locked clause's own words deny exclusivity, so only what differs."""
    if not exp.locked:
        return [normalise(segment.title), segment.body]
    return [*outcome.fills, *outcome.changed, outcome.trailing]


def provenance(
    manifest: dict[str, Any] | None, library: Library, playbook: Playbook, deal: Deal | None
) -> list[Finding]:
    """Check the versions the document says it was drafted from against the library (and the deal)."""
    if manifest is None:
        return []
    out = []
    if manifest.get("library_version") != library.version:
        detail = f"drafted from library {manifest.get('library_version')}; this library is {library.version}"
        out.append(Finding("provenance", None, "P4", detail, severity="warning"))
    named = _mapping(manifest.get("playbook"))
    if (named.get("id"), named.get("version")) != (playbook.id, playbook.version):
        detail = (
            f"drafted from playbook {named.get('id')} {named.get('version')}; expected {playbook.id} {playbook.version}"
        )
        out.append(Finding("provenance", None, "P4", detail, severity="warning"))
    out += [f for record in manifest["clauses"] if (f := _clause_version(library, record))]
    info = _mapping(manifest.get("agreement"))
    if deal and (info.get("reference"), info.get("version")) != (deal.agreement.reference, deal.agreement.version):
        detail = (
            f"the document is agreement {info.get('reference')} version {info.get('version')}; "
            f"the deal is {deal.agreement.reference} version {deal.agreement.version}"
        )
        out.append(Finding("provenance", None, "P4", detail))
    return out


def _clause_version(library: Library, record: dict[str, Any]) -> Finding | None:
    clause = library.clauses.get(str(record.get("id")))
    if clause is None:
        return Finding(
            "provenance", None, "P4", f"the manifest lists unknown clause {record.get('id')!r}", severity="warning"
        )
    if record.get("version") == clause.version:
        return None
    detail = f"clause {clause.id!r} was drafted from version {record.get('version')}; library has {clause.version}"
    return Finding(
        "provenance", clause.id, ", ".join(clause.principles), detail, severity=_severity(clause.status == "locked")
    )


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def summary(manifest: dict[str, Any] | None, fmt: str) -> dict[str, Any] | None:
    """What the report says about the manifest: where it was, and what it claims."""
    if manifest is None:
        return None
    return {
        "source": "PDF attachment contractkit-manifest.json" if fmt == "pdf" else "DOCX custom property",
        "library_version": manifest.get("library_version"),
        "playbook": manifest.get("playbook"),
        "agreement": manifest.get("agreement"),
        "final": manifest.get("final"),
        "clauses": len(manifest["clauses"]),
    }


# ----------------------------------------------------------------------------- text output


def lines(report: Report) -> list[str]:
    """The report as plain text for the terminal."""
    verdict = "complies" if report.compliant else "DOES NOT COMPLY"
    errors = sum(f.severity == "error" for f in report.findings)
    head = (
        f"{report.file}: {verdict} ({report.clauses} clauses checked, {report.locked} locked clauses intact, "
        f"{errors} finding(s), {len(report.findings) - errors} warning(s))"
    )
    manifest = report.manifest
    if manifest is None:
        head += "; no manifest: verified against the library text"
    out = [head]
    for finding in report.findings:
        tag = "warning" if finding.severity == "warning" else finding.kind
        where = f" clause {finding.clause}" if finding.clause else ""
        where += f" ({finding.location})" if finding.location else ""
        out.append(
            f"  {tag}{where} [{finding.principle}]: {finding.detail}"
            + (f" ({finding.kind})" if tag == "warning" else "")
        )
        if finding.diff:
            out.append(f"      {finding.diff}")
    return out
