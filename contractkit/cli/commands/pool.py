"""The warm LibreOffice pool beside the CLI: start it, see it, stop it (docs/pdf.md)."""

from __future__ import annotations

import sys

import click

from contractkit.cli.kit import EXIT_ERROR, FORMAT, emit_json, table


@click.group()
def pool() -> None:
    """A warm LibreOffice pool that later PDF drafts and batches use while it runs.

    Without one, each PDF starts LibreOffice afresh (about 1.5 s); with one, a converter kept
    running converts it (about 0.3 s). Its state is in the runtime folder
    ($CONTRACTKIT_RUNTIME_DIR, else $XDG_RUNTIME_DIR/contractkit, else the configuration folder's run/).
    """


@pool.command("start")
@click.option("--size", type=click.IntRange(1, 16), default=None, help="Converters to run  [default: one per core]")
@click.option(
    "--recycle-after",
    type=click.IntRange(1, 100000),
    default=None,
    help="Replace each converter after this many conversions, which bounds LibreOffice's memory  [default: 500]",
)
@click.option(
    "--timeout", type=click.IntRange(5, 3600), default=120, show_default=True, help="Seconds allowed per conversion."
)
@click.option("--foreground", is_flag=True, help="Run in this process until Ctrl-C or SIGTERM (for a service manager).")
def pool_start(size: int | None, recycle_after: int | None, timeout: int, foreground: bool) -> None:
    """Start the pool in the background and wait until every converter answers."""
    from contractkit.pdf import pool as warm_pool
    from contractkit.pdf import poolservice

    count = size or warm_pool.default_size()
    if foreground:
        click.echo(f"PDF pool of {count} converter(s) running; Ctrl-C or SIGTERM stops it", err=True)
        try:
            poolservice.serve(count, recycle_after=recycle_after or warm_pool.RECYCLE_AFTER, timeout=timeout)
        except KeyboardInterrupt:
            click.echo("PDF pool stopped", err=True)
        return
    options = ["--size", str(count), "--timeout", str(timeout)]
    if recycle_after:
        options += ["--recycle-after", str(recycle_after)]
    state = poolservice.start_beside([sys.executable, "-m", "contractkit", "pool", "start", "--foreground", *options],
                                     size=count)  # fmt: skip
    ports = ", ".join(str(c.port) for c in state.converters)
    click.echo(f"PDF pool started: process {state.pid}, {count} converter(s) on loopback port(s) {ports}", err=True)


@pool.command("status")
@FORMAT
@click.pass_context
def pool_status(ctx: click.Context, fmt: str) -> None:
    """Say whether a pool is running, with each converter's port, process and memory; exit 1 if none is."""
    from contractkit.pdf import poolstate

    report = poolstate.report()
    if fmt == "json":
        emit_json(report)
    elif not report["running"]:
        click.echo(f"no PDF pool is running ({report['reason']})", err=True)
    else:
        click.echo(f"PDF pool running: process {report['pid']}, {len(report['converters'])} of {report['size']} "
                   "converter(s) ready")  # fmt: skip
        rows = [[str(c["port"]), str(c["pid"]), f"{c['memory'] / 2**20:.0f} MB"] for c in report["converters"]]
        if rows:
            table([["PORT", "PROCESS", "MEMORY"], *rows])
        if report["problem"]:
            click.echo(f"last start problem: {report['problem']}", err=True)
    if not report["running"]:
        ctx.exit(EXIT_ERROR)


@pool.command("stop")
def pool_stop() -> None:
    """Stop the running pool and its LibreOffice processes."""
    from contractkit.pdf import poolservice

    state = poolservice.stop_running()
    click.echo(f"PDF pool stopped (process {state.pid})" if state else "no PDF pool is running", err=True)


COMMANDS: list[click.Command] = [pool]
