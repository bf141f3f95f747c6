"""Notifications, email deliveries and preferences, for platform staff to see what was sent to whom."""

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from hotgigs.accounts import policies
from hotgigs.admin_site import StaffOnlyAdminMixin, admin_site, run_per_row
from hotgigs.notifications.models import EmailDelivery, Notification, NotificationPreference
from hotgigs.notifications.services import email_delivery_resend


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
    actions = ("send_again",)

    # Deliveries are written by the services and the send task; the admin only reads them.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return policies.is_staff(request.user)  # type: ignore[arg-type]

    @admin.action(description="Send the selected failed emails again", permissions=["resend"])
    def send_again(self, request: HttpRequest, queryset: QuerySet[EmailDelivery]) -> None:
        run_per_row(self, request, queryset, lambda row: email_delivery_resend(delivery=row), done="queued again")


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
