"""contractkit: assemble NHS data partnership agreements from a locked clause library."""

from __future__ import annotations

__version__ = "0.1.0"
