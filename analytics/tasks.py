"""Celery tasks of the analytics app: thin, idempotent, ids in, calling services."""

from datetime import UTC, timedelta

from celery import shared_task
from django.utils import timezone

from analytics.services import analytics_snapshot
from hotgigs import tenancy

# Yesterday is written again too, so moves recorded just before midnight (or a run missed
# across it) still land in a closed day.
REFRESHED_DAYS = 2


@shared_task(name="analytics.snapshot", ignore_result=True)
@tenancy.system("beat: the daily analytics snapshots of every organization")
def snapshot() -> int:
    """Rewrite the snapshots of yesterday and today (UTC) (beat, every ten minutes).

    Idempotent; today's figures are as fresh as the last run.
    Returns the number of rows written.
    """
    today = timezone.now().astimezone(UTC).date()
    result = analytics_snapshot(since=today - timedelta(days=REFRESHED_DAYS - 1), until=today)
    return result.stage_rows + result.hire_rows
