"""Recording domain events: into the outbox with the change, to subscribers after commit.

Services call :func:`record` (or :func:`record_many`) inside their transaction, as the
last thing they do, and nothing else about the event. It writes one
:class:`~hotgigs.events.models.OutboxEvent` row at once, so the event commits or rolls
back with the change (the transactional outbox; Zulip's ``send_event_on_commit``). After
commit, in the writing process:

1. the :func:`~hotgigs.events.registry.after_commit` subscribers run with the whole batch
   (realtime push, cache invalidation); each is isolated, a failure is logged;
2. if any event has :func:`~hotgigs.events.registry.on_worker` subscribers, ONE
   ``events.dispatch`` task is queued with their ids (:mod:`hotgigs.events.dispatch`).
   Those rows carry ``dispatch_due_at``; a beat sweep dispatches any whose task was lost.

Ordering. Within one channel-layer group, outbox ids are assigned in commit order: on
PostgreSQL the writer takes a transaction-scoped advisory lock per group before it
inserts, held until it commits (SQLite serialises writers anyway) — hence "record last",
so the lock is held briefly. On PostgreSQL the locks, the groups' last ids and the inserts
are one statement, the ``hotgigs_outbox_append`` function (:data:`APPEND_SQL`). A reader that has seen id N of a group never later finds a
smaller id committed in that group, which makes ``since=<id>`` an exact resume point.
Each event also knows, per group, the id of the group's previous event (``prev``), so a
realtime consumer notices an event that was pushed late or lost and reads it from the
outbox. Internal events (no channel in the catalogue) have no groups and are never pushed.
"""

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from hotgigs import queueing, tenancy
from hotgigs.events import catalogue, registry
from hotgigs.events.audiences import GROUP_NAME, channel_group, organization_of
from hotgigs.events.models import OutboxEvent, OutboxEventGroup

logger = logging.getLogger(__name__)

DISPATCH_TASK = "events.dispatch"


@dataclass(frozen=True)
class Event:
    """One event to record (see :func:`record`)."""

    type: str
    data: dict[str, Any]
    audiences: Sequence[str] = ()
    context: dict[str, Any] = field(default_factory=dict)
    # The catalogue's channel unless given (tests and benches push made-up types).
    channel: str | None = None


def _channel(item: Event) -> str:
    if item.channel is not None:
        return item.channel
    spec = catalogue.EVENTS.get(item.type)
    if spec is None:
        raise ValueError(f"{item.type!r} is not an event of the catalogue.")
    return spec.channel or ""


def _as_json(value: dict[str, Any]) -> dict[str, Any]:
    # The payload travels as JSON (outbox, channel layer, socket): dates become ISO strings once, here.
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))  # type: ignore[no-any-return]


def record(
    type: str,
    *,
    data: dict[str, Any],
    audiences: Sequence[str] = (),
    context: dict[str, Any] | None = None,
) -> OutboxEvent:
    """Record one event of the catalogue in the outbox, in the current transaction.

    ``audiences`` (``org.7``, ``user.3``, ``application.12``, ``job_board``) say who may
    receive it on its channel; ``context`` is for subscribers only, never pushed. Called
    outside a transaction, it opens one of its own. Raises ValueError, writing nothing, for
    a type the catalogue does not know, audiences on an internal event, or an audience that
    is not a valid group name.
    """
    return record_many([Event(type=type, data=data, audiences=audiences, context=context or {})])[0]


def record_many(events: Sequence[Event]) -> list[OutboxEvent]:
    """:func:`record` for several events at once, in order: one lock, one insert, one callback.

    On PostgreSQL one statement (:data:`APPEND_SQL`) locks the groups of all the events together
    (sorted, so writers cannot deadlock), reads their last ids and inserts the events and their
    groups; elsewhere the ORM does the same in three.
    """
    prepared = []
    for item in events:
        channel = _channel(item)
        audiences = list(dict.fromkeys(item.audiences))
        if audiences and not channel:
            raise ValueError(f"{item.type} is internal: it has no audience.")
        groups = sorted({channel_group(channel, audience) for audience in audiences})
        bad = [group for group in groups if not GROUP_NAME.match(group)]
        if bad:
            raise ValueError(f"Not valid channel-layer group names: {bad}")
        prepared.append((item, channel, groups, organization_of(audiences)))
    if not prepared:
        return []
    # Atomic on its own; inside the caller's transaction it needs no savepoint of its own
    # (two statements saved per call): nothing here is caught and carried on from.
    with transaction.atomic(savepoint=False):
        append = _append_postgresql if connection.vendor == "postgresql" else _append_orm
        recorded = append(prepared)
        rows = [item.event for item in recorded]
        to_dispatch = [row.pk for row in rows if row.dispatch_due_at is not None]

        def run_after_commit_subscribers() -> None:
            _run_after_commit(recorded)

        transaction.on_commit(run_after_commit_subscribers, robust=True)
        if to_dispatch:
            _dispatch_on_commit(to_dispatch)
    return rows


_Prepared = list[tuple[Event, str, list[str], int | None]]

APPEND_SQL = "SELECT recorded_id, previous FROM hotgigs_outbox_append(%s::jsonb, %s)"
"""The events in one statement (``hotgigs/events/migrations/0003_outbox_append_function.py``):
the groups' locks, their last ids, the events and their groups, written as the tables' owner,
whoever acts (an event's audience is often not the actor: a candidate's application is the
organization's news, and the groups' last ids are of every event). Row-level security decides
who reads the rows (``hotgigs/tenancy/rls.py``)."""


def _append_postgresql(prepared: _Prepared) -> list[registry.Recorded]:
    created = timezone.now()
    text = json.dumps(
        [
            {
                "channel": channel,
                "type": item.type,
                "data": item.data,
                "context": item.context,
                "groups": groups,
                "organization_id": organization,
                "dispatch": registry.has_worker_subscribers(item.type),
            }
            for item, channel, groups, organization in prepared
        ],
        cls=DjangoJSONEncoder,
    )
    # The payloads as they travel (outbox, channel layer, socket): dates become ISO strings once, here.
    sent = json.loads(text)
    with connection.cursor() as cursor:
        cursor.execute(APPEND_SQL, [text, created])
        answers = cursor.fetchall()
    recorded = []
    for values, (pk, previous) in zip(sent, answers, strict=True):
        row = OutboxEvent(
            pk=pk,
            channel=values["channel"],
            type=values["type"],
            data=values["data"],
            context=values["context"],
            groups=values["groups"],
            organization_id=values["organization_id"],
            created_at=created,
            dispatch_due_at=created if values["dispatch"] else None,
        )
        row._state.adding = False
        row._state.db = connection.alias
        last = previous if isinstance(previous, dict) else json.loads(previous)
        recorded.append(registry.Recorded(row, {group: int(pk) for group, pk in last.items()}))
    return recorded


def _append_orm(prepared: _Prepared) -> list[registry.Recorded]:
    """The same through the ORM, for other databases (SQLite serialises writers anyway)."""
    all_groups = sorted({group for _, _, groups, _ in prepared for group in groups})
    with tenancy.system("the outbox records events for any audience"):
        last: dict[str, int] = (
            dict(
                OutboxEventGroup.objects.filter(group__in=all_groups)
                .values("group")
                .annotate(last=Max("event_id"))
                .values_list("group", "last")
            )
            if all_groups
            else {}
        )
        rows = [
            OutboxEvent(
                channel=channel,
                type=item.type,
                data=_as_json(item.data),
                context=_as_json(item.context),
                groups=groups,
                organization_id=organization,
            )
            for item, channel, groups, organization in prepared
        ]
        for row in rows:
            if registry.has_worker_subscribers(row.type):
                row.dispatch_due_at = row.created_at
        rows = OutboxEvent.objects.bulk_create(rows)
        OutboxEventGroup.objects.bulk_create(
            [OutboxEventGroup(event=row, group=group) for row in rows for group in row.groups]
        )
    recorded = []
    for row in rows:
        recorded.append(registry.Recorded(row, {group: last[group] for group in row.groups if group in last}))
        last.update(dict.fromkeys(row.groups, row.pk))
    return recorded


def _dispatch_on_commit(event_ids: list[int]) -> None:
    """One ``events.dispatch`` per transaction, however many times it records events
    (ids of events that rolled back may ride along: the dispatch finds no row and skips them)."""
    queueing.batch_on_commit(DISPATCH_TASK, event_ids, linger=settings.EVENTS_DISPATCH_LINGER_MS / 1000)


def _run_after_commit(recorded: list[registry.Recorded]) -> None:
    for subscriber in registry.after_commit_subscribers():
        batch = [item for item in recorded if subscriber.wants(item.event.type)]
        if not batch:
            continue
        try:
            subscriber.handler(batch)
        except Exception:
            # Best effort by design: the event is committed and in the outbox; a failing
            # subscriber must not reach the write nor keep the others from running.
            logger.exception(
                "events.after_commit_failed",
                extra={"subscriber": subscriber.name, "event_ids": [item.event.pk for item in batch]},
            )
