"""Transparency register and principles summary."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
