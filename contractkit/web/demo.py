"""`contractkit serve --demo`: the example deals and one demo user per role, for trying the app.

Every name here is fictitious. The passwords are printed because the demo runs on loopback for
one person; a shared server gets its accounts from `contractkit users add` instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from . import accounts, labels, services
from .models import Deal, Organisation
from .state import library

CENTRE = ("CENTRE", "National data collaboration team")
# (username, full name, role); NHS roles are held in every example NHS body.
PEOPLE = [
    ("negotiator", "Priya Shah", "negotiator"),
    ("legal", "Tom Okafor", "legal-lead"),
    ("ig", "Helen Morris", "information-governance"),
    ("caldicott", "Dr Rhys Evans", "caldicott-guardian"),
    ("board", "Margaret Lin", "board"),
    ("centre", "Sam Adeyemi", "centre"),
]
PARTNER_USER = ("partner", "Alex Reid")


def password(username: str) -> str:
    return f"demo-{username}-2026"


def examples() -> list[Path]:
    root = library().root
    return sorted((root / "examples").glob("*.yaml")) or sorted(Path("examples").glob("*.yaml"))


@transaction.atomic
def load_demo() -> Iterator[str]:
    """Create what is missing (organisations, users, example deals) and say how to log in."""
    checked = [(path, services.check_text(path.read_text(encoding="utf-8"), path.name)) for path in examples()]
    nhs = _organisations(checked)
    _people(nhs)
    for path, deal_check in checked:
        if deal_check.deal is None or Deal.objects.filter(reference=deal_check.deal.agreement.reference).exists():
            continue
        owner = Organisation.objects.get(code=services.owner_for(deal_check))
        user = get_user_model().objects.get(username="negotiator")
        services.create_deal(owner, deal_check, user, f"example deal {path.name}")
    yield "demo logins (username / password), for trying the app on this computer only:"
    for username, name, role in PEOPLE:
        where = "the national centre" if role == "centre" else "every example NHS body"
        yield f"  {username:<11} {password(username):<24} {name}, {labels.role_label(role)} in {where}"
    partner = Organisation.objects.filter(kind=Organisation.PARTNER).order_by("code").first()
    if partner is not None:
        login, name = PARTNER_USER
        yield f"  {login:<11} {password(login):<24} {name}, of the partner {partner.name}"


def _organisations(checked: list[tuple[Path, services.Checked]]) -> list[Organisation]:
    nhs = []
    for _path, deal_check in checked:
        if deal_check.deal is None:
            continue
        for body in deal_check.deal.nhs_organisations:
            nhs.append(_org(body.ods_code, body.name, Organisation.NHS))
        for partner in deal_check.deal.partners:
            _org(partner.company_number, partner.name, Organisation.PARTNER)
    _org(*CENTRE, Organisation.CENTRE)
    return nhs


def _org(code: str, name: str, kind: str) -> Organisation:
    found = Organisation.objects.filter(code=code).first()
    return found or accounts.organisation(code, name=name, kind=kind)


def _people(nhs: list[Organisation]) -> None:
    users = get_user_model().objects
    for username, name, role in PEOPLE:
        if users.filter(username=username).exists():
            continue
        orgs = [Organisation.objects.get(code=CENTRE[0])] if role == "centre" else nhs
        accounts.add_user(username, password(username), full_name=name, email="", org=orgs[0], roles=[role])
        for org in orgs[1:]:
            accounts.set_roles(username, org, add=[role], remove=[])
    if not users.filter(username=PARTNER_USER[0]).exists():
        partner = Organisation.objects.filter(kind=Organisation.PARTNER).order_by("code").first()
        if partner is not None:
            accounts.add_user(
                PARTNER_USER[0],
                password(PARTNER_USER[0]),
                full_name=PARTNER_USER[1],
                email="",
                org=partner,
                roles=["negotiator"],
            )
