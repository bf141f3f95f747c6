"""An organization's webhook endpoints: create, update, delete, rotate the secret, enable, test.

Members of the organization (and staff) manage its endpoints; everyone else gets NotFound.
The fields arrive checked for shape (the API's input serializers: a URL of at most MAX_URL
characters, a non-empty list of known event types, a description of at most
MAX_DESCRIPTION); these functions take typed keyword arguments and keep the rules: the URL
must reach a public http(s) address (``target_check``, which resolves the host), and event
types are stored once each, in the catalogue's order.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from hotgigs.accounts import policies
from hotgigs.accounts.models import Organization, User
from hotgigs.errors import NotFound
from hotgigs.unset import UNSET, Unset
from hotgigs.webhooks.choices import EVENT_TYPES, TEST_EVENT_TYPE, DeliveryStatus
from hotgigs.webhooks.errors import InvalidWebhookEndpoint, WebhookEndpointDisabled, WebhookTargetRefused
from hotgigs.webhooks.models import WebhookDelivery, WebhookEndpoint
from hotgigs.webhooks.services.delivery import endpoint_breaker, new_webhook_id, queue_on_commit
from hotgigs.webhooks.signing import secret_generate
from hotgigs.webhooks.targets import target_check

# The longest URL and description an endpoint takes; checked by the API input.
MAX_URL = 2000
MAX_DESCRIPTION = 255


def _require_member(actor: User, organization_id: int) -> None:
    # Selectors already hide other organizations' rows; this guards direct callers too.
    if not policies.may_manage_organization(actor, organization_id):
        raise NotFound()


def _require_reachable(url: str) -> None:
    """Refuse a URL webhooks may not be sent to (not http(s), credentials, a refused address)."""
    try:
        target_check(url)
    except WebhookTargetRefused as refused:
        raise InvalidWebhookEndpoint(details=refused.details) from None


def _in_catalogue_order(event_types: list[str]) -> list[str]:
    """The event types as stored: each once, in the catalogue's order.

    An endpoint subscribes to events the catalogue names, at least one: a type it does not
    name would be dropped without a word, so it is refused here too, for callers other than
    the API (whose input already refuses it, with a message per item).
    """
    wanted = set(event_types)
    unknown = sorted(wanted - set(EVENT_TYPES))
    if unknown or not wanted:
        message = f"Unknown event types: {', '.join(unknown)}." if unknown else "Give at least one event type."
        raise InvalidWebhookEndpoint(details={"event_types": [message]})
    return [event_type for event_type in EVENT_TYPES if event_type in wanted]


@transaction.atomic
def endpoint_create(
    *, actor: User, organization: Organization, url: str, event_types: list[str], description: str = ""
) -> WebhookEndpoint:
    """Register an endpoint for ``organization`` with a fresh secret (the caller shows it once).

    Raises NotFound when the actor is not a member (nor staff), InvalidWebhookEndpoint for a
    URL that is not http(s) or reaches a refused address.
    """
    _require_member(actor, organization.pk)
    _require_reachable(url)
    return WebhookEndpoint.objects.create(
        organization=organization,
        secret=secret_generate(),
        created_by=actor,
        url=url,
        event_types=_in_catalogue_order(event_types),
        description=description,
    )


@transaction.atomic
def endpoint_update(
    *,
    actor: User,
    endpoint: WebhookEndpoint,
    url: str | Unset = UNSET,
    event_types: list[str] | Unset = UNSET,
    description: str | Unset = UNSET,
) -> WebhookEndpoint:
    """Change the given fields (a field not given stays as it is); same rules as creating."""
    _require_member(actor, endpoint.organization_id)
    changes: dict[str, object] = {}
    if not isinstance(url, Unset):
        _require_reachable(url)
        changes["url"] = url
    if not isinstance(event_types, Unset):
        changes["event_types"] = _in_catalogue_order(event_types)
    if not isinstance(description, Unset):
        changes["description"] = description
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    for name, value in changes.items():
        setattr(endpoint, name, value)
    endpoint.save(update_fields=[*changes, "updated_at"])
    return endpoint


@transaction.atomic
def endpoint_delete(*, actor: User, endpoint: WebhookEndpoint) -> None:
    """Remove the endpoint and its delivery log; pending deliveries are dropped with it."""
    _require_member(actor, endpoint.organization_id)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).delete()


@transaction.atomic
def endpoint_rotate_secret(*, actor: User, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Give the endpoint a new secret; the old one keeps signing for WEBHOOKS_SECRET_ROTATION_GRACE."""
    _require_member(actor, endpoint.organization_id)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = timezone.now() + settings.WEBHOOKS_SECRET_ROTATION_GRACE
    endpoint.secret = secret_generate()
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"])
    return endpoint


@transaction.atomic
def endpoint_enable(*, actor: User, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Enable a disabled endpoint: failures are forgotten, its pending deliveries are sent again."""
    _require_member(actor, endpoint.organization_id)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.is_active = True
    endpoint.disabled_reason = ""
    endpoint.disabled_at = None
    endpoint.consecutive_failures = 0
    endpoint.save(update_fields=["is_active", "disabled_reason", "disabled_at", "consecutive_failures", "updated_at"])
    pending = list(
        WebhookDelivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.PENDING).values_list("pk", "attempts")
    )
    for delivery_id, attempts in pending:
        queue_on_commit(delivery_id, attempts)
    endpoint_breaker(endpoint.pk).reset()
    return endpoint


@transaction.atomic
def endpoint_send_test(*, actor: User, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Queue a ``webhook.test`` event to this one endpoint; raises WebhookEndpointDisabled if disabled."""
    _require_member(actor, endpoint.organization_id)
    if not endpoint.is_active:
        raise WebhookEndpointDisabled()
    now = timezone.now()
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_id=None,
        event_type=TEST_EVENT_TYPE,
        event_data={"endpoint_id": endpoint.pk, "organization_id": endpoint.organization_id, "sent_by": actor.pk},
        event_timestamp=now,
        webhook_id=new_webhook_id(),
        next_attempt_at=now,
    )
    queue_on_commit(delivery.pk, 0)
    return delivery
