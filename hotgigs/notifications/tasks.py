"""Celery tasks of notifications: thin, idempotent, ids in.

``send_email`` may run any number of times for one delivery (retries, redelivery after a
lost worker, the sweeper): the delivery row's claim decides, so the email goes out once.
Transient SMTP failures retry with ``RETRY_TASK_OPTIONS`` (exponential backoff, full
jitter, at most 3); an open circuit waits for the circuit; after the last retry the row
is marked ``failed`` with the last error.
"""

import logging

from celery import Task, shared_task

from hotgigs.notifications.services import (
    SEND_EMAIL,
    email_delivery_give_up,
    email_delivery_requeue_stale,
    email_delivery_send,
)
from hotgigs.resilience import CircuitOpenError, TransientError
from hotgigs.resilience.celery import RETRY_TASK_OPTIONS, task_retry_countdown

logger = logging.getLogger(__name__)


@shared_task(bind=True, name=SEND_EMAIL, ignore_result=True, **RETRY_TASK_OPTIONS)
def send_email(self: Task, delivery_id: int) -> str:  # type: ignore[type-arg]
    """Send the email of one :class:`EmailDelivery` unless it already went."""
    try:
        return email_delivery_send(delivery_id=delivery_id)
    except CircuitOpenError as exc:
        if self.request.retries >= self.max_retries:  # type: ignore[operator]
            email_delivery_give_up(delivery_id=delivery_id, error=str(exc))
            raise
        countdown = task_retry_countdown(self.request.retries, at_least=exc.retry_after)
        raise self.retry(exc=exc, countdown=countdown) from exc
    except TransientError as exc:
        if self.request.retries >= self.max_retries:  # type: ignore[operator]
            email_delivery_give_up(delivery_id=delivery_id, error=str(exc))
        raise


@shared_task(name="notifications.requeue_stale", ignore_result=True)
def requeue_stale() -> int:
    """Queue again emails whose task was lost or whose worker died mid-send (beat)."""
    return email_delivery_requeue_stale()
