"""What a web process holds for its whole life: the clause library, loaded once."""

from __future__ import annotations

import functools

from contractkit import api


@functools.cache
def library() -> api.Library:
    """The clause library, loaded once per process (the web app never reloads it mid-flight)."""
    return api.load_library()
