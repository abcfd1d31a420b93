"""Test helpers for the web app: organisations, people with roles, and deals made from the examples."""

from __future__ import annotations

from typing import Any

from conftest import ROOT
from django.contrib.auth import get_user_model
from django.test import Client

from contractkit.web import services
from contractkit.web.models import Deal, Membership, Organisation

PASSWORD = "a-long-test-password-9"
TRUST_A = "ZZH01"  # Harbourside, first NHS party of harbourside-chest-xray-ai.yaml
TRUST_B = "RZZ01"  # Northby, first NHS party of northby-sepsis.yaml
PARTNER = "14820317"  # Lumen, the partner of the harbourside deal
CENTRE = "CENTRE"
HARBOURSIDE = "NHS-DPA-2026-0117"
NORTHBY_FILE = "northby-sepsis.yaml"
HARBOURSIDE_FILE = "harbourside-chest-xray-ai.yaml"

# username: (organisation code, roles)
PEOPLE: dict[str, tuple[str, list[str]]] = {
    "a-negotiator": (TRUST_A, ["negotiator"]),
    "a-legal": (TRUST_A, ["legal-lead"]),
    "a-ig": (TRUST_A, ["information-governance"]),
    "a-caldicott": (TRUST_A, ["caldicott-guardian"]),
    "a-board": (TRUST_A, ["board"]),
    "b-negotiator": (TRUST_B, ["negotiator"]),
    "b-legal": (TRUST_B, ["legal-lead"]),
    "partner": (PARTNER, ["negotiator"]),
    "centre": (CENTRE, ["centre"]),
}


def organisations() -> None:
    for code, name, kind in [
        (TRUST_A, "Harbourside NHS Foundation Trust", "nhs"),
        (TRUST_B, "Northby NHS Trust", "nhs"),
        (PARTNER, "Lumen Radiology Limited", "partner"),
        (CENTRE, "National data collaboration team", "centre"),
    ]:
        Organisation.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})


def people() -> dict[str, Any]:
    organisations()
    made = {}
    for username, (code, roles) in PEOPLE.items():
        user = get_user_model().objects.create_user(username, password=PASSWORD, first_name=username.title())
        for role in roles:
            Membership.objects.create(user=user, organisation=Organisation.objects.get(code=code), role=role)
        made[username] = user
    return made


def example_deal(file: str, owner: str, user: Any) -> Deal:
    text = (ROOT / "examples" / file).read_text(encoding="utf-8")
    checked = services.check_text(text, file)
    assert checked.valid, checked.issues
    return services.create_deal(Organisation.objects.get(code=owner), checked, user, f"example {file}")


def login(username: str) -> Client:
    """A client logged in as `username` (by session: the throttled login form is tested on its own)."""
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client
