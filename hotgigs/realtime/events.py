"""Realtime push of committed domain events to WebSocket groups (an outbox subscriber).

Services record events with :func:`hotgigs.events.outbox.record`; the outbox row commits
or rolls back with the change. Right after commit, :func:`push_committed` — registered in
``RealtimeConfig.ready`` as an after-commit subscriber — pushes ``{id, channel, type, data,
ts}`` to the event's channel-layer groups. No client ever hears of a change that did not
happen.

Audiences and groups (defined in :mod:`hotgigs.events.audiences`, re-exported here). The
channel-layer group is the channel name in front of the audience, so every channel has
groups of its own and a socket following one channel never receives another's traffic:

====================  ===========================================================
``job_updates``         ``job_updates.org.<id>``, ``job_updates.job_board``
``application_status``  ``application_status.org.<id>``, ``application_status.user.<id>``,
                        ``application_status.application.<id>``
``interview_schedule``  ``interview_schedule.org.<id>``, ``interview_schedule.user.<id>``
``notifications``       ``notifications.user.<id>``
====================  ===========================================================

Ordering. Within one group, outbox ids follow commit order (the outbox takes an advisory
lock per group; see :mod:`hotgigs.events.outbox`), which makes ``since=<id>`` an exact
resume point. Each pushed message also carries the event's ``groups`` and ``prev``, the id
of each group's previous event, so a consumer notices an event that was pushed late or lost
by the channel layer and reads it from the outbox (``hotgigs/realtime/consumers.py``).
"""

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Any

from hotgigs.events import outbox
from hotgigs.events.audiences import (
    JOB_BOARD,
    channel_group,
    group_for_application,
    group_for_organization,
    group_for_user,
)
from hotgigs.events.models import OutboxEvent
from hotgigs.events.registry import Recorded
from hotgigs.realtime import publisher

logger = logging.getLogger(__name__)

__all__ = [
    "JOB_BOARD",
    "Event",
    "channel_group",
    "group_for_application",
    "group_for_organization",
    "group_for_user",
    "publish_many_on_commit",
    "publish_on_commit",
    "push_committed",
]


def _message(groups: list[str], message: dict[str, Any], previous: dict[str, int]) -> dict[str, Any]:
    """What each of an event's groups receives. The event's JSON text is encoded here, once, and
    travels beside the event: every socket it reaches forwards that text instead of encoding the
    same event again (``EventsConsumer._deliver`` in ``hotgigs/realtime/consumers.py``)."""
    return {"type": "event.push", "event": message, "text": json.dumps(message), "groups": groups, "prev": previous}


async def _push(layer: Any, batch: list[tuple[list[str], dict[str, Any]]]) -> None:
    """Send each ``(groups, push)`` of ``batch`` to its groups, in order (a layer that cannot
    publish from synchronous code: the list-based one, the in-memory one)."""
    for groups, push in batch:
        # An event's groups are sent together (one wait for Redis, not one per group); the next
        # event leaves only once they all have, so each group keeps the events' order.
        results = await asyncio.gather(*(layer.group_send(group, push) for group in groups), return_exceptions=True)
        for group, result in zip(groups, results, strict=True):
            if isinstance(result, Exception):
                # A push is best effort: the event is in the outbox, and a consumer that notices
                # the gap (``prev``) or a client that reconnects with ``since`` reads it from there.
                logger.error(
                    "realtime.publish_failed",
                    extra={"group": group, "event_type": push["event"]["type"]},
                    exc_info=result,
                )


def _send(batch: list[tuple[list[str], dict[str, Any], dict[str, int]]]) -> None:
    pushes = [(groups, _message(groups, message, previous)) for groups, message, previous in batch]
    # The deployed layer publishes the whole transaction's messages as one Redis pipeline, in
    # order, from this thread; another layer takes one hop into async code per transaction, on a
    # loop that keeps its Redis connections (see hotgigs/realtime/publisher.py).
    if not publisher.group_send_many([(group, push) for groups, push in pushes for group in groups]):
        publisher.push(_push, pushes)


def push_committed(recorded: list[Recorded]) -> None:
    """After-commit subscriber: push each committed event that has groups, in order, in one hop."""
    batch = [(item.event.groups, item.event.as_message(), item.previous) for item in recorded if item.event.groups]
    if batch:
        _send(batch)


@dataclass(frozen=True)
class Event:
    """A raw event for :func:`publish_many_on_commit`: channel, type, payload and audiences."""

    channel: str
    type: str
    data: dict[str, Any]
    groups: list[str]


def publish_on_commit(*, channel: str, type: str, data: dict[str, Any], groups: list[str]) -> OutboxEvent:
    """Record a raw event on ``channel`` for ``groups`` (audiences) and push it after commit.

    For tools and tests that publish made-up events; product code records catalogue events
    with :func:`hotgigs.events.outbox.record`. Raises ValueError for an audience that is not
    a valid group name.
    """
    return publish_many_on_commit([Event(channel=channel, type=type, data=data, groups=groups)])[0]


def publish_many_on_commit(events: list[Event]) -> list[OutboxEvent]:
    """:func:`publish_on_commit` for several events at once, in order, with one lock and one push."""
    return outbox.record_many(
        [outbox.Event(type=e.type, data=e.data, audiences=e.groups, channel=e.channel) for e in events]
    )
