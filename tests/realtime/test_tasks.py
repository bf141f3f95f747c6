"""realtime.prune_outbox keeps the outbox to its retention."""

from datetime import timedelta

from django.utils import timezone

from hotgigs.celery import app
from hotgigs.events.models import OutboxEvent, OutboxEventGroup
from hotgigs.realtime.events import publish_on_commit
from hotgigs.realtime.services import outbox_prune
from hotgigs.realtime.tasks import prune_outbox


def _event(age: timedelta) -> OutboxEvent:
    event = publish_on_commit(channel="notifications", type="notification.created", data={}, groups=["user.1"])
    OutboxEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - age)
    return event


def test_prune_deletes_only_rows_past_retention(db, settings):
    settings.REALTIME_OUTBOX_RETENTION = timedelta(days=3)
    old = [_event(timedelta(days=4)), _event(timedelta(days=3, minutes=1))]
    kept = [_event(timedelta(days=2)), _event(timedelta(0))]

    deleted = prune_outbox()

    assert deleted == len(old)
    assert list(OutboxEvent.objects.order_by("pk")) == kept
    assert set(OutboxEventGroup.objects.values_list("event_id", flat=True)) == {e.pk for e in kept}


def test_prune_works_in_batches_and_is_idempotent(db):
    for _ in range(5):
        _event(timedelta(days=10))

    assert outbox_prune(older_than=timedelta(days=1), batch_size=2) == 5
    assert outbox_prune(older_than=timedelta(days=1), batch_size=2) == 0


def test_prune_runs_hourly_on_beat():
    entry = app.conf.beat_schedule["realtime.prune_outbox"]

    assert entry["task"] == "realtime.prune_outbox"
    assert entry["schedule"] == 3600.0
