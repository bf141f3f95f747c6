"""Reminders the beat sends for interviews: scorecards still owed after an interview.

Time, not a write, is what triggers them, so they are not outbox subscribers; like the
subscribers, they tell people through the notifications service and never twice (each
reminder's key is per interview and interviewer).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from hotgigs.notifications.choices import NotificationKind, RecipientRole
from hotgigs.notifications.services import notify
from interviews.choices import InterviewStatus
from interviews.models import Interview
from interviews.services import interview_when


def interview_feedback_reminders_send(*, now: datetime | None = None) -> int:
    """Remind each interviewer who owes a scorecard, once per interview (beat task).

    Covers scheduled or completed interviews that ended more than
    ``NOTIFICATIONS_FEEDBACK_REMINDER_HOURS`` ago and within the look-back window; an
    interviewer who submitted feedback is left alone. Running it again reminds nobody twice
    (the reminder's event key is per interview and interviewer). Returns how many were sent.
    """
    now = now or timezone.now()
    ended_before = now - timedelta(hours=settings.NOTIFICATIONS_FEEDBACK_REMINDER_HOURS)
    ended_after = ended_before - timedelta(days=settings.NOTIFICATIONS_FEEDBACK_REMINDER_LOOKBACK_DAYS)
    interviews = (
        Interview.objects.filter(
            status__in=(InterviewStatus.SCHEDULED, InterviewStatus.COMPLETED),
            ends_at__lt=ended_before,
            ends_at__gte=ended_after,
        )
        .select_related("application__job", "application__candidate")
        .prefetch_related("interviewers", "feedback")
    )
    sent = 0
    for interview in interviews:
        done = {feedback.interviewer_id for feedback in interview.feedback.all()}
        application = interview.application
        for interviewer in interview.interviewers.all():
            if interviewer.pk in done:
                continue
            event = notify(
                kind=NotificationKind.INTERVIEW_FEEDBACK_REMINDER,
                event_key=f"{NotificationKind.INTERVIEW_FEEDBACK_REMINDER}:{interview.pk}:{interviewer.pk}",
                recipients={interviewer.pk: RecipientRole.INTERVIEWER},
                context={
                    "interview_id": interview.pk,
                    "job_title": application.job.title,
                    "candidate_name": application.candidate.full_name,
                    "when": interview_when(interview),
                    "path": f"/interviews/{interview.pk}/feedback",
                },
            )
            sent += event is not None
    return sent
