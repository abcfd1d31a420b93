"""Negotiation: positions, swap and redline."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from contractkit.cli.kit import FORCE, FORMAT, emit_json, library, output, table

DEAL = click.argument("deal", type=click.Path(exists=True, dir_okay=False, path_type=Path))


@click.command()
@DEAL
@click.option("--deviations", is_flag=True, help="Only the clauses off their preferred position, as a table.")
@FORMAT
@click.pass_context
def positions(ctx: click.Context, deal: Path, deviations: bool, fmt: str) -> None:
    """List every clause that can vary: current and preferred position, ladder, approvers, pending approvals."""
    from contractkit import api
    from contractkit.negotiation import negotiate

    lib = library(ctx)
    if deviations:
        from contractkit.drafting.tables import deviations as deviation_table

        agreement = api.prepare(lib, deal)
        if fmt == "json":
            emit_json([vars(d) for d in agreement.deviations])
        else:
            table(deviation_table(agreement)[0])
        return
    states = negotiate.positions(lib, api.load_deal(deal, lib))
    if fmt == "json":
        emit_json([s.as_dict() for s in states])
    else:
        for state in states:
            _show(state.as_dict())


def _show(s: dict[str, Any]) -> None:
    if s["status"] == "locked":
        click.echo(f"{s['clause']}  [locked]  {s['current']} (one wording; protects {', '.join(s['principles'])})")
        return
    pending = "  APPROVAL PENDING" if s["pending_approval"] else ""
    click.echo(f"{s['clause']}  [{s['status']}]  current: {s['current']}  preferred: {s['preferred']}{pending}")
    width = max(len(rung["position"]) for rung in s["ladder"])
    label_width = max(len(rung["label"]) for rung in s["ladder"])
    for n, rung in enumerate(s["ladder"]):
        name = "preferred" if n == 0 else f"fallback {n}"
        here = "*" if rung["position"] == s["current"] else " "
        click.echo(
            f"  {here} {name:<11} {rung['position']:<{width}}  {rung['label']:<{label_width}}  "
            f"approver: {rung['approver']}"
        )
    click.echo(f"    guidance: {s['guidance']}")
    click.echo(f"    walk away: {s['walk_away']}")


@click.command()
@DEAL
@click.argument("clause")
@click.argument("position")
@click.option("--by", required=True, help="Name of the negotiator making the move.")
@click.option("--approved-by", help="Name of the person who approved this rung.")
@click.option("--role", help="Approver role of --approved-by; must be the rung's approver role.")
@click.option("--note", help="Why the move was made (kept in the deal's history).")
@click.option(
    "--redline", type=click.Path(dir_okay=False, path_type=Path), help="Also write the redline of the agreement."
)
@click.option("--force", is_flag=True, help="Overwrite an existing --redline file.")
@click.pass_context
def swap(
    ctx: click.Context,
    *,
    deal: Path,
    clause: str,
    position: str,
    by: str,
    approved_by: str | None,
    role: str | None,
    note: str | None,
    redline: Path | None,
    force: bool,
) -> None:
    """Move CLAUSE of DEAL to POSITION on its ladder, recording who moved it and who approved it.

    The deal file is edited in place (comments kept): the position, the history entry, the facts
    the new wording states (a value-share move sets commercial.value_share.model) and the
    agreement's version, which goes up by one. Facts the new wording needs but the deal lacks are
    listed as warnings; the move is still recorded, and a final draft waits for them.
    """
    from contractkit.negotiation import negotiate

    if (approved_by is None) != (role is None):
        raise click.UsageError("--approved-by and --role go together")
    request = negotiate.SwapRequest(clause, position, by, approved_by, role, note)
    result = negotiate.swap(library(ctx), deal, request, redline=redline, force=force)
    entry = result.entry
    approval = entry.approval if isinstance(entry.approval, str) else f"approved by {entry.approval.name}"
    version = result.after.agreement.version
    click.echo(f"{deal}: {entry.clause} {entry.from_} -> {entry.to} ({approval}); now version {version}", err=True)
    for warning in result.warnings:
        click.echo(str(warning), err=True)
    if redline is not None:
        click.echo(f"wrote {redline}", err=True)


def _when(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"not an ISO date or date-time: {value!r}") from None


@click.command()
@click.argument("old", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@output("Redline to write.")
@click.option("--author", default="contractkit", show_default=True, help="Author of the tracked changes.")
@click.option("--date", "when", callback=_when, help="Date of the changes, ISO 8601 (default: now, UTC).")
@FORCE
def redline(*, old: Path, new: Path, out: Path, author: str, when: dt.datetime | None, force: bool) -> None:
    """Compare two agreements: write NEW with Word tracked changes from OLD."""
    from contractkit.files import check_target, write_atomic
    from contractkit.word.redline import compare

    check_target(out, force=force)
    data = compare(
        old.read_bytes(),
        new.read_bytes(),
        author=author,
        date=when or dt.datetime.now(dt.UTC),
        names=(str(old), str(new)),
    )
    write_atomic(out, data, force=force)
    click.echo(f"wrote {out}", err=True)


COMMANDS: list[click.Command] = [positions, swap, redline]
