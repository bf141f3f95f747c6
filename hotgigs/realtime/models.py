from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone


class OutboxEvent(models.Model):
    """One domain event, written in the same transaction as the change it describes.

    ``id`` is the event id clients see and resume from (``since=<id>``). ``groups`` lists the
    channel-layer groups that may receive it (its audience, e.g. ``job_updates.org.7``);
    :class:`OutboxEventGroup` indexes the same list for replay. A rollback removes the row
    together with the change, so nothing here ever describes a change that did not happen.
    Rows older than ``REALTIME_OUTBOX_RETENTION`` are pruned by ``realtime.prune_outbox``.
    """

    id = models.BigAutoField(primary_key=True)
    channel = models.CharField(max_length=32)
    type = models.CharField(max_length=64)
    data = models.JSONField(encoder=DjangoJSONEncoder)
    groups = models.JSONField(default=list, encoder=DjangoJSONEncoder)
    organization_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ("id",)
        constraints = (models.CheckConstraint(condition=~models.Q(type=""), name="realtime_outbox_type_set"),)

    def __str__(self) -> str:
        return f"#{self.pk} {self.channel} {self.type}"

    def as_message(self) -> dict[str, Any]:
        """The wire shape every client receives: ``{id, channel, type, data, ts}``."""
        return {
            "id": self.pk,
            "channel": self.channel,
            "type": self.type,
            "data": self.data,
            "ts": self.created_at.isoformat(),
        }


class OutboxEventGroup(models.Model):
    """One (group, event) pair of an event's audience: the index replay reads by group and id."""

    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="audience")
    group = models.CharField(max_length=100)

    class Meta:
        constraints = (models.UniqueConstraint(fields=("group", "event"), name="realtime_outbox_group_event"),)

    def __str__(self) -> str:
        return f"{self.group} ← #{self.event_id}"
