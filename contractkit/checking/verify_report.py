"""The parts of a verification report that do not depend on the format: provenance and the text output."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from contractkit.core.findings import Finding, Report, Severity
from contractkit.library.deal import Deal
from contractkit.library.loading import Library
from contractkit.library.model import Playbook

if TYPE_CHECKING:
    from contractkit.trust.signing import Check


def _severity(strict: bool) -> Severity:
    return "error" if strict else "warning"


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


def summary(manifest: dict[str, Any] | None, fmt: str, check: Check | None = None) -> dict[str, Any] | None:
    """What the report says about the manifest: where it was, whether its signature is trusted,
    and what it claims (an untrusted manifest's claims are shown but were not used)."""
    if manifest is None:
        return None
    return {
        "source": "PDF attachment contractkit-manifest.json" if fmt == "pdf" else "DOCX custom property",
        "signature": check.as_dict() if check else None,
        "trusted": bool(check and check.trusted),
        "release": manifest.get("release"),
        "library_version": manifest.get("library_version"),
        "playbook": manifest.get("playbook"),
        "agreement": manifest.get("agreement"),
        "final": manifest.get("final"),
        "clauses": len(manifest["clauses"]),
    }


# ----------------------------------------------------------------------------- text output


def lines(report: Report) -> list[str]:
    """The report as plain text for the terminal."""
    verdict = {"complies": "complies", "does not comply": "DOES NOT COMPLY"}.get(report.verdict, "CANNOT VERIFY")
    errors = sum(f.severity == "error" for f in report.findings)
    head = (
        f"{report.file}: {verdict} ({report.clauses} clauses checked, {report.locked} locked clauses intact, "
        f"{errors} finding(s), {len(report.findings) - errors} warning(s))"
    )
    manifest = report.manifest
    if manifest is None:
        head += "; no manifest: verified against the library text"
    elif not manifest.get("trusted"):
        head += "; manifest not trusted: verified against the library text"
    out = [head]
    if report.verdict == "cannot verify":
        out.append(f"  cannot verify: {report.unproven} (pass --against DEAL.yaml, or --trust the drafter's key)")
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
