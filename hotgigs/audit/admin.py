"""The audit log in the back office: staff search it; nobody adds, changes or deletes a record."""

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from hotgigs.accounts import policies
from hotgigs.admin_site import admin_site
from hotgigs.audit.models import AccessRecord
from hotgigs.audit.selectors import access_list


class StaffRecordAdmin(admin.ModelAdmin[Any]):
    """A record kept for accountability (an access, an erasure receipt): shown to those who may
    read the audit log, never added, changed or deleted through the back office."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return policies.may_read_audit_log(request.user)  # type: ignore[arg-type]

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return policies.may_read_audit_log(request.user)  # type: ignore[arg-type]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(AccessRecord, site=admin_site)
class AccessRecordAdmin(StaffRecordAdmin):
    list_display = ("at", "actor_email", "action", "channel", "candidate_id", "detail")
    list_filter = ("action", "channel", ("at", admin.DateFieldListFilter))
    # Exact candidate ids and actor emails: "=candidate_id" searches by the number typed.
    search_fields = ("=candidate_id", "actor_email", "detail")
    date_hierarchy = "at"
    fields = ("at", "actor", "actor_email", "candidate_id", "action", "channel", "detail")
    readonly_fields = fields
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[AccessRecord]:
        return access_list(actor=request.user)  # type: ignore[arg-type]
