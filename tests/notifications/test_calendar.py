"""The .ics attached to interview emails, parsed back: METHOD, UID, DTSTART, SEQUENCE."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from interviews.services import interview_cancel, interview_reschedule, interview_schedule
from tests.factories import ApplicationFactory


@pytest.fixture
def application(open_job, candidate):
    return ApplicationFactory(job=open_job, candidate=candidate, stage="screening")


def _calendar_for(email: str, kind: str) -> Calendar:
    [message] = [m for m in mail.outbox if m.to == [email] and m.extra_headers["X-HotGigs-Kind"] == kind]
    [(name, content, mimetype)] = message.attachments
    assert name == "invite.ics"
    assert mimetype.startswith("text/calendar")
    return Calendar.from_ical(content)


def _event(calendar: Calendar):
    [event] = calendar.walk("VEVENT")
    return event


def test_schedule_reschedule_cancel_keep_the_uid_and_raise_the_sequence(
    application, recruiter, candidate, django_capture_on_commit_callbacks
):
    starts = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    with django_capture_on_commit_callbacks(execute=True):
        interview = interview_schedule(
            actor=recruiter,
            application=application,
            kind="onsite",
            starts_at=starts,
            ends_at=starts + timedelta(minutes=45),
            interviewer_ids=[recruiter.pk],
            location="Main office, room 4",
            tz_name="America/New_York",
        )
    moved = starts + timedelta(days=1, hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        interview_reschedule(actor=recruiter, interview=interview, starts_at=moved, ends_at=moved + timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        interview_cancel(actor=recruiter, interview=interview)

    invite = _calendar_for(candidate.user.email, "interview.scheduled")
    update = _calendar_for(candidate.user.email, "interview.rescheduled")
    cancel = _calendar_for(candidate.user.email, "interview.cancelled")
    assert [str(c["METHOD"]) for c in (invite, update, cancel)] == ["REQUEST", "REQUEST", "CANCEL"]
    uids = {str(_event(c)["UID"]) for c in (invite, update, cancel)}
    assert uids == {f"interview-{interview.pk}@app.hotgigs.test"}
    assert [int(_event(c)["SEQUENCE"]) for c in (invite, update, cancel)] == [0, 1, 2]
    assert _event(invite).decoded("DTSTART") == starts
    assert _event(invite).decoded("DTEND") == starts + timedelta(minutes=45)
    assert _event(update).decoded("DTSTART") == moved
    assert str(_event(cancel)["STATUS"]) == "CANCELLED"
    assert str(_event(invite)["LOCATION"]) == "Main office, room 4"
    attendees = {str(a).lower() for a in _event(invite)["ATTENDEE"]}
    assert attendees == {f"mailto:{candidate.email}", f"mailto:{recruiter.email}"}


def test_the_interviewer_gets_the_same_entry_as_the_candidate(
    application, recruiter, candidate, django_capture_on_commit_callbacks
):
    starts = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    with django_capture_on_commit_callbacks(execute=True):
        interview_schedule(
            actor=recruiter,
            application=application,
            kind="video",
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            interviewer_ids=[recruiter.pk],
            meeting_url="https://meet.example.test/room",
        )

    theirs = _event(_calendar_for(candidate.user.email, "interview.scheduled"))
    ours = _event(_calendar_for(recruiter.email, "interview.scheduled"))
    assert (theirs["UID"], theirs["SEQUENCE"], theirs.decoded("DTSTART")) == (
        ours["UID"],
        ours["SEQUENCE"],
        ours.decoded("DTSTART"),
    )
    assert str(theirs["URL"]) == "https://meet.example.test/room"
