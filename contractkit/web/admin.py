"""Django's admin, for the centre: organisations and roles are editable; versions, approvals and
the audit log are shown read-only, because the web app's own rules are the only way to change them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import ApprovalRequest, AuditEntry, Deal, DealVersion, Membership, Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "code", "kind")
    list_filter = ("kind",)
    search_fields = ("name", "code")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "organisation", "role")
    list_filter = ("role", "organisation")
    search_fields = ("user__username", "organisation__name")


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Deal)
class DealAdmin(ReadOnly):
    list_display = ("reference", "organisation", "created_by", "created_at")
    search_fields = ("reference",)


@admin.register(DealVersion)
class DealVersionAdmin(ReadOnly):
    list_display = ("deal", "number", "valid", "change", "created_by", "created_at")


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(ReadOnly):
    list_display = ("deal", "clause", "position", "role", "status", "requested_by", "decided_by")
    list_filter = ("status", "role")


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnly):
    list_display = ("seq", "at", "actor", "action", "deal")
    list_filter = ("action",)
