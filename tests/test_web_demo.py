"""`make serve` / `contractkit serve --demo`: the example deals and one login per role, each of which works."""

from __future__ import annotations

import re

import pytest
from conftest import EXAMPLES
from django.contrib.auth import authenticate
from django.test import RequestFactory

from contractkit.web import policy
from contractkit.web.demo import load_demo
from contractkit.web.models import Deal

pytestmark = pytest.mark.django_db


def test_every_printed_login_works_and_the_examples_are_there() -> None:
    lines = list(load_demo())
    logins = [m.groups() for m in (re.match(r"\s+(\S+)\s+(demo-\S+)\s", line) for line in lines) if m]
    assert {u for u, _ in logins} == {"negotiator", "legal", "ig", "caldicott", "board", "centre", "partner"}
    assert Deal.objects.count() == len(EXAMPLES)
    for username, password in logins:
        user = authenticate(RequestFactory().post("/login/"), username=username, password=password)
        assert user is not None, username
        assert policy.visible_deals(user).exists(), f"{username} sees no deal"
    assert "Legal lead" in "\n".join(lines), "roles are printed in words"


def test_loading_the_demo_again_adds_nothing() -> None:
    list(load_demo())
    deals = Deal.objects.count()
    list(load_demo())
    assert Deal.objects.count() == deals
