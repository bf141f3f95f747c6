"""On a real Celery worker: a rejection's email reaches a real SMTP server through the event's
subscriber and the countdown task, and the beat sweep sends one whose task was lost."""

from datetime import timedelta

import pytest
from django.utils import timezone

from applications.models import RejectionEmail, RejectionEmailTemplate, StageChange
from applications.services import application_move
from applications.tasks import rejection_emails_sweep_task
from tests.factories import ApplicationFactory, CandidateFactory, JobFactory, MembershipFactory
from tests.factories.applications import rejection_reason_id
from tests.notifications.conftest import smtp_server  # noqa: F401  (fixture)

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True), pytest.mark.redis]


def test_a_rejection_email_goes_out_through_the_worker_and_the_sweep_catches_a_lost_one(
    live_worker_factory,
    smtp_server,  # noqa: F811
    org,
):
    controller, server = smtp_server
    worker = live_worker_factory(EMAIL_HOST=controller.hostname, EMAIL_PORT=str(controller.port), EMAIL_TIMEOUT="5")
    recruiter = MembershipFactory(organization=org).user
    job = JobFactory(organization=org, created_by=recruiter)
    template = RejectionEmailTemplate.objects.get(organization=org)
    sourced = CandidateFactory(user=None, created_by=recruiter, full_name="Ada Lovelace")
    application = ApplicationFactory(job=job, candidate=sourced, stage="screening")

    application_move(
        actor=recruiter,
        application=application,
        to_stage="rejected",
        rejection_reason_id=rejection_reason_id(org.pk),
        email_template_id=template.pk,
    )

    email = worker.wait_for(lambda: RejectionEmail.objects.filter(application=application, status="sent").first())
    assert server.to() == [sourced.email]
    assert server.messages[0]["Subject"] == f"Your application for {job.title} at {org.name}"
    assert email.attempts == 1

    # A scheduled email whose task never reached the broker: the sweep sends it.
    lost_application = ApplicationFactory(job=job, stage="rejected")
    lost = RejectionEmail.objects.create(
        application=lost_application,
        stage_change=StageChange.objects.filter(application=lost_application).latest("id"),
        template=template,
        to_email=lost_application.candidate.email,
        subject="Lost and found",
        body="Dear candidate",
        send_at=timezone.now() - timedelta(minutes=1),
    )
    rejection_emails_sweep_task.delay()

    worker.wait_for(lambda: RejectionEmail.objects.filter(pk=lost.pk, status="sent").exists())
    assert sorted(server.to()) == sorted([sourced.email, lost_application.candidate.email])
    assert len(server.messages) == 2
