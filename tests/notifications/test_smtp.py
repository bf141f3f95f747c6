"""Domain services → notify → Django's SMTP backend → a real SMTP server on loopback."""

from datetime import timedelta

from django.utils import timezone
from icalendar import Calendar

from applications.services import application_submit
from hotgigs.notifications.models import EmailDelivery
from interviews.services import interview_schedule
from tests.factories import ApplicationFactory
from tests.notifications.conftest import parts


def test_a_submitted_application_reaches_the_smtp_server_once_per_recipient(
    smtp, open_job, recruiter, candidate, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application = application_submit(actor=candidate.user, job=open_job, candidate=candidate)

    assert sorted(smtp.to()) == sorted([candidate.user.email, recruiter.email])
    by_kind = {m["X-HotGigs-Kind"]: m for m in smtp.messages}
    received = parts(by_kind["application.received"])
    assert by_kind["application.received"]["Subject"] == f"We received your application for {open_job.title}"
    assert by_kind["application.received"]["From"] == "HotGigs <no-reply@hotgigs.localhost>"
    assert f"https://app.hotgigs.test/applications/{application.pk}" in received["text"]
    assert f'href="https://app.hotgigs.test/applications/{application.pk}"' in received["html"]
    assert received["ics"] is None
    rows = EmailDelivery.objects.order_by("pk")
    assert [(r.status, r.attempts) for r in rows] == [("sent", 1), ("sent", 1)]
    assert {r.message_id for r in rows} == {m["Message-ID"] for m in smtp.messages}


def test_an_interview_invitation_carries_its_calendar_entry(
    smtp, open_job, recruiter, candidate, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(job=open_job, candidate=candidate, stage="screening")
    starts = (timezone.now() + timedelta(days=2)).replace(microsecond=0)

    with django_capture_on_commit_callbacks(execute=True):
        interview = interview_schedule(
            actor=recruiter,
            application=application,
            kind="video",
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            interviewer_ids=[recruiter.pk],
            meeting_url="https://meet.example.test/x",
        )

    assert sorted(smtp.to()) == sorted([candidate.user.email, recruiter.email])
    for message in smtp.messages:
        found = parts(message)
        assert found["ics_part"].get_content_type() == "text/calendar"
        assert found["ics_part"].get_param("method") == "REQUEST"
        event = Calendar.from_ical(found["ics"]).walk("VEVENT")[0]
        assert str(event["UID"]) == f"interview-{interview.pk}@app.hotgigs.test"
        assert event.decoded("DTSTART") == starts
        assert "Join: https://meet.example.test/x" in found["text"]
