"""Reads for realtime: the outbox (replay, gap repair).

Outbox reads take a channel-layer group, never a user: the consumer only asks for groups it
has authorized (``hotgigs/realtime/subscriptions.py``), and every row of a group's index is
an event that group may receive. On PostgreSQL they run as the socket's user, whose
row-level security shows the same events (``rls.outbox_rule``).
"""

from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Max, Min

from hotgigs import tenancy
from hotgigs.events.models import OutboxEvent, OutboxEventGroup


@dataclass
class Replay:
    """What a subscription with ``since`` missed: ``events`` in id order, at most the limit.

    ``head`` is the group's newest event id when read (0 for none): live events up to it are
    already covered. ``truncated`` says more events were missed than the limit allowed;
    ``expired`` says ``since`` is older than what the outbox still keeps.
    """

    events: list[dict[str, Any]] = field(default_factory=list)
    head: int = 0
    truncated: bool = False
    expired: bool = False


def outbox_group_head(*, group: str) -> int:
    """Id of the newest event of ``group`` (0 when it has none)."""
    head = OutboxEventGroup.objects.filter(group=group).aggregate(head=Max("event_id"))["head"]
    return int(head or 0)


def outbox_group_heads(*, groups: list[str]) -> dict[str, int]:
    """:func:`outbox_group_head` of each of ``groups``, in one query (a batch of subscribes)."""
    if not groups:
        return {}
    if connection.vendor != "postgresql":
        return {group: outbox_group_head(group=group) for group in groups}
    with connection.cursor() as cursor:
        # One index lookup per group (the newest id of each), not an aggregate over all its rows.
        cursor.execute(
            'SELECT g, (SELECT MAX(event_id) FROM realtime_outboxeventgroup WHERE "group" = g) '
            "FROM unnest(%s::varchar[]) AS g",
            [list(groups)],
        )
        return {group: int(head or 0) for group, head in cursor.fetchall()}


def outbox_events(*, group: str, after: int, before: int | None = None, limit: int) -> list[dict[str, Any]]:
    """Messages ``{id, channel, type, data, ts}`` of ``group`` with ``after < id < before``, oldest first."""
    qs = OutboxEvent.objects.filter(audience__group=group, pk__gt=after)
    if before is not None:
        qs = qs.filter(pk__lt=before)
    return [event.as_message() for event in qs.order_by("pk")[:limit]]


def outbox_replay(*, group: str, since: int | None, limit: int) -> Replay:
    """The group's head and, with ``since``, the events after it (see :class:`Replay`)."""
    head = outbox_group_head(group=group)
    if since is None:
        return Replay(head=head)
    events = outbox_events(group=group, after=since, limit=limit + 1)
    truncated = len(events) > limit
    with tenancy.system("the oldest id the outbox keeps, of any audience (a number only)"):
        oldest = OutboxEvent.objects.aggregate(oldest=Min("pk"))["oldest"]
    # Ids are never reused, so an oldest kept id beyond since + 1 means rows were pruned (or
    # rolled back; either way the client cannot be told exactly what it missed).
    expired = oldest is not None and oldest > since + 1
    return Replay(events=events[:limit], head=head, truncated=truncated, expired=expired)
