"""Email deliveries and preferences, for platform staff to see what was sent to whom."""

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from hotgigs.admin_site import StaffOnlyAdminMixin, admin_site
from hotgigs.notifications.models import EmailDelivery, NotificationPreference


@admin.register(EmailDelivery, site=admin_site)
class EmailDeliveryAdmin(StaffOnlyAdminMixin, admin.ModelAdmin[EmailDelivery]):
    list_display = ("to_email", "kind", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status", "kind", ("created_at", admin.DateFieldListFilter))
    search_fields = ("to_email", "idempotency_key", "message_id")
    date_hierarchy = "created_at"
    fields = (
        "idempotency_key",
        "user",
        "kind",
        "to_email",
        "status",
        "attempts",
        "last_error",
        "message_id",
        "created_at",
        "claimed_at",
        "sent_at",
        "context",
        "ics",
    )
    readonly_fields = fields
    list_select_related = ("user",)

    # Deliveries are written by the services and the send task; the admin only reads them.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(NotificationPreference, site=admin_site)
class NotificationPreferenceAdmin(StaffOnlyAdminMixin, admin.ModelAdmin[NotificationPreference]):
    list_display = ("user", "kind", "email", "updated_at")
    list_filter = ("kind", "email")
    search_fields = ("user__email",)
    list_select_related = ("user",)
    fields = ("user", "kind", "email", "updated_at")
    readonly_fields = fields

    # A preference is the user's own choice, made through the API; staff only look.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
