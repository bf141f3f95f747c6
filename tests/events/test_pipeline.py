"""One pipeline from service to side effects: outbox, after-commit and Celery subscribers, sweep.

Celery runs eagerly here (tests/conftest.py), so ``events.dispatch`` runs in-process when
the on-commit callbacks run; ``django_capture_on_commit_callbacks(execute=True)`` plays
the commit.
"""

from datetime import timedelta

import pytest

from applications.models import Application
from applications.services import application_submit
from hotgigs import queueing
from hotgigs.events import catalogue, registry
from hotgigs.events.dispatch import events_dispatch, events_dispatch_sweep
from hotgigs.events.models import OutboxEvent
from hotgigs.events.outbox import DISPATCH_TASK, record
from hotgigs.notifications.models import Notification
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscribe():
    """``subscribe(kind, name, types, handler)`` registers a subscriber for this test only."""
    names = []

    def _subscribe(kind, name, types, handler):  # type: ignore[no-untyped-def]
        names.append(name)
        register = registry.on_worker if kind == "worker" else registry.after_commit
        return register(name, types=types)(handler)

    yield _subscribe
    for name in names:
        registry.unregister(name)


def _submitted() -> OutboxEvent:
    return OutboxEvent.objects.get(type=catalogue.APPLICATION_SUBMITTED)


def test_a_submission_records_one_event_and_writes_nothing_else_before_commit(open_job, candidate, recruiter):
    application_submit(actor=candidate.user, job=open_job, candidate=candidate)

    event = _submitted()
    assert event.data["id"] == Application.objects.get().pk
    assert event.context == {"actor_id": candidate.user.pk}
    assert event.dispatch_due_at == event.created_at
    # Nothing was told yet: that is the subscribers' work, after commit.
    assert not Notification.objects.exists()


def test_after_commit_the_subscribers_tell_the_candidate_and_the_team(
    open_job, candidate, recruiter, org, django_capture_on_commit_callbacks
):
    colleague = MembershipFactory(organization=org).user

    with django_capture_on_commit_callbacks(execute=True):
        application_submit(actor=candidate.user, job=open_job, candidate=candidate)

    kinds = set(Notification.objects.values_list("user_id", "kind"))
    assert kinds == {
        (candidate.user.pk, catalogue.APPLICATION_RECEIVED),
        (recruiter.pk, catalogue.APPLICATION_NEW),
        (colleague.pk, catalogue.APPLICATION_NEW),
    }
    event = _submitted()
    assert (event.dispatch_due_at, event.dispatch_pending, event.dispatch_attempts) == (None, None, 0)


def test_the_context_is_never_pushed(open_job, candidate):
    application_submit(actor=candidate.user, job=open_job, candidate=candidate)

    assert set(_submitted().as_message()) == {"id", "channel", "type", "data", "ts"}


def test_a_failing_worker_subscriber_fails_neither_the_write_nor_the_others_and_is_retried_boundedly(
    open_job, candidate, recruiter, settings, subscribe, django_capture_on_commit_callbacks
):
    calls = []

    def broken(event):  # type: ignore[no-untyped-def]
        calls.append(event.pk)
        raise RuntimeError("subscriber bug")

    subscribe("worker", "tests.broken", [catalogue.APPLICATION_SUBMITTED], broken)

    with django_capture_on_commit_callbacks(execute=True):
        application = application_submit(actor=candidate.user, job=open_job, candidate=candidate)

    assert Application.objects.filter(pk=application.pk).exists()
    # The other subscribers ran once: both notifications are there.
    assert Notification.objects.filter(kind=catalogue.APPLICATION_RECEIVED).count() == 1
    assert Notification.objects.filter(kind=catalogue.APPLICATION_NEW).count() == 1
    event = _submitted()
    # Tried once and retried RETRY_MAX_RETRIES times (at once, eagerly), then given up on.
    assert calls == [event.pk] * (settings.RETRY_MAX_RETRIES + 1)
    assert event.dispatch_due_at is None
    assert event.dispatch_pending == ["tests.broken"]
    assert event.dispatch_attempts == settings.RETRY_MAX_RETRIES + 1
    assert "RuntimeError: subscriber bug" in event.dispatch_error


def test_a_retry_runs_only_the_subscriber_that_failed(
    open_job, candidate, subscribe, monkeypatch, django_capture_on_commit_callbacks
):
    outcomes = iter([RuntimeError("once"), None])
    ran = {"flaky": 0, "steady": 0}

    def flaky(event):  # type: ignore[no-untyped-def]
        ran["flaky"] += 1
        error = next(outcomes)
        if error:
            raise error

    def steady(event):  # type: ignore[no-untyped-def]
        ran["steady"] += 1

    subscribe("worker", "tests.flaky", [catalogue.APPLICATION_SUBMITTED], flaky)
    subscribe("worker", "tests.steady", [catalogue.APPLICATION_SUBMITTED], steady)
    retries = []
    real = queueing.send_task_by_name

    def watch(name, args, **options):  # type: ignore[no-untyped-def]
        if options.get("countdown") is not None:
            retries.append((name, list(args), options["countdown"]))
        return real(name, args, **options)

    monkeypatch.setattr(queueing, "send_task_by_name", watch)

    with django_capture_on_commit_callbacks(execute=True):
        application_submit(actor=candidate.user, job=open_job, candidate=candidate)

    event = _submitted()
    assert ran == {"flaky": 2, "steady": 1}
    assert [(name, args) for name, args, _ in retries] == [(DISPATCH_TASK, [[event.pk]])]
    assert (event.dispatch_due_at, event.dispatch_pending, event.dispatch_attempts) == (None, None, 1)


def test_a_failing_after_commit_subscriber_fails_neither_the_write_nor_the_others(
    open_job, candidate, subscribe, django_capture_on_commit_callbacks
):
    seen = []

    def broken(recorded):  # type: ignore[no-untyped-def]
        raise RuntimeError("cache down")

    def watcher(recorded):  # type: ignore[no-untyped-def]
        seen.extend(item.event.type for item in recorded)

    subscribe("after", "tests.broken", None, broken)
    subscribe("after", "tests.watcher", None, watcher)

    with django_capture_on_commit_callbacks(execute=True):
        application = application_submit(actor=candidate.user, job=open_job, candidate=candidate)

    assert Application.objects.filter(pk=application.pk).exists()
    assert catalogue.APPLICATION_SUBMITTED in seen
    assert Notification.objects.filter(kind=catalogue.APPLICATION_RECEIVED).exists()


def test_a_lost_dispatch_task_is_dispatched_by_the_sweep(
    open_job, candidate, recruiter, settings, django_capture_on_commit_callbacks
):
    # Committed without its on-commit callbacks: as if the broker had lost events.dispatch.
    application_submit(actor=candidate.user, job=open_job, candidate=candidate)
    assert not Notification.objects.exists()
    settings.EVENTS_DISPATCH_SWEEP_LAG = timedelta(0)

    with django_capture_on_commit_callbacks(execute=True):
        first = events_dispatch_sweep()
    with django_capture_on_commit_callbacks(execute=True):
        second = events_dispatch_sweep()

    assert (first, second) == (1, 0)
    assert Notification.objects.filter(kind=catalogue.APPLICATION_RECEIVED).count() == 1
    assert Notification.objects.filter(kind=catalogue.APPLICATION_NEW).count() == 1


def test_the_sweep_leaves_events_younger_than_the_lag(open_job, candidate):
    application_submit(actor=candidate.user, job=open_job, candidate=candidate)

    assert events_dispatch_sweep() == 0
    assert _submitted().dispatch_due_at is not None


def test_dispatching_an_event_twice_tells_nobody_twice(
    open_job, candidate, recruiter, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application_submit(actor=candidate.user, job=open_job, candidate=candidate)
    event = _submitted()
    before = Notification.objects.count()

    # A duplicate message finds the event done; forcing it through again changes nothing either.
    assert events_dispatch(event_ids=[event.pk]) == 0
    OutboxEvent.objects.filter(pk=event.pk).update(dispatch_due_at=event.created_at)
    with django_capture_on_commit_callbacks(execute=True):
        assert events_dispatch(event_ids=[event.pk]) == 1

    assert Notification.objects.count() == before


def test_events_without_worker_subscribers_queue_no_dispatch(
    recruiter, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(queueing, "send_task_by_name", lambda name, args, **options: queued.append(name))

    with django_capture_on_commit_callbacks(execute=True):
        event = record(
            catalogue.NOTIFICATION_CREATED,
            data={"id": 1, "kind": "k", "payload": {}},
            audiences=[f"user.{recruiter.pk}"],
        )

    assert event.dispatch_due_at is None
    assert queued == []


def test_one_transaction_queues_one_dispatch(org, recruiter, monkeypatch, django_capture_on_commit_callbacks):
    from django.db import transaction

    queued = []
    monkeypatch.setattr(queueing, "send_task_by_name", lambda name, args, **options: queued.append((name, args)))

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        first = record(catalogue.CANDIDATE_PROFILE_CHANGED, data={"candidate_id": 1})
        second = record(catalogue.CANDIDATE_PROFILE_CHANGED, data={"candidate_id": 2})

    assert queued == [(DISPATCH_TASK, [[first.pk, second.pk]])]


def test_a_rolled_back_savepoint_does_not_lose_the_dispatch_of_what_committed(
    org, monkeypatch, django_capture_on_commit_callbacks
):
    from django.db import transaction

    queued = []
    monkeypatch.setattr(queueing, "send_task_by_name", lambda name, args, **options: queued.append((name, args)))

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        try:
            with transaction.atomic():
                record(catalogue.CANDIDATE_PROFILE_CHANGED, data={"candidate_id": 1})
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        kept = record(catalogue.CANDIDATE_PROFILE_CHANGED, data={"candidate_id": 2})

    # One task; the rolled-back event's id may ride along (dispatch finds no row for it).
    [(name, [ids])] = queued
    assert name == DISPATCH_TASK
    assert kept.pk in ids
    assert list(OutboxEvent.objects.filter(pk__in=ids).values_list("pk", flat=True)) == [kept.pk]


def test_the_next_transaction_queues_its_own_dispatch(org, monkeypatch, django_capture_on_commit_callbacks):
    queued = []
    monkeypatch.setattr(queueing, "send_task_by_name", lambda name, args, **options: queued.append((name, args)))

    with django_capture_on_commit_callbacks(execute=True):
        first = record(catalogue.CANDIDATE_PROFILE_CHANGED, data={"candidate_id": 1})
    with django_capture_on_commit_callbacks(execute=True):
        second = record(catalogue.CANDIDATE_PROFILE_CHANGED, data={"candidate_id": 2})

    assert queued == [(DISPATCH_TASK, [[first.pk]]), (DISPATCH_TASK, [[second.pk]])]


@pytest.mark.parametrize(
    ("event_type", "audiences", "reason"),
    [
        ("no.such_event", [], "not an event of the catalogue"),
        (catalogue.ACCOUNT_SIGNUP_ATTEMPT, ["user.1"], "internal"),
        (catalogue.JOB_CREATED, ["org 1"], "group names"),
    ],
)
def test_record_refuses_what_the_catalogue_does_not_allow_and_writes_nothing(event_type, audiences, reason):
    with pytest.raises(ValueError, match=reason):
        record(event_type, data={}, audiences=audiences)

    assert not OutboxEvent.objects.exists()


def test_internal_events_have_no_channel_nor_groups(candidate):
    event = record(catalogue.ACCOUNT_SIGNUP_ATTEMPT, data={"user_id": candidate.user.pk})

    assert (event.channel, event.groups) == ("", [])
    assert not event.audience.exists()
