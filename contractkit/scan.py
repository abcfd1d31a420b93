"""The exclusivity scan. The patterns are data in library.yaml, maintained by the centre."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .model import ExclusivityPattern
from .text import normalise


@dataclass(frozen=True)
class Hit:
    pattern: ExclusivityPattern
    match: str


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def exclusivity(text: str, patterns: list[ExclusivityPattern]) -> list[Hit]:
    """Every pattern that matches the normalised text, with the words it matched."""
    plain = normalise(text)
    return [Hit(p, m.group(0)) for p in patterns if (m := _compiled(p.pattern).search(plain))]
