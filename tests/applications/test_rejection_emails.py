"""Rejection emails: per-organization templates, scheduled by a rejection, sent by the worker
when due over real SMTP (aiosmtpd on loopback), cancelled by an undo before they go."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from activity.selectors import application_activity
from applications.choices import DEFAULT_REJECTION_EMAIL_TEMPLATE
from applications.errors import DuplicateRejectionEmailTemplate
from applications.models import RejectionEmail, RejectionEmailTemplate, StageChange
from applications.services import (
    application_move,
    application_undo_move,
    applications_bulk_move,
    rejection_email_template_archive,
    rejection_email_template_create,
    rejection_email_template_update,
)
from applications.subscribers import rejection_email_deliver, rejection_emails_sweep
from hotgigs.errors import Forbidden, ValidationFailed
from hotgigs.events.models import OutboxEvent
from tests.factories import ApplicationFactory, CandidateFactory, OrganizationFactory
from tests.factories.applications import rejection_reason_id
from tests.notifications.conftest import parts, smtp, smtp_server  # noqa: F401  (fixtures)


def _template(organization_id: int) -> RejectionEmailTemplate:
    return RejectionEmailTemplate.objects.get(organization_id=organization_id, name=DEFAULT_REJECTION_EMAIL_TEMPLATE[0])


def _state(application):  # type: ignore[no-untyped-def]
    application.refresh_from_db()
    return (
        application.stage,
        StageChange.objects.count(),
        OutboxEvent.objects.count(),
        RejectionEmail.objects.count(),
        RejectionEmailTemplate.objects.count(),
    )


def _reject(recruiter, application, *, delay=0, template_id=None):  # type: ignore[no-untyped-def]
    organization_id = application.job.organization_id
    return application_move(
        actor=recruiter,
        application=application,
        to_stage="rejected",
        rejection_reason_id=rejection_reason_id(organization_id),
        email_template_id=template_id or _template(organization_id).pk,
        email_delay_minutes=delay,
    )


# --- templates -------------------------------------------------------------------------------------


def test_a_new_organization_starts_with_the_default_template(db):
    organization = OrganizationFactory()

    template = _template(organization.pk)
    assert "{candidate_name}" in template.body
    assert template.archived_at is None


def test_an_admin_adds_edits_and_archives_a_template(org, org_admin):
    template = rejection_email_template_create(
        actor=org_admin,
        organization_id=org.pk,
        name=" Friendly ",
        subject="About {job_title}",
        body="Hi {candidate_first_name}, {{not a placeholder}}",
    )
    assert (template.name, template.subject) == ("Friendly", "About {job_title}")

    rejection_email_template_update(actor=org_admin, template=template, subject="Re: {job_title}")
    template.refresh_from_db()
    assert template.subject == "Re: {job_title}"

    rejection_email_template_archive(actor=org_admin, template=template)
    template.refresh_from_db()
    assert template.archived_at is not None


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("body", "Dear {candidate.__class__}"),
        ("body", "Dear {salary}"),
        ("body", "Dear {candidate_name!r}"),
        ("body", "Dear {candidate_name:>300}"),
        ("body", "Dear {0}"),
        ("subject", "Unbalanced { brace"),
        ("subject", "{{ job_title }} {% load static %}{job_title[0]}"),
    ],
)
def test_unknown_placeholders_are_refused_and_nothing_is_written(org, org_admin, field, text):
    before = RejectionEmailTemplate.objects.count()
    fields = {"subject": "About {job_title}", "body": "Dear {candidate_name}", field: text}

    with pytest.raises(ValidationFailed) as exc_info:
        rejection_email_template_create(actor=org_admin, organization_id=org.pk, name="Bad", **fields)

    assert exc_info.value.code == "VALIDATION_ERROR"
    assert list(exc_info.value.details) == [field]
    assert RejectionEmailTemplate.objects.count() == before


def test_a_bad_edit_changes_nothing(org, org_admin):
    template = _template(org.pk)
    body = template.body

    with pytest.raises(ValidationFailed):
        rejection_email_template_update(actor=org_admin, template=template, body="Hello {password}")

    template.refresh_from_db()
    assert template.body == body


def test_a_recruiter_may_not_change_templates(org, recruiter):
    with pytest.raises(Forbidden):
        rejection_email_template_create(actor=recruiter, organization_id=org.pk, name="X", subject="S", body="B")


def test_a_template_name_is_unique_in_its_organization(org, org_admin):
    with pytest.raises(DuplicateRejectionEmailTemplate):
        rejection_email_template_create(
            actor=org_admin, organization_id=org.pk, name=DEFAULT_REJECTION_EMAIL_TEMPLATE[0], subject="S", body="B"
        )


# --- scheduling ---------------------------------------------------------------------------------------


def test_rejecting_schedules_the_rendered_email_and_says_so_in_the_event(open_job, recruiter):
    candidate = CandidateFactory(full_name="Ada {job_title} Lovelace")
    application = ApplicationFactory(job=open_job, candidate=candidate, stage="screening")
    before = timezone.now()

    _reject(recruiter, application, delay=30)

    email = RejectionEmail.objects.get(application=application)
    assert email.status == "scheduled"
    assert email.to_email == candidate.email
    assert timedelta(minutes=29) < email.send_at - before < timedelta(minutes=31)
    assert email.subject == f"Your application for {open_job.title} at {open_job.organization.name}"
    # A value is never read as a template: the name's braces stay as they are.
    assert email.body.startswith("Dear Ada {job_title} Lovelace,")
    event = OutboxEvent.objects.latest("id")
    assert event.context["rejection_email"] == {"id": email.pk, "send_at": email.send_at.isoformat()}


def test_rejecting_without_a_template_sends_nothing(open_job, recruiter):
    application = ApplicationFactory(job=open_job)

    application_move(
        actor=recruiter,
        application=application,
        to_stage="rejected",
        rejection_reason_id=rejection_reason_id(open_job.organization_id),
    )

    assert not RejectionEmail.objects.exists()
    assert "rejection_email" not in OutboxEvent.objects.latest("id").context


@pytest.mark.parametrize(
    ("to_stage", "arguments", "field"),
    [
        ("screening", {"email_template_id": "own"}, "email_template_id"),
        ("screening", {"email_delay_minutes": 5}, "email_template_id"),
        ("rejected", {"email_template_id": "other"}, "email_template_id"),
        ("rejected", {"email_template_id": "archived"}, "email_template_id"),
        ("rejected", {"email_template_id": "own", "email_delay_minutes": 10_081}, "email_delay_minutes"),
        ("rejected", {"email_template_id": "own", "email_delay_minutes": -1}, "email_delay_minutes"),
        ("rejected", {"email_delay_minutes": 5}, "email_delay_minutes"),
    ],
)
def test_bad_email_arguments_change_nothing(open_job, recruiter, org_admin, other_org, to_stage, arguments, field):
    application = ApplicationFactory(job=open_job)
    archived = rejection_email_template_create(
        actor=org_admin, organization_id=open_job.organization_id, name="Old", subject="S", body="B"
    )
    rejection_email_template_archive(actor=org_admin, template=archived)
    ids = {"own": _template(open_job.organization_id).pk, "other": _template(other_org.pk).pk, "archived": archived.pk}
    if "email_template_id" in arguments:
        arguments = {**arguments, "email_template_id": ids[arguments["email_template_id"]]}
    reason = rejection_reason_id(open_job.organization_id) if to_stage == "rejected" else None
    before = _state(application)

    with pytest.raises(ValidationFailed) as exc_info:
        application_move(
            actor=recruiter, application=application, to_stage=to_stage, rejection_reason_id=reason, **arguments
        )

    assert field in exc_info.value.details
    assert _state(application) == before


def test_a_bulk_rejection_schedules_one_email_per_rejected_application(open_job, recruiter, other_org):
    applications = [ApplicationFactory(job=open_job) for _ in range(3)]
    hired = ApplicationFactory(job=open_job, stage="hired")
    ids = [application.pk for application in applications] + [hired.pk]

    outcome = applications_bulk_move(
        actor=recruiter,
        application_ids=ids,
        to_stage="rejected",
        rejection_reason_id=rejection_reason_id(open_job.organization_id),
        email_template_id=_template(open_job.organization_id).pk,
        email_delay_minutes=60,
    )

    assert outcome.succeeded == ids[:3]
    assert [item["id"] for item in outcome.failed] == [hired.pk]
    assert sorted(RejectionEmail.objects.values_list("application_id", flat=True)) == sorted(ids[:3])


# --- delivery and undo ----------------------------------------------------------------------------------


def test_the_email_goes_out_over_smtp_once_its_delay_has_passed(
    smtp,  # noqa: F811
    open_job,
    recruiter,
    django_capture_on_commit_callbacks,
):
    candidate = CandidateFactory(full_name="Grace <b>Hopper</b>")
    application = ApplicationFactory(job=open_job, candidate=candidate, stage="interview")

    with django_capture_on_commit_callbacks(execute=True):
        _reject(recruiter, application, delay=5)

    # The countdown task ran at once (tasks run in-process here) and found it not yet due.
    email = RejectionEmail.objects.get(application=application)
    assert email.status == "scheduled"
    assert smtp.messages == []
    assert rejection_emails_sweep() == 0

    with time_machine.travel(timezone.now() + timedelta(minutes=6), tick=False):
        queued = rejection_emails_sweep()

    assert queued == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("sent", 1)
    assert smtp.to() == [candidate.email]
    message = smtp.messages[0]
    assert message["Subject"] == email.subject
    body = parts(message)
    assert "Dear Grace <b>Hopper</b>," in body["text"]
    assert "Grace &lt;b&gt;Hopper&lt;/b&gt;" in body["html"]
    # Once sent it is never sent again, however often the sweep or a late task runs.
    assert rejection_email_deliver(email_id=email.pk) == "not_due"
    assert len(smtp.messages) == 1
    entries, _ = application_activity(actor=recruiter, application=application)
    assert entries[0].kind == "rejection_email_sent"


def test_undoing_the_rejection_before_the_email_goes_cancels_it(
    smtp,  # noqa: F811
    open_job,
    recruiter,
    django_capture_on_commit_callbacks,
):
    application = ApplicationFactory(job=open_job, stage="screening")
    with django_capture_on_commit_callbacks(execute=True):
        _reject(recruiter, application, delay=10)

    application_undo_move(actor=recruiter, application=application, reason="Wrong candidate")

    email = RejectionEmail.objects.get(application=application)
    assert (email.status, email.cancelled_by) == ("cancelled", recruiter)
    event = OutboxEvent.objects.latest("id")
    assert event.type == "application.move_undone"
    assert event.context["rejection_email"] == {"id": email.pk, "status": "cancelled"}
    with time_machine.travel(timezone.now() + timedelta(minutes=11), tick=False):
        assert rejection_emails_sweep() == 0
        assert rejection_email_deliver(email_id=email.pk) == "not_due"
    assert smtp.messages == []
    entries, _ = application_activity(actor=recruiter, application=application)
    cancelled = [entry for entry in entries if entry.kind == "rejection_email_cancelled"]
    assert len(cancelled) == 1
    assert cancelled[0].actor_id == recruiter.pk
    assert "cancelled" in cancelled[0].summary


def test_an_email_already_sent_stays_sent_when_the_rejection_is_undone(
    smtp,  # noqa: F811
    open_job,
    recruiter,
):
    application = ApplicationFactory(job=open_job, stage="screening")
    _reject(recruiter, application, delay=0)
    email = RejectionEmail.objects.get(application=application)
    assert rejection_email_deliver(email_id=email.pk) == "sent"

    application_undo_move(actor=recruiter, application=application, reason="Oops")

    email.refresh_from_db()
    assert email.status == "sent"
    assert OutboxEvent.objects.latest("id").context["rejection_email"] == {"id": email.pk, "status": "sent"}
    assert len(smtp.messages) == 1


def test_a_transient_smtp_failure_leaves_the_email_due_for_the_next_try(
    smtp,  # noqa: F811
    open_job,
    recruiter,
):
    application = ApplicationFactory(job=open_job)
    _reject(recruiter, application)
    email = RejectionEmail.objects.get(application=application)
    smtp.replies = ["421 Busy, try again later"]

    with pytest.raises(Exception, match="421"):
        rejection_email_deliver(email_id=email.pk)

    email.refresh_from_db()
    assert (email.status, email.attempts) == ("scheduled", 1)
    assert rejection_email_deliver(email_id=email.pk) == "sent"
    assert smtp.to() == [application.candidate.email]


def test_a_worker_that_died_mid_send_is_caught_by_the_sweep(smtp, open_job, recruiter, settings):  # noqa: F811
    application = ApplicationFactory(job=open_job)
    _reject(recruiter, application)
    email = RejectionEmail.objects.get(application=application)
    RejectionEmail.objects.filter(pk=email.pk).update(status="sending", claimed_at=timezone.now())
    assert rejection_emails_sweep() == 0  # a fresh claim: another worker is on it

    later = timezone.now() + timedelta(seconds=settings.NOTIFICATIONS_EMAIL_CLAIM_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        assert rejection_emails_sweep() == 1

    email.refresh_from_db()
    assert email.status == "sent"
    assert len(smtp.messages) == 1
