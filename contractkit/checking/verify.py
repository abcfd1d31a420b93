"""Verify a received agreement (DOCX or PDF): locked clauses intact, no exclusivity, every deviation shown.

Locks inside Word are only a hint, so the document the partner sends back is read as a reader sees
it, with hostile-input limits (received), split into clauses (content-control tags, else heading
styles, else numbered headings in the PDF text: verify_segments) and compared with what the
library produces (verify_text, verify_findings). In a DOCX every paragraph must be accounted for and
everything Word shows is read (verify_docx). The result is a Report; the CLI prints it and exits 0
(complies), 3 (does not) or 1 (cannot tell).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contractkit.checking import verify_findings
from contractkit.checking.received import read, sniff
from contractkit.checking.verify_report import lines, provenance, summary
from contractkit.checking.verify_segments import assign, docx_segments, pdf_preamble, pdf_segments
from contractkit.checking.verify_text import Expected, Segment, compare, fold, unique
from contractkit.core.findings import Finding, Report
from contractkit.core.text import normalise
from contractkit.errors import CannotVerify, ContractkitError
from contractkit.library.deal import Deal
from contractkit.library.loading import Library
from contractkit.library.model import Playbook
from contractkit.word.reader.document import Block

if TYPE_CHECKING:
    from contractkit.checking import verify_docx
    from contractkit.drafting.assemble import Agreement
    from contractkit.trust.keys import Keyring
    from contractkit.word.profile import Profile
    from contractkit.word.reader.package import Limits

__all__ = ["lines", "verify", "verify_path"]
MAX_FILE_BYTES = 100 * 1024 * 1024


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
        items: list[verify_findings.Scanned] = [(None, None, pdf_preamble(received.text, expected))]
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
    findings += verify_findings.for_clauses(expected, pairs, outcomes, extra, exact=deal is not None)
    if received.docx is not None:
        from contractkit.checking.verify_docx import Context

        ctx = Context(received.docx, _profile(library, playbook), expected, pairs, outcomes, extra, library, playbook)
        findings += _docx(ctx, agreement)
    findings += verify_findings.exclusivity(library, items + verify_findings.to_scan(pairs, outcomes, extra, outside))
    report = Report(
        name, received.format, unique(findings), summary(received.claimed, received.format, received.signature)
    )
    report.clauses = len(pairs)
    report.locked = sum(1 for (e, _), o in zip(pairs, outcomes, strict=True) if e.locked and o.ok)
    if deal is None and manifest is None:
        report.unproven = verify_findings.unproven(pairs, outcomes)
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


# ----------------------------------------------------------------------------- which playbook


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
