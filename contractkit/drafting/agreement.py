"""The assembled agreement as plain data: placed clauses and schedules, deviations, provenance.

`assemble` builds these; rendering, registers, summaries and verification only read them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, get_args

from contractkit import __version__
from contractkit.core.text import Run, normalise
from contractkit.errors import Issue
from contractkit.library.deal import Deal
from contractkit.library.model import VALUE_SHARE_CLAUSE, Clause, Playbook, ValueShareModel

if TYPE_CHECKING:
    from contractkit.trust.keys import Signer


@dataclass(frozen=True)
class Para:
    level: int  # 1 = 1.1, 2 = 1.1.1, 3 = (a)
    runs: tuple[Run, ...]
    number: str  # "" for an unnumbered paragraph

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True)
class Placed:
    """A clause as it appears in this agreement."""

    clause: Clause
    position: str
    number: str
    paragraphs: tuple[Para, ...]
    schedule: str | None = None

    @property
    def id(self) -> str:
        return self.clause.id

    @property
    def locked(self) -> bool:
        return self.clause.status == "locked"

    def text(self) -> str:
        """Normalised heading and body: what verification compares and the manifest hashes."""
        return self._text

    def sha256(self) -> str:
        return hashlib.sha256(self._text.encode()).hexdigest()

    @cached_property
    def _text(self) -> str:
        """Worked out once: the manifest, the self-check and verify each ask for it (the fields are frozen)."""
        return normalise(" ".join([self.clause.title, *(p.text for p in self.paragraphs)]))


@dataclass(frozen=True)
class PlacedSchedule:
    id: str
    number: int
    title: str
    clauses: tuple[Placed, ...]
    tables: tuple[str, ...]


@dataclass(frozen=True)
class Deviation:
    """A clause not on its preferred position, and the state of its approval."""

    clause: str
    title: str
    number: str
    position: str
    label: str
    approver: str  # the role the ladder requires
    approved_by: str | None  # name, or None while pending
    pending: bool
    approver_label: str = ""  # the role as a document names it, e.g. 'Legal lead'


@dataclass
class Agreement:
    deal: Deal
    playbook: Playbook
    library_version: str
    clauses: list[Placed]
    schedules: list[PlacedSchedule]
    deviations: list[Deviation]
    final: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    release: dict[str, Any] | None = None  # the library release checked before drafting (pins.Release.record)
    warnings: tuple[Issue, ...] = ()  # gaps and doubts a lawyer must see; a final version has none

    def all_clauses(self) -> list[Placed]:
        return self.clauses + [c for s in self.schedules for c in s.clauses]

    @property
    def pending(self) -> list[Deviation]:
        return [d for d in self.deviations if d.pending]

    @property
    def value_share_model(self) -> str:
        """The value-share mechanism drafted. The deal's fact decides it, and assembly refuses a
        value-share wording that states another, so clause, schedule, register and summary agree."""
        return self.deal.commercial.value_share.model

    def value_share_mechanisms(self) -> frozenset[str]:
        """The mechanisms whose facts belong in the agreement: the drafted one, or every one when
        the playbook has no value-share clause."""
        if self.value_share_clause is None:
            return frozenset(get_args(ValueShareModel))
        return frozenset({self.value_share_model})

    @property
    def value_share_clause(self) -> Placed | None:
        """The value-share clause as drafted, if the playbook has one."""
        return next((c for c in self.all_clauses() if c.id == VALUE_SHARE_CLAUSE), None)

    def manifest(self) -> dict[str, Any]:
        """Provenance: what was assembled, from which versions, with a hash of each clause's text."""
        return {
            "contractkit": __version__,
            "library_version": self.library_version,
            "playbook": {"id": self.playbook.id, "version": self.playbook.version},
            "agreement": {"reference": self.deal.agreement.reference, "version": self.deal.agreement.version},
            "final": self.final,
            "release": self.release,
            "clauses": [
                {
                    "id": c.id,
                    "version": c.clause.version,
                    "position": c.position,
                    "number": c.number,
                    "status": c.clause.status,
                    "sha256": c.sha256(),
                }
                for c in self.all_clauses()
            ],
        }

    def manifest_json(self, signer: Signer | None = None) -> str:
        """The manifest as canonical JSON; with a signer, it carries a signature member over that
        canonical form (see trust.signing), so that verify can tell it was not changed."""
        from contractkit.trust.signing import canonical, sign

        manifest = self.manifest()
        return canonical(sign(manifest, signer, "manifest") if signer else manifest).decode()
