"""Fan-out: outbox events into webhook deliveries, and the beat sweep that requeues them.

After commit, ``events.dispatch`` runs the webhooks subscriber (``hotgigs/webhooks/subscribers.py``),
which creates one :class:`WebhookDelivery` per subscribed endpoint of the event's
organization (unique per endpoint and event, so fanning out twice sends nothing twice) and
queues one delivery task per new row. The beat sweep (:func:`webhooks_sweep`) requeues
pending deliveries that are due; the outbox's own sweep (``events.sweep``) dispatches
events whose task never ran, so nothing is lost.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from hotgigs.events.models import OutboxEvent
from hotgigs.webhooks.choices import EVENT_TYPES, DeliveryStatus
from hotgigs.webhooks.models import WebhookDelivery, WebhookEndpoint
from hotgigs.webhooks.services.delivery import new_webhook_id, queue, queue_on_commit

SWEEP_BATCH = 500


def _fan_out(events: list[OutboxEvent]) -> list[int]:
    """Create the missing deliveries of ``events`` and queue them; returns the new delivery ids."""
    wanted = [e for e in events if e.organization_id is not None and e.type in EVENT_TYPES]
    if not wanted:
        return []
    endpoints = list(
        WebhookEndpoint.objects.filter(organization_id__in={e.organization_id for e in wanted}, is_active=True).only(
            "pk", "organization_id", "event_types", "created_at"
        )
    )
    if not endpoints:
        return []
    rows = [
        WebhookDelivery(
            endpoint_id=endpoint.pk,
            event_id=event.pk,
            event_type=event.type,
            event_data=event.data,
            event_timestamp=event.created_at,
            webhook_id=new_webhook_id(),
            next_attempt_at=timezone.now(),
        )
        for event in wanted
        for endpoint in endpoints
        if endpoint.organization_id == event.organization_id
        and event.type in endpoint.event_types
        # An endpoint receives what happened after it was registered, not the outbox's past.
        and endpoint.created_at <= event.created_at
    ]
    if not rows:
        return []
    existing = set(
        WebhookDelivery.objects.filter(event_id__in={r.event_id for r in rows}).values_list("endpoint_id", "event_id")
    )
    rows = [r for r in rows if (r.endpoint_id, r.event_id) not in existing]
    if not rows:
        return []
    # Nothing here raises to be caught (conflicts are ignored), so inside the dispatch's
    # savepoint no savepoint of its own is needed.
    with transaction.atomic(savepoint=False):
        # A concurrent fan-out of the same event may win a row; the unique constraint keeps one.
        WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
        created = list(
            WebhookDelivery.objects.filter(webhook_id__in=[r.webhook_id for r in rows]).values_list("pk", flat=True)
        )
        for delivery_id in created:
            queue_on_commit(delivery_id, 0)
    return created


def event_fan_out(*, event_id: int) -> list[int]:
    """Create and queue the deliveries of one outbox event; idempotent. Returns new delivery ids."""
    event = OutboxEvent.objects.filter(pk=event_id).first()
    return _fan_out([event]) if event is not None else []


def committed_event_fan_out(*, event: OutboxEvent) -> list[int]:
    """:func:`event_fan_out` for an event already loaded (the outbox subscriber)."""
    return _fan_out([event])


def event_should_fan_out(*, organization_id: int | None, type: str) -> bool:
    """Whether an outbox event is one webhooks may carry (an organization's, of a known type)."""
    return organization_id is not None and type in EVENT_TYPES


def deliveries_requeue_due() -> int:
    """Queue pending deliveries of active endpoints that are due and not being tried; returns how many."""
    now = timezone.now()
    due = now - settings.WEBHOOKS_REQUEUE_GRACE
    rows = list(
        WebhookDelivery.objects.filter(
            status=DeliveryStatus.PENDING,
            endpoint__is_active=True,
            next_attempt_at__lte=due,
        )
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .order_by("next_attempt_at")
        .values_list("pk", "attempts")[:SWEEP_BATCH]
    )
    return sum(queue(delivery_id, attempts) for delivery_id, attempts in rows)


def webhooks_sweep() -> dict[str, int]:
    """The beat's safety net: requeue what is due (lost fan-outs are the outbox sweep's)."""
    return {"requeued": deliveries_requeue_due()}
