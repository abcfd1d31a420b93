"""A received document read as a reader sees it, before it is split into clauses: its format
(decided by content), its text and paragraphs, what a reader would see differently from its text,
and its manifest, used only when it is signed by a key the reader trusts.

DOCX files are read by word.reader, PDFs by pdf.read, both with hostile-input limits.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from contractkit.core.findings import Finding, Severity
from contractkit.core.text import deconfuse, normalise, suspicious
from contractkit.word.reader.document import Block, DocxContent, Mark

if TYPE_CHECKING:
    from contractkit.trust.keys import Keyring
    from contractkit.trust.signing import Check
    from contractkit.word.reader.package import Limits

MANIFEST_PROPERTY = "contractkit.manifest"  # as written by word.render (not imported: it pulls docxtpl)
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
