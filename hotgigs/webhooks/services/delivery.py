"""Delivery of webhooks: one attempt, retries with backoff, redelivery, the signed request.

Each queued task makes one attempt (:func:`delivery_attempt`); a network error, timeout,
5xx, 408 or 429 is retried with capped exponential backoff and full jitter (at most
``RETRY_MAX_RETRIES`` retries); any other 4xx, or a target the address guard refuses,
fails at once, and ``WEBHOOKS_DISABLE_AFTER_FAILURES`` failures in a row disable the
endpoint. Every endpoint has its own circuit breaker (:func:`endpoint_breaker`): while it
is open, deliveries wait, pending.
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
from django.db.models import F
from django.utils import timezone

from hotgigs.accounts import policies
from hotgigs.accounts.models import User
from hotgigs.errors import NotFound
from hotgigs.queueing import send_task_by_name
from hotgigs.resilience import CircuitBreaker, CircuitOpenError, TransientError, get_breaker
from hotgigs.resilience.celery import task_retry_countdown
from hotgigs.webhooks import client
from hotgigs.webhooks.choices import DeliveryStatus
from hotgigs.webhooks.errors import WebhookEndpointDisabled
from hotgigs.webhooks.models import WebhookDelivery, WebhookEndpoint
from hotgigs.webhooks.signing import signature_header

logger = logging.getLogger(__name__)

DELIVER_TASK = "webhooks.deliver"


def queue_on_commit(delivery_id: int, attempts: int) -> None:
    """Queue one attempt at the delivery once the current transaction commits."""

    def queue_delivery() -> None:
        queue(delivery_id, attempts)

    transaction.on_commit(queue_delivery, robust=True)


def queue(delivery_id: int, attempts: int) -> bool:
    """Queue one attempt at the delivery now; False when the broker refused it."""
    # If the broker is down the delivery stays pending in the database: the sweep sends it
    # when the broker is back.
    return send_task_by_name(DELIVER_TASK, [delivery_id, attempts])


def new_webhook_id() -> str:
    """A fresh ``webhook-id``: the same for every attempt and redelivery of one delivery."""
    return f"msg_{uuid.uuid4().hex}"


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


def endpoint_breaker(endpoint_id: int) -> CircuitBreaker:
    """The endpoint's own circuit breaker (``webhook:<id>``), opened by transient failures only."""
    return get_breaker(breaker_name(endpoint_id), **_BREAKER_OPTIONS)


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
    breaker = endpoint_breaker(delivery.endpoint_id)
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


def _disable(endpoint_id: int, *, reason: str) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint_id, is_active=True).update(
        is_active=False, disabled_reason=reason[:255], disabled_at=timezone.now()
    )
    logger.warning("webhooks.endpoint_disabled", extra={"endpoint_id": endpoint_id, "reason": reason})


# --- manual redelivery ---------------------------------------------------------------------


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
    queue_on_commit(delivery.pk, 0)


@transaction.atomic
def delivery_redeliver(*, actor: User | None, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again from its first attempt, with the same ``webhook-id`` and payload.

    ``actor`` None is a staff command. Raises WebhookEndpointDisabled when the endpoint is
    disabled (enable it first).
    """
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery.pk)
    if actor is not None and not policies.may_manage_organization(actor, delivery.endpoint.organization_id):
        raise NotFound()
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
