"""The deal list, importing a deal file, the deal page, swaps and the history."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from contractkit.errors import ContractkitError

from .. import labels, policy, services, uploads
from ..models import Deal, Organisation
from .common import me, reads, require, visible_deal

MAX_UPLOAD = uploads.limit()  # bytes; a deal file is a few kilobytes
DEAL_FIELDS = frozenset({"playbook", "agreement", "nhs_organisations", "partners"})  # the first fields of any deal


@reads
def home(request: HttpRequest) -> HttpResponse:
    deals = policy.visible_deals(request.user).select_related("organisation").prefetch_related("versions")
    return render(
        request,
        "ckweb/home.html",
        {
            "deals": deals,
            "can_create": bool(policy.creatable_organisations(request.user)),
            "queue": policy.approval_queue(request.user).count(),
        },
    )


@require_http_methods(["GET", "POST"])
def import_deal(request: HttpRequest) -> HttpResponse:
    """Upload a deal file. It must pass every check, and name the user's organisation as an NHS party."""
    orgs = policy.creatable_organisations(request.user)
    require(bool(orgs), "only a negotiator or legal lead of an NHS body can add deals")
    problems: list[str] = []
    if request.method == "POST":
        deal, problems = _import(request, orgs)
        if deal is not None:
            messages.success(request, f"Imported {deal.reference}.")
            return redirect("deal", ref=deal.reference)
    return render(request, "ckweb/import.html", {"problems": problems, "max_kb": MAX_UPLOAD // 1024})


def _import(request: HttpRequest, orgs: list[Organisation]) -> tuple[Deal | None, list[str]]:
    """The new deal, or every reason the upload was refused (and nothing saved)."""
    upload = request.FILES.get("deal")  # reading the form first is what notes a skipped file
    skipped = uploads.too_large(request)
    if skipped or upload is None:
        return None, [_too_large(skipped[0]) if skipped else "choose a deal file (.yaml) to upload"]
    name = upload.name or "upload"
    text, problem = _upload_text(upload, name)
    if problem:
        return None, [problem]
    checked = services.check_text(text, name)
    if not checked.valid or checked.deal is None:
        return None, _refusal(checked, name)
    owner = next((o for o in orgs if o.code == services.owner_for(checked)), None)
    reference = checked.deal.agreement.reference
    if owner is None:
        codes = ", ".join(o.code for o in orgs)
        return None, [f"{name}: the first NHS party must be your organisation (ODS code {codes})"]
    if Deal.objects.filter(reference=reference).exists():
        return None, [f"{name}: a deal with reference {reference} already exists; open it and edit it instead"]
    return services.create_deal(owner, checked, me(request), f"imported from {name}"), []


def _refusal(checked: services.Checked, name: str) -> list[str]:
    """Why a file did not pass: one line for a file that is not a deal at all, else every located problem."""
    data = checked.data
    if isinstance(data, dict) and not DEAL_FIELDS & set(data):
        return [
            f"{name}: this is not a deal file: a deal file starts with fields such as 'playbook:' and "
            "'agreement:', one to a line. Export one from a deal's page, or make one with 'contractkit new'."
        ]
    return [str(i) for i in checked.issues if i.severity == "error"] or ["the deal does not pass its checks"]


def _too_large(name: str) -> str:
    return f"{name}: the file is larger than {MAX_UPLOAD // 1024} KB; a deal file is a few kilobytes"


def _upload_text(upload: Any, name: str) -> tuple[str, str | None]:
    """The uploaded file as text, or why it is not a deal file's text."""
    if upload.size is None or upload.size > MAX_UPLOAD:
        return "", _too_large(name)
    try:
        return upload.read(MAX_UPLOAD + 1).decode("utf-8"), None
    except UnicodeDecodeError:
        return "", f"{name}: not a text file (a deal file is YAML text saved as UTF-8)"


@reads
def deal_page(request: HttpRequest, ref: str) -> HttpResponse:
    deal = visible_deal(request, ref)
    return render(request, "ckweb/deal.html", _deal_context(request, deal))


def _deal_context(request: HttpRequest, deal: Deal) -> dict[str, object]:
    version = deal.latest
    negotiation = policy.sees_negotiation(request.user, deal)
    overview, final_problems = services.deal_page(version) if version.valid else (None, [])
    return {
        "deal": deal,
        "version": version,
        "versions": list(deal.versions.order_by("-number")),
        "overview": overview,
        "negotiation": negotiation,
        "can_edit": policy.can_edit(request.user, deal),
        "pending": services.pending(deal) if negotiation else [],
        "final_problems": final_problems,
    }


@require_POST
def swap(request: HttpRequest, ref: str) -> HttpResponse:
    """Move one clause to a rung of its ladder (htmx: the clause list is re-rendered in place)."""
    deal = visible_deal(request, ref)
    require(policy.can_edit(request.user, deal), "only the deal's negotiator or legal lead can move a clause")
    clause, position = request.POST.get("clause", ""), request.POST.get("position", "")
    if not clause or not position:
        messages.error(request, "Choose a clause and the wording to move it to, with its 'Move here' button.")
        return redirect("deal", ref=deal.reference)
    try:
        services.swap(deal, me(request), clause, position, request.POST.get("note", ""))
        messages.success(request, f"{labels.move(clause, position)}.")
    except ContractkitError as exc:
        messages.error(request, str(exc.lines()[0]))
    return redirect("deal", ref=deal.reference)  # htmx follows it and swaps in the page's <main>


@reads
def history(request: HttpRequest, ref: str) -> HttpResponse:
    deal = visible_deal(request, ref)
    negotiation = policy.sees_negotiation(request.user, deal)
    return render(
        request,
        "ckweb/history.html",
        {
            "deal": deal,
            "versions": deal.versions.order_by("-number").select_related("created_by"),
            "approvals": deal.approvals.select_related("requested_by", "decided_by") if negotiation else [],
            "entries": services.audit_entries(deal) if negotiation else [],
        },
    )
