from django.db import models

from hotgigs.events import catalogue


class DeliveryStatus(models.TextChoices):
    """Where one event's delivery to one endpoint stands."""

    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


# The outbox event types an organization may subscribe to (``webhook`` in the catalogue). Only
# events whose audience is an organization are ever sent; a user's private events
# (``notification.created``) never are.
EVENT_TYPES: tuple[str, ...] = catalogue.WEBHOOK_EVENT_TYPES

# Sent by "send a test event" to one endpoint, whatever it subscribes to.
TEST_EVENT_TYPE = catalogue.WEBHOOK_TEST
