"""Who may see and do what: the one place the web app decides it. Every view asks here.

| who (in the deal's organisations)                  | view | negotiation detail | edit, swap | approve       |
|----------------------------------------------------|------|--------------------|------------|---------------|
| negotiator or legal lead of the owning NHS body     | yes  | yes                | yes        | own role only |
| another role of the owning NHS body                 | yes  | yes                | no         | own role only |
| a member of a partner that is a party to the deal   | yes  | no (no ladders)    | no         | no            |
| the national centre                                 | yes  | yes                | no         | 'centre' only |
| anyone else                                         | no   | no                 | no         | no            |

Nobody approves a request they raised (four eyes), and a disabled account can do nothing.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.models import User as Account
from django.db.models import Q, QuerySet

from .models import ApprovalRequest, Deal, Membership, Organisation

EDITORS = frozenset({"negotiator", "legal-lead"})
CENTRE_ROLE = "centre"

User = Account | AnonymousUser


def _active(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def _memberships(user: User) -> QuerySet[Membership]:
    if not isinstance(user, Account) or not user.is_active:
        return Membership.objects.none()
    return Membership.objects.filter(user=user).select_related("organisation")


def roles_in(user: User, organisation: Organisation) -> set[str]:
    return set(_memberships(user).filter(organisation=organisation).values_list("role", flat=True))


def is_centre(user: User) -> bool:
    return _memberships(user).filter(organisation__kind=Organisation.CENTRE).exists()


def visible_deals(user: User) -> QuerySet[Deal]:
    """The deals a user may see: their organisations' (owned or as a partner), or all for the centre."""
    if not _active(user):
        return Deal.objects.none()
    if is_centre(user):
        return Deal.objects.all()
    mine = _memberships(user).values_list("organisation", flat=True)
    return Deal.objects.filter(Q(organisation__in=mine) | Q(parties__in=mine)).distinct()


def can_view(user: User, deal: Deal) -> bool:
    return visible_deals(user).filter(pk=deal.pk).exists()


def sees_negotiation(user: User, deal: Deal) -> bool:
    """Ladders, guidance, walk-away notes and approvals are the NHS side's own: never shown to a partner."""
    return _active(user) and (is_centre(user) or bool(roles_in(user, deal.organisation)))


def can_edit(user: User, deal: Deal) -> bool:
    """Change the deal's facts, import a new version, or move a clause along its ladder."""
    return bool(roles_in(user, deal.organisation) & EDITORS)


def can_create_for(user: User, organisation: Organisation) -> bool:
    return organisation.kind == Organisation.NHS and bool(roles_in(user, organisation) & EDITORS)


def creatable_organisations(user: User) -> list[Organisation]:
    orgs = {m.organisation for m in _memberships(user) if m.role in EDITORS and m.organisation.kind == "nhs"}
    return sorted(orgs, key=lambda o: o.name)


def holds_role_for(user: User, deal: Deal, role: str) -> bool:
    """The approving role for this deal: in its owning NHS body, or the centre's own role in the centre."""
    if role == CENTRE_ROLE:
        return _memberships(user).filter(organisation__kind=Organisation.CENTRE, role=CENTRE_ROLE).exists()
    return role in roles_in(user, deal.organisation)


def can_decide(user: User, request: ApprovalRequest) -> bool:
    """Approve or reject: the role the rung names, never the person who asked for it."""
    return (
        request.status == ApprovalRequest.PENDING
        and _active(user)
        and request.requested_by_id != user.pk
        and holds_role_for(user, request.deal, request.role)
    )


def approval_queue(user: User) -> QuerySet[ApprovalRequest]:
    """Pending requests this user may decide ("My approvals")."""
    if not _active(user):
        return ApprovalRequest.objects.none()
    pending = ApprovalRequest.objects.filter(status=ApprovalRequest.PENDING).exclude(requested_by_id=user.pk)
    scopes = Q(pk__in=[])
    for membership in _memberships(user):
        if membership.organisation.kind == Organisation.CENTRE and membership.role == CENTRE_ROLE:
            scopes |= Q(role=CENTRE_ROLE)
        else:
            scopes |= Q(deal__organisation=membership.organisation, role=membership.role)
    return pending.filter(scopes).select_related("deal", "requested_by")
