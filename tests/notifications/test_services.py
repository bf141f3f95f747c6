"""notify(): who hears about each event, in-app and by email, once per event, opt-outs honoured."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from applications.services import application_move, application_submit
from hotgigs.errors import ValidationFailed
from hotgigs.notifications.models import EmailDelivery, Notification, NotificationEvent, NotificationPreference
from hotgigs.notifications.services import Notice, notify, notify_all
from interviews.reminders import interview_feedback_reminders_send
from interviews.services import (
    feedback_submit,
    interview_cancel,
    interview_reschedule,
    interview_schedule,
)
from tests.factories import ApplicationFactory, CandidateFactory, InterviewFactory, MembershipFactory, UserFactory


def _sent_to(kind: str) -> list[str]:
    return sorted(m.to[0] for m in mail.outbox if m.extra_headers["X-HotGigs-Kind"] == kind)


def _notified(kind: str) -> list[int]:
    return sorted(Notification.objects.filter(kind=kind).values_list("user_id", flat=True))


def _counts() -> tuple[int, int, int, int]:
    return (
        Notification.objects.count(),
        EmailDelivery.objects.count(),
        NotificationEvent.objects.count(),
        len(mail.outbox),
    )


def test_an_application_tells_the_candidate_and_the_jobs_team(
    open_job, recruiter, org_admin, other_recruiter, candidate, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application = application_submit(actor=candidate.user, job=open_job, candidate=candidate)

    assert _notified("application.received") == [candidate.user.pk]
    assert _notified("application.new") == sorted([recruiter.pk, org_admin.pk])
    assert _sent_to("application.received") == [candidate.user.email]
    assert _sent_to("application.new") == sorted([recruiter.email, org_admin.email])
    assert other_recruiter.email not in [m.to[0] for m in mail.outbox]
    received = Notification.objects.get(kind="application.received")
    assert received.payload["application_id"] == application.pk
    assert received.payload["role"] == "candidate"
    assert set(EmailDelivery.objects.values_list("status", flat=True)) == {"sent"}


def test_a_recruiter_who_adds_a_candidate_is_not_told_about_it(
    open_job, recruiter, org_admin, django_capture_on_commit_callbacks
):
    sourced = CandidateFactory(user=None, created_by=recruiter)

    with django_capture_on_commit_callbacks(execute=True):
        application_submit(actor=recruiter, job=open_job, candidate=sourced)

    assert _notified("application.new") == [org_admin.pk]
    assert _sent_to("application.new") == [org_admin.email]
    assert _notified("application.received") == []


def test_a_stage_change_tells_the_candidate(open_job, recruiter, candidate, django_capture_on_commit_callbacks):
    application = ApplicationFactory(job=open_job, candidate=candidate)

    with django_capture_on_commit_callbacks(execute=True):
        application_move(actor=recruiter, application=application, to_stage="screening")

    assert _notified("application.stage_changed") == [candidate.user.pk]
    [message] = mail.outbox
    assert message.to == [candidate.user.email]
    assert "Screening" in message.subject
    assert "moved from Applied to Screening" in message.body


def _book(application, recruiter, panel):
    starts = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    return interview_schedule(
        actor=recruiter,
        application=application,
        kind="video",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        interviewer_ids=[u.pk for u in panel],
        meeting_url="https://meet.example.test/x",
        tz_name="Europe/Berlin",
    )


@pytest.fixture
def application(open_job, candidate):
    return ApplicationFactory(job=open_job, candidate=candidate, stage="screening")


def test_interview_events_tell_the_candidate_and_the_panel(
    org, application, recruiter, candidate, django_capture_on_commit_callbacks
):
    colleague = MembershipFactory(organization=org).user
    expected = sorted([candidate.user.email, recruiter.email, colleague.email])

    with django_capture_on_commit_callbacks(execute=True):
        interview = _book(application, recruiter, [recruiter, colleague])
    with django_capture_on_commit_callbacks(execute=True):
        interview_reschedule(
            actor=recruiter,
            interview=interview,
            starts_at=interview.starts_at + timedelta(days=1),
            ends_at=interview.ends_at + timedelta(days=1),
        )
    with django_capture_on_commit_callbacks(execute=True):
        interview_cancel(actor=recruiter, interview=interview, reason="Role filled")

    for kind in ("interview.scheduled", "interview.rescheduled", "interview.cancelled"):
        assert _sent_to(kind) == expected, kind
        assert _notified(kind) == sorted([candidate.user.pk, recruiter.pk, colleague.pk]), kind
    roles = dict(Notification.objects.filter(kind="interview.scheduled").values_list("user_id", "payload__role"))
    assert roles == {candidate.user.pk: "candidate", recruiter.pk: "interviewer", colleague.pk: "interviewer"}
    assert all(message.attachments for message in mail.outbox)


def test_opted_out_kinds_send_no_email_but_stay_in_app(
    open_job, recruiter, candidate, django_capture_on_commit_callbacks
):
    NotificationPreference.objects.create(user=candidate.user, kind="application.received", email=False)

    with django_capture_on_commit_callbacks(execute=True):
        application_submit(actor=candidate.user, job=open_job, candidate=candidate)

    assert _notified("application.received") == [candidate.user.pk]
    assert _sent_to("application.received") == []
    assert not EmailDelivery.objects.filter(user=candidate.user).exists()
    # Other kinds and other users are untouched by the opt-out.
    assert _sent_to("application.new") == [recruiter.email]


def test_opting_out_of_one_kind_keeps_the_others(open_job, recruiter, candidate, django_capture_on_commit_callbacks):
    NotificationPreference.objects.create(user=candidate.user, kind="application.received", email=False)
    application = ApplicationFactory(job=open_job, candidate=candidate)

    with django_capture_on_commit_callbacks(execute=True):
        application_move(actor=recruiter, application=application, to_stage="screening")

    assert _sent_to("application.stage_changed") == [candidate.user.email]


def test_the_same_event_key_notifies_once(recruiter, django_capture_on_commit_callbacks):
    kwargs = {
        "kind": "application.new",
        "event_key": "application.new:999",
        "recipients": {recruiter.pk: "team"},
        "context": {"job_title": "Engineer", "candidate_name": "Ada", "path": "/applications/999"},
    }
    with django_capture_on_commit_callbacks(execute=True):
        first = notify(**kwargs)
    with django_capture_on_commit_callbacks(execute=True):
        second = notify(**kwargs)

    assert first is not None
    assert second is None
    assert _counts() == (1, 1, 1, 1)


def test_inactive_users_get_nothing(db, django_capture_on_commit_callbacks):
    inactive = UserFactory(is_active=False)

    with django_capture_on_commit_callbacks(execute=True):
        notify(
            kind="application.new",
            event_key="application.new:1",
            recipients={inactive.pk: "team"},
            context={"job_title": "x", "candidate_name": "y"},
        )

    assert _counts() == (0, 0, 1, 0)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "application.exploded"}, "kind"),
        ({"event_key": ""}, "event_key"),
        ({"event_key": "k" * 201}, "event_key"),
        ({"context": ["not", "an", "object"]}, "context"),
        ({"recipients": {1: "boss"}}, "recipients"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(recruiter, kwargs, field):
    valid = {
        "kind": "application.new",
        "event_key": "application.new:1",
        "recipients": {recruiter.pk: "team"},
        "context": {},
    }
    before = _counts()

    with pytest.raises(ValidationFailed) as exc_info:
        notify(**{**valid, **kwargs})

    assert exc_info.value.code == "VALIDATION_ERROR"
    assert field in exc_info.value.details
    assert _counts() == before


def test_feedback_reminders_go_once_to_interviewers_who_owe_feedback(
    org, application, recruiter, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_FEEDBACK_REMINDER_HOURS = 24
    colleague = MembershipFactory(organization=org).user
    ended = timezone.now() - timedelta(hours=26)
    owed = InterviewFactory(
        application=application,
        starts_at=ended - timedelta(hours=1),
        ends_at=ended,
        interviewers=[recruiter, colleague],
    )
    feedback_submit(actor=colleague, interview=owed, rating=4, recommendation="yes")
    InterviewFactory(  # ended too recently
        application=application,
        starts_at=timezone.now() - timedelta(hours=2),
        ends_at=timezone.now() - timedelta(hours=1),
        interviewers=[recruiter],
    )
    InterviewFactory(  # cancelled
        application=application,
        starts_at=ended - timedelta(hours=3),
        ends_at=ended - timedelta(hours=2),
        interviewers=[recruiter],
        status="cancelled",
    )

    with django_capture_on_commit_callbacks(execute=True):
        first = interview_feedback_reminders_send()
    with django_capture_on_commit_callbacks(execute=True):
        second = interview_feedback_reminders_send()

    assert (first, second) == (1, 0)
    assert _notified("interview.feedback_reminder") == [recruiter.pk]
    [message] = mail.outbox
    assert message.to == [recruiter.email]
    assert f"https://app.hotgigs.test/interviews/{owed.pk}/feedback" in message.body


def test_the_feedback_reminder_beat_task_is_scheduled():
    from hotgigs.celery import app

    entries = {entry["task"] for entry in app.conf.beat_schedule.values()}

    assert {"interviews.send_feedback_reminders", "notifications.requeue_stale"} <= entries


def test_the_beat_tasks_run_their_services(application, recruiter, django_capture_on_commit_callbacks):
    from hotgigs.notifications.tasks import requeue_stale
    from interviews.tasks import send_feedback_reminders

    ended = timezone.now() - timedelta(days=2)
    InterviewFactory(
        application=application, starts_at=ended - timedelta(hours=1), ends_at=ended, interviewers=[recruiter]
    )

    with django_capture_on_commit_callbacks(execute=True):
        reminded = send_feedback_reminders.delay().get()
    requeued = requeue_stale.delay().get()

    assert (reminded, requeued) == (1, 0)
    assert _sent_to("interview.feedback_reminder") == [recruiter.email]


def test_muted_emails_leave_the_in_app_notification_and_queue_nothing(recruiter, django_capture_on_commit_callbacks):
    from hotgigs.notifications.services import emails_muted

    with emails_muted(), django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify(
            kind="application.new",
            event_key="application.new:1000",
            recipients={recruiter.pk: "team"},
            context={"job_title": "Engineer", "candidate_name": "Ada", "path": "/applications/1000"},
        )

    assert Notification.objects.filter(user=recruiter, kind="application.new").count() == 1
    assert not EmailDelivery.objects.exists()
    assert len(mail.outbox) == 0
    assert callbacks  # the in-app push still goes after commit


def _notice(user, key, kind="application.new", role="team"):  # type: ignore[no-untyped-def]
    return Notice(kind=kind, event_key=key, recipients={user.pk: role}, context={"job_title": "x"})


def test_notices_written_together_skip_only_the_one_notified_before(db, django_capture_on_commit_callbacks):
    told_before, other = UserFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        notify_all([_notice(told_before, "application.new:7")])
    sent_before = len(mail.outbox)

    with django_capture_on_commit_callbacks(execute=True):
        events = notify_all(
            [
                _notice(told_before, "application.new:7"),
                _notice(other, "application.received:7", "application.received", "candidate"),
            ]
        )

    assert events[0] is None
    assert events[1] is not None
    assert events[1].key == "application.received:7"
    assert sorted(Notification.objects.values_list("user_id", "kind")) == sorted(
        [(told_before.pk, "application.new"), (other.pk, "application.received")]
    )
    assert [message.to for message in mail.outbox[sent_before:]] == [[other.email]]


def test_an_opt_out_of_one_notices_kind_keeps_the_other_notices_email(db, django_capture_on_commit_callbacks):
    user = UserFactory()
    NotificationPreference.objects.create(user=user, kind="application.new", email=False)
    with django_capture_on_commit_callbacks(execute=True):
        notify_all(
            [
                _notice(user, "application.new:8"),
                _notice(user, "application.received:8", "application.received", "candidate"),
            ]
        )

    assert Notification.objects.filter(user=user).count() == 2
    assert list(EmailDelivery.objects.values_list("kind", flat=True)) == ["application.received"]


@pytest.mark.parametrize("bad", ["invalid", "same key"])
def test_notices_with_one_bad_or_a_shared_key_are_refused_and_change_nothing(db, bad):  # type: ignore[no-untyped-def]
    user = UserFactory()
    second = _notice(user, "application.new:9") if bad == "same key" else _notice(user, "application.new:10", "boom")
    before = _counts()

    with pytest.raises(ValidationFailed) as exc_info:
        notify_all([_notice(user, "application.new:9"), second])

    assert exc_info.value.code == "VALIDATION_ERROR"
    assert ("event_key" if bad == "same key" else "kind") in exc_info.value.details
    assert _counts() == before
