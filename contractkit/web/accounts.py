"""Accounts, organisations and roles, as `contractkit users ...` and the demo set-up manage them.

Roles are the library's own (library.yaml `roles`), so an approver role on a ladder is always one
a user can hold. Every change is recorded in the audit log.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from contractkit.errors import ContractkitError

from . import audit
from .models import Membership, Organisation
from .state import library

ADMIN = "contractkit-admin"  # the actor named in the log for command-line changes


def known_roles() -> list[str]:
    return list(library().meta.roles)


def organisation(code: str, *, name: str | None = None, kind: str | None = None) -> Organisation:
    """The organisation with this code, created when a name and kind are given."""
    found = Organisation.objects.filter(code=code).first()
    if found is not None:
        return found
    if not name or not kind:
        raise ContractkitError(
            f"no organisation with code {code!r}", hint="give --org-name and --org-kind to create it"
        )
    if kind not in dict(Organisation.KINDS):
        raise ContractkitError(f"unknown organisation kind {kind!r} (known: nhs, partner, centre)")
    made = Organisation.objects.create(code=code, name=name, kind=kind)
    audit.record(ADMIN, "organisation", code=code, name=name, kind=kind)
    return made


def _check_roles(roles: list[str]) -> None:
    unknown = [r for r in roles if r not in known_roles()]
    if unknown:
        raise ContractkitError(
            f"unknown role(s) {', '.join(unknown)} (known: {', '.join(known_roles())})",
            hint="roles come from library.yaml",
        )


@transaction.atomic
def add_user(username: str, password: str, *, full_name: str, email: str, org: Organisation, roles: list[str]) -> None:
    """A new account holding `roles` in `org`; the password must pass Django's validators."""
    user_model = get_user_model()
    if user_model.objects.filter(username=username).exists():
        raise ContractkitError(
            f"user {username!r} already exists", hint="use 'contractkit users roles' to change roles"
        )
    _check_roles(roles)
    first, _, last = full_name.partition(" ")
    user = user_model(username=username, email=email, first_name=first, last_name=last)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ContractkitError(f"password refused: {' '.join(exc.messages)}") from None
    user.set_password(password)
    user.save()
    for role in roles:
        Membership.objects.create(user=user, organisation=org, role=role)
    audit.record(ADMIN, "user-add", user=username, organisation=org.code, roles=roles)


@transaction.atomic
def set_roles(username: str, org: Organisation, *, add: list[str], remove: list[str]) -> list[str]:
    """Grant and withdraw roles in one organisation; returns the roles held there afterwards."""
    user = _user(username)
    _check_roles(add)
    for role in add:
        Membership.objects.get_or_create(user=user, organisation=org, role=role)
    Membership.objects.filter(user=user, organisation=org, role__in=remove).delete()
    held = sorted(Membership.objects.filter(user=user, organisation=org).values_list("role", flat=True))
    audit.record(ADMIN, "user-roles", user=username, organisation=org.code, added=add, removed=remove)
    return held


@transaction.atomic
def disable(username: str) -> None:
    """The account can no longer log in or act; its history stays."""
    user = _user(username)
    user.is_active = False
    user.save(update_fields=["is_active"])
    audit.record(ADMIN, "user-disable", user=username)


def _user(username: str) -> User:
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise ContractkitError(f"no user {username!r}", hint="see 'contractkit users list'")
    return user


def listing() -> list[dict[str, object]]:
    rows = []
    for user in get_user_model().objects.order_by("username").prefetch_related("memberships__organisation"):
        rows.append(
            {
                "username": user.get_username(),
                "name": user.get_full_name(),
                "active": user.is_active,
                "roles": [f"{m.role}@{m.organisation.code}" for m in user.memberships.all()],
            }
        )
    return rows
