"""Negotiation: what may vary, and what blocks a final version."""

from __future__ import annotations

from .assemble import Agreement
from .errors import ContractkitError


def final_blockers(agreement: Agreement) -> None:
    """A final version needs every deviation approved. Raises with the first reason otherwise."""
    pending = agreement.pending
    if pending:
        items = ", ".join(f"{d.clause} -> {d.position} (needs {d.approver})" for d in pending)
        raise ContractkitError(
            f"cannot produce a final version: approval pending for {items}",
            hint="record the approval with 'contractkit swap ... --approved-by NAME --role ROLE'",
        )
