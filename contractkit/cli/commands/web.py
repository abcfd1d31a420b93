"""The web app from the command line: serve it, manage its users, check its audit log."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from contractkit.cli.kit import FORMAT, emit_json, table

DATA = click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="CONTRACTKIT_DATA_DIR",
    help="Folder for the database and the secret key. Env: CONTRACTKIT_DATA_DIR.",
)


def _django(data_dir: Path | None, *, migrate: bool = True) -> None:
    import os

    if data_dir is not None:
        os.environ["CONTRACTKIT_DATA_DIR"] = str(data_dir)
    from contractkit.web.setup import django_setup

    django_setup(migrate=migrate)


@click.command()
@DATA
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64), help="Requests served at once.")
@click.option("--demo", is_flag=True, help="Load the example deals and one demo user per role, printing their logins.")
@click.option(
    "--converters",
    type=click.IntRange(0, 16),
    default=None,
    envvar="CONTRACTKIT_PDF_CONVERTERS",
    help="Warm LibreOffice converters for PDF downloads, started now; 0 starts LibreOffice for each PDF "
    "instead. Env: CONTRACTKIT_PDF_CONVERTERS.  [default: one per core]",
)
def serve(*, data_dir: Path | None, host: str, port: int, threads: int, demo: bool, converters: int | None) -> None:
    """Serve the web app (waitress), creating or upgrading its database first.

    PDF downloads are converted by a pool of warm LibreOffice converters started with the server
    (a cold LibreOffice per PDF until they answer, a few seconds); Ctrl-C or SIGTERM stops them all.
    """
    _django(data_dir)
    if demo:
        from contractkit.web.demo import load_demo

        for line in load_demo():
            click.echo(line, err=True)
    from waitress import serve as run

    from contractkit import api
    from contractkit.web.wsgi import application

    problem = api.start_pdf_pool(converters)
    if problem and converters != 0:
        click.echo(f"PDF downloads will start LibreOffice each time: {problem}", err=True)
    click.echo(f"contractkit web app on http://{host}:{port}/ (Ctrl-C to stop)", err=True)
    try:
        # No request needs more than a few megabytes; waitress refuses larger bodies before Django sees them.
        run(application, host=host, port=port, threads=threads, ident="contractkit",
            max_request_body_size=8 * 1024 * 1024)  # fmt: skip
    finally:
        api.stop_pdf_pool()


@click.group()
def users() -> None:
    """Accounts of the web app: add, change roles, disable, list."""


@users.command("add")
@DATA
@click.argument("username")
@click.option("--name", "full_name", required=True, help="Full name, as approvals will show it.")
@click.option("--email", default="", help="Email address.")
@click.option("--org", "org_code", required=True, help="Organisation code: ODS code, company number or CENTRE.")
@click.option("--org-name", help="Create the organisation with this name if it does not exist.")
@click.option("--org-kind", type=click.Choice(["nhs", "partner", "centre"]), help="Kind, when creating it.")
@click.option("--role", "roles", multiple=True, help="Role from library.yaml (repeatable).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (else prompted).")
def users_add(
    *,
    data_dir: Path | None,
    username: str,
    full_name: str,
    email: str,
    org_code: str,
    org_name: str | None,
    org_kind: str | None,
    roles: tuple[str, ...],
    password_stdin: bool,
) -> None:
    """Add USERNAME to an organisation with one or more roles."""
    _django(data_dir)
    from contractkit.web import accounts

    password = (
        sys.stdin.readline().rstrip("\n")
        if password_stdin
        else click.prompt("Password", hide_input=True, confirmation_prompt=True)
    )
    org = accounts.organisation(org_code, name=org_name, kind=org_kind)
    accounts.add_user(username, password, full_name=full_name, email=email, org=org, roles=list(roles))
    click.echo(f"added {username}: {', '.join(roles) or 'no roles'} at {org.name}", err=True)


@users.command("roles")
@DATA
@click.argument("username")
@click.option("--org", "org_code", required=True, help="Organisation code.")
@click.option("--add", "add", multiple=True, help="Role to grant (repeatable).")
@click.option("--remove", "remove", multiple=True, help="Role to withdraw (repeatable).")
def users_roles(
    data_dir: Path | None, username: str, org_code: str, add: tuple[str, ...], remove: tuple[str, ...]
) -> None:
    """Grant or withdraw USERNAME's roles in one organisation."""
    _django(data_dir)
    from contractkit.web import accounts

    held = accounts.set_roles(username, accounts.organisation(org_code), add=list(add), remove=list(remove))
    click.echo(f"{username} at {org_code}: {', '.join(held) or 'no roles'}", err=True)


@users.command("disable")
@DATA
@click.argument("username")
def users_disable(data_dir: Path | None, username: str) -> None:
    """Stop USERNAME logging in or acting; their history stays."""
    _django(data_dir)
    from contractkit.web import accounts

    accounts.disable(username)
    click.echo(f"disabled {username}", err=True)


@users.command("list")
@DATA
@FORMAT
def users_list(data_dir: Path | None, fmt: str) -> None:
    """Every account with its roles."""
    _django(data_dir)
    from contractkit.web import accounts

    rows = accounts.listing()
    if fmt == "json":
        emit_json(rows)
        return
    table(
        [["USERNAME", "NAME", "ACTIVE", "ROLES"]]
        + [[str(r["username"]), str(r["name"]), "yes" if r["active"] else "no", " ".join(r["roles"])] for r in rows]  # type: ignore[arg-type]
    )


@click.group()
def audit() -> None:
    """The web app's append-only audit log."""


@audit.command("verify")
@DATA
@click.option("--head", "head", help="Head hash exported earlier: also prove the log was not rewritten since.")
@click.pass_context
def audit_verify(ctx: click.Context, data_dir: Path | None, head: str | None) -> None:
    """Check every entry's hash chain, the head, and the recorded hash of every deal version."""
    _django(data_dir)
    from contractkit.web import audit as log

    problems = log.verify(head)
    for problem in problems:
        click.echo(f"audit log: {problem}", err=True)
    if problems:
        ctx.exit(3)
    click.echo("audit log intact")


@audit.command("export")
@DATA
def audit_export(data_dir: Path | None) -> None:
    """Every entry as JSON lines on stdout; the last line's hash is the head to keep elsewhere."""
    _django(data_dir)
    import json

    from contractkit.web import audit as log

    for entry in log.export():
        click.echo(json.dumps(entry, ensure_ascii=False, sort_keys=True))


COMMANDS: list[click.Command] = [serve, users, audit]
