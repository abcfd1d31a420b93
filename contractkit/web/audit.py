"""The append-only audit log: every entry carries the hash of the one before it.

Changing any field of an entry changes its hash, so the next entry's `prev_hash` no longer
matches; deleting an entry leaves a gap in the sequence; deleting the newest entries leaves the
head (kept in its own row) pointing past the end. `verify` finds each of these, and checks that
every deal version still hashes to what the log recorded when it was made.

What it cannot prove: someone with write access to the database who rewrites the whole chain
and the head consistently. Against that, `contractkit audit export` prints the head hash to be
kept somewhere else (a board paper, an email); a later `verify --head HASH` checks against it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import AuditEntry, AuditHead, DealVersion

GENESIS = "0" * 64


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def data_hash(data: Any) -> str:
    """The hash of a deal version's data, as recorded in the log."""
    return hashlib.sha256(canonical(data).encode()).hexdigest()


def entry_hash(*, seq: int, at: dt.datetime, actor: str, action: str, deal: str, detail: Any, prev: str) -> str:
    stamp = at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    body = {"seq": seq, "at": stamp, "actor": actor, "action": action, "deal": deal, "detail": detail, "prev": prev}
    return hashlib.sha256(canonical(body).encode()).hexdigest()


def record(actor: str, action: str, *, deal: str = "", **detail: Any) -> AuditEntry:
    """Append one entry. Writers queue on the head row, so two requests never share a sequence number."""
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS})
        seq = head.seq + 1
        at = timezone.now()
        plain = json.loads(canonical(detail))
        digest = entry_hash(seq=seq, at=at, actor=actor, action=action, deal=deal, detail=plain, prev=head.hash)
        entry = AuditEntry.objects.create(
            seq=seq, at=at, actor=actor, action=action, deal=deal, detail=plain, prev_hash=head.hash, hash=digest
        )
        head.seq, head.hash = seq, digest
        head.save(update_fields=["seq", "hash"])
    return entry


@dataclass(frozen=True)
class Problem:
    seq: int | None
    message: str

    def __str__(self) -> str:
        return f"entry {self.seq}: {self.message}" if self.seq is not None else self.message


def verify(expected_head: str | None = None) -> list[Problem]:
    """Every break in the chain, the head, or the recorded hashes of deal versions."""
    problems: list[Problem] = []
    prev, seq = GENESIS, 0
    recorded: dict[tuple[str, int], str] = {}
    for entry in AuditEntry.objects.order_by("seq").iterator():
        problems += _check(entry, seq + 1, prev)
        if entry.action == "version":
            recorded[(entry.deal, int(entry.detail.get("number", 0)))] = str(entry.detail.get("sha256"))
        prev, seq = entry.hash, entry.seq
    head = AuditHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if (head_seq, head_hash) != (seq, prev):
        problems.append(Problem(None, f"the log ends at entry {seq} but its head says {head_seq}: entries removed"))
    if expected_head and expected_head != head_hash:
        problems.append(Problem(None, "the head hash differs from the one exported earlier: the log was rewritten"))
    problems += list(_versions(recorded))
    return problems


def _check(entry: AuditEntry, expected_seq: int, prev: str) -> list[Problem]:
    out = []
    if entry.seq != expected_seq:
        out.append(Problem(entry.seq, f"expected entry {expected_seq} here: entries missing before it"))
    if entry.prev_hash != prev:
        out.append(Problem(entry.seq, "does not follow the entry before it: an entry was removed or changed"))
    digest = entry_hash(
        seq=entry.seq,
        at=entry.at,
        actor=entry.actor,
        action=entry.action,
        deal=entry.deal,
        detail=entry.detail,
        prev=entry.prev_hash,
    )
    if digest != entry.hash:
        out.append(
            Problem(entry.seq, f"its content was changed after it was written ({entry.action} by {entry.actor})")
        )
    return out


def _versions(recorded: dict[tuple[str, int], str]) -> Iterator[Problem]:
    for version in DealVersion.objects.select_related("deal").iterator():
        key = (version.deal.reference, version.number)
        if key not in recorded:
            yield Problem(None, f"{key[0]} version {key[1]} is not in the audit log")
        elif recorded[key] != data_hash(version.data) or version.sha256 != recorded[key]:
            yield Problem(None, f"{key[0]} version {key[1]} was changed after it was saved")


def export() -> Iterator[dict[str, Any]]:
    """Every entry as plain data, oldest first (for `contractkit audit export`)."""
    for entry in AuditEntry.objects.order_by("seq").iterator():
        yield {
            "seq": entry.seq,
            "at": entry.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            "actor": entry.actor,
            "action": entry.action,
            "deal": entry.deal,
            "detail": entry.detail,
            "prev_hash": entry.prev_hash,
            "hash": entry.hash,
        }
