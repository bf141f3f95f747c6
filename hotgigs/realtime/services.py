"""Writes of the realtime layer: the event outbox's upkeep."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from hotgigs.events.models import OutboxEvent, OutboxEventGroup


def outbox_prune(*, older_than: timedelta | None = None, batch_size: int = 5000) -> int:
    """Delete outbox events created before ``now - older_than`` (default ``REALTIME_OUTBOX_RETENTION``).

    Works in batches of ``batch_size``, each its own short transaction, so it never holds
    locks long on a big table. Safe to run twice or concurrently. Returns how many went.
    """
    retention = settings.REALTIME_OUTBOX_RETENTION if older_than is None else older_than
    cutoff = timezone.now() - retention
    deleted = 0
    while True:
        ids = list(
            OutboxEvent.objects.filter(created_at__lt=cutoff).order_by("pk").values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return deleted
        with transaction.atomic():
            OutboxEventGroup.objects.filter(event_id__in=ids).delete()
            count, _ = OutboxEvent.objects.filter(pk__in=ids).delete()
        deleted += count
