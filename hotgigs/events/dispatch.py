"""Running the Celery subscribers of committed events: ``events.dispatch`` and its sweep.

The outbox queues ONE ``events.dispatch`` task per transaction, with the ids of its events
that have worker subscribers (``dispatch_due_at`` set). :func:`events_dispatch` claims those
rows (``SELECT … FOR UPDATE SKIP LOCKED``: a dispatch of the same events running elsewhere
keeps them) and runs every subscriber that wants each event, each in a savepoint, so one
that raises is rolled back and logged while the others carry on. The rows are then marked
done in the same transaction as the subscribers' writes, so a crash leaves both undone.

A subscriber that failed is retried with the other failed ones of its event, after the
task backoff (``task_retry_countdown``), at most ``RETRY_MAX_RETRIES`` times; then the event
is given up on (``events.subscriber_gave_up`` logged, ``dispatch_error`` kept).

If the task is lost (broker outage, a worker killed), the row keeps its ``dispatch_due_at``
and :func:`events_dispatch_sweep` (beat) dispatches it once it is older than
``EVENTS_DISPATCH_SWEEP_LAG`` — long enough for the normal task to have run. Subscribers
are idempotent per event, so the rare double run costs work, never a duplicate.
"""

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from hotgigs import queueing
from hotgigs.events import registry
from hotgigs.events.models import OutboxEvent
from hotgigs.events.outbox import DISPATCH_TASK
from hotgigs.resilience.celery import task_retry_countdown

logger = logging.getLogger(__name__)

SWEEP_BATCH = 100
SWEEP_MAX_BATCHES = 20


def _run(event: OutboxEvent) -> dict[str, str]:
    """Run the wanted subscribers of one event; returns the failed ones' names → error."""
    failed: dict[str, str] = {}
    for subscriber in registry.worker_subscribers():
        if not subscriber.wants(event.type):
            continue
        if event.dispatch_pending is not None and subscriber.name not in event.dispatch_pending:
            continue
        try:
            if subscriber.savepoint:
                with transaction.atomic():
                    subscriber.handler(event)
            else:
                subscriber.handler(event)
        except Exception as exc:
            failed[subscriber.name] = f"{subscriber.name}: {type(exc).__name__}: {exc}"
            logger.exception(
                "events.subscriber_failed",
                extra={"subscriber": subscriber.name, "event_id": event.pk, "event_type": event.type},
            )
    return failed


def events_dispatch(*, event_ids: Sequence[int]) -> int:
    """Run the worker subscribers of the given events that still wait; returns how many events ran.

    Events already dispatched, given up on, or being dispatched elsewhere are skipped. Never
    raises for a subscriber's error (see the module docstring); a database error propagates
    and leaves the events to the sweep.
    """
    retry: list[tuple[int, int]] = []
    with transaction.atomic():
        events = list(
            OutboxEvent.objects.select_for_update(skip_locked=True)
            .filter(pk__in=list(event_ids), dispatch_due_at__isnull=False)
            .order_by("pk")
        )
        for event in events:
            failed = _run(event)
            if not failed:
                event.dispatch_due_at = None
                event.dispatch_pending = None
            else:
                event.dispatch_attempts += 1
                event.dispatch_pending = sorted(failed)
                event.dispatch_error = "; ".join(failed.values())[:500]
                if event.dispatch_attempts > settings.RETRY_MAX_RETRIES:
                    event.dispatch_due_at = None
                    logger.error(
                        "events.subscriber_gave_up",
                        extra={
                            "event_id": event.pk,
                            "subscribers": sorted(failed),
                            "attempts": event.dispatch_attempts,
                        },
                    )
                else:
                    countdown = task_retry_countdown(event.dispatch_attempts - 1)
                    event.dispatch_due_at = timezone.now() + timedelta(seconds=countdown)
                    retry.append((event.pk, countdown))
            event.save(update_fields=["dispatch_due_at", "dispatch_pending", "dispatch_attempts", "dispatch_error"])
        if retry:

            def queue_retries() -> None:
                for event_id, countdown in retry:
                    queueing.send_task_by_name(DISPATCH_TASK, [[event_id]], countdown=countdown)

            transaction.on_commit(queue_retries, robust=True)
    return len(events)


def events_dispatch_sweep() -> int:
    """Dispatch events whose task was lost: due more than ``EVENTS_DISPATCH_SWEEP_LAG`` ago.

    Oldest first, in batches (each its own transaction), at most
    ``SWEEP_BATCH × SWEEP_MAX_BATCHES`` a run. Returns how many events ran.
    """
    ran = _dispatch_due(timezone.now() - settings.EVENTS_DISPATCH_SWEEP_LAG, max_batches=SWEEP_MAX_BATCHES)
    if ran:
        logger.warning("events.swept", extra={"events": ran})
    return ran


def events_dispatch_due_now() -> int:
    """Dispatch, here and now, every event still waiting for its worker subscribers.

    For a process that must see its events' effects happen in its own context rather than a
    worker's later: demo seeding runs it with emails muted, so the made-up history leaves
    in-app notifications but no email for a worker to send afterwards. Returns how many ran.
    """
    return _dispatch_due(timezone.now(), max_batches=None)


def _dispatch_due(horizon: datetime, *, max_batches: int | None) -> int:
    ran = 0
    batches = 0
    while max_batches is None or batches < max_batches:
        batches += 1
        ids = list(
            OutboxEvent.objects.filter(dispatch_due_at__lte=horizon)
            .order_by("dispatch_due_at", "pk")
            .values_list("pk", flat=True)[:SWEEP_BATCH]
        )
        if not ids:
            break
        done = events_dispatch(event_ids=ids)
        ran += done
        if done == 0 or len(ids) < SWEEP_BATCH:
            break
    return ran
