"""The transactional outbox: every domain event, written with the change it describes."""

from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from hotgigs.events import catalogue


class OutboxEvent(models.Model):
    """One domain event, written in the same transaction as the change it describes.

    ``id`` is the event id clients see and resume from (``since=<id>``). ``type`` is a name
    of ``hotgigs.events.catalogue``. ``groups`` lists the channel-layer groups that may
    receive it (its audience, e.g. ``job_updates.org.7``; none for an internal event, whose
    ``channel`` is blank); :class:`OutboxEventGroup` indexes the same list for replay.
    ``context`` holds what subscribers need beyond the payload (the actor, the previous
    stage); it is never pushed nor sent. A rollback removes the row together with the
    change, so nothing here ever describes a change that did not happen. Rows older than
    ``REALTIME_OUTBOX_RETENTION`` are pruned by ``realtime.prune_outbox``.

    Dispatch to the Celery subscribers (``hotgigs.events.dispatch``): ``dispatch_due_at`` is
    set while some are still to run (from the event's creation, or the next retry), and
    null once all ran or gave up; ``dispatch_pending`` names those left after a failure
    (null: all of them), ``dispatch_attempts`` counts the failed rounds and
    ``dispatch_error`` keeps the last failure.
    """

    id = models.BigAutoField(primary_key=True)
    channel = models.CharField(max_length=32)
    type = models.CharField(max_length=64)
    data = models.JSONField(encoder=DjangoJSONEncoder)
    groups = models.JSONField(default=list, encoder=DjangoJSONEncoder)
    organization_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    context = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    dispatch_due_at = models.DateTimeField(null=True, blank=True)
    dispatch_pending = models.JSONField(null=True, blank=True)
    dispatch_attempts = models.PositiveSmallIntegerField(default=0)
    dispatch_error = models.CharField(max_length=500, blank=True)

    class Meta:
        # The tables keep the names they had when the outbox lived in ``realtime``.
        db_table = "realtime_outboxevent"
        ordering = ("id",)
        constraints = (models.CheckConstraint(condition=~models.Q(type=""), name="realtime_outbox_type_set"),)
        indexes = (
            # The dispatch sweep's query: only the few rows still waiting are in this index.
            models.Index(
                fields=("dispatch_due_at",),
                condition=models.Q(dispatch_due_at__isnull=False),
                name="realtime_outbox_dispatch_due",
            ),
        )

    def __str__(self) -> str:
        return f"#{self.pk} {self.channel} {self.type}"

    def as_message(self) -> dict[str, Any]:
        """The wire shape every client receives: ``{id, channel, type, data, ts}`` (``data``
        without the fields the catalogue keeps for webhooks)."""
        return {
            "id": self.pk,
            "channel": self.channel,
            "type": self.type,
            "data": catalogue.client_data(self.type, self.data),
            "ts": self.created_at.isoformat(),
        }


class OutboxEventGroup(models.Model):
    """One (group, event) pair of an event's audience: the index replay reads by group and id."""

    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="audience")
    group = models.CharField(max_length=100)

    class Meta:
        db_table = "realtime_outboxeventgroup"
        constraints = (models.UniqueConstraint(fields=("group", "event"), name="realtime_outbox_group_event"),)

    def __str__(self) -> str:
        return f"{self.group} ← #{self.event_id}"
