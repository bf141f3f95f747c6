"""Every notified event is pushed on the recipient's realtime ``notifications`` channel, and only theirs."""

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from django.core import mail
from django.utils import timezone

from applications.services import application_move, application_submit
from interviews.reminders import interview_feedback_reminders_send
from interviews.services import (
    interview_cancel,
    interview_reschedule,
    interview_schedule,
)
from tests.factories import CandidateFactory, InterviewFactory
from tests.realtime.conftest import call, connect, receive, subscribe, token_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _in_memory_layer(settings):  # type: ignore[no-untyped-def]
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.REALTIME_HEARTBEAT_SECONDS = 0


def _kinds(events):  # type: ignore[no-untyped-def]
    assert {e["channel"] for e in events} == {"notifications"}
    assert {e["type"] for e in events} == {"notification.created"}
    return [e["data"]["kind"] for e in events]


def test_each_event_reaches_its_recipients_sockets(open_job, recruiter, candidate):
    bystander = CandidateFactory()
    starts = (timezone.now() + timedelta(days=2)).replace(microsecond=0)

    def pipeline():  # type: ignore[no-untyped-def]
        application = application_submit(actor=candidate.user, job=open_job, candidate=candidate)
        application_move(actor=recruiter, application=application, to_stage="screening")
        interview = interview_schedule(
            actor=recruiter,
            application=application,
            kind="video",
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            interviewer_ids=[recruiter.pk],
            meeting_url="https://meet.example.test/x",
        )
        interview_reschedule(
            actor=recruiter,
            interview=interview,
            starts_at=starts + timedelta(hours=2),
            ends_at=starts + timedelta(hours=3),
        )
        interview_cancel(actor=recruiter, interview=interview)
        ended = timezone.now() - timedelta(days=2)
        InterviewFactory(
            application=application, starts_at=ended - timedelta(hours=1), ends_at=ended, interviewers=[recruiter]
        )
        return interview_feedback_reminders_send()

    tokens = [token_for(user) for user in (candidate.user, recruiter, bystander.user)]

    async def scenario():  # type: ignore[no-untyped-def]
        sockets = [await connect(token) for token in tokens]
        for socket in sockets:
            await subscribe(socket, "notifications")
        await call(pipeline)
        to_candidate = await receive(sockets[0], 5)
        to_recruiter = await receive(sockets[1], 5)
        silent = [await socket.receive_nothing(0.3) for socket in sockets]
        for socket in sockets:
            await socket.disconnect()
        return to_candidate, to_recruiter, silent

    to_candidate, to_recruiter, silent = async_to_sync(scenario)()

    assert _kinds(to_candidate) == [
        "application.received",
        "application.stage_changed",
        "interview.scheduled",
        "interview.rescheduled",
        "interview.cancelled",
    ]
    assert _kinds(to_recruiter) == [
        "application.new",
        "interview.scheduled",
        "interview.rescheduled",
        "interview.cancelled",
        "interview.feedback_reminder",
    ]
    assert silent == [True, True, True]
    assert to_candidate[0]["data"]["payload"]["job_title"] == open_job.title
    # The same events went out by email after commit, one per recipient and event.
    assert len(mail.outbox) == 10
