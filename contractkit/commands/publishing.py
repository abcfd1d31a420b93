"""PDF drafting and batch drafting (issue: PDF agreements)."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
