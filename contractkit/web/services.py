"""The web app's use of `contractkit.api`: the only web module that touches deals as contracts.

Each function takes Django objects, asks the API, and records what happened (a new immutable
version, an approval request, an audit entry) in one transaction. Drafting, checking and
negotiation rules stay in the API; nothing here decides what a clause says.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from contractkit import api
from contractkit.errors import ContractkitError, Issue

from . import audit, labels
from .models import ApprovalRequest, AuditEntry, Deal, DealVersion, Organisation
from .rendered import FILES
from .state import library


def display_name(user: Any) -> str:
    return str(user.get_full_name() or user.get_username())


@dataclass(frozen=True)
class Checked:
    """A deal's data as checked by every check `contractkit draft` makes."""

    data: Any
    agreement: api.Agreement | None
    issues: list[Issue]

    @property
    def valid(self) -> bool:
        return self.agreement is not None and not any(i.severity == "error" for i in self.issues)

    @property
    def deal(self) -> api.Deal | None:
        return self.agreement.deal if self.agreement is not None else None


def check_text(text: str, name: str) -> Checked:
    """A deal file's text, checked; its data kept even when it does not pass yet."""
    return Checked(*api.check_text(library(), text, name=name))


def check_data(data: Any, name: str = "deal form") -> Checked:
    return check_text(api.deal_yaml(data), name)


def owner_for(checked: Checked) -> str | None:
    """The ODS code of the first NHS party, which decides the owning organisation."""
    try:
        return str(checked.data["nhs_organisations"][0]["ods_code"])
    except (KeyError, IndexError, TypeError):
        return None


def _stored(checked: Checked) -> Any:
    """What a version keeps: the deal in canonical form when it passes, else the data as entered."""
    return api.deal_data(checked.deal) if checked.valid and checked.deal is not None else checked.data


@transaction.atomic
def save_version(deal: Deal, checked: Checked, user: User, change: str) -> DealVersion:
    """A new immutable version; when it alters the wording of an approved deviation, that approval
    is re-opened in a further version, so the agreement never claims an approval for other words."""
    previous = deal.versions.order_by("-number").first()
    version = _append(deal, checked, user, change)
    if previous is None or not previous.valid or checked.agreement is None or not version.valid:
        return version
    reopen = _reopened(deal, previous, checked.agreement)
    if not reopen:
        return version
    data = version.data
    for clause, position in reopen:
        data = api.reopen_approval(data, clause, position, f"re-opened: {change}", now=timezone.now())
    reopened = ", ".join(labels.clause_title(c) for c, _ in reopen)
    return _append(deal, check_data(data), user, "approvals re-opened: " + reopened)


def _append(deal: Deal, checked: Checked, user: User, change: str) -> DealVersion:
    previous = deal.versions.order_by("-number").first()
    number = previous.number + 1 if previous else 1
    data = _stored(checked)
    version = DealVersion.objects.create(
        deal=deal,
        number=number,
        data=data,
        valid=checked.valid,
        issues=[i.as_dict() for i in checked.issues],
        change=change[:300],
        created_by=user,
        sha256=audit.data_hash(data),
    )
    audit.record(
        user.get_username(), "version", deal=deal.reference, number=number, sha256=version.sha256, change=change
    )
    _link_parties(deal, data)
    return version


def _link_parties(deal: Deal, data: Any) -> None:
    partners = data.get("partners", []) if isinstance(data, dict) else []
    numbers = {str(p.get("company_number")) for p in partners if isinstance(p, dict)}
    deal.parties.set(Organisation.objects.filter(kind=Organisation.PARTNER, code__in=numbers))


@transaction.atomic
def create_deal(organisation: Organisation, checked: Checked, user: User, change: str) -> Deal:
    data = checked.data if isinstance(checked.data, dict) else {}
    reference = str(data.get("agreement", {}).get("reference") or "")
    deal = Deal.objects.create(reference=reference, organisation=organisation, created_by=user)
    audit.record(user.get_username(), "create", deal=reference, organisation=organisation.code)
    save_version(deal, checked, user, change)
    return deal


def _name(version: DealVersion) -> str:
    return f"{version.deal.reference} version {version.number}"


def agreement(version: DealVersion, *, final: bool = False) -> api.Agreement:
    """The agreement a version drafts to, through the same checks as `contractkit draft [--final]`."""
    if not version.valid:
        raise ContractkitError(
            f"version {version.number} does not pass its checks yet", hint="fix the problems the deal page lists"
        )
    return api.prepare_text(library(), _text(version.data), name=_name(version), final=final)


def _text(data: Any) -> str:
    """A stored version as text for the API: JSON, which the guarded YAML reader reads to the same
    plain data as the deal file `export_yaml` writes, so the drafts are byte-identical (tested), at
    a fraction of the cost of writing YAML (which grows with a deal's history)."""
    return json.dumps(data, ensure_ascii=False)


def docx(version: DealVersion, *, final: bool = False) -> bytes:
    """The version's agreement as Word, drafted once per process (see rendered.py)."""
    return FILES.get(
        (version.sha256, "docx", final), lambda: api.render_docx(library(), agreement(version, final=final))
    )


def pdf(version: DealVersion, *, final: bool = False) -> bytes:
    """The version's agreement as PDF, converted once per process from the same Word file."""

    def convert() -> bytes:
        api.start_pdf_pool(settings.CONTRACTKIT_PDF_CONVERTERS)  # once per process; cold soffice until it is ready
        return api.to_pdf(agreement(version, final=final), docx(version, final=final))

    return FILES.get((version.sha256, "pdf", final), convert)


def redline(old: DealVersion, new: DealVersion, user: User) -> bytes:
    return api.redline(docx(old), docx(new), author=display_name(user), date=timezone.now())


def export_yaml(version: DealVersion) -> str:
    """The version as a deal file the CLI drafts to the same bytes."""
    return api.deal_yaml(version.data)


def final_problems(deal: Deal) -> list[str]:
    """Why the final PDF is not available yet, in words (empty when it is)."""
    version = deal.latest
    if version is None or not version.valid:
        return ["the deal does not pass its checks yet"]
    return _final_words(agreement(version))


def _final_words(made: api.Agreement) -> list[str]:
    problems = api.final_problems(made)
    if len(problems) != len(made.warnings) + bool(made.pending):  # a kind of problem this page does not word
        return [i.message for i in problems]
    waiting = [
        f"the {labels.role_label(d.approver)} has not yet approved: {labels.move(d.clause, d.position)}"
        for d in made.pending
    ]
    return [w.message for w in made.warnings] + waiting


# ----------------------------------------------------------------------------- negotiation


@transaction.atomic
def swap(deal: Deal, user: User, clause: str, position: str, note: str = "") -> DealVersion:
    """Move a clause to a rung; a rung that needs approval opens a request addressed to its role."""
    request = api.SwapRequest(clause, position, display_name(user), note=note or None)
    version, entry = _move(deal, user, request, labels.move(clause, position))
    deal.approvals.filter(clause=clause, status=ApprovalRequest.PENDING).update(status=ApprovalRequest.WITHDRAWN)
    if entry.approval == "pending":
        role = api.rung(library(), agreement(version).deal, clause).approver
        ApprovalRequest.objects.create(
            deal=deal, clause=clause, position=position, role=role, requested_by=user, requested_in=version
        )
        audit.record(user.get_username(), "request", deal=deal.reference, clause=clause, position=position, role=role)
    return version


def _move(deal: Deal, user: User, request: api.SwapRequest, change: str) -> tuple[DealVersion, Any]:
    current = deal.latest
    made = agreement(current)
    data, entry = api.swap_data(library(), current.data, made.deal, request, now=timezone.now())
    return save_version(deal, check_data(data), user, change), entry


@transaction.atomic
def decide(request: ApprovalRequest, user: User, *, approve: bool, comment: str) -> DealVersion | None:
    """Approve (a new version records the approver's name, account and time) or reject, with a comment."""
    version = None
    if approve:
        name = display_name(user)
        swap_request = api.SwapRequest(
            request.clause,
            request.position,
            name,
            approved_by=name,
            role=request.role,
            account=user.get_username(),
            note=comment or None,
        )
        change = f"{labels.move(request.clause, request.position)}: approved by the {labels.role_label(request.role)}"
        version, _ = _move(request.deal, user, swap_request, change)
    request.status = ApprovalRequest.APPROVED if approve else ApprovalRequest.REJECTED
    request.decided_by, request.decided_at, request.decided_in = user, timezone.now(), version
    request.comment = comment
    request.save()
    audit.record(
        user.get_username(),
        "approve" if approve else "reject",
        deal=request.deal.reference,
        clause=request.clause,
        position=request.position,
        role=request.role,
        comment=comment,
    )
    return version


def _reopened(deal: Deal, before: DealVersion, after: api.Agreement) -> list[tuple[str, str]]:
    """Approved deviations whose clause reads differently after the change; their requests re-open."""
    old_text = {c.id: c.text() for c in agreement(before).all_clauses()}
    out = []
    for placed in after.all_clauses():
        if old_text.get(placed.id) == placed.text():
            continue
        approved = deal.approvals.filter(clause=placed.id, position=placed.position, status=ApprovalRequest.APPROVED)
        for request in approved:
            request.status = ApprovalRequest.REOPENED
            request.save(update_fields=["status"])
            ApprovalRequest.objects.create(
                deal=deal,
                clause=request.clause,
                position=request.position,
                role=request.role,
                requested_by=request.requested_by,
                requested_in=before,
            )
            audit.record("contractkit", "reopen", deal=deal.reference, clause=placed.id, role=request.role)
            out.append((request.clause, request.position))
    return out


def pending(deal: Deal) -> list[ApprovalRequest]:
    return list(deal.approvals.filter(status=ApprovalRequest.PENDING).select_related("requested_by"))


# ----------------------------------------------------------------------------- the deal page


@dataclass(frozen=True)
class Rung:
    position: str
    label: str
    approver: str
    approver_label: str
    current: bool

    @property
    def needs_approval(self) -> bool:
        """The negotiator's own rungs need nobody else's approval (as `contractkit swap` decides)."""
        return self.approver != "negotiator"


@dataclass(frozen=True)
class Row:
    """One clause of the deal page: where it stands, and (for negotiable ones) its ladder."""

    id: str
    number: str
    title: str
    status: str
    locked: bool
    schedule: str | None
    label: str
    rungs: tuple[Rung, ...] = ()
    walk_away: str | None = None
    pending: bool = False
    approved_by: str | None = None  # who approved the current wording, when it needed approval


def deal_page(version: DealVersion) -> tuple[list[Row], list[str]]:
    """The clause rows and why a final is not yet available, from one assembly of the version."""
    made = agreement(version)
    return _rows(made), _final_words(made)


def overview(version: DealVersion) -> list[Row]:
    """The clauses of the agreement in order, each with its status and (if negotiable) its ladder."""
    return _rows(agreement(version))


def _rows(made: api.Agreement) -> list[Row]:
    meta = library().meta
    states = {s.clause.id: s for s in api.positions(library(), made.deal)}
    schedules = {c.id: f"Schedule {s.number}" for s in made.schedules for c in s.clauses}
    rows = []
    for placed in made.all_clauses():
        state = states.get(placed.id)
        rungs = tuple(
            Rung(
                r.position,
                labels.position_label(placed.id, r.position),
                r.approver,
                meta.role_label(r.approver),
                r.position == placed.position,
            )
            for r in (state.rungs if state else ())
        )
        rows.append(
            Row(
                placed.id,
                placed.number,
                placed.clause.title,
                placed.clause.status,
                placed.locked,
                schedules.get(placed.id),
                labels.position_label(placed.id, placed.position),
                rungs,
                state.walk_away if state else None,
                bool(state and state.pending),
                getattr(state.approval, "name", None) if state else None,
            )
        )
    return rows


def audit_entries(deal: Deal) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(deal=deal.reference).order_by("seq"))
