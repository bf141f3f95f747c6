"""The outbox: written with the change, removed with a rollback, indexed by group."""

import pytest
from django.db import transaction

from hotgigs.events.models import OutboxEvent, OutboxEventGroup
from hotgigs.realtime.events import publish_on_commit
from hotgigs.realtime.selectors import outbox_replay
from jobs.services import job_close, job_create


def test_a_service_writes_its_event_to_the_outbox(org, recruiter, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_create(actor=recruiter, organization=org, title="Outboxed", description="x")

    event = OutboxEvent.objects.get()
    assert event.channel == "job_updates"
    assert event.type == "job.created"
    assert event.data["id"] == job.pk
    assert event.organization_id == org.pk
    assert event.groups == [f"job_updates.org.{org.pk}"]
    assert list(OutboxEventGroup.objects.values_list("group", flat=True)) == event.groups


def test_closing_goes_to_the_board_too(org, recruiter, open_job, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job_close(actor=recruiter, job=open_job)

    assert OutboxEvent.objects.get().groups == ["job_updates.job_board", f"job_updates.org.{org.pk}"]


class Boom(Exception):
    pass


@transaction.atomic
def _create_then_fail(recruiter, org) -> None:
    job_create(actor=recruiter, organization=org, title="Gone", description="x")
    raise Boom


def test_a_rollback_removes_the_event(org, recruiter, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Boom):
        _create_then_fail(recruiter, org)

    assert callbacks == []
    assert not OutboxEvent.objects.exists()
    assert not OutboxEventGroup.objects.exists()


def test_replay_reads_one_group_in_id_order(db):
    for n in range(3):
        publish_on_commit(channel="notifications", type="notification.created", data={"n": n}, groups=["user.1"])
    publish_on_commit(channel="notifications", type="notification.created", data={"n": 9}, groups=["user.2"])
    first = OutboxEvent.objects.order_by("pk").first()
    assert first is not None

    replay = outbox_replay(group="notifications.user.1", since=first.pk, limit=10)

    assert [e["data"]["n"] for e in replay.events] == [1, 2]
    assert replay.head == replay.events[-1]["id"]
    assert not replay.truncated


def test_invalid_audience_is_refused(db):
    with pytest.raises(ValueError, match="group names"):
        publish_on_commit(channel="notifications", type="x", data={}, groups=["user 1"])


def test_a_batch_is_written_in_order_and_pushed_once_with_each_events_previous_id(
    db, monkeypatch, django_capture_on_commit_callbacks
):
    from hotgigs.realtime import events

    earlier = publish_on_commit(channel="notifications", type="n", data={}, groups=["user.1"])
    pushes = []
    monkeypatch.setattr(events, "_send", pushes.append)
    batch = [
        events.Event(channel="notifications", type="n", data={"k": 1}, groups=["user.1"]),
        events.Event(channel="notifications", type="n", data={"k": 2}, groups=["user.2"]),
        events.Event(channel="notifications", type="n", data={"k": 3}, groups=["user.1", "user.2"]),
    ]

    with django_capture_on_commit_callbacks(execute=True):
        rows = events.publish_many_on_commit(batch)
        assert pushes == []  # nothing leaves before the commit

    assert [row.data["k"] for row in rows] == [1, 2, 3]
    assert rows[0].pk > earlier.pk
    assert [row.pk for row in rows] == sorted(row.pk for row in rows)
    (sent,) = pushes
    assert [message["id"] for _, message, _ in sent] == [row.pk for row in rows]
    assert [previous for _, _, previous in sent] == [
        {"notifications.user.1": earlier.pk},
        {},
        {"notifications.user.1": rows[0].pk, "notifications.user.2": rows[1].pk},
    ]
    assert OutboxEventGroup.objects.filter(event__in=rows).count() == 4


def test_a_batch_with_one_invalid_audience_writes_nothing(db):
    from hotgigs.realtime.events import Event, publish_many_on_commit

    with pytest.raises(ValueError, match="group names"):
        publish_many_on_commit(
            [
                Event(channel="notifications", type="n", data={}, groups=["user.1"]),
                Event(channel="notifications", type="n", data={}, groups=["user 2"]),
            ]
        )

    assert not OutboxEvent.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_writers_to_one_group_commit_in_id_order():
    """A second writer to the same group waits for the first to commit; another group does not."""
    import threading

    from django.db import close_old_connections, connection

    from tests.conftest import require_service

    require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")
    inserted, release = threading.Event(), threading.Event()
    done: dict[str, int] = {}

    def first_writer() -> None:
        with transaction.atomic():
            done["first"] = publish_on_commit(channel="notifications", type="t", data={}, groups=["user.1"]).pk
            inserted.set()
            release.wait(5)
        close_old_connections()

    def writer(name: str, audience: str) -> None:
        done[name] = publish_on_commit(channel="notifications", type="t", data={}, groups=[audience]).pk
        close_old_connections()

    threads = [threading.Thread(target=first_writer)]
    threads[0].start()
    inserted.wait(5)
    threads += [
        threading.Thread(target=writer, args=("same group", "user.1")),
        threading.Thread(target=writer, args=("other group", "user.2")),
    ]
    threads[1].start()
    threads[2].start()
    threads[2].join(5)
    blocked_while_first_open = "same group" not in done
    release.set()
    for thread in threads:
        thread.join(5)

    assert "other group" in done
    assert blocked_while_first_open
    assert done["same group"] > done["first"]
