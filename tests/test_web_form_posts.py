"""The deal form through the web app: new deals and edits saved as versions (valid or not), rows
added and removed without saving, the document the CLI drafts from the same deal, and every
refused post saving nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from conftest import paragraphs
from django.test import Client
from formkit import library_form, posted, read_form
from webkit import HARBOURSIDE, HARBOURSIDE_FILE, NORTHBY_FILE, ROOT, TRUST_A, TRUST_B, example_deal, login, people

from contractkit import api
from contractkit.web import formdata, services, state
from contractkit.web.models import ApprovalRequest, AuditEntry, Deal, DealVersion

pytestmark = pytest.mark.django_db
NEW = "/deals/new/research-collaboration/"
EDIT = f"/deals/{HARBOURSIDE}/edit/"


@pytest.fixture
def world() -> dict[str, Any]:
    users = people()
    return {"users": users, "a": example_deal(HARBOURSIDE_FILE, TRUST_A, users["a-negotiator"])}


def _northby() -> dict[str, Any]:
    """Northby's example deal as a new deal: its facts only, under a reference of its own."""
    data = api.deal_data(api.load_deal(ROOT / "examples" / NORTHBY_FILE, state.library()))
    data = {k: v for k, v in data.items() if k not in ("positions", "history")}
    data["agreement"]["reference"] = "NHS-DPA-2027-0500"
    return data


def _fields(data: dict[str, Any]) -> dict[str, str]:
    """What the form posts for `data`, filled in as a lawyer would."""
    values = formdata.from_data(library_form(data["playbook"]), data)
    return {k: v for k, v in values.text.items() if v}


def _saved() -> tuple[int, int, int]:
    return Deal.objects.count(), DealVersion.objects.count(), AuditEntry.objects.count()


# ----------------------------------------------------------------------------- choosing a playbook


def test_the_new_deal_page_lists_the_playbooks(world: dict[str, Any]) -> None:
    page = login("b-negotiator").get("/deals/new/").content.decode()
    for playbook in state.library().playbooks.values():
        assert playbook.title in page and playbook.description[:40] in page
    response = login("b-negotiator").get("/deals/new/", {"playbook": "ai-development"})
    assert response.status_code == 302 and response["Location"] == "/deals/new/ai-development/?organisation=" + TRUST_B
    assert login("b-negotiator").get("/deals/new/", {"playbook": "no-such"}).status_code == 404
    assert login("a-ig").get("/deals/new/").status_code == 403, "only negotiators and legal leads start deals"


def test_the_new_form_starts_with_the_organisation_as_first_nhs_party(world: dict[str, Any]) -> None:
    fields = read_form(login("b-negotiator").get(NEW).content.decode()).fields
    assert fields["nhs_organisations.0.name"] == "Northby NHS Trust"
    assert fields["nhs_organisations.0.ods_code"] == TRUST_B and fields["organisation"] == TRUST_B
    assert "partners.0.name" in fields and "signatories.1.name" in fields and "special_conditions.0" not in fields


# ----------------------------------------------------------------------------- saving


def test_a_deal_made_through_the_form_drafts_as_the_cli_drafts_its_exported_file(
    world: dict[str, Any], cli: Callable[..., Result], tmp_path: Path
) -> None:
    client = login("b-negotiator")
    response = client.post(NEW, {**_fields(_northby()), "organisation": TRUST_B, "action": "check"})
    assert response.status_code == 302 and response["Location"] == "/deals/NHS-DPA-2027-0500/"
    version = Deal.objects.get(reference="NHS-DPA-2027-0500").latest
    assert version.valid and version.change == "created with the deal form"
    exported = tmp_path / "deal.yaml"
    exported.write_bytes(client.get("/deals/NHS-DPA-2027-0500/v1/deal.yaml").content)
    result = cli("draft", str(exported), "-o", str(tmp_path / "cli.docx"))
    assert result.exit_code == 0, result.output
    web = client.get("/deals/NHS-DPA-2027-0500/v1/agreement.docx").content
    assert web == (tmp_path / "cli.docx").read_bytes()
    made = api.prepare(state.library(), exported)
    assert api.render_docx(state.library(), made) == web


def test_a_deal_with_a_mistake_is_saved_as_a_draft_and_explained(world: dict[str, Any]) -> None:
    data = _northby()
    data["term"]["end"] = "1/6/2026"  # before the start
    client = login("b-negotiator")
    response = client.post(NEW, {**_fields(data), "organisation": TRUST_B, "action": "check"})
    assert response.status_code == 302 and response["Location"] == "/deals/NHS-DPA-2027-0500/edit/"
    version = Deal.objects.get(reference="NHS-DPA-2027-0500").latest
    assert not version.valid and any(i["field"] == "term.end" for i in version.issues)
    page = client.get(response["Location"]).content.decode()
    assert "must be after the start date" in page and 'href="#term.end"' in page
    assert read_form(page).fields["term.end"] == "1/6/2026", "the date is kept as typed"


def test_save_draft_goes_to_the_deal_page_and_save_and_check_stays(world: dict[str, Any]) -> None:
    data = _northby()
    del data["partners"][0]["name"]
    response = login("b-negotiator").post(NEW, {**_fields(data), "organisation": TRUST_B, "action": "draft"})
    assert response["Location"] == "/deals/NHS-DPA-2027-0500/"
    assert not DealVersion.objects.get(deal__reference="NHS-DPA-2027-0500").valid


def test_an_edit_saves_a_new_version_naming_what_changed(world: dict[str, Any]) -> None:
    client = login("a-negotiator")
    fields = posted(client.get(EDIT).content.decode())
    fields["term.end"] = "31/3/2030"
    fields["partners.0.address"] = "5 Foundry Yard, Bristol BS99 7ZZ"
    response = client.post(EDIT, {**fields, "action": "check"})
    assert response.status_code == 302 and response["Location"] == f"/deals/{HARBOURSIDE}/"
    latest = world["a"].latest
    assert latest.number == 2 and latest.valid and latest.change == "edited: partners, term"
    assert latest.data["term"]["end"] == "2030-03-31"
    assert latest.data["positions"] == world["a"].versions.get(number=1).data["positions"], "negotiation kept"
    assert latest.data["history"] == world["a"].versions.get(number=1).data["history"]


def test_an_unchanged_form_saves_no_version(world: dict[str, Any]) -> None:
    client = login("a-negotiator")
    response = client.post(EDIT, {**posted(client.get(EDIT).content.decode()), "action": "check"})
    assert response.status_code == 302 and world["a"].versions.count() == 1


def test_an_edit_that_changes_approved_wording_reopens_the_approval(world: dict[str, Any]) -> None:
    negotiator = world["users"]["a-negotiator"]
    services.swap(world["a"], negotiator, "value-share", "milestones")
    services.swap(world["a"], negotiator, "value-share", "subscription")  # the board must approve it
    request = ApprovalRequest.objects.get(deal=world["a"], status="pending")
    services.decide(request, world["users"]["a-board"], approve=True, comment="agreed")
    client = login("a-negotiator")
    fields = posted(client.get(EDIT).content.decode())
    fields["commercial.value_share.subscription_amount"] = "£70,000"  # printed in the approved wording
    response = client.post(EDIT, {**fields, "action": "check"})
    assert response.status_code == 302
    assert ApprovalRequest.objects.filter(deal=world["a"], status="reopened").exists()
    assert world["a"].latest.change == "approvals re-opened: Value share"


def test_the_edit_form_shows_the_problems_of_the_latest_draft(world: dict[str, Any]) -> None:
    client = login("a-negotiator")
    fields = posted(client.get(EDIT).content.decode())
    fields["partners.0.company_number"] = "123"
    assert client.post(EDIT, {**fields, "action": "draft"})["Location"] == f"/deals/{HARBOURSIDE}/"
    page = client.get(EDIT).content.decode()
    assert "must be 8 characters" in page and 'href="#partners.0.company_number"' in page
    assert read_form(page).fields["partners.0.company_number"] == "123"


# ----------------------------------------------------------------------------- rows, without saving


def test_add_and_remove_rows_show_the_form_again_and_save_nothing(world: dict[str, Any]) -> None:
    client = login("a-negotiator")
    fields = posted(client.get(EDIT).content.decode())
    before = _saved()
    added = client.post(EDIT, {**fields, "add": "partners"})
    assert added.status_code == 200 and "partners.1.name" in read_form(added.content.decode()).fields
    removed = client.post(EDIT, {**fields, "remove": "nhs_organisations.0"})
    kept = read_form(removed.content.decode()).fields
    assert kept["nhs_organisations.0.ods_code"] == "ZZW02" and "nhs_organisations.1.name" not in kept
    assert _saved() == before


# ----------------------------------------------------------------------------- refusals save nothing


def _edit_fields(client: Client) -> dict[str, str]:
    return {**posted(client.get(EDIT).content.decode()), "action": "check"}


REFUSED: list[tuple[str, str, Callable[[dict[str, str]], dict[str, str]], int, str]] = [
    ("b-negotiator", EDIT, lambda f: f, 404, ""),  # another trust's deal: not even told it exists
    ("a-ig", EDIT, lambda f: f, 403, ""),  # sees the deal, may not change it
    ("partner", EDIT, lambda f: f, 403, ""),
    ("centre", EDIT, lambda f: f, 403, ""),
    ("a-negotiator", "/deals/new/no-such-playbook/", lambda f: f, 404, ""),
    ("a-negotiator", NEW, lambda f: {**f, "organisation": TRUST_B}, 403, ""),  # a tampered organisation
    ("a-negotiator", EDIT, lambda f: {**f, "agreement.title": "x" * 20_000}, 400, "20,000 characters"),
    ("a-negotiator", EDIT, lambda f: {**f, **{f"partners.{n}.name": "P" for n in range(61)}}, 400, "at most 60"),
    ("a-negotiator", EDIT, lambda f: {**f, "positions.general": "standard"}, 400, "positions.general"),
    ("a-negotiator", EDIT, lambda f: {**f, "playbook": "academic-access"}, 400, "no field named"),
    ("a-negotiator", EDIT, lambda f: {**f, "agreement.reference": "NHS-DPA-2026-9999"}, 400, "stays NHS-DPA-2026-0117"),
    ("a-negotiator", EDIT, lambda f: {**f, "nhs_organisations.0.ods_code": TRUST_B}, 400, "first NHS party must be"),
    ("a-negotiator", EDIT, lambda f: {**f, "based_on": "0"}, 409, "was saved while you were editing"),
]


@pytest.mark.parametrize("case", REFUSED, ids=lambda c: f"{c[0]}-{c[3]}-{c[4][:20]}")
def test_refused_posts_save_nothing(
    world: dict[str, Any], case: tuple[str, str, Callable[[dict[str, str]], dict[str, str]], int, str]
) -> None:
    who, url, tamper, status, says = case
    fields = tamper(_edit_fields(login("a-negotiator")))
    if url == NEW:
        fields = {**tamper(_fields(_northby())), "action": "check"}
    before = _saved()
    response = login(who).post(url, fields)
    assert response.status_code == status
    assert says in response.content.decode().replace("&#x27;", "'")
    assert _saved() == before


NEW_REFUSED = [
    ({"agreement.reference": HARBOURSIDE}, "another deal already has the reference"),
    ({"agreement.reference": ""}, "a draft is saved under its reference"),
    ({"agreement.reference": "not a reference"}, "a draft is saved under its reference"),
    ({"nhs_organisations.0.ods_code": TRUST_A}, "the first NHS party must be Northby NHS Trust"),
]


@pytest.mark.parametrize(("change", "says"), NEW_REFUSED)
def test_a_new_deal_needs_its_own_reference_and_organisation(
    world: dict[str, Any], change: dict[str, str], says: str
) -> None:
    before = _saved()
    response = login("b-negotiator").post(NEW, {**_fields(_northby()), **change, "organisation": TRUST_B})
    assert response.status_code == 400 and _saved() == before
    page = response.content.decode().replace("&#x27;", "'")
    assert says in page and "Nothing was saved" in page


HOSTILE = [
    ("\x00", 400, "control character"),  # refused: Word cannot open a document holding it
    ("{{ 7 * 7 }}", 302, ""),  # deal values are data, never template code
    ("{% for x in y %}", 302, ""),
    ("<script>alert(1)</script>", 302, ""),
    ("!!python/object:os.system", 302, ""),  # YAML never builds objects
]


@pytest.mark.parametrize(("value", "status", "says"), HOSTILE)
def test_hostile_values_are_kept_as_text_or_refused(world: dict[str, Any], value: str, status: int, says: str) -> None:
    client = login("a-negotiator")
    before = world["a"].versions.count()
    response = client.post(EDIT, {**_edit_fields(client), "agreement.title": value})
    assert response.status_code == status and says in response.content.decode()
    if status == 302:
        latest = world["a"].latest
        assert latest.valid and latest.data["agreement"]["title"] == value
        assert value in "\n".join(paragraphs(services.docx(latest)))
    else:
        assert world["a"].versions.count() == before
    assert "<script>alert" not in client.get(EDIT).content.decode()


def test_csrf_is_checked_on_the_form(world: dict[str, Any]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["users"]["a-negotiator"])
    before = _saved()
    assert client.post(EDIT, _edit_fields(login("a-negotiator"))).status_code == 403
    assert client.post(NEW, {**_fields(_northby()), "action": "check"}).status_code == 403
    assert _saved() == before


def test_the_form_needs_a_login(world: dict[str, Any]) -> None:
    for url in ("/deals/new/", NEW, EDIT):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert Client().post(EDIT, {"action": "check"}).status_code == 302 and world["a"].versions.count() == 1
