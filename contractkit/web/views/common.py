"""What every view needs: the deal the user may see (else 404), and refusals that save nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from .. import policy
from ..models import Deal, DealVersion

View = TypeVar("View", bound=Callable[..., HttpResponse])


def reads(view: View) -> View:
    """A page or file that changes nothing: GET only, and outside a database transaction, so that a
    download taking seconds never holds SQLite's write lock while every other request queues."""
    return transaction.non_atomic_requests(require_safe(view))


def visible_deal(request: HttpRequest, ref: str) -> Deal:
    """The deal, if this user may see it. Another organisation's deal is 'not found', not 'forbidden',
    so that its existence is not disclosed."""
    deal = policy.visible_deals(request.user).filter(reference=ref).select_related("organisation").first()
    if deal is None:
        raise Http404("no such deal")
    return deal


def version_of(deal: Deal, number: int) -> DealVersion:
    version = deal.versions.filter(number=number).first()
    if version is None:
        raise Http404("no such version")
    return version


def me(request: HttpRequest) -> User:
    """The logged-in account (LoginRequiredMiddleware sends everyone else to the login page)."""
    if not isinstance(request.user, User):
        raise PermissionDenied("log in first")
    return request.user


def require(allowed: bool, why: str) -> None:
    if not allowed:
        raise PermissionDenied(why)
