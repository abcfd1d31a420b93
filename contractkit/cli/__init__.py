"""The command line: `contractkit` and its commands (main is the click group, in app.py)."""

from __future__ import annotations

from contractkit.cli.app import main

__all__ = ["main"]
