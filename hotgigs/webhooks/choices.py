from django.db import models


class DeliveryStatus(models.TextChoices):
    """Where one event's delivery to one endpoint stands."""

    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


# The outbox event types an organization may subscribe to. Only events whose audience is an
# organization are ever sent; a user's private events (``notification.created``) never are.
EVENT_TYPES: tuple[str, ...] = (
    "job.created",
    "job.updated",
    "job.opened",
    "job.closed",
    "job.archived",
    "application.submitted",
    "application.stage_changed",
    "application.withdrawn",
    "interview.scheduled",
    "interview.rescheduled",
    "interview.cancelled",
    "interview.completed",
    "interview.no_show",
    "feedback.submitted",
)

# Sent by "send a test event" to one endpoint, whatever it subscribes to.
TEST_EVENT_TYPE = "webhook.test"
