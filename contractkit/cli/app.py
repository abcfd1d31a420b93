"""The command line: thin commands over contractkit.api, and one error boundary.

Exit codes: 0 ok, 1 error, 2 usage, 3 the document does not comply.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

import click

from contractkit.cli.kit import EXIT_ERROR, FORCE, FORMAT, emit_json, library, output, table, trust
from contractkit.errors import ContractkitError

CENTRE_TRUST = trust(
    "The centre's public key, to check the library's signed pin file (repeatable; besides centre.pub)."
)


class Boundary(click.Group):
    """Maps every library error to one located line per problem on stderr and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ContractkitError as exc:
            for line in exc.lines():
                click.echo(line, err=True)
            ctx.exit(exc.exit_code)
        except BrokenPipeError:  # `contractkit ... | head`: the reader has gone, which is not an error
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115, PTH123 (stops the flush at exit failing again)
            ctx.exit(0)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except Exception as exc:  # the promise is: never a traceback
            if os.environ.get("CONTRACTKIT_DEBUG"):
                raise
            click.echo(f"internal error: {type(exc).__name__}: {exc} (set CONTRACTKIT_DEBUG=1 for details)", err=True)
            ctx.exit(EXIT_ERROR)


@click.group(cls=Boundary, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--library",
    "root",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="CONTRACTKIT_LIBRARY",
    help="Clause library folder (default: the library shipped with contractkit). Env: CONTRACTKIT_LIBRARY.",
)
@click.version_option(package_name="contractkit")
@click.pass_context
def main(ctx: click.Context, root: Path | None) -> None:
    """Assemble NHS data partnership agreements from a locked clause library."""
    ctx.obj = {"root": root, "library": None}
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminate)


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM takes the Ctrl-C path, so LibreOffice process groups and temporary files are cleaned up."""
    raise KeyboardInterrupt


@main.command()
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@CENTRE_TRUST
@FORMAT
@click.pass_context
def lint(ctx: click.Context, strict: bool, trust: tuple[Path, ...], fmt: str) -> None:
    """Check the whole library: clauses, playbooks, templates, and the locked clauses against the
    centre's release pins (library.pins.json)."""
    from contractkit import api

    lib = library(ctx)
    issues = api.lint(lib, trust=trust)
    release = api.check_release(lib, trust=trust)
    failed = any(i.severity == "error" or strict for i in issues)
    if fmt == "json":
        emit_json({"ok": not failed, "issues": [i.as_dict() for i in issues], "release": release.record()})
    else:
        for issue in issues:
            click.echo(str(issue), err=True)
        if not failed:
            click.echo(
                f"library {lib.version}: {len(lib.clauses)} clauses, {len(lib.playbooks)} playbooks, "
                f"{sum(i.severity == 'warning' for i in issues)} warning(s); {release.note()}"
            )
    ctx.exit(EXIT_ERROR if failed else 0)


@main.group()
def clauses() -> None:
    """List and show clauses."""


@clauses.command("list")
@click.option("--principle", type=click.Choice(["P1", "P2", "P3", "P4", "P5"]), help="Only clauses serving it.")
@click.option("--status", type=click.Choice(["locked", "required", "negotiable", "conditional"]))
@FORMAT
@click.pass_context
def clauses_list(ctx: click.Context, principle: str | None, status: str | None, fmt: str) -> None:
    """List clauses, optionally by principle or status."""
    items = [
        c
        for c in library(ctx).clauses.values()
        if (not principle or principle in c.principles) and (not status or c.status == status)
    ]
    if fmt == "json":
        emit_json(
            [
                {
                    "id": c.id,
                    "title": c.title,
                    "version": c.version,
                    "principles": c.principles,
                    "status": c.status,
                    "positions": list(c.positions),
                }
                for c in items
            ]
        )
    else:
        table(
            [["ID", "STATUS", "PRINCIPLES", "VERSION", "TITLE"]]
            + [[c.id, c.status, " ".join(c.principles), c.version, c.title] for c in items]
        )


@clauses.command("show")
@click.argument("clause_id")
@FORMAT
@click.pass_context
def clauses_show(ctx: click.Context, clause_id: str, fmt: str) -> None:
    """Show one clause with the source text of every position."""
    lib = library(ctx)
    clause = lib.clauses.get(clause_id)
    if clause is None:
        raise click.BadParameter(
            f"unknown clause {clause_id!r}; see 'contractkit clauses list'", param_hint="CLAUSE_ID"
        )
    if fmt == "json":
        data = clause.model_dump(mode="json")
        data["positions"] = {k: p.text for k, p in clause.positions.items()}
        data["position_labels"] = {k: p.label for k, p in clause.positions.items()}
        emit_json(data)
        return
    click.echo(f"{clause.id} {clause.version} [{clause.status}] {' '.join(clause.principles)}\n{clause.title}")
    if clause.summary:
        click.echo(clause.summary)
    for pid, position in clause.positions.items():
        click.echo(f"\n--- position {pid}{': ' + position.label if position.label else ''}")
        click.echo(position.text.rstrip())


@main.group()
def playbooks() -> None:
    """List and show playbooks."""


@playbooks.command("list")
@FORMAT
@click.pass_context
def playbooks_list(ctx: click.Context, fmt: str) -> None:
    """List the playbooks."""
    items = list(library(ctx).playbooks.values())
    if fmt == "json":
        emit_json(
            [
                {
                    "id": p.id,
                    "title": p.title,
                    "version": p.version,
                    "template": p.template,
                    "description": p.description,
                }
                for p in items
            ]
        )
    else:
        table([["ID", "VERSION", "TITLE"]] + [[p.id, p.version, p.title] for p in items])


@playbooks.command("show")
@click.argument("playbook_id")
@FORMAT
@click.pass_context
def playbooks_show(ctx: click.Context, playbook_id: str, fmt: str) -> None:
    """Show a playbook: sections, schedules and negotiation ladders."""
    playbook = library(ctx).playbooks.get(playbook_id)
    if playbook is None:
        raise click.BadParameter(
            f"unknown playbook {playbook_id!r}; see 'contractkit playbooks list'", param_hint="PLAYBOOK_ID"
        )
    if fmt == "json":
        emit_json(playbook.model_dump(mode="json", exclude_none=True))
        return
    click.echo(f"{playbook.id} {playbook.version}: {playbook.title}\n{playbook.description}".rstrip())
    for section in playbook.sections:
        click.echo(f"\n{section.title}")
        for entry in section.clauses:
            extra = f" (when {entry.when})" if entry.when else ""
            click.echo(f"  {entry.clause}{extra}")
            if entry.ladder:
                for n, rung in enumerate(entry.ladder.rungs):
                    click.echo(
                        f"    {'preferred' if n == 0 else f'fallback {n}'}: {rung.position} [approver: {rung.approver}]"
                    )
                click.echo(f"    walk away: {entry.ladder.walk_away}")
    for schedule in playbook.schedules:
        click.echo(
            f"\nSchedule {schedule.title}: {', '.join(e.clause for e in schedule.clauses)}"
            f"{' + tables ' + ', '.join(schedule.tables) if schedule.tables else ''}"
        )


@main.command()
@click.option("--playbook", "playbook_id", required=True, help="Playbook id (see 'contractkit playbooks list').")
@output("Deal file to create.")
@FORCE
@click.pass_context
def new(ctx: click.Context, playbook_id: str, out: Path, force: bool) -> None:
    """Scaffold a deal file for a playbook, to fill in.

    Every field the playbook uses is explained; optional ones are commented out; the negotiable
    clauses are listed with their positions and approvers. Each value to supply is a placeholder
    in [square brackets], which draft reports as not filled in.
    """
    from contractkit.files import write_atomic
    from contractkit.library.scaffold import new_deal

    lib = library(ctx)
    if playbook_id not in lib.playbooks:
        raise click.BadParameter(
            f"unknown playbook {playbook_id!r}; see 'contractkit playbooks list'", param_hint="--playbook"
        )
    write_atomic(out, new_deal(lib, playbook_id).encode(), force=force)
    click.echo(f"wrote {out}; fill it in, then: contractkit draft {out} -o agreement.docx", err=True)


@main.command()
@click.argument("deal", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@output("Agreement to write: .docx or .pdf.")
@FORCE
@click.option(
    "--final",
    is_flag=True,
    help=(
        "Final version: no DRAFT marking; refused while any warning stands (a missing fact, unfinished "
        "text, a placeholder), an approval is pending or tracked changes remain."
    ),
)
@CENTRE_TRUST
@click.pass_context
def draft(ctx: click.Context, *, deal: Path, out: Path, force: bool, final: bool, trust: tuple[Path, ...]) -> None:
    """Draft the agreement for DEAL as Word (.docx) or PDF (.pdf).

    The library's locked clauses must match its release pins; the manifest inside the document
    records the release and is signed with this installation's key (see docs/keys.md).
    """
    from contractkit import api

    agreement = api.draft(library(ctx), deal, out, force=force, final=final, trust=trust)
    for warning in agreement.warnings:
        click.echo(str(warning), err=True)
    click.echo(
        f"wrote {out} ({len(agreement.all_clauses())} clauses, {len(agreement.deviations)} deviation(s), "
        f"{len(agreement.warnings)} warning(s))",
        err=True,
    )


def _register() -> None:
    """Commands that live in contractkit.cli.commands, one module per area."""
    from contractkit.cli.commands import negotiation, pool, publication, publishing, signing, verification, web

    for module in (publishing, negotiation, verification, publication, signing, pool, web):
        for command in module.COMMANDS:
            main.add_command(command)


_register()

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
