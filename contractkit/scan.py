"""The exclusivity scan. The patterns are data in library.yaml, maintained by the centre."""

from __future__ import annotations

from dataclasses import dataclass

from .model import ExclusivityPattern
from .text import normalise


@dataclass(frozen=True)
class Hit:
    pattern: ExclusivityPattern
    match: str


def exclusivity(text: str, patterns: list[ExclusivityPattern]) -> list[Hit]:
    """Every pattern that matches the normalised text, with the words it matched."""
    plain = normalise(text)
    return [Hit(p, m.group(0)) for p in patterns if (m := p.regex.search(plain))]
