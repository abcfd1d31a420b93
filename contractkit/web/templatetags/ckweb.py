"""Template filters that show the library's ids in words: {{ r.role|role_label }} and the like."""

from __future__ import annotations

from typing import Any

from django import template

from .. import labels

register = template.Library()


@register.filter
def role_label(role: str) -> str:
    return labels.role_label(role)


@register.filter
def clause_title(clause_id: str) -> str:
    return labels.clause_title(clause_id)


@register.filter
def playbook_title(playbook: str) -> str:
    return labels.playbook_title(playbook)


@register.filter
def wording(request: Any) -> str:
    """The wording an approval request moves its clause to: {{ request|wording }}."""
    return labels.position_label(str(request.clause), str(request.position))
