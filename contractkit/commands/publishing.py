"""PDF drafting and batch drafting (issue: PDF agreements)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from contractkit.clikit import EXIT_ERROR, FORMAT, emit_json, library, table

COMMANDS: list[click.Command] = []


@click.command()
@click.argument("deals", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--outdir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory for the agreements; x.yaml gives OUTDIR/x.pdf (or .docx).",
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
@click.option("--final", is_flag=True, help="Final versions: no DRAFT marking; a deal with pending approvals fails.")
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

    Each deal that fails is reported by name and the others carry on; the exit code is 1 if any
    failed. PDFs are converted with one LibreOffice process per job, never one per document.
    """
    from contractkit import batch as batching

    lib = library(ctx)
    with _progress(len(deals) * batching.steps(to)) as tick:
        report = batching.run(lib, deals, outdir, to=to, jobs=jobs, force=force, final=final, progress=tick)
    for outcome in report.failed:
        error = outcome.error or ""
        click.echo(error if error.startswith(str(outcome.deal)) else f"{outcome.deal}: {error}", err=True)
    _summary(report, fmt)
    if report.failed:
        ctx.exit(EXIT_ERROR)


class _progress:  # lower case: used like a function in a with statement
    """A progress bar on stderr when it is a terminal; nothing otherwise."""

    def __init__(self, length: int) -> None:
        self.bar: Any = None
        if sys.stderr.isatty():
            self.bar = click.progressbar(length=length, label="drafting", file=sys.stderr)

    def __enter__(self) -> Any:
        if self.bar is None:
            return None
        bar = self.bar.__enter__()
        return bar.update

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            if exc[0] is None:
                self.bar.update(self.bar.length - self.bar.pos)
            self.bar.__exit__(*exc)


def _summary(report: Any, fmt: str) -> None:
    """The table of every deal (stdout), and one line on where the time went (stderr)."""
    if fmt == "json":
        emit_json(
            {
                "ok": not report.failed,
                "deals": [
                    {"deal": str(o.deal), "output": str(o.output) if o.ok else None, "ok": o.ok, "error": o.error}
                    for o in report.outcomes
                ],
                "timings": report.timings,
            }
        )
        return
    rows = [["DEAL", "OUTPUT", "RESULT", "DETAIL"]]
    for o in report.outcomes:
        detail = f"{o.clauses} clauses" if o.ok else (o.error or "")
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
