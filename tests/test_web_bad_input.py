"""Bad and hostile input through the web: each gets a clear page in words, never a 500, and saves nothing.

Every case counts the deal versions, approval requests, audit entries and deals before and after.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from conftest import ROOT
from django.http import HttpResponse
from django.test import Client
from webkit import (
    HARBOURSIDE,
    HARBOURSIDE_FILE,
    NORTHBY_FILE,
    TRUST_A,
    TRUST_B,
    example_deal,
    login,
    people,
)

from contractkit.web import services
from contractkit.web.models import ApprovalRequest, AuditEntry, Deal, DealVersion

pytestmark = pytest.mark.django_db

HARBOURSIDE_TEXT = (ROOT / "examples" / HARBOURSIDE_FILE).read_text(encoding="utf-8")
NOT_FOUND = "There is nothing here that you can see"
FORBIDDEN = "You cannot do that"


@pytest.fixture
def world() -> dict[str, Any]:
    """Two trusts, each with a deal; trust B's deal has an approval pending for its legal lead."""
    users = people()
    a = example_deal(HARBOURSIDE_FILE, TRUST_A, users["a-negotiator"])
    b = example_deal(NORTHBY_FILE, TRUST_B, users["b-negotiator"])
    services.swap(b, users["b-negotiator"], "publication", "notice-60-patent-60")
    return {"users": users, "a": a, "b": b, "b_request": ApprovalRequest.objects.get(deal=b, status="pending")}


def counts() -> dict[str, int]:
    return {
        "deals": Deal.objects.count(),
        "versions": DealVersion.objects.count(),
        "requests": ApprovalRequest.objects.count(),
        "pending": ApprovalRequest.objects.filter(status="pending").count(),
        "audit": AuditEntry.objects.count(),
    }


def page_text(response: HttpResponse) -> str:
    return response.content.decode("utf-8", errors="replace")


def refused(world: dict[str, Any], send: Callable[[], HttpResponse], status: int, words: str) -> None:
    """The request gets `status` and a page saying `words`, and nothing is saved."""
    before = counts()
    response = send()
    assert response.status_code == status, page_text(response)[:2000]
    assert words in page_text(response)
    assert counts() == before


# ----------------------------------------------------------------------------- uploads

LOCKED_IN_POSITIONS = HARBOURSIDE_TEXT.replace("positions:\n", "positions:\n  non-exclusivity: standard\n", 1)
BILLION_LAUGHS = 'a: &a ["x","x"]\nb: &b [*a,*a]\nc: &c [*b,*b]\nd: &d [*c,*c]\n'

UPLOADS = [
    # (name, file name, content, words on the page)
    ("oversized", "big.yaml", b"note: " + b"x" * (300 * 1024), "larger than 256 KB"),
    ("far oversized", "huge.yaml", b"#" * (3 * 1024 * 1024), "larger than 256 KB"),
    ("binary", "scan.yaml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "not a text file"),
    ("not YAML", "deal.yaml", b"agreement: [unclosed,\n", "YAML syntax error"),
    ("a list", "deal.yaml", b"- one\n- two\n", "should be a deal"),
    ("not a deal", "minutes.yaml", b"meeting: Tuesday\nattendees: [legal, finance]\n", "this is not a deal file"),
    ("empty", "empty.yaml", b"", "should be a deal"),
    ("aliases", "bomb.yaml", BILLION_LAUGHS.encode(), "anchor"),
    ("locked clause in positions", "deal.yaml", LOCKED_IN_POSITIONS.encode(), "&#x27;non-exclusivity&#x27; is locked"),
    ("another trust's deal", NORTHBY_FILE, (ROOT / "examples" / NORTHBY_FILE).read_bytes(), "be your organisation"),
    ("a reference that exists", HARBOURSIDE_FILE, HARBOURSIDE_TEXT.encode(), "already exists"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "filename", "content", "words"), UPLOADS, ids=[u[0] for u in UPLOADS])
def test_a_bad_upload_is_refused_in_words(
    world: dict[str, Any], name: str, filename: str, content: bytes, words: str
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login("a-legal")
    upload = SimpleUploadedFile(filename, content, content_type="application/yaml")
    refused(world, lambda: client.post("/deals/import/", {"deal": upload}), 200, words)


def test_an_upload_with_no_file_asks_for_one(world: dict[str, Any]) -> None:
    refused(world, lambda: login("a-legal").post("/deals/import/", {}), 200, "choose a deal file")


# ----------------------------------------------------------------------------- tampered requests


@dataclass(frozen=True)
class Tampered:
    """One request a tampered form or URL might send, who sends it, and the page it must get.
    In `path`, {A} and {B} are trust A's and trust B's deals and {R} trust B's pending request."""

    who: str
    request: str  # "POST /path" or "GET /path"
    data: dict[str, str]
    status: int
    words: str


MOVE = {"clause": "publication", "position": "notice-30"}
APPROVE = {"decision": "approve"}
TAMPERED = {
    "swap another trust's deal": Tampered("b-negotiator", "POST /deals/{A}/swap/", MOVE, 404, NOT_FOUND),
    "swap a locked clause": Tampered(
        "a-negotiator", "POST /deals/{A}/swap/", {"clause": "non-exclusivity", "position": "standard"}, 200, "locked"
    ),
    "swap an unknown clause": Tampered(
        "a-negotiator", "POST /deals/{A}/swap/", {"clause": "no-such-clause", "position": "x"}, 200, "no-such-clause"
    ),
    "swap to an unknown rung": Tampered(
        "a-negotiator", "POST /deals/{A}/swap/", {"clause": "publication", "position": "notice-0"}, 200, "notice-0"
    ),
    "swap with nothing named": Tampered("a-negotiator", "POST /deals/{A}/swap/", {}, 200, "Choose a clause"),
    "swap by GET": Tampered("a-negotiator", "GET /deals/{A}/swap/", {}, 405, ""),
    "approve another trust's request": Tampered("a-legal", "POST /approvals/{R}/", APPROVE, 404, NOT_FOUND),
    "approve a request that does not exist": Tampered("a-legal", "POST /approvals/999999/", APPROVE, 404, NOT_FOUND),
    "an unknown decision": Tampered("b-legal", "POST /approvals/{R}/", {"decision": "yes"}, 200, "Choose Approve"),
    "a comment too long": Tampered(
        "b-legal", "POST /approvals/{R}/", {"decision": "approve", "comment": "x" * 2001}, 200, "keep it to 2000"
    ),
    "a rejection with no reason": Tampered("b-legal", "POST /approvals/{R}/", {"decision": "reject"}, 200, "Say why"),
    "redline of another trust's deal": Tampered("a-legal", "GET /deals/{B}/redline/?from=1&to=2", {}, 404, NOT_FOUND),
    "redline of a version that does not exist": Tampered(
        "a-legal", "GET /deals/{A}/redline/?from=1&to=99", {}, 404, NOT_FOUND
    ),
    "redline of versions that are not numbers": Tampered(
        "a-legal", "GET /deals/{A}/redline/?from=one&to=2", {}, 200, "choose two versions"
    ),
    "download another trust's deal": Tampered("a-legal", "GET /deals/{B}/v1/agreement.docx", {}, 404, NOT_FOUND),
    "download a missing version": Tampered("a-legal", "GET /deals/{A}/v9/agreement.pdf", {}, 404, NOT_FOUND),
    "download in an unknown format": Tampered("a-legal", "GET /deals/{A}/v1/agreement.exe", {}, 404, NOT_FOUND),
    "export another trust's deal file": Tampered("a-legal", "GET /deals/{B}/v1/deal.yaml", {}, 404, NOT_FOUND),
    "final PDF of another trust's deal": Tampered("a-legal", "GET /deals/{B}/final.pdf", {}, 404, NOT_FOUND),
    "final PDF while an approval is pending": Tampered(
        "b-legal", "GET /deals/{B}/final.pdf", {}, 200, "not available yet"
    ),
    "history of another trust's deal": Tampered("a-legal", "GET /deals/{B}/history/", {}, 404, NOT_FOUND),
    "import by a role that cannot add deals": Tampered("a-board", "POST /deals/import/", {}, 403, FORBIDDEN),
}


@pytest.mark.parametrize("name", list(TAMPERED))
def test_a_tampered_request_is_refused_in_words(world: dict[str, Any], name: str) -> None:
    case = TAMPERED[name]
    method, path = case.request.split(" ", 1)
    path = path.format(A=HARBOURSIDE, B=world["b"].reference, R=world["b_request"].pk)
    client = login(case.who)

    def send() -> HttpResponse:
        response: HttpResponse = getattr(client, method.lower())(path, case.data, follow=True)
        return response

    refused(world, send, case.status, case.words)


def test_an_approval_is_not_swapped_by_editing_the_id_to_one_the_user_may_decide(world: dict[str, Any]) -> None:
    """Trust A's legal lead may decide trust A's requests only; B's request keeps its state."""
    refused(
        world,
        lambda: login("a-legal").post(f"/approvals/{world['b_request'].pk}/", {"decision": "reject", "comment": "no"}),
        404,
        NOT_FOUND,
    )
    world["b_request"].refresh_from_db()
    assert world["b_request"].status == "pending"


# ----------------------------------------------------------------------------- CSRF and size limits

POSTS = [
    ("swap", lambda w: f"/deals/{HARBOURSIDE}/swap/", {"clause": "publication", "position": "notice-60-patent-60"}),
    ("decide", lambda w: f"/approvals/{w['b_request'].pk}/", {"decision": "approve", "comment": "fine"}),
    ("import", lambda w: "/deals/import/", {}),
]


@pytest.mark.parametrize(("name", "path", "data"), POSTS, ids=[p[0] for p in POSTS])
def test_a_form_without_its_csrf_token_is_refused(
    world: dict[str, Any], name: str, path: Callable[[dict[str, Any]], str], data: dict[str, str]
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["users"]["b-legal" if name == "decide" else "a-negotiator"])
    refused(world, lambda: client.post(path(world), data), 403, "This form has expired")


def test_a_request_body_over_the_limit_gets_a_page_in_words(world: dict[str, Any]) -> None:
    client = login("a-negotiator")
    body = {"clause": "publication", "position": "notice-60-patent-60", "note": "x" * (2 * 1024 * 1024)}
    refused(world, lambda: client.post(f"/deals/{HARBOURSIDE}/swap/", body), 400, "Nothing was saved")


def test_an_oversized_file_is_skipped_as_it_arrives_and_never_kept(world: dict[str, Any]) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import RequestFactory

    from contractkit.web import uploads

    upload = SimpleUploadedFile("huge.yaml", b"#" * (uploads.limit() * 4), content_type="application/yaml")
    request = RequestFactory().post("/deals/import/", {"deal": upload, "other": "kept"})
    try:
        assert "deal" not in request.FILES and request.POST["other"] == "kept"
        assert uploads.too_large(request) == ["huge.yaml"]
    finally:
        request.close()


def test_a_file_within_the_limit_is_kept() -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import RequestFactory

    from contractkit.web import uploads

    upload = SimpleUploadedFile("deal.yaml", b"#" * uploads.limit(), content_type="application/yaml")
    request = RequestFactory().post("/deals/import/", {"deal": upload})
    try:
        assert request.FILES["deal"].size == uploads.limit() and uploads.too_large(request) == []
    finally:
        request.close()
