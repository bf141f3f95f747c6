"""Notifications, for platform staff to look into what a user was told; read-only."""

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from hotgigs.admin_site import StaffOnlyAdminMixin, admin_site
from hotgigs.realtime.models import Notification


@admin.register(Notification, site=admin_site)
class NotificationAdmin(StaffOnlyAdminMixin, admin.ModelAdmin[Notification]):
    list_display = ("user", "kind", "created_at", "read_at")
    list_select_related = ("user",)
    list_filter = ("kind", ("read_at", admin.EmptyFieldListFilter), ("created_at", admin.DateFieldListFilter))
    search_fields = ("user__email", "kind")
    date_hierarchy = "created_at"
    fields = ("user", "kind", "payload", "created_at", "read_at")
    readonly_fields = fields

    # Notifications are written by services as events happen; the admin only reads them.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
