"""PDF drafting and batch drafting (issue: PDF agreements)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from contractkit.cli.kit import EXIT_ERROR, FORMAT, emit_json, library, table

COMMANDS: list[click.Command] = []


@click.command()
@click.argument("deals", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--outdir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory for the agreements (created if missing); x.yaml gives OUTDIR/x.pdf (or .docx).",
)
@click.option(
    "--to", "to", type=click.Choice(["docx", "pdf"]), default="pdf", show_default=True, help="Document format to write."
)
@click.option(
    "--jobs",
    type=click.IntRange(1, 32),
    help="LibreOffice processes to run at once, each converting several files (default: CPUs, at most 4).",
)
@click.option("--force", is_flag=True, help="Overwrite existing files.")
@click.option(
    "--final",
    is_flag=True,
    help="Final versions: no DRAFT marking; a deal with a warning or a pending approval fails.",
)
@FORMAT
@click.pass_context
def batch(
    ctx: click.Context,
    *,
    deals: tuple[Path, ...],
    outdir: Path,
    to: str,
    jobs: int | None,
    force: bool,
    final: bool,
    fmt: str,
) -> None:
    """Draft many DEAL files at once, as Word or PDF, with a summary at the end.

    Each deal is reported on stderr as it finishes, with its warnings; a deal that fails is
    reported by name and the others carry on; the exit code is 1 if any failed. OUTDIR is created
    if missing. PDFs are converted with one LibreOffice process per job, never one per document.
    """
    from contractkit.pdf import batch as batching

    lib = library(ctx)
    report = batching.run(lib, deals, outdir, to=to, jobs=jobs, force=force, final=final, done=_finished)
    _summary(report, fmt)
    if report.failed:
        ctx.exit(EXIT_ERROR)


def _finished(outcome: Any) -> None:
    """One line on stderr as each deal finishes (its warnings under it), so a long batch shows progress."""
    if outcome.ok:
        count = len(outcome.warnings)
        click.echo(f"{outcome.deal}: wrote {outcome.output} ({outcome.clauses} clauses, {count} warning(s))", err=True)
        for line in outcome.warnings:
            click.echo(f"  {line}", err=True)
        return
    error = outcome.error or ""
    click.echo(error if error.startswith(str(outcome.deal)) else f"{outcome.deal}: {error}", err=True)


def _summary(report: Any, fmt: str) -> None:
    """The table of every deal (stdout), and one line on where the time went (stderr)."""
    if fmt == "json":
        emit_json(
            {
                "ok": not report.failed,
                "deals": [
                    {
                        "deal": str(o.deal),
                        "output": str(o.output) if o.ok else None,
                        "ok": o.ok,
                        "error": o.error,
                        "warnings": o.warnings,
                    }
                    for o in report.outcomes
                ],
                "timings": report.timings,
            }
        )
        return
    rows = [["DEAL", "OUTPUT", "RESULT", "DETAIL"]]
    for o in report.outcomes:
        detail = f"{o.clauses} clauses, {len(o.warnings)} warning(s)" if o.ok else (o.error or "")
        rows.append([o.deal.name, str(o.output) if o.ok else "-", "ok" if o.ok else "FAILED", _cut(detail)])
    table(rows)
    times = ", ".join(f"{k} {v:.1f} s" for k, v in report.timings.items() if k != "total")
    done = len(report.outcomes) - len(report.failed)
    click.echo(
        f"{done} drafted, {len(report.failed)} failed in {report.timings.get('total', 0.0):.1f} s ({times})", err=True
    )


def _cut(text: str, width: int = 70) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


COMMANDS.append(batch)
