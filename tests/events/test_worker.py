"""On a real Celery worker: an ``events.dispatch`` task the broker lost is caught by the sweep."""

import pytest

from applications.services import application_submit
from hotgigs import queueing
from hotgigs.events import catalogue
from hotgigs.events.models import OutboxEvent
from hotgigs.events.outbox import DISPATCH_TASK
from hotgigs.notifications.models import EmailDelivery, Notification
from tests.factories import CandidateFactory, JobFactory, MembershipFactory

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True), pytest.mark.redis]


def test_a_lost_dispatch_task_is_dispatched_by_the_sweep_on_the_worker(live_worker_factory, org, monkeypatch):
    worker = live_worker_factory(EVENTS_DISPATCH_SWEEP_LAG_SECONDS="0")
    recruiter = MembershipFactory(organization=org).user
    job = JobFactory(organization=org, created_by=recruiter)
    candidate = CandidateFactory()
    send = queueing.send_task_by_name

    def lose_dispatch(name, args, **options):  # type: ignore[no-untyped-def]
        # The broker "loses" the dispatch message (what a down broker does: nothing queued).
        return False if name == DISPATCH_TASK else send(name, args, **options)

    monkeypatch.setattr(queueing, "send_task_by_name", lose_dispatch)
    application_submit(actor=candidate.user, job=job, candidate=candidate)
    event = OutboxEvent.objects.get(type=catalogue.APPLICATION_SUBMITTED)
    assert event.dispatch_due_at is not None
    assert not Notification.objects.exists()

    assert send("events.sweep", [])

    worker.wait_for(lambda: not OutboxEvent.objects.filter(pk=event.pk, dispatch_due_at__isnull=False).exists())
    assert set(Notification.objects.values_list("user_id", "kind")) == {
        (candidate.user.pk, catalogue.APPLICATION_RECEIVED),
        (recruiter.pk, catalogue.APPLICATION_NEW),
    }
    # The emails the subscriber queued went out through the same worker, once each.
    rows = worker.wait_for(
        lambda: list(EmailDelivery.objects.filter(status="sent"))
        if EmailDelivery.objects.filter(status="sent").count() == 2
        else None
    )
    assert sorted(row.to_email for row in rows) == sorted([candidate.user.email, recruiter.email])
