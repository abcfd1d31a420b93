"""Helpers shared by every command: the library from the context, JSON and table output."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from click.decorators import FC

EXIT_ERROR = 1
FORMAT = click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Output format."
)
FORCE = click.option("--force", is_flag=True, help="Overwrite an existing file.")


def output(help: str, *, required: bool = True) -> Callable[[FC], FC]:
    """The -o/--output option every writing command takes."""
    return click.option(
        "-o", "--output", "out", required=required, type=click.Path(dir_okay=False, path_type=Path), help=help
    )


def trust(help: str) -> Callable[[FC], FC]:
    """The repeatable --trust option: public key files to trust, besides the configuration folder's."""
    return click.option(
        "--trust",
        "trust",
        multiple=True,
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        metavar="PUBKEY",
        help=help,
    )


def library(ctx: click.Context) -> Any:
    from contractkit.library.loading import load_library

    obj = ctx.find_root().obj
    if obj.get("library") is None:
        obj["library"] = load_library(obj["root"])
    return obj["library"]


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def table(rows: list[list[str]]) -> None:
    """Plain aligned columns; the first row is the header."""
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    for n, row in enumerate(rows):
        click.echo("  ".join(str(v).ljust(widths[i]) for i, v in enumerate(row)).rstrip())
        if n == 0:
            click.echo("  ".join("-" * w for w in widths))
