"""The guided deal form: a new deal from a playbook, and editing a deal's facts.

Both pages post the whole form. "Add another" and "Remove" change the rows and show the form again
(htmx swaps just the list; without JavaScript the page reloads); "Save draft" and "Save and check"
check the deal through every check `contractkit draft` makes and save a new version, valid or
not. A post that is refused (a field the form does not have, a value far too long, a reference in
use, another organisation as the first NHS party) saves nothing and says why beside the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from contractkit.errors import Issue

from .. import dealform, formbind, formdata, policy, services
from ..models import Deal, Organisation
from ..state import library
from .common import me, require, visible_deal

CREATORS = "only a negotiator or legal lead of an NHS body can start a deal"
EDITORS = "only the deal's negotiator or legal lead can change its facts"
REFERENCE = "agreement.reference"
FIRST_ODS = "nhs_organisations.0.ods_code"


@require_GET
def new(request: HttpRequest) -> HttpResponse:
    """Choose a playbook (and, for someone in several NHS bodies, the organisation)."""
    orgs = policy.creatable_organisations(request.user)
    require(bool(orgs), CREATORS)
    chosen = request.GET.get("playbook")
    if chosen:
        _playbook(chosen)
        code = request.GET.get("organisation") or orgs[0].code
        return redirect(f"{reverse('new-form', args=[chosen])}?organisation={code}")
    playbooks = sorted(library().playbooks.values(), key=lambda p: p.title)
    return render(request, "ckweb/new.html", {"playbooks": playbooks, "orgs": orgs})


@require_http_methods(["GET", "POST"])
def new_form(request: HttpRequest, playbook: str) -> HttpResponse:
    """The form for a new deal; it is saved (as its first version) under its reference."""
    form = _form(_playbook(playbook))
    org = _organisation(request)
    page = _Page(form, org=org)
    if request.method == "GET":
        page.values = formdata.starting(form, _first_party(org))
        return _render(request, page)
    return _post(request, page)


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, ref: str) -> HttpResponse:
    """The form filled in from the latest version, valid or not, with the problems it has."""
    deal = visible_deal(request, ref)
    require(policy.can_edit(request.user, deal), EDITORS)
    latest = deal.latest
    form = _form(str(latest.data.get("playbook", "")) if isinstance(latest.data, dict) else "")
    page = _Page(form, org=deal.organisation, deal=deal, based_on=latest.number)
    if request.method == "GET":
        page.values = formdata.from_data(form, latest.data)
        page.issues = [Issue(**i) for i in latest.issues]
        return _render(request, page)
    return _post(request, page)


# ----------------------------------------------------------------------------- the page


@dataclass
class _Page:
    """What the form page shows: the form, its values and problems, and why nothing was saved."""

    form: dealform.DealForm
    org: Organisation
    deal: Deal | None = None
    based_on: int = 0
    values: formdata.Values = field(default_factory=formdata.Values)
    issues: list[Issue] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    focus: str = ""


def _render(request: HttpRequest, page: _Page, status: int = 200) -> HttpResponse:
    fixed = [REFERENCE] if page.deal is not None else []
    bound = formbind.bind(page.form, page.values, page.issues, fixed=fixed)
    context: dict[str, Any] = {
        "page": page,
        "form": bound,
        "playbook": page.form.plan.playbook,
        "deal": page.deal,
        "organisation": page.org,
        "focus": page.focus,
    }
    return render(request, "ckweb/deal_form.html", context, status=status)


def _post(request: HttpRequest, page: _Page) -> HttpResponse:
    values, refusals = formdata.from_post(page.form, request.POST)
    page.values = values
    if request.POST.get("add") or request.POST.get("remove"):
        return _rows(request, page)
    if refusals:
        page.issues = [formbind.as_issue(r.message, r.name) for r in refusals]
        return _refuse(request, page, "; ".join(dict.fromkeys(r.why for r in refusals)))
    if page.deal is not None and request.POST.get("based_on") != str(page.deal.latest.number):
        page.based_on = page.deal.latest.number
        return _refuse(request, page, f"version {page.based_on} was saved while you were editing", status=409)
    return _save(request, page, draft=request.POST.get("action") == "draft")


def _rows(request: HttpRequest, page: _Page) -> HttpResponse:
    """Add an empty row to a list, or remove one; nothing is checked or saved."""
    add, remove = request.POST.get("add", ""), request.POST.get("remove", "")
    if add and formdata.add_row(page.values, add):
        page.focus = f"{add}.{page.values.rows[add] - 1}"
    elif remove:
        formdata.remove_row(page.values, remove)
    return _render(request, page)


def _refuse(request: HttpRequest, page: _Page, why: str, status: int = 400) -> HttpResponse:
    page.refused.append(f"Nothing was saved: {why}.")
    return _render(request, page, status=status)


# ----------------------------------------------------------------------------- saving


def _save(request: HttpRequest, page: _Page, *, draft: bool) -> HttpResponse:
    posted = formdata.to_data(page.form, page.values)
    base = page.deal.latest.data if page.deal is not None else {"playbook": page.form.playbook}
    checked = services.check_data(formdata.merged(page.form, base, posted))
    page.issues = checked.issues
    if checked.data is None:
        return _refuse(request, page, "a value cannot be kept in a deal file (see below)")
    problems = _ownership(page, checked)
    if problems:
        page.issues = [*problems, *checked.issues]
        return _refuse(request, page, "; ".join(p.message for p in problems))
    if page.deal is None:
        return _create(request, page, checked, draft=draft)
    return _update(request, page, page.deal, checked, draft=draft)


def _ownership(page: _Page, checked: services.Checked) -> list[Issue]:
    """What stops a version being saved at all: it is filed under its reference, and belongs to
    the organisation that is its first NHS party."""
    reference = page.values.text.get(REFERENCE, "").strip()
    bad_reference = [i for i in checked.issues if i.severity == "error" and i.field == REFERENCE]
    problems: list[Issue] = []
    if page.deal is not None and reference != page.deal.reference:
        problems.append(formbind.as_issue(f"the reference stays {page.deal.reference} once a deal is saved", REFERENCE))
    elif page.deal is None and not bad_reference and Deal.objects.filter(reference=reference).exists():
        problems.append(_in_use(reference))
    elif page.deal is None and bad_reference:
        problems.append(formbind.as_issue("a draft is saved under its reference: give one first", REFERENCE))
    if page.values.text.get(FIRST_ODS, "").strip() != page.org.code:
        message = f"the first NHS party must be {page.org.name} (ODS code {page.org.code}), whose deal this is"
        problems.append(formbind.as_issue(message, FIRST_ODS, hint="list the other NHS bodies after it"))
    return problems


def _in_use(reference: str) -> Issue:
    return formbind.as_issue(
        f"another deal already has the reference {reference}", REFERENCE, hint="each agreement needs its own reference"
    )


def _create(request: HttpRequest, page: _Page, checked: services.Checked, *, draft: bool) -> HttpResponse:
    try:
        deal = services.create_deal(page.org, checked, me(request), "created with the deal form")
    except IntegrityError:  # the same reference saved a moment ago by someone else
        page.issues = [_in_use(page.values.text.get(REFERENCE, "")), *page.issues]
        return _refuse(request, page, "the reference is in use")
    return _saved(request, deal, checked, draft=draft)


def _update(request: HttpRequest, page: _Page, deal: Deal, checked: services.Checked, *, draft: bool) -> HttpResponse:
    before = formdata.from_data(page.form, deal.latest.data)
    keys = formdata.changed(page.form, before, page.values)
    if not keys:
        messages.info(request, f"Nothing changed, so no new version was saved (still version {deal.latest.number}).")
        return redirect("deal" if draft or deal.latest.valid else "edit", ref=deal.reference)
    services.save_version(deal, checked, me(request), "edited: " + ", ".join(keys))
    return _saved(request, deal, checked, draft=draft)


def _saved(request: HttpRequest, deal: Deal, checked: services.Checked, *, draft: bool) -> HttpResponse:
    """After saving: the deal page, or (Save and check, with problems) the form again with them."""
    errors = sum(1 for i in checked.issues if i.severity == "error")
    number = deal.latest.number
    if checked.valid:
        messages.success(request, f"Saved version {number}. It passes every check and can be drafted.")
        return redirect("deal", ref=deal.reference)
    problems = f"{errors} problem{'s' if errors != 1 else ''}"
    messages.warning(request, f"Saved version {number} as a draft: {problems} to fix before drafting.")
    return redirect("deal" if draft else "edit", ref=deal.reference)


# ----------------------------------------------------------------------------- lookups


def _playbook(playbook: str) -> str:
    if playbook not in library().playbooks:
        raise Http404("no such playbook")
    return playbook


def _form(playbook: str) -> dealform.DealForm:
    try:
        return dealform.build(library(), playbook)
    except KeyError:
        raise Http404("this deal's playbook is not in the library") from None


def _organisation(request: HttpRequest) -> Organisation:
    """The NHS body a new deal is for: one the user may start deals for (a tampered code is refused)."""
    orgs = policy.creatable_organisations(request.user)
    require(bool(orgs), CREATORS)
    code = request.POST.get("organisation") or request.GET.get("organisation") or orgs[0].code
    found = next((o for o in orgs if o.code == code and policy.can_create_for(request.user, o)), None)
    if found is None:
        raise PermissionDenied(CREATORS + ", and only for their own organisation")
    return found


def _first_party(org: Organisation) -> dict[str, Any]:
    return {"nhs_organisations": [{"name": org.name, "ods_code": org.code}]}
