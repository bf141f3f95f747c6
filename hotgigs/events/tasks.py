"""Celery tasks of the event pipeline: thin, idempotent, ids in."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from hotgigs import tenancy
from hotgigs.events.dispatch import events_dispatch, events_dispatch_sweep
from hotgigs.events.outbox import DISPATCH_TASK
from hotgigs.resilience import TransientError
from hotgigs.resilience.celery import RETRY_TASK_OPTIONS


@shared_task(name=DISPATCH_TASK, ignore_result=True, **RETRY_TASK_OPTIONS)
@tenancy.system("event fan-out reaches every organization's subscribers")
def dispatch(event_ids: list[int]) -> int:
    """Run the worker subscribers of the events of one committed transaction."""
    try:
        return events_dispatch(event_ids=event_ids)
    except (OperationalError, InterfaceError) as exc:
        raise TransientError(f"database unavailable: {exc}") from exc


@shared_task(name="events.sweep", ignore_result=True)
@tenancy.system("beat: re-dispatches any organization's lost events")
def sweep() -> int:
    """Beat: dispatch committed events whose ``events.dispatch`` task was lost."""
    return events_dispatch_sweep()
