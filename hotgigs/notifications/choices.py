from django.db import models

from hotgigs.events import catalogue


class NotificationKind(models.TextChoices):
    """Every event a user can be told about (names of ``hotgigs.events.catalogue``); users
    opt out of email per kind."""

    APPLICATION_RECEIVED = catalogue.APPLICATION_RECEIVED, "Your application was received"
    APPLICATION_NEW = catalogue.APPLICATION_NEW, "New application to your organization's job"
    APPLICATION_STAGE_CHANGED = catalogue.APPLICATION_STAGE_CHANGED, "Your application moved to a new stage"
    INTERVIEW_SCHEDULED = catalogue.INTERVIEW_SCHEDULED, "Interview scheduled"
    INTERVIEW_RESCHEDULED = catalogue.INTERVIEW_RESCHEDULED, "Interview rescheduled"
    INTERVIEW_CANCELLED = catalogue.INTERVIEW_CANCELLED, "Interview cancelled"
    INTERVIEW_FEEDBACK_REMINDER = catalogue.INTERVIEW_FEEDBACK_REMINDER, "Reminder to submit interview feedback"
    ACCOUNT_SIGNUP_ATTEMPT = catalogue.ACCOUNT_SIGNUP_ATTEMPT, "Someone tried to sign up with your email address"
    NOTE_MENTIONED = catalogue.NOTE_MENTIONED, "A colleague mentioned you in a note"


class DeliveryStatus(models.TextChoices):
    """Where one email stands. ``sending`` is a claim: a worker is talking to SMTP."""

    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


class RecipientRole(models.TextChoices):
    """Why a user hears about an event; templates word the message by it."""

    CANDIDATE = "candidate", "Candidate"
    TEAM = "team", "Hiring team"
    INTERVIEWER = "interviewer", "Interviewer"
    ACCOUNT_HOLDER = "account_holder", "Account holder"
