"""Who may see and do what in the web app, as a table; and the audit chain that records it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from webkit import HARBOURSIDE, HARBOURSIDE_FILE, NORTHBY_FILE, PASSWORD, TRUST_A, TRUST_B, example_deal, login, people

from contractkit.web import audit, services
from contractkit.web.models import ApprovalRequest, AuditEntry, DealVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    users = people()
    a = example_deal(HARBOURSIDE_FILE, TRUST_A, users["a-negotiator"])
    b = example_deal(NORTHBY_FILE, TRUST_B, users["b-negotiator"])
    return {"users": users, "a": a, "b": b}


# who, page, status: the deal page, a DOCX download and the deal file export of trust A's deal.
VIEW = [
    ("a-negotiator", 200, 200, 200),
    ("a-board", 200, 200, 200),
    ("b-negotiator", 404, 404, 404),  # another trust: not even told the deal exists
    ("b-legal", 404, 404, 404),
    ("partner", 200, 200, 403),  # a party to the deal, but the deal file is the NHS side's own
    ("centre", 200, 200, 200),
]


@pytest.mark.parametrize(("who", "page", "docx", "export"), VIEW)
def test_who_sees_a_deal(world: dict[str, Any], who: str, page: int, docx: int, export: int) -> None:
    client = login(who)
    assert client.get(f"/deals/{HARBOURSIDE}/").status_code == page
    assert client.get(f"/deals/{HARBOURSIDE}/v1/agreement.docx").status_code == docx
    assert client.get(f"/deals/{HARBOURSIDE}/v1/deal.yaml").status_code == export


def test_a_partner_never_sees_the_ladders(world: dict[str, Any]) -> None:
    page = login("partner").get(f"/deals/{HARBOURSIDE}/").content.decode()
    assert "Walk away" not in page and "Move here" not in page
    assert "Walk away" in login("a-negotiator").get(f"/deals/{HARBOURSIDE}/").content.decode()


def test_the_deal_list_shows_only_the_users_organisations(world: dict[str, Any]) -> None:
    assert HARBOURSIDE in login("a-ig").get("/").content.decode()
    listing = login("b-legal").get("/").content.decode()
    assert HARBOURSIDE not in listing and world["b"].reference in listing
    centre = login("centre").get("/").content.decode()
    assert HARBOURSIDE in centre and world["b"].reference in centre


SWAP = {"clause": "publication", "position": "notice-60-patent-60"}  # needs the legal lead


@pytest.mark.parametrize(
    ("who", "status", "moved"),
    [
        ("a-negotiator", 302, True),
        ("a-legal", 302, True),
        ("a-board", 403, False),  # sees the deal, but only negotiators and legal leads move clauses
        ("partner", 403, False),
        ("centre", 403, False),
        ("b-negotiator", 404, False),  # a tampered form naming another trust's deal
    ],
)
def test_who_may_swap(world: dict[str, Any], who: str, status: int, moved: bool) -> None:
    before = DealVersion.objects.count()
    assert login(who).post(f"/deals/{HARBOURSIDE}/swap/", SWAP).status_code == status
    assert (DealVersion.objects.count() > before) is moved
    assert ApprovalRequest.objects.filter(deal=world["a"], status="pending").exists() is moved


def _pending(world: dict[str, Any], by: str = "a-negotiator") -> ApprovalRequest:
    services.swap(world["a"], world["users"][by], SWAP["clause"], SWAP["position"])
    return ApprovalRequest.objects.get(deal=world["a"], status="pending")


@pytest.mark.parametrize(
    ("who", "status", "approved"),
    [
        ("a-legal", 302, True),  # holds the rung's role in the deal's trust
        ("a-negotiator", 403, False),  # asked for it: four eyes
        ("a-board", 403, False),  # the wrong role
        ("b-legal", 404, False),  # the right role in another trust
        ("partner", 403, False),
        ("centre", 403, False),
    ],
)
def test_who_may_approve(world: dict[str, Any], who: str, status: int, approved: bool) -> None:
    request = _pending(world)
    response = login(who).post(f"/approvals/{request.pk}/", {"decision": "approve", "comment": "ok"})
    assert response.status_code == status
    request.refresh_from_db()
    assert (request.status == "approved") is approved


def test_the_person_who_swapped_cannot_approve_even_with_the_role(world: dict[str, Any]) -> None:
    request = _pending(world, by="a-legal")
    assert login("a-legal").post(f"/approvals/{request.pk}/", {"decision": "approve"}).status_code == 403
    assert request.pk not in [r.pk for r in login("a-legal").get("/approvals/").context["requests"]]


def test_a_negotiator_cannot_approve_a_board_rung(world: dict[str, Any]) -> None:
    services.swap(world["a"], world["users"]["a-legal"], "publication", "notice-60-patent-120")
    request = ApprovalRequest.objects.get(deal=world["a"], status="pending")
    assert request.role == "board"
    assert login("a-negotiator").post(f"/approvals/{request.pk}/", {"decision": "approve"}).status_code == 403
    assert login("a-board").post(f"/approvals/{request.pk}/", {"decision": "approve"}).status_code == 302


def test_an_approval_names_the_account_and_unblocks_the_final(world: dict[str, Any]) -> None:
    request = _pending(world)
    assert any("Legal lead has not yet approved" in p for p in services.final_problems(world["a"]))
    login("a-legal").post(f"/approvals/{request.pk}/", {"decision": "approve", "comment": "checked"})
    assert services.final_problems(world["a"]) == []
    latest = world["a"].latest.data
    approval = latest["history"][-1]["approval"]
    assert approval["account"] == "a-legal" and approval["role"] == "legal-lead"


def test_a_rejection_needs_a_reason_and_saves_nothing_without_one(world: dict[str, Any]) -> None:
    request = _pending(world)
    versions = DealVersion.objects.count()
    login("a-legal").post(f"/approvals/{request.pk}/", {"decision": "reject", "comment": ""})
    request.refresh_from_db()
    assert request.status == "pending" and DealVersion.objects.count() == versions


@pytest.mark.parametrize("path", ["/", f"/deals/{HARBOURSIDE}/", "/approvals/", f"/deals/{HARBOURSIDE}/history/"])
def test_login_is_required_everywhere(world: dict[str, Any], path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_csrf_is_checked_on_every_form(world: dict[str, Any]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["users"]["a-negotiator"])
    assert client.post(f"/deals/{HARBOURSIDE}/swap/", SWAP).status_code == 403
    assert not ApprovalRequest.objects.exists()


def test_a_disabled_account_can_do_nothing(world: dict[str, Any]) -> None:
    user = world["users"]["a-negotiator"]
    client = login("a-negotiator")
    user.is_active = False
    user.save()
    assert client.get(f"/deals/{HARBOURSIDE}/").status_code in (302, 404)


# ----------------------------------------------------------------------------- the audit chain


def test_the_audit_chain_is_intact_after_real_work(world: dict[str, Any]) -> None:
    request = _pending(world)
    services.decide(request, world["users"]["a-legal"], approve=True, comment="fine")
    assert audit.verify() == []


def test_the_audit_chain_detects_a_deleted_row(world: dict[str, Any]) -> None:
    middle = AuditEntry.objects.order_by("seq")[1]
    AuditEntry.objects.filter(pk=middle.pk).delete()  # a queryset delete, as a tamperer with SQL would
    problems = [str(p) for p in audit.verify()]
    assert any("missing" in p or "removed" in p for p in problems)


def test_the_audit_chain_detects_an_edited_row(world: dict[str, Any]) -> None:
    AuditEntry.objects.filter(seq=2).update(actor="someone-else")
    assert any("changed after it was written" in str(p) for p in audit.verify())


def test_the_audit_chain_detects_the_newest_rows_removed(world: dict[str, Any]) -> None:
    last = AuditEntry.objects.order_by("-seq").first()
    assert last is not None
    AuditEntry.objects.filter(pk=last.pk).delete()
    assert any("entries removed" in str(p) for p in audit.verify())


def test_an_edited_deal_version_is_detected(world: dict[str, Any]) -> None:
    version = DealVersion.objects.first()
    assert version is not None
    data = dict(version.data, playbook=version.data["playbook"] + "-edited")
    DealVersion.objects.filter(pk=version.pk).update(data=data)
    assert any("changed after it was saved" in str(p) for p in audit.verify())


def test_rows_refuse_to_be_changed_through_the_app(world: dict[str, Any]) -> None:
    entry = AuditEntry.objects.first()
    version = DealVersion.objects.first()
    assert entry is not None and version is not None
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        version.delete()


def test_login_is_throttled_after_five_failures(world: dict[str, Any]) -> None:
    client = Client()
    for _ in range(5):
        client.post("/login/", {"username": "a-legal", "password": "wrong-password"})
    locked = client.post("/login/", {"username": "a-legal", "password": PASSWORD})
    assert locked.status_code == 429 and "Too many failed log-ins" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_right_password_logs_in(world: dict[str, Any]) -> None:
    client = Client()
    response = client.post("/login/", {"username": "a-legal", "password": PASSWORD})
    assert response.status_code == 302 and client.session.get("_auth_user_id")
