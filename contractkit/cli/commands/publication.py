"""Transparency register and principles summary (principles 2 and 4)."""

from __future__ import annotations

from pathlib import Path

import click

from contractkit.cli.kit import FORCE, library, output

COMMANDS: list[click.Command] = []
LOCALE = click.option(
    "--locale",
    type=click.Choice(["en_GB", "cy_GB"]),
    help="Language of labels, dates and money (default: the deal's own locale).",
)
OUTPUT = output("File to write; its suffix picks the format.", required=False)


def _suffix(out: Path, formats: tuple[str, ...]) -> None:
    if out.suffix.lower() not in formats:
        raise click.BadParameter(f"{out.name}: the name must end in {', '.join(formats)}", param_hint="-o/--output")


@click.command()
@click.argument("deals", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@OUTPUT
@LOCALE
@FORCE
@click.option("--schema", "show_schema", is_flag=True, help="Print the JSON Schema of one register entry and stop.")
@click.pass_context
def register(
    ctx: click.Context, *, deals: tuple[Path, ...], out: Path | None, locale: str | None, force: bool, show_schema: bool
) -> None:
    """Write the transparency register entry of each DEAL as CSV, JSON or XLSX.

    Every entry is checked against the shipped JSON Schema (see --schema) before anything is
    written. Without --locale, the deals' shared locale is used, else en_GB.
    """
    from contractkit.publishing import register as reg

    if show_schema:
        click.echo(reg.schema_text(), nl=False)
        return
    if not deals or out is None:
        raise click.UsageError("give one or more DEAL files and -o register.csv|register.json|register.xlsx")
    _suffix(out, reg.FORMATS)
    count = reg.write(library(ctx), list(deals), out, locale=locale, force=force)
    click.echo(f"wrote {out} ({count} entr{'y' if count == 1 else 'ies'})", err=True)


@click.command()
@click.argument("deal", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@output("Summary to write: .md, .docx or .pdf.")
@LOCALE
@FORCE
@click.pass_context
def summary(ctx: click.Context, *, deal: Path, out: Path, locale: str | None, force: bool) -> None:
    """Write the board's one-to-two-page principles summary of DEAL, scored against the rubric."""
    from contractkit.publishing import summary as summ

    _suffix(out, summ.FORMATS)
    result = summ.write(library(ctx), deal, out, locale=locale, force=force)
    met, available = result.score
    gaps = sum(len(s.gaps) for s in result.sections)
    click.echo(f"wrote {out} (benchmark {met}/{available} weighted points, {gaps} gap(s))", err=True)


COMMANDS += [register, summary]
