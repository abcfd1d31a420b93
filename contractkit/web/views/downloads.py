"""Files: the agreement as DOCX or PDF (DRAFT), the final PDF, a redline, and a version as YAML."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from contractkit.errors import ContractkitError

from .. import policy, services
from .common import me, reads, require, version_of, visible_deal

TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "yaml": "application/yaml; charset=utf-8",
}


def _file(data: bytes, name: str, kind: str) -> HttpResponse:
    response = HttpResponse(data, content_type=TYPES[kind])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@reads
def agreement(request: HttpRequest, ref: str, number: int, kind: str) -> HttpResponse:
    deal = visible_deal(request, ref)
    version = version_of(deal, number)
    if kind not in ("docx", "pdf"):
        raise Http404("no such format")
    try:
        data = services.docx(version) if kind == "docx" else services.pdf(version)
    except ContractkitError as exc:
        messages.error(request, exc.lines()[0])
        return redirect("deal", ref=deal.reference)
    return _file(data, f"{deal.reference}-v{number}-DRAFT.{kind}", kind)


@reads
def final_pdf(request: HttpRequest, ref: str) -> HttpResponse:
    """The final PDF: only when the latest version is valid and no approval is pending."""
    deal = visible_deal(request, ref)
    problems = services.final_problems(deal)
    if problems:
        messages.error(request, "The final PDF is not available yet: " + "; ".join(problems))
        return redirect("deal", ref=deal.reference)
    try:
        data = services.pdf(deal.latest, final=True)
    except ContractkitError as exc:
        messages.error(request, exc.lines()[0])
        return redirect("deal", ref=deal.reference)
    return _file(data, f"{deal.reference}-v{deal.latest.number}-FINAL.pdf", "pdf")


@reads
def redline(request: HttpRequest, ref: str) -> HttpResponse:
    deal = visible_deal(request, ref)
    try:
        old, new = int(request.GET.get("from", "")), int(request.GET.get("to", ""))
    except ValueError:
        messages.error(request, "choose two versions to compare")
        return redirect("deal", ref=deal.reference)
    try:
        data = services.redline(version_of(deal, old), version_of(deal, new), me(request))
    except ContractkitError as exc:
        messages.error(request, exc.lines()[0])
        return redirect("deal", ref=deal.reference)
    return _file(data, f"{deal.reference}-v{old}-to-v{new}-redline.docx", "docx")


@reads
def deal_yaml(request: HttpRequest, ref: str, number: int) -> HttpResponse:
    deal = visible_deal(request, ref)
    require(policy.sees_negotiation(request.user, deal), "the deal file is the NHS side's own working document")
    version = version_of(deal, number)
    return _file(services.export_yaml(version).encode(), f"{deal.reference}-v{number}.yaml", "yaml")
