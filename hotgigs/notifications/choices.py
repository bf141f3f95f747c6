from django.db import models


class NotificationKind(models.TextChoices):
    """Every event a user can be told about; users opt out of email per kind."""

    APPLICATION_RECEIVED = "application.received", "Your application was received"
    APPLICATION_NEW = "application.new", "New application to your organization's job"
    APPLICATION_STAGE_CHANGED = "application.stage_changed", "Your application moved to a new stage"
    INTERVIEW_SCHEDULED = "interview.scheduled", "Interview scheduled"
    INTERVIEW_RESCHEDULED = "interview.rescheduled", "Interview rescheduled"
    INTERVIEW_CANCELLED = "interview.cancelled", "Interview cancelled"
    INTERVIEW_FEEDBACK_REMINDER = "interview.feedback_reminder", "Reminder to submit interview feedback"
    ACCOUNT_SIGNUP_ATTEMPT = "account.signup_attempt", "Someone tried to sign up with your email address"


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
