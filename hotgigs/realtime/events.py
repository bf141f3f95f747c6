"""Publishing domain events: into the outbox with the change, to WebSocket groups after commit.

Services call :func:`publish_on_commit` inside their transaction. It writes an
:class:`~hotgigs.realtime.models.OutboxEvent` row at once, so the event commits or rolls
back with the change, and pushes ``{id, channel, type, data, ts}`` to the channel-layer
groups only once the transaction has committed (the pattern of Zulip's
``send_event_on_commit``). No client ever hears of a change that did not happen.

Audiences and groups. Services name an event's audience with :func:`group_for_organization`
(``org.<id>``), :func:`group_for_user` (``user.<id>``), :func:`group_for_application`
(``application.<id>``) and :data:`JOB_BOARD` (``job_board``). The channel-layer group is the
channel name in front of the audience, so every channel has groups of its own and a socket
following one channel never receives another's traffic:

====================  ===========================================================
``job_updates``         ``job_updates.org.<id>``, ``job_updates.job_board``
``application_status``  ``application_status.org.<id>``, ``application_status.user.<id>``,
                        ``application_status.application.<id>``
``interview_schedule``  ``interview_schedule.org.<id>``, ``interview_schedule.user.<id>``
``notifications``       ``notifications.user.<id>``
====================  ===========================================================

Ordering. Within one group, outbox ids are assigned in commit order: on PostgreSQL the
writer takes a transaction-scoped advisory lock per group before it inserts, held until it
commits (SQLite serialises writers anyway). So a reader that has seen id N of a group will
never later find a smaller id committed in that group, which makes ``since=<id>`` an exact
resume point. Each pushed message also carries the event's ``groups`` and ``prev``, the id
of each group's previous event, so a consumer notices an event that was pushed late or lost
by the channel layer and reads it from the outbox (``hotgigs/realtime/consumers.py``).
"""

import json
import logging
import re
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Max

from hotgigs.realtime import publisher
from hotgigs.realtime.models import OutboxEvent, OutboxEventGroup
from hotgigs.webhooks.dispatch import fan_out_on_commit

logger = logging.getLogger(__name__)

JOB_BOARD = "job_board"
# Channels' rule for group names: ASCII letters, digits, hyphens, underscores and periods, under 100.
_GROUP_NAME = re.compile(r"^[a-zA-Z0-9_.\-]{1,99}$")
_ORG_AUDIENCE = re.compile(r"^org\.(\d+)$")


def group_for_organization(organization_id: int) -> str:
    """Audience of every member of one organization."""
    return f"org.{organization_id}"


def group_for_user(user_id: int) -> str:
    """Audience of one user (all of their connections)."""
    return f"user.{user_id}"


def group_for_application(application_id: int) -> str:
    """Audience of one application (its candidate and its organization's recruiters)."""
    return f"application.{application_id}"


def channel_group(channel: str, audience: str) -> str:
    """The channel-layer group of ``audience`` on ``channel``, e.g. ``job_updates.org.7``."""
    return f"{channel}.{audience}"


def _organization_of(audiences: list[str]) -> int | None:
    for audience in audiences:
        match = _ORG_AUDIENCE.match(audience)
        if match:
            return int(match.group(1))
    return None


def _lock_groups(groups: list[str]) -> None:
    """Serialise writers per group until commit, so ids within a group follow commit order."""
    if connection.vendor != "postgresql":
        return
    # Target-list expressions are evaluated left to right: the locks are taken in sorted
    # order, so two writers sharing groups cannot deadlock on them.
    calls = ", ".join(["pg_advisory_xact_lock(hashtextextended(%s, 0))"] * len(groups))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {calls}", groups)


async def _push(layer: Any, batch: list[tuple[list[str], dict[str, Any], dict[str, int]]]) -> None:
    """Send each ``(groups, message, previous)`` of ``batch`` to its groups, in order.

    The event's JSON text is encoded here, once, and travels beside the event: every socket
    it reaches forwards that text instead of encoding the same event again
    (``EventsConsumer._deliver`` in ``hotgigs/realtime/consumers.py``).
    """
    for groups, message, previous in batch:
        push = {"type": "event.push", "event": message, "text": json.dumps(message), "groups": groups, "prev": previous}
        for group in groups:
            try:
                await layer.group_send(group, push)
            except Exception:
                # A push is best effort: the event is in the outbox, and a consumer that notices
                # the gap (``prev``) or a client that reconnects with ``since`` reads it from there.
                logger.exception("realtime.publish_failed", extra={"group": group, "event_type": message["type"]})


def _send(batch: list[tuple[list[str], dict[str, Any], dict[str, int]]]) -> None:
    # One hop into async code per transaction, not per event or group, on a loop that keeps
    # its Redis connections (see hotgigs/realtime/publisher.py).
    publisher.push(_push, batch)


@dataclass(frozen=True)
class Event:
    """One event to publish: its channel, type, payload and audiences (see :func:`publish_on_commit`)."""

    channel: str
    type: str
    data: dict[str, Any]
    groups: list[str]


def publish_on_commit(*, channel: str, type: str, data: dict[str, Any], groups: list[str]) -> OutboxEvent:
    """Record an event in the outbox now and push it to ``groups`` once the transaction commits.

    ``groups`` are audiences (``org.7``, ``user.3``, ``application.12``, ``job_board``); the
    event goes to ``<channel>.<audience>`` for each. Called outside a transaction, it opens
    one of its own. Raises ValueError for an audience that is not a valid group name.
    """
    return publish_many_on_commit([Event(channel=channel, type=type, data=data, groups=groups)])[0]


def publish_many_on_commit(events: list[Event]) -> list[OutboxEvent]:
    """:func:`publish_on_commit` for several events at once, in order, with one lock and one push.

    The groups of all the events are locked together (sorted, so writers cannot deadlock),
    their last ids read in one query, the events and their audiences inserted in two, and
    one callback pushes them all after commit. Raises ValueError (writing nothing) for an
    audience that is not a valid group name.
    """
    prepared = []
    for item in events:
        audiences = list(dict.fromkeys(item.groups))
        layer_groups = sorted({channel_group(item.channel, audience) for audience in audiences})
        bad = [group for group in layer_groups if not _GROUP_NAME.match(group)]
        if bad:
            raise ValueError(f"Not valid channel-layer group names: {bad}")
        # The payload travels as JSON (outbox, channel layer, socket): dates become ISO strings once, here.
        data = json.loads(json.dumps(item.data, cls=DjangoJSONEncoder))
        prepared.append((item, data, layer_groups, _organization_of(audiences)))
    if not prepared:
        return []
    all_groups = sorted({group for _, _, layer_groups, _ in prepared for group in layer_groups})
    with transaction.atomic():
        _lock_groups(all_groups)
        last: dict[str, int] = dict(
            OutboxEventGroup.objects.filter(group__in=all_groups)
            .values("group")
            .annotate(last=Max("event_id"))
            .values_list("group", "last")
        )
        rows = OutboxEvent.objects.bulk_create(
            [
                OutboxEvent(channel=item.channel, type=item.type, data=data, groups=layer_groups, organization_id=org)
                for item, data, layer_groups, org in prepared
            ]
        )
        OutboxEventGroup.objects.bulk_create(
            [
                OutboxEventGroup(event=row, group=group)
                for row, (_, _, layer_groups, _) in zip(rows, prepared, strict=True)
                for group in layer_groups
            ]
        )
        batch = []
        for row, (_, _, layer_groups, _) in zip(rows, prepared, strict=True):
            previous = {group: last[group] for group in layer_groups if group in last}
            batch.append((layer_groups, row.as_message(), previous))
            last.update(dict.fromkeys(layer_groups, row.pk))

        def push_events() -> None:
            _send(batch)

        transaction.on_commit(push_events, robust=True)
        for row in rows:
            # Organization events also go to the organization's webhook endpoints (after commit too).
            fan_out_on_commit(row)
    return rows
