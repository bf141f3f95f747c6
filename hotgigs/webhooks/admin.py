"""Back office for webhooks: endpoints with their delivery log, and the log itself.

Members see their organizations' endpoints (the API's selectors scope both pages). State
changes go through the services: the "redeliver" and "enable" actions, never a field edit.
An endpoint is registered through the API, which shows its secret once.
"""

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from hotgigs.accounts import policies
from hotgigs.accounts.models import User
from hotgigs.admin_site import OrgScopedAdminMixin, ReadOnlyInlineMixin, admin_site, run_per_row
from hotgigs.webhooks.models import WebhookDelivery, WebhookEndpoint
from hotgigs.webhooks.selectors import endpoint_list
from hotgigs.webhooks.services.delivery import delivery_redeliver
from hotgigs.webhooks.services.endpoints import endpoint_enable

DELIVERY_FIELDS = (
    "event_type",
    "event_id",
    "webhook_id",
    "status",
    "attempts",
    "redeliveries",
    "response_code",
    "latency_ms",
    "error",
    "created_at",
    "completed_at",
)


class DeliveryInline(ReadOnlyInlineMixin, admin.TabularInline[WebhookDelivery, WebhookEndpoint]):
    """The endpoint's latest deliveries."""

    model = WebhookDelivery
    fields = DELIVERY_FIELDS
    readonly_fields = fields
    ordering = ("-id",)
    max_num = 0


@admin.action(description="Enable selected endpoints", permissions=["change"])
def enable(model_admin: Any, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
    actor: User = request.user  # type: ignore[assignment]
    run_per_row(model_admin, request, queryset, lambda e: endpoint_enable(actor=actor, endpoint=e), done="enabled")


@admin.action(description="Redeliver selected deliveries", permissions=["change"])
def redeliver(model_admin: Any, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
    actor: User = request.user  # type: ignore[assignment]
    run_per_row(
        model_admin, request, queryset, lambda d: delivery_redeliver(actor=actor, delivery=d), done="queued again"
    )


class _ReadOnly:
    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return policies.is_staff(request.user)  # type: ignore[arg-type]


@admin.register(WebhookEndpoint, site=admin_site)
class WebhookEndpointAdmin(_ReadOnly, OrgScopedAdminMixin, admin.ModelAdmin[WebhookEndpoint]):
    list_display = ("url", "organization", "is_active", "consecutive_failures", "disabled_reason", "created_at")
    list_select_related = ("organization",)
    list_filter = ("is_active",)
    search_fields = ("url", "description")
    fields = (
        "organization",
        "url",
        "description",
        "event_types",
        "is_active",
        "disabled_reason",
        "disabled_at",
        "consecutive_failures",
        "created_by",
        "created_at",
    )
    readonly_fields = fields
    inlines = (DeliveryInline,)
    actions = (enable,)

    def scoped_queryset(self, request: HttpRequest) -> QuerySet[WebhookEndpoint]:
        return endpoint_list(actor=request.user)


@admin.register(WebhookDelivery, site=admin_site)
class WebhookDeliveryAdmin(_ReadOnly, OrgScopedAdminMixin, admin.ModelAdmin[WebhookDelivery]):
    list_display = ("event_type", "endpoint", "status", "attempts", "response_code", "latency_ms", "created_at")
    list_select_related = ("endpoint",)
    list_filter = ("status", "event_type")
    search_fields = ("webhook_id", "endpoint__url")
    fields = ("endpoint", *DELIVERY_FIELDS, "event_data", "response_excerpt", "next_attempt_at", "last_attempt_at")
    readonly_fields = fields
    actions = (redeliver,)

    def scoped_queryset(self, request: HttpRequest) -> QuerySet[WebhookDelivery]:
        qs = WebhookDelivery.objects.select_related("endpoint")
        visible = policies.visible_rows(request.user, organization="endpoint__organization_id")  # type: ignore[arg-type]
        return qs.none() if visible is None else qs.filter(visible)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # Rows are never edited here; the model-level permission lets the actions run.
        return obj is None and super().has_change_permission(request, obj)
