"""Reads of webhook endpoints and their delivery log, scoped to the actor.

Members of an organization (recruiters and org admins) see its endpoints; staff see all;
anyone else sees none, so another organization's endpoint is simply not found.
"""

from django.db.models import QuerySet

from hotgigs.accounts import policies
from hotgigs.accounts.policies import Actor
from hotgigs.webhooks.errors import WebhookDeliveryNotFound, WebhookEndpointNotFound
from hotgigs.webhooks.models import WebhookDelivery, WebhookEndpoint


def endpoint_list(*, actor: Actor) -> QuerySet[WebhookEndpoint]:
    """Endpoints the actor may see and manage, oldest first."""
    qs = WebhookEndpoint.objects.select_related("organization").order_by("id")
    visible = policies.visible_rows(actor, organization="organization_id")
    return qs.none() if visible is None else qs.filter(visible)


def endpoint_get(*, actor: Actor, endpoint_id: int) -> WebhookEndpoint:
    """One endpoint the actor may see; raises WebhookEndpointNotFound otherwise."""
    try:
        return endpoint_list(actor=actor).get(pk=endpoint_id)
    except WebhookEndpoint.DoesNotExist:
        raise WebhookEndpointNotFound() from None


def delivery_list(*, actor: Actor, endpoint: WebhookEndpoint, status: str | None = None) -> QuerySet[WebhookDelivery]:
    """The delivery log of an endpoint the actor may see, newest first."""
    endpoint = endpoint_get(actor=actor, endpoint_id=endpoint.pk)
    qs = WebhookDelivery.objects.filter(endpoint=endpoint).order_by("-created_at", "-id")
    if status:
        qs = qs.filter(status=status)
    return qs


def delivery_get(*, actor: Actor, endpoint: WebhookEndpoint, delivery_id: int) -> WebhookDelivery:
    """One delivery of an endpoint the actor may see; raises WebhookDeliveryNotFound otherwise."""
    try:
        return delivery_list(actor=actor, endpoint=endpoint).select_related("endpoint").get(pk=delivery_id)
    except WebhookDelivery.DoesNotExist:
        raise WebhookDeliveryNotFound() from None
