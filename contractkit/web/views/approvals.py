"""My approvals: the requests addressed to a role the user holds, decided in person with a comment."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from contractkit.errors import ContractkitError

from .. import labels, policy, services
from ..models import ApprovalRequest
from .common import me, reads, require

MAX_COMMENT = 2000


@reads
def queue(request: HttpRequest) -> HttpResponse:
    return render(request, "ckweb/approvals.html", {"requests": policy.approval_queue(request.user)})


def _problem(choice: str | None, comment: str) -> str | None:
    if choice not in ("approve", "reject"):
        return "Choose Approve or Reject."
    if len(comment) > MAX_COMMENT:
        return f"The comment is {len(comment)} characters long; keep it to {MAX_COMMENT}."
    if choice == "reject" and not comment:
        return "Say why you reject it: the negotiator needs the reason."
    return None


@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or reject one request. A request the user cannot see is 'not found'."""
    found = ApprovalRequest.objects.select_related("deal__organisation").filter(pk=pk).first()
    if found is None or not policy.can_view(request.user, found.deal):
        raise Http404("no such approval request")
    require(
        policy.can_decide(request.user, found),
        f"this request needs the {labels.role_label(found.role)} of {found.deal.organisation.name}, "
        "and not the person who asked for it",
    )
    choice, comment = request.POST.get("decision"), request.POST.get("comment", "").strip()
    problem = _problem(choice, comment)
    if problem:
        messages.error(request, problem)
        return redirect("approvals")
    try:
        services.decide(found, me(request), approve=choice == "approve", comment=comment)
    except ContractkitError as exc:
        messages.error(request, exc.lines()[0])
        return redirect("approvals")
    verb = "Approved" if choice == "approve" else "Rejected"
    messages.success(request, f"{verb}: {found.deal.reference}, {labels.move(found.clause, found.position)}.")
    return redirect("approvals")
