"""Celery tasks of the realtime layer: thin, idempotent, call services."""

from celery import shared_task

from hotgigs import tenancy
from hotgigs.realtime.services import outbox_prune


@shared_task(name="realtime.prune_outbox", ignore_result=True)
@tenancy.system("beat: prunes every organization's outbox rows")
def prune_outbox() -> int:
    """Delete outbox events older than ``REALTIME_OUTBOX_RETENTION`` (beat, hourly)."""
    return outbox_prune()
