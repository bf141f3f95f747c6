"""The snapshot's beat task and backfill command (analytics/tasks.py, analytics_snapshot)."""

from datetime import UTC, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from analytics.models import StageDayFact, StageDayTotal
from analytics.tasks import snapshot
from hotgigs.celery import app
from tests.factories import ApplicationFactory, StageChangeFactory

pytestmark = pytest.mark.django_db


def test_beat_writes_today_and_yesterday(open_job):
    application = ApplicationFactory(job=open_job)
    StageChangeFactory(application=application, changed_at=timezone.now())
    old = ApplicationFactory(job=open_job, stage_changed_at=timezone.now() - timedelta(days=5))

    written = snapshot()

    today = timezone.now().astimezone(UTC).date()
    # applied (entered and left for screening) and screening (entered): two rows.
    assert written == 2
    assert set(StageDayFact.objects.values_list("day", "stage", "entered")) >= {
        (today, "applied", 1),
        (today, "screening", 1),
    }
    assert StageDayTotal.objects.filter(day=today, stage="applied", entered=1).exists()
    # Five days ago is the backfill's business, not beat's.
    assert not StageDayFact.objects.filter(day=old.stage_changed_at.astimezone(UTC).date()).exists()


def test_beat_runs_the_snapshot_every_ten_minutes():
    entry = app.conf.beat_schedule["analytics.snapshot"]

    assert entry["task"] == "analytics.snapshot"
    assert entry["schedule"] == 600.0


def test_the_command_backfills_from_the_first_day_of_the_history(open_job):
    first = timezone.now() - timedelta(days=40)
    ApplicationFactory(job=open_job, stage_changed_at=first)
    out = StringIO()

    call_command("analytics_snapshot", stdout=out)

    assert StageDayFact.objects.filter(day=first.astimezone(UTC).date(), stage="applied", entered=1).exists()
    assert f"Snapshot {first.astimezone(UTC).date()}" in out.getvalue()


def test_the_command_takes_a_range(open_job):
    at = timezone.now() - timedelta(days=10)
    ApplicationFactory(job=open_job, stage_changed_at=at)
    day = at.astimezone(UTC).date()

    call_command("analytics_snapshot", "--since", str(day + timedelta(days=1)), stdout=StringIO())
    assert not StageDayFact.objects.exists()
    call_command("analytics_snapshot", "--since", str(day), "--until", str(day), stdout=StringIO())
    assert StageDayFact.objects.filter(day=day).exists()


@pytest.mark.parametrize(
    "args", [["--since", "yesterday"], ["--since", "2026-02-30"], ["--since", "2026-03-02", "--until", "2026-03-01"]]
)
def test_the_command_refuses_bad_days_and_writes_nothing(open_job, args):
    ApplicationFactory(job=open_job)

    with pytest.raises(CommandError):
        call_command("analytics_snapshot", *args, stdout=StringIO())
    assert not StageDayFact.objects.exists()
