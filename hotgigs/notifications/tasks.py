"""Celery tasks of notifications: thin, idempotent, ids in.

``send_email`` may run any number of times for one delivery (retries, redelivery after a
lost worker, the sweeper): the delivery row's claim decides, so the email goes out once.
Transient SMTP failures retry with ``RETRY_TASK_OPTIONS`` (exponential backoff, full
jitter, at most 3); an open circuit waits for the circuit; after the last retry the row
is marked ``failed`` with the last error.
"""

import logging
from collections import Counter

from celery import Task, shared_task

from hotgigs import tenancy
from hotgigs.notifications.services import (
    SEND_EMAIL,
    SEND_EMAILS,
    email_delivery_give_up,
    email_delivery_requeue_stale,
    email_delivery_send,
)
from hotgigs.queueing import send_task_by_name
from hotgigs.resilience import CircuitOpenError, TransientError
from hotgigs.resilience.celery import RETRY_TASK_OPTIONS, task_retry_countdown

logger = logging.getLogger(__name__)


@shared_task(bind=True, name=SEND_EMAIL, ignore_result=True, **RETRY_TASK_OPTIONS)
@tenancy.system("an email to any user, whoever's event it was")
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


@shared_task(name=SEND_EMAILS, ignore_result=True)
@tenancy.system("emails to any users, whoever's event it was")
def send_emails(delivery_ids: list[int]) -> dict[str, int]:
    """Send the emails one transaction wrote, in order, over one SMTP session.

    Each is sent as ``send_email`` would (the row's claim decides). When one fails in a way
    a retry may fix (the server refused for now, timed out, or its circuit is open), it and
    the ones after it are handed to their own ``send_email`` tasks, which retry with
    backoff: the server is unwell, so the rest would only wait on it here. Any other error
    hands over that one email and carries on. Returns what happened, counted.
    """
    outcomes: Counter[str] = Counter()
    for index, delivery_id in enumerate(delivery_ids):
        try:
            outcomes[email_delivery_send(delivery_id=delivery_id)] += 1
        except (TransientError, CircuitOpenError) as exc:
            countdown = task_retry_countdown(0, at_least=getattr(exc, "retry_after", 0.0))
            rest = delivery_ids[index:]
            for later in rest:
                send_task_by_name(SEND_EMAIL, [later], countdown=countdown)
            outcomes["handed_over"] += len(rest)
            logger.warning("emails.handed_over", extra={"delivery_ids": rest, "error": str(exc)})
            break
        except Exception:
            logger.exception("emails.send_failed", extra={"delivery_id": delivery_id})
            send_task_by_name(SEND_EMAIL, [delivery_id])
            outcomes["handed_over"] += 1
    return dict(outcomes)


@shared_task(name="notifications.requeue_stale", ignore_result=True)
@tenancy.system("beat: queues again any user's stale emails")
def requeue_stale() -> int:
    """Queue again emails whose task was lost or whose worker died mid-send (beat)."""
    return email_delivery_requeue_stale()
