"""Words for the library's ids: a clause's title, a wording's label, a role's name.

Pages, messages and history show these instead of ids ('Legal lead', not 'legal-lead'). An id the
library no longer knows (a clause withdrawn since a request was made) is shown in words as it is.
"""

from __future__ import annotations

from typing import Any

from .state import library


def _clause(clause_id: str) -> Any:
    """The library's clause, or None for an id it does not hold (shown as itself)."""
    return library().clauses.get(clause_id)


def clause_title(clause_id: str) -> str:
    clause = _clause(clause_id)
    return str(clause.title) if clause is not None else clause_id


def position_label(clause_id: str, position: str) -> str:
    """The wording's label; a clause with one unlabelled wording has its 'standard wording'."""
    clause = _clause(clause_id)
    found = clause.positions.get(position) if clause is not None else None
    if found is not None and found.label:
        return str(found.label)
    if clause is not None and len(clause.positions) == 1:
        return "Standard wording"
    return position.replace("-", " ")


def playbook_title(playbook: str) -> str:
    """'AI Development and Validation Agreement' for 'ai-development'."""
    found = library().playbooks.get(playbook)
    return str(found.title) if found is not None else playbook


def role_label(role: str) -> str:
    return library().meta.role_label(role)


def move(clause_id: str, position: str) -> str:
    """'Publication of results moved to “60 days' review; ...”', for messages and the history."""
    return f"{clause_title(clause_id)} moved to “{position_label(clause_id, position)}”"
