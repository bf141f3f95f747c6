"""Writes for outbound webhooks: endpoints, fan-out of outbox events, delivery attempts.

The path of an event: a service records an outbox row (``hotgigs.events.outbox.record``);
after commit, ``events.dispatch`` runs the webhooks subscriber (``hotgigs/webhooks/subscribers.py``),
which creates one :class:`WebhookDelivery` per subscribed endpoint of the event's
organization (unique per endpoint and event, so fanning out twice sends nothing twice) and
queues one delivery task per new row. Each task makes one attempt
(:func:`delivery_attempt`); a network error, timeout, 5xx, 408 or 429 is retried with
capped exponential backoff and full jitter (at most ``RETRY_MAX_RETRIES`` retries); any
other 4xx, or a target the address guard refuses, fails at once. Every endpoint has its
own circuit breaker (``webhook:<id>``): while it is open, deliveries wait, pending. A beat
sweep (:func:`webhooks_sweep`) requeues pending deliveries that are due, and the outbox's
own sweep (``events.sweep``) dispatches events whose task never ran, so nothing is lost.
"""

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx2
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from hotgigs.accounts import policies
from hotgigs.accounts.models import Organization, User
from hotgigs.errors import NotFound
from hotgigs.events.models import OutboxEvent
from hotgigs.queueing import send_task_by_name
from hotgigs.resilience import CircuitOpenError, TransientError, get_breaker
from hotgigs.resilience.celery import task_retry_countdown
from hotgigs.webhooks import client
from hotgigs.webhooks.choices import EVENT_TYPES, TEST_EVENT_TYPE, DeliveryStatus
from hotgigs.webhooks.errors import InvalidWebhookEndpoint, WebhookEndpointDisabled, WebhookTargetRefused
from hotgigs.webhooks.models import WebhookDelivery, WebhookEndpoint
from hotgigs.webhooks.signing import secret_generate, signature_header
from hotgigs.webhooks.targets import target_check

logger = logging.getLogger(__name__)

MAX_URL = 2000
MAX_DESCRIPTION = 255
SWEEP_BATCH = 500
DELIVER_TASK = "webhooks.deliver"


# --- endpoints ------------------------------------------------------------------------------


def _require_member(actor: User, organization_id: int) -> None:
    # Selectors already hide other organizations' rows; this guards direct callers too.
    if not policies.may_manage_organization(actor, organization_id):
        raise NotFound()


def _clean(*, url: Any = None, event_types: Any = None, description: Any = None, partial: bool) -> dict[str, Any]:
    """Validated fields, or InvalidWebhookEndpoint / WebhookTargetRefused naming every bad one."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    if url is not None or not partial:
        if not isinstance(url, str) or not url.strip() or len(url) > MAX_URL:
            errors["url"] = [f"Give a URL of at most {MAX_URL} characters."]
        else:
            try:
                target_check(url.strip())
            except WebhookTargetRefused as refused:
                errors.update(refused.details or {})
            cleaned["url"] = url.strip()
    if event_types is not None or not partial:
        if not isinstance(event_types, list) or not event_types or not all(isinstance(t, str) for t in event_types):
            errors["event_types"] = ["Give a non-empty list of event types."]
        else:
            unknown = sorted({t for t in event_types if t not in EVENT_TYPES})
            if unknown:
                errors["event_types"] = [f"Unknown event types: {', '.join(unknown)}."]
            cleaned["event_types"] = [t for t in EVENT_TYPES if t in set(event_types)]
    if description is not None:
        if not isinstance(description, str) or len(description) > MAX_DESCRIPTION:
            errors["description"] = [f"At most {MAX_DESCRIPTION} characters."]
        else:
            cleaned["description"] = description.strip()
    if errors:
        raise InvalidWebhookEndpoint(details=errors)
    return cleaned


@transaction.atomic
def endpoint_create(
    *, actor: User, organization: Organization, url: str, event_types: list[str], description: str = ""
) -> WebhookEndpoint:
    """Register an endpoint for ``organization`` with a fresh secret (the caller shows it once).

    Raises NotFound when the actor is not a member (nor staff), InvalidWebhookEndpoint for a
    bad field (unknown event types, a URL that is not http(s) or reaches a refused address).
    """
    _require_member(actor, organization.pk)
    fields = _clean(url=url, event_types=event_types, description=description, partial=False)
    return WebhookEndpoint.objects.create(
        organization=organization, secret=secret_generate(), created_by=actor, **fields
    )


@transaction.atomic
def endpoint_update(
    *,
    actor: User,
    endpoint: WebhookEndpoint,
    url: str | None = None,
    event_types: list[str] | None = None,
    description: str | None = None,
) -> WebhookEndpoint:
    """Change the given fields (None leaves a field as it is); same checks as creating."""
    _require_member(actor, endpoint.organization_id)
    fields = _clean(url=url, event_types=event_types, description=description, partial=True)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    for name, value in fields.items():
        setattr(endpoint, name, value)
    endpoint.save(update_fields=[*fields, "updated_at"])
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
        _queue_on_commit(delivery_id, attempts)
    get_breaker(breaker_name(endpoint.pk), **_BREAKER_OPTIONS).reset()
    return endpoint


def _disable(endpoint_id: int, *, reason: str) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint_id, is_active=True).update(
        is_active=False, disabled_reason=reason[:255], disabled_at=timezone.now()
    )
    logger.warning("webhooks.endpoint_disabled", extra={"endpoint_id": endpoint_id, "reason": reason})


# --- fan-out --------------------------------------------------------------------------------


def _queue_on_commit(delivery_id: int, attempts: int) -> None:
    def queue_delivery() -> None:
        _queue(delivery_id, attempts)

    transaction.on_commit(queue_delivery, robust=True)


def _queue(delivery_id: int, attempts: int) -> bool:
    # If the broker is down the delivery stays pending in the database: the sweep sends it
    # when the broker is back.
    return send_task_by_name(DELIVER_TASK, [delivery_id, attempts])


def _new_webhook_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


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
            webhook_id=_new_webhook_id(),
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
    with transaction.atomic():
        # A concurrent fan-out of the same event may win a row; the unique constraint keeps one.
        WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
        created = list(
            WebhookDelivery.objects.filter(webhook_id__in=[r.webhook_id for r in rows]).values_list("pk", flat=True)
        )
        for delivery_id in created:
            _queue_on_commit(delivery_id, 0)
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
    return sum(_queue(delivery_id, attempts) for delivery_id, attempts in rows)


def webhooks_sweep() -> dict[str, int]:
    """The beat's safety net: requeue what is due (lost fan-outs are the outbox sweep's)."""
    return {"requeued": deliveries_requeue_due()}


# --- delivery -------------------------------------------------------------------------------


class _Retriable(TransientError):
    """A failed attempt worth retrying: network error, timeout, 5xx, 408, 429."""

    def __init__(self, *, sent: client.Sent | None = None, error: str = "") -> None:
        self.sent = sent
        self.error = error
        super().__init__(error or f"HTTP {sent.status_code if sent else '?'}")


class _Refused(Exception):
    """The address guard refused the target at connection time."""


_BREAKER_OPTIONS: dict[str, Any] = {"failure_exceptions": (TransientError,)}


def breaker_name(endpoint_id: int) -> str:
    return f"webhook:{endpoint_id}"


@dataclass(frozen=True)
class Attempt:
    """What one call of :func:`delivery_attempt` did; ``retry_in`` is set when a retry is due."""

    outcome: str  # succeeded | failed | retry | deferred | skipped
    retry_in: int | None = None
    attempts: int = 0


def payload_body(delivery: WebhookDelivery) -> str:
    """The JSON body: ``{type, timestamp, data}`` (the Standard Webhooks payload shape)."""
    return json.dumps(
        {"type": delivery.event_type, "timestamp": delivery.event_timestamp.isoformat(), "data": delivery.event_data},
        separators=(",", ":"),
    )


def request_headers(delivery: WebhookDelivery, *, body: str, at: datetime) -> dict[str, str]:
    """The signed headers of one attempt made at ``at``."""
    timestamp = int(at.timestamp())
    return {
        "content-type": "application/json",
        "webhook-id": delivery.webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(
            secrets=delivery.endpoint.signing_secrets(now=at),
            msg_id=delivery.webhook_id,
            timestamp=timestamp,
            body=body,
        ),
    }


def _send(delivery: WebhookDelivery) -> client.Sent:
    body = payload_body(delivery)
    headers = request_headers(delivery, body=body, at=timezone.now())
    try:
        sent = client.post(delivery.endpoint.url, body=body.encode(), headers=headers)
    except httpx2.HTTPError as exc:
        if client.target_refused(exc):
            raise _Refused(str(exc)) from exc
        raise _Retriable(error=f"{type(exc).__name__}: {exc}"[:500]) from exc
    if sent.status_code >= 500 or sent.status_code in (408, 429):
        raise _Retriable(sent=sent)
    return sent


def _claim(delivery_id: int, expected_attempts: int | None) -> WebhookDelivery | None:
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("endpoint")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != DeliveryStatus.PENDING or not delivery.endpoint.is_active:
            return None
        if delivery.lease_until is not None and delivery.lease_until > now:
            return None
        if expected_attempts is None:
            if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
                return None
        elif delivery.attempts != expected_attempts:
            # A retry or requeue of an attempt that has already been made.
            return None
        delivery.lease_until = now + timedelta(seconds=settings.WEBHOOKS_TIMEOUT * 2 + 30)
        delivery.save(update_fields=["lease_until", "updated_at"])
        return delivery


def _finish(
    delivery: WebhookDelivery, *, status: str, sent: client.Sent | None, error: str, retry_in: int | None
) -> None:
    now = timezone.now()
    # An update, not save(): the endpoint (and with it this row) may have been deleted meanwhile.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=status,
        attempts=delivery.attempts,
        lease_until=None,
        last_attempt_at=now,
        response_code=sent.status_code if sent else None,
        latency_ms=sent.latency_ms if sent else None,
        response_excerpt=sent.excerpt if sent else "",
        error=error[:500],
        next_attempt_at=now + timedelta(seconds=retry_in) if retry_in is not None else None,
        completed_at=now if status != DeliveryStatus.PENDING else None,
        updated_at=now,
    )
    endpoint_id = delivery.endpoint_id
    if status == DeliveryStatus.SUCCEEDED:
        WebhookEndpoint.objects.filter(pk=endpoint_id, consecutive_failures__gt=0).update(consecutive_failures=0)
    elif status == DeliveryStatus.FAILED:
        WebhookEndpoint.objects.filter(pk=endpoint_id).update(consecutive_failures=F("consecutive_failures") + 1)
        failures = WebhookEndpoint.objects.filter(pk=endpoint_id).values_list("consecutive_failures", flat=True).first()
        if failures is not None and failures >= settings.WEBHOOKS_DISABLE_AFTER_FAILURES:
            _disable(endpoint_id, reason=f"Disabled after {failures} failed deliveries in a row; last: {error[:150]}")


def delivery_attempt(*, delivery_id: int, expected_attempts: int | None = None) -> Attempt:
    """Make one attempt at a pending delivery and record its outcome.

    Skips (changes nothing) a delivery that is not pending, belongs to a disabled endpoint,
    is being tried elsewhere, or, with ``expected_attempts``, has moved past that attempt
    (without it, one that is not due yet). While the endpoint's breaker is open the
    delivery stays pending with ``next_attempt_at`` at the end of the open period.
    """
    delivery = _claim(delivery_id, expected_attempts)
    if delivery is None:
        return Attempt("skipped")
    breaker = get_breaker(breaker_name(delivery.endpoint_id), **_BREAKER_OPTIONS)
    try:
        sent = breaker.call(_send, delivery)
    except CircuitOpenError as exc:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            lease_until=None, next_attempt_at=timezone.now() + timedelta(seconds=max(1.0, exc.retry_after))
        )
        return Attempt("deferred", attempts=delivery.attempts)
    except _Refused as exc:
        delivery.attempts += 1
        _finish(delivery, status=DeliveryStatus.FAILED, sent=None, error=f"Target refused: {exc}", retry_in=None)
        return Attempt("failed", attempts=delivery.attempts)
    except _Retriable as exc:
        delivery.attempts += 1
        error = exc.error or f"HTTP {exc.sent.status_code if exc.sent else '?'}"
        if delivery.attempts > settings.RETRY_MAX_RETRIES:
            _finish(delivery, status=DeliveryStatus.FAILED, sent=exc.sent, error=error, retry_in=None)
            return Attempt("failed", attempts=delivery.attempts)
        hint = min(exc.sent.retry_after or 0.0, settings.RETRY_MAX_DELAY) if exc.sent else 0.0
        retry_in = task_retry_countdown(delivery.attempts - 1, at_least=hint)
        _finish(delivery, status=DeliveryStatus.PENDING, sent=exc.sent, error=error, retry_in=retry_in)
        return Attempt("retry", retry_in=retry_in, attempts=delivery.attempts)
    delivery.attempts += 1
    if 200 <= sent.status_code < 300:
        _finish(delivery, status=DeliveryStatus.SUCCEEDED, sent=sent, error="", retry_in=None)
        return Attempt("succeeded", attempts=delivery.attempts)
    _finish(delivery, status=DeliveryStatus.FAILED, sent=sent, error=f"HTTP {sent.status_code}", retry_in=None)
    return Attempt("failed", attempts=delivery.attempts)


# --- manual redelivery and test events ------------------------------------------------------


def _restart(delivery: WebhookDelivery) -> None:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.PENDING,
        attempts=0,
        redeliveries=F("redeliveries") + 1,
        next_attempt_at=timezone.now(),
        lease_until=None,
        completed_at=None,
        updated_at=timezone.now(),
    )
    _queue_on_commit(delivery.pk, 0)


@transaction.atomic
def delivery_redeliver(*, actor: User | None, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again from its first attempt, with the same ``webhook-id`` and payload.

    ``actor`` None is a staff command. Raises WebhookEndpointDisabled when the endpoint is
    disabled (enable it first).
    """
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery.pk)
    if actor is not None:
        _require_member(actor, delivery.endpoint.organization_id)
    if not delivery.endpoint.is_active:
        raise WebhookEndpointDisabled()
    _restart(delivery)
    delivery.refresh_from_db()
    return delivery


@transaction.atomic
def deliveries_redeliver(
    *,
    delivery_ids: list[int] | None = None,
    endpoint_id: int | None = None,
    since: datetime | None = None,
    failed_only: bool = False,
) -> int:
    """Staff: redeliver deliveries by id, or an endpoint's since a time; skips disabled endpoints."""
    qs = WebhookDelivery.objects.filter(endpoint__is_active=True)
    if delivery_ids is not None:
        qs = qs.filter(pk__in=delivery_ids)
    if endpoint_id is not None:
        qs = qs.filter(endpoint_id=endpoint_id)
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    if failed_only:
        qs = qs.filter(status=DeliveryStatus.FAILED)
    rows = list(qs.select_related("endpoint").order_by("pk"))
    for delivery in rows:
        _restart(delivery)
    return len(rows)


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
        webhook_id=_new_webhook_id(),
        next_attempt_at=now,
    )
    _queue_on_commit(delivery.pk, 0)
    return delivery
