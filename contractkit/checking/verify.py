"""Verify a received agreement (DOCX or PDF): locked clauses intact, no exclusivity, every deviation shown.

Locks inside Word are only a hint, so the document the partner sends back is read as a reader sees
it, with hostile-input limits (docx_read, pdf_read), split into clauses (content-control tags, else
heading styles, else numbered headings in the PDF text) and compared with what the library produces
(verify_text). In a DOCX every paragraph must be accounted for and everything Word shows is read
(verify_docx). The result is a Report; the CLI prints it and exits 0 (complies), 3 (does not) or 1
(cannot tell).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contractkit.checking.verify_docx import first_difference
from contractkit.checking.verify_report import lines, provenance, summary
from contractkit.checking.verify_segments import assign, docx_segments, pdf_preamble, pdf_segments
from contractkit.checking.verify_text import Expected, Outcome, Segment, compare, fold, unique
from contractkit.core.findings import Finding, Report, Severity
from contractkit.core.text import deconfuse, normalise, suspicious
from contractkit.errors import CannotVerify, ContractkitError
from contractkit.library.deal import Deal
from contractkit.library.loading import Library
from contractkit.library.model import Playbook
from contractkit.word.reader.document import Block, DocxContent, Mark

if TYPE_CHECKING:
    from contractkit.checking import verify_docx
    from contractkit.drafting.assemble import Agreement
    from contractkit.trust.keys import Keyring
    from contractkit.trust.signing import Check
    from contractkit.word.profile import Profile
    from contractkit.word.reader.package import Limits

__all__ = ["lines", "verify", "verify_path"]
MANIFEST_PROPERTY = "contractkit.manifest"  # as written by render_docx (not imported: it pulls docxtpl)
MAX_FILE_BYTES = 100 * 1024 * 1024
ADDED_PRINCIPLES = "P3, P4"  # change control: nothing outside the agreed text (topic 28)
PDF_FLAGS = frozenset({"bidi-control", "mixed-script"})  # PDF extraction yields ligatures and odd spaces of its own


@dataclass
class Received:
    """A document as read back, before it is split into clauses."""

    format: str
    manifest: dict[str, Any] | None
    head: str  # the first part of the text, to recognise the playbook by its title
    blocks: list[Block] = field(default_factory=list)  # DOCX body paragraphs
    notes: list[Block] = field(default_factory=list)  # DOCX headers, footers, notes and comments
    text: str = ""  # PDF: the whole normalised text
    issues: list[Finding] = field(default_factory=list)
    docx: DocxContent | None = None
    claimed: dict[str, Any] | None = None  # the manifest as found, trusted or not
    signature: Check | None = None  # its signature check; `manifest` is set only when trusted

    def all_text(self) -> str:
        return self.text or "\n".join(b.text for b in self.blocks)


# ----------------------------------------------------------------------------- entry points


def verify_path(
    library: Library, path: Path, *, against: Path | None = None, keyring: Keyring | None = None, ocr: bool = True
) -> Report:
    """Verify the file at `path`, optionally against the deal file `against`; `keyring`: the keys
    whose signed manifests are trusted (default: this installation's, see keys.drafters); `ocr`:
    cross-check each PDF page as printed against its text."""
    deal = None
    if against is not None:
        from contractkit.library.deal_loading import load_deal

        deal = load_deal(against, library)[0]
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise CannotVerify(f"the file is larger than {MAX_FILE_BYTES} bytes")
        data = path.read_bytes()
    except OSError as exc:
        raise ContractkitError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        return verify(library, data, name=str(path), deal=deal, keyring=keyring, ocr=ocr)
    except CannotVerify as exc:
        raise CannotVerify(f"{path}: cannot verify: {exc}", hint=exc.hint) from None


def verify(
    library: Library,
    data: bytes,
    *,
    name: str = "document",
    deal: Deal | None = None,
    limits: Limits | None = None,
    keyring: Keyring | None = None,
    ocr: bool = True,
) -> Report:
    """Every finding for one document; raises CannotVerify if it cannot be read as an agreement."""
    if sniff(data) == "pdf":
        return _verify(library, data, name, deal, None, keyring=keyring, ocr=ocr)
    from contractkit.word.reader.package import Limits, deadline

    limits = limits or Limits()
    seconds = limits.max_seconds
    with deadline(seconds, f"verifying the document took longer than {seconds:g} s: refused"):
        return _verify(library, data, name, deal, limits, keyring=keyring)


def _verify(
    library: Library,
    data: bytes,
    name: str,
    deal: Deal | None,
    limits: Limits | None,
    *,
    keyring: Keyring | None,
    ocr: bool = False,
) -> Report:
    received = read(data, limits, keyring, ocr=ocr)
    manifest = received.manifest  # only a manifest signed by a trusted key
    playbook = choose_playbook(library, manifest, deal, received.head, received.all_text())
    agreement = _assemble(library, deal)
    expected = _expected(library, playbook, manifest, agreement)
    extra: list[Segment] = []
    outside: list[Block] = []  # DOCX paragraphs outside any clause, and the headers, footers and notes
    if received.format == "pdf":
        pairs = pdf_segments(received.text, expected)
        items: list[Scanned] = [(None, None, pdf_preamble(received.text, expected))]
    else:
        segments, loose = docx_segments(received.blocks)
        pairs, extra = assign(expected, segments, {fold(c.title) for c in library.clauses.values()})
        outside, kept = loose + received.notes, {id(b) for b in loose}
        worded = (b for b in received.blocks if id(b) not in kept and any(c.isalpha() for c in b.label))
        items = [(None, b.location, normalise(b.label)) for b in worded]
    if not pairs:
        raise CannotVerify(f"no clause of the {playbook.title} was found: not an agreement from this library")
    findings = received.issues + provenance(manifest, library, playbook, deal)
    outcomes = [compare(e, s) for e, s in pairs]
    findings += _clauses(expected, pairs, outcomes, extra, exact=deal is not None)
    if received.docx is not None:
        from contractkit.checking.verify_docx import Context

        ctx = Context(received.docx, _profile(library, playbook), expected, pairs, outcomes, extra, library, playbook)
        findings += _docx(ctx, agreement)
    findings += _scan(library, items + _scanned(pairs, outcomes, extra, outside))
    report = Report(
        name, received.format, unique(findings), summary(received.claimed, received.format, received.signature)
    )
    report.clauses = len(pairs)
    report.locked = sum(1 for (e, _), o in zip(pairs, outcomes, strict=True) if e.locked and o.ok)
    if deal is None and manifest is None:
        report.unproven = unproven(pairs, outcomes)
    return report


def _assemble(library: Library, deal: Deal | None) -> Agreement | None:
    if deal is None:
        return None
    from contractkit.drafting.assemble import assemble

    return assemble(library, deal)


def _expected(
    library: Library, playbook: Playbook, manifest: dict[str, Any] | None, agreement: Agreement | None
) -> list[Expected]:
    from contractkit.checking.verify_text import from_agreement, from_library

    return from_library(library, playbook, manifest) if agreement is None else from_agreement(agreement)


def _profile(library: Library, playbook: Playbook) -> Profile:
    from contractkit.word.profile import profile

    template = library.template_path(playbook)
    if not template.is_file():
        raise CannotVerify(f"the library's template {template} is missing, so the document cannot be accounted for")
    return profile(template)


def _docx(ctx: verify_docx.Context, agreement: Agreement | None) -> list[Finding]:
    """Everything but the clause wording: formatting, objects, fields, furniture, additions, redefinitions."""
    from contractkit.checking import verify_docx
    from contractkit.word.profile import deal_values

    if agreement is not None:
        from contractkit.word.render import template_context

        values = [*deal_values(template_context(agreement)), "draft", "final"]  # a final copy says "final"
        ctx = replace(ctx, cells=_cells(agreement), profile=ctx.profile.exact(values))
    return verify_docx.findings(ctx)


def _cells(agreement: Agreement) -> frozenset[str]:
    """Every table cell the deal's schedules print."""
    from contractkit.drafting.tables import TABLES

    rows = [row for s in agreement.schedules for kind in s.tables for row in TABLES[kind](agreement)[0]]
    return frozenset(normalise(cell) for row in rows for cell in row)


# ----------------------------------------------------------------------------- reading


def sniff(data: bytes) -> str:
    """'docx' or 'pdf' by content, never by file name; a file that is two formats at once is refused."""
    from contractkit.checking.filetype import classify

    return classify(data)


def read(data: bytes, limits: Limits | None = None, keyring: Keyring | None = None, *, ocr: bool = True) -> Received:
    """The document's text as a reader sees it and, if its signature checks against a trusted key, its manifest."""
    if sniff(data) == "pdf":
        from contractkit.pdf.read import read_pdf

        content = read_pdf(data, ocr=ocr)
        text = normalise(content.text)
        flagged = [Finding(k, None, "P4", d) for k, d in suspicious(text) if k in PDF_FLAGS]  # type: ignore[arg-type]
        issues = content.issues + flagged
        text = normalise(deconfuse(text))
        return _trust(Received("pdf", None, text[:3000], text=text, issues=issues), _valid(content.manifest), keyring)
    from contractkit.word.reader.document import read_docx

    docx = read_docx(data, limits)
    _characters(docx)
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
    return _trust(Received("docx", None, head, docx.blocks, docx.notes, issues=issues, docx=docx), manifest, keyring)


def _trust(received: Received, manifest: dict[str, Any] | None, keyring: Keyring | None) -> Received:
    """Use the manifest only if it is signed by a trusted key; otherwise say why it is set aside.

    A manifest whose signature by a trusted key does not match has been changed: that is an error."""
    if manifest is None:
        return received
    from contractkit.trust import keys, signing

    if keyring is None:
        keyring = keys.drafters() if "signature" in manifest else keys.Keyring()
    check = signing.check(manifest, keyring, "manifest")
    received.claimed, received.signature = manifest, check
    if check.trusted:
        received.manifest = manifest
        return received
    detail = check.describe("the manifest") + "; it is ignored, so it vouches for no deal value or clause hash"
    if check.status == "untrusted":
        detail += " (if you trust the drafter's key: --trust KEY.pub)"
    severity: Severity = "error" if check.status == "invalid" else "warning"
    received.issues.append(Finding("signature", None, "P4", detail, severity=severity))
    return received


def _characters(docx: DocxContent) -> None:
    """Look-alike, invisible and bidi characters become marks; the text is then read as a reader takes it."""
    for block in [*docx.blocks, *docx.notes]:
        for kind, detail in suspicious(f"{block.label} {block.text}"):
            docx.marks.append(Mark(kind, detail, block.location, block))
        block.text = deconfuse(block.text)
        block.label = deconfuse(block.label)


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


Scanned = tuple[str | None, str | None, str]  # clause, location, normalised text


def _scan(library: Library, items: list[Scanned]) -> list[Finding]:
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


def _scanned(
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
