"""Negotiation: positions, swap and redline."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
