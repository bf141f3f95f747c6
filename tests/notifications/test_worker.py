"""On a real Celery worker: an application submitted through the service becomes exactly one
email per recipient at a real SMTP server, and redelivering the tasks sends nothing more."""

import pytest

from applications.services import application_submit
from hotgigs.notifications.models import EmailDelivery
from hotgigs.notifications.services import SEND_EMAIL, SEND_EMAILS
from hotgigs.notifications.tasks import send_email
from tests.factories import CandidateFactory, JobFactory, MembershipFactory
from tests.servers import CeleryWorker

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True), pytest.mark.redis]


def _done(worker: CeleryWorker, task: str) -> int:
    return sum(1 for line in worker.log().splitlines() if f"Task {task}[" in line and "succeeded" in line)


def test_a_submitted_application_sends_one_email_per_recipient_through_the_worker(
    live_worker_factory, smtp_server, org
):
    controller, server = smtp_server
    worker = live_worker_factory(EMAIL_HOST=controller.hostname, EMAIL_PORT=str(controller.port), EMAIL_TIMEOUT="5")
    recruiter = MembershipFactory(organization=org).user
    job = JobFactory(organization=org, created_by=recruiter)
    candidate = CandidateFactory()

    application_submit(actor=candidate.user, job=job, candidate=candidate)

    rows = worker.wait_for(
        lambda: (
            list(EmailDelivery.objects.order_by("pk"))
            if EmailDelivery.objects.count() == 2 and not EmailDelivery.objects.exclude(status="sent").exists()
            else None
        ),
    )
    assert sorted(server.to()) == sorted([candidate.user.email, recruiter.email])
    assert {m["X-HotGigs-Kind"] for m in server.messages} == {"application.received", "application.new"}
    assert [r.attempts for r in rows] == [1, 1]

    # Both emails of the submission went in one task, over one SMTP session.
    worker.wait_for(lambda: _done(worker, SEND_EMAILS) >= 1)
    assert (_done(worker, SEND_EMAILS), _done(worker, SEND_EMAIL)) == (1, 0)

    # Redelivery: each email's task again, through the broker; the claims make them no-ops.
    for row in rows:
        send_email.delay(row.pk)
    worker.wait_for(lambda: _done(worker, SEND_EMAIL) >= len(rows))

    assert len(server.messages) == 2
    assert sorted(server.to()) == sorted([candidate.user.email, recruiter.email])
    assert list(EmailDelivery.objects.order_by("pk").values_list("status", "attempts")) == [("sent", 1), ("sent", 1)]
