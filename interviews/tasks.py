"""Celery tasks of the interviews app: thin, idempotent, ids in, calling services."""

from celery import shared_task

from hotgigs import tenancy
from interviews.reminders import interview_feedback_reminders_send


@shared_task(name="interviews.send_feedback_reminders", ignore_result=True)
@tenancy.system("beat: feedback reminders of every organization")
def send_feedback_reminders() -> int:
    """Remind interviewers who owe feedback (beat); each reminder goes once."""
    return interview_feedback_reminders_send()
