"""Celery tasks of outbound webhooks: thin, idempotent, call services."""

from typing import Any

from celery import shared_task

from hotgigs import tenancy
from hotgigs.webhooks.services.delivery import delivery_attempt
from hotgigs.webhooks.services.fan_out import event_fan_out, webhooks_sweep


@shared_task(name="webhooks.fan_out", ignore_result=True)
@tenancy.system("webhook fan-out to every organization's endpoints")
def fan_out(event_id: int) -> int:
    """Create and queue the deliveries of one outbox event (staff tools; events.dispatch does it after commit)."""
    return len(event_fan_out(event_id=event_id))


@shared_task(name="webhooks.deliver", bind=True, ignore_result=True, max_retries=None)
@tenancy.system("webhook delivery for any organization")
def deliver(self: Any, delivery_id: int, attempts: int | None = None) -> str:
    """One attempt at a delivery; a retriable failure reschedules the task with backoff and jitter.

    ``attempts`` is how many attempts the delivery had when this task was queued: a
    duplicate of an attempt already made finds the count moved on and does nothing. The
    service bounds the retries (at most ``RETRY_MAX_RETRIES``), hence ``max_retries=None``.
    """
    while True:
        attempt = delivery_attempt(delivery_id=delivery_id, expected_attempts=attempts)
        if attempt.retry_in is None:
            return attempt.outcome
        if not self.request.is_eager:
            raise self.retry(args=(delivery_id, attempt.attempts), countdown=attempt.retry_in)
        # Run in-process (embedded default, tests) there is no broker to wait on: retry at once.
        attempts = attempt.attempts


@shared_task(name="webhooks.sweep", ignore_result=True)
@tenancy.system("beat: retries any organization's deliveries")
def sweep() -> dict[str, int]:
    """Beat: requeue pending deliveries that are due."""
    return webhooks_sweep()
