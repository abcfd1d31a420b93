"""What verification reports: each Finding (one reason a document does not comply, or deserves a
look) and the Report on one document.

The readers of received documents (word.reader, pdf.read, pdf.inspect) produce findings, and
checking.verify gathers them with its own into a report, so the vocabulary sits below them all.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Kind = Literal[
    "missing", "altered", "tracked-changes", "exclusivity", "added", "removed", "provenance", "redefinition",
    # a manifest not signed by a trusted key, or changed after signing (checking.verify._trust)
    "signature",
    # what a reader sees differs from what the text says (word.reader.style, word.reader.document)
    "hidden-text", "invisible-text", "tiny-text", "struck-text", "displaced-text", "distorted-text",
    # what Word shows besides the text (word.reader.document, checking.verify_docx)
    "symbol", "field", "numbering", "content-control", "alternate-content", "object", "comment", "unread-text",
    # characters that are not what they look like (core.text.suspicious)
    "invisible-character", "bidi-control", "mixed-script", "lookalike",
    # a PDF judged by what it draws (pdf.inspect, pdf.ocr); PDF hidden text is "hidden-text", tiny text "tiny-text"
    "covered-text", "low-contrast-text", "clipped-text", "annotation", "form-field", "attachment", "ocr-mismatch",
]  # fmt: skip
Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One reason the document does not comply (or, as a warning, deserves a look)."""

    kind: Kind
    clause: str | None
    principle: str
    detail: str
    diff: str | None = None
    severity: Severity = "error"
    location: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Report:
    """The result of verifying one document."""

    file: str
    format: str
    findings: list[Finding]
    manifest: dict[str, Any] | None
    clauses: int = 0  # clauses found and checked
    locked: int = 0  # locked clauses found intact
    unproven: str = ""  # why compliance cannot be shown (deal values nothing vouches for), if so

    @property
    def compliant(self) -> bool:
        return self.verdict == "complies"

    @property
    def verdict(self) -> Literal["complies", "does not comply", "cannot verify"]:
        """A finding that fails the check decides; otherwise unproved deal values leave it open."""
        if any(f.severity == "error" for f in self.findings):
            return "does not comply"
        return "cannot verify" if self.unproven else "complies"

    def as_dict(self) -> dict[str, Any]:
        cannot = self.verdict == "cannot verify"
        return {
            "file": self.file,
            "format": self.format,
            "compliant": None if cannot else self.compliant,
            "error": f"cannot verify: {self.unproven}" if cannot else None,
            "findings": [f.as_dict() for f in self.findings],
            "manifest": self.manifest,
            "clauses_checked": self.clauses,
            "locked_intact": self.locked,
        }
