"""What the web app stores: organisations and roles, deals and their immutable versions,
approval requests, and the hash-chained audit log.

No drafting or legal logic lives here: a version's `data` is the deal exactly as a deal file
holds it, validated by the same models and checks as the CLI (see services.py).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models


class Immutable(models.Model):
    """A row that is written once: saving it again or deleting it is refused."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError(f"{type(self).__name__} rows are never changed once written")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError(f"{type(self).__name__} rows are never deleted")


class Organisation(models.Model):
    """An NHS body (by ODS code), a partner (by company number) or the national centre."""

    NHS, PARTNER, CENTRE = "nhs", "partner", "centre"
    KINDS: ClassVar[list[tuple[str, str]]] = [(NHS, "NHS body"), (PARTNER, "Partner"), (CENTRE, "National centre")]

    code = models.CharField(max_length=12, unique=True, help_text="ODS code, company number, or CENTRE.")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=KINDS)

    class Meta:
        ordering: ClassVar[list[str]] = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Membership(models.Model):
    """A user holds one role (from library.yaml) in one organisation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=40)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="one_role_once")
        ]
        ordering: ClassVar[list[str]] = ["organisation__name", "role"]

    def __str__(self) -> str:
        return f"{self.user} is {self.role} at {self.organisation.code}"


class Deal(models.Model):
    """One partnership, owned by the NHS organisation that negotiates it."""

    reference = models.CharField(max_length=40, unique=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="deals")
    parties = models.ManyToManyField(
        Organisation, related_name="party_to", blank=True, help_text="Partner organisations named in the deal."
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]

    def __str__(self) -> str:
        return self.reference

    @property
    def latest(self) -> DealVersion:
        """The newest version (a deal is always created with its first version)."""
        return self.versions.order_by("-number")[0]


class DealVersion(Immutable):
    """The deal as it stood after one change. Every change makes a new version; none is overwritten."""

    deal = models.ForeignKey(Deal, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    data = models.JSONField(help_text="The deal file's content as plain data (dates as ISO text).")
    valid = models.BooleanField(default=False, help_text="Whether it passed every check the CLI makes.")
    issues = models.JSONField(default=list, help_text="The problems found, as located issues.")
    change = models.CharField(max_length=300, help_text="What changed, in words.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sha256 = models.CharField(max_length=64, help_text="Hash of `data`, also recorded in the audit log.")

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["deal", "number"], name="one_version_number")
        ]
        ordering: ClassVar[list[str]] = ["deal", "number"]

    def __str__(self) -> str:
        return f"{self.deal.reference} v{self.number}"


class ApprovalRequest(models.Model):
    """A move to a rung that needs approval, addressed to the role the ladder names."""

    PENDING, APPROVED, REJECTED, REOPENED, WITHDRAWN = "pending", "approved", "rejected", "reopened", "withdrawn"
    STATES: ClassVar[list[tuple[str, str]]] = [
        (PENDING, "Pending"),
        (APPROVED, "Approved"),
        (REJECTED, "Rejected"),
        (REOPENED, "Re-opened by a later change"),
        (WITHDRAWN, "Withdrawn by a later move"),
    ]

    deal = models.ForeignKey(Deal, on_delete=models.PROTECT, related_name="approvals")
    clause = models.CharField(max_length=60)
    position = models.CharField(max_length=60)
    role = models.CharField(max_length=40)
    status = models.CharField(max_length=10, choices=STATES, default=PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_in = models.ForeignKey(DealVersion, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_in = models.ForeignKey(DealVersion, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.deal.reference}: {self.clause} -> {self.position} ({self.role}, {self.status})"


class AuditEntry(Immutable):
    """One line of the append-only log; `hash` chains it to the entry before (see audit.py)."""

    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.CharField(max_length=150, help_text="Username, kept as text so the log outlives accounts.")
    action = models.CharField(max_length=40)
    deal = models.CharField(max_length=40, blank=True, help_text="Deal reference, if any.")
    detail = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["seq"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} by {self.actor}"


class AuditHead(models.Model):
    """The last sequence number and hash, kept apart so that deleting the newest entries shows."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)
