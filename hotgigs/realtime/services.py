"""Writes for in-app notifications and the event outbox's upkeep."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from hotgigs.errors import ValidationFailed
from hotgigs.realtime.events import Event, group_for_user, publish_many_on_commit
from hotgigs.realtime.models import Notification, OutboxEvent, OutboxEventGroup


@transaction.atomic
def notification_create(*, user_id: int, kind: str, payload: dict[str, Any]) -> Notification:
    """Store a notification and push it on the user's ``notifications`` channel after commit.

    Raises ValidationFailed for a blank or over-long ``kind`` or a payload that is not an object.
    """
    return notifications_create(kind=kind, payloads={user_id: payload})[0]


@transaction.atomic
def notifications_create(*, kind: str, payloads: dict[int, dict[str, Any]]) -> list[Notification]:
    """One notification of ``kind`` per user (user id → payload), each pushed on its user's channel.

    Written in two inserts and published as one batch (one lock, one push after commit),
    in the order of ``payloads``. Raises ValidationFailed, writing nothing, for a blank or
    over-long ``kind`` or a payload that is not an object.
    """
    if not isinstance(kind, str) or not kind.strip() or len(kind) > 64:
        raise ValidationFailed(details={"kind": ["Give a kind of 1 to 64 characters."]})
    if any(not isinstance(payload, dict) for payload in payloads.values()):
        raise ValidationFailed(details={"payload": ["Must be an object."]})
    notifications = Notification.objects.bulk_create(
        [Notification(user_id=user_id, kind=kind, payload=payload) for user_id, payload in payloads.items()]
    )
    publish_many_on_commit(
        [
            Event(
                channel="notifications",
                type="notification.created",
                data={"id": notification.pk, "kind": kind, "payload": notification.payload},
                groups=[group_for_user(notification.user_id)],
            )
            for notification in notifications
        ]
    )
    return notifications


@transaction.atomic
def notification_mark_read(*, user_id: int, notification_ids: list[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when ``notification_ids`` is None).

    Returns how many changed; other users' notifications are never touched.
    """
    qs = Notification.objects.filter(user_id=user_id, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    return qs.update(read_at=timezone.now())


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
