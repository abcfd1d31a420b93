"""Verifying received agreements: `contractkit verify`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from contractkit.cli.kit import EXIT_ERROR, FORMAT, emit_json, library, trust


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--against",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Deal file: also check that every clause is exactly what the deal and its positions produce.",
)
@trust("A drafter's public key: manifests it signed are trusted (repeatable; besides your own and trusted/).")
@click.option(
    "--ocr/--no-ocr",
    default=True,
    show_default=True,
    help="PDF: render each page and read it with Tesseract OCR, so that what is printed is checked against the text.",
)
@FORMAT
@click.pass_context
def verify(
    ctx: click.Context, *, files: tuple[Path, ...], against: Path | None, trust: tuple[Path, ...], ocr: bool, fmt: str
) -> None:
    """Verify received agreements (.docx or .pdf): locked clauses intact, no exclusivity, every deviation shown.

    Exit status: 0 every document complies; 3 a document does not comply (each finding is
    reported); 1 a document cannot be verified (unreadable, encrypted, not an agreement, or over
    the safety limits), or without --against nothing vouches for the deal values in its locked
    clauses (no manifest signed by a key you trust). See docs/verify.md.
    """
    from contractkit.checking.verify import lines, verify_path
    from contractkit.errors import CannotVerify, NotCompliant
    from contractkit.trust.keys import drafters

    lib = library(ctx)
    keyring = drafters(trust)
    results: list[dict[str, Any]] = []
    failed = noncompliant = 0
    for path in files:
        try:
            report = verify_path(lib, path, against=against, keyring=keyring, ocr=ocr)
        except CannotVerify as exc:
            failed += 1
            click.echo(exc.lines()[0], err=True)
            results.append({"file": str(path), "compliant": None, "error": str(exc), "findings": [], "manifest": None})
            continue
        if report.verdict == "cannot verify":
            failed += 1
            click.echo(
                f"{path}: cannot verify: pass --against DEAL.yaml, or trust the drafter's key (--trust KEY.pub): "
                f"{report.unproven}",
                err=True,
            )
        noncompliant += report.verdict == "does not comply"
        results.append(report.as_dict())
        if fmt == "text":
            for line in lines(report):
                click.echo(line)
    if fmt == "json":
        emit_json(results[0] if len(results) == 1 else results)
    if failed:
        ctx.exit(EXIT_ERROR)
    if noncompliant:
        raise NotCompliant(f"{noncompliant} of {len(files)} document(s) do not comply")


COMMANDS: list[click.Command] = [verify]
