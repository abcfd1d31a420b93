"""Helpers shared by every command: the library from the context, JSON and table output."""

from __future__ import annotations

import json
from typing import Any

import click

EXIT_ERROR, EXIT_NONCOMPLIANT = 1, 3
FORMAT = click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Output format."
)


def library(ctx: click.Context) -> Any:
    from .loading import load_library

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
