"""Subscribers to domain events, registered by their own packages in ``AppConfig.ready``.

Two kinds:

* :func:`after_commit` subscribers run in the writing process right after the transaction
  commits, with every event of that transaction at once (realtime push, cache
  invalidation). They must be quick and write nothing to the database. One that raises is
  logged and never reaches the write or the other subscribers.
* :func:`on_worker` subscribers run on Celery (``events.dispatch``), one event at a time,
  each in a savepoint of the dispatch's transaction: notifications and emails, webhook
  fan-out, requests for scoring, ranking and resume parsing. They must be idempotent per
  event (the outbox id is a good key): delivery is at least once. One that raises is rolled
  back, logged and retried a bounded number of times without holding up the others. One
  that writes nothing (it only queues a task after commit) says ``savepoint=False`` and
  saves the savepoint's two statements per event.

A service never knows who listens: it records its events (:func:`hotgigs.events.outbox.record`).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hotgigs.events import catalogue

if TYPE_CHECKING:
    from hotgigs.events.models import OutboxEvent


@dataclass(frozen=True)
class Recorded:
    """An event as committed: its outbox row and, per channel-layer group, the id of the
    group's previous event (``prev``, for gap detection by the realtime consumer)."""

    event: "OutboxEvent"
    previous: dict[str, int]


AfterCommitHandler = Callable[[list[Recorded]], None]
WorkerHandler = Callable[["OutboxEvent"], None]


@dataclass(frozen=True)
class Subscriber:
    """A named handler of the event types ``types`` (None: every event)."""

    name: str
    types: frozenset[str] | None
    handler: Callable[..., None]
    savepoint: bool = True

    def wants(self, event_type: str) -> bool:
        return self.types is None or event_type in self.types


_after_commit: dict[str, Subscriber] = {}
_on_worker: dict[str, Subscriber] = {}


def _types(types: Iterable[str] | None) -> frozenset[str] | None:
    if types is None:
        return None
    chosen = frozenset(types)
    unknown = sorted(chosen - catalogue.EVENTS.keys())
    if unknown:
        raise ValueError(f"Not events of the catalogue: {unknown}")
    return chosen


def after_commit(
    name: str, *, types: Iterable[str] | None = None
) -> Callable[[AfterCommitHandler], AfterCommitHandler]:
    """Register ``handler(recorded)`` to run in-process after each commit that recorded events of ``types``."""

    def register(handler: AfterCommitHandler) -> AfterCommitHandler:
        _after_commit[name] = Subscriber(name, _types(types), handler)
        return handler

    return register


def on_worker(name: str, *, types: Iterable[str], savepoint: bool = True) -> Callable[[WorkerHandler], WorkerHandler]:
    """Register ``handler(event)`` to run on Celery for every committed event of ``types``.

    ``name`` identifies the subscriber in retries and logs; keep it stable. ``savepoint=False``
    is for a handler that writes nothing to the database: it runs without a savepoint of its
    own (one that raises is still logged and retried without the others).
    """

    def register(handler: WorkerHandler) -> WorkerHandler:
        _on_worker[name] = Subscriber(name, _types(types), handler, savepoint)
        return handler

    return register


def after_commit_subscribers() -> list[Subscriber]:
    return list(_after_commit.values())


def worker_subscribers() -> list[Subscriber]:
    return list(_on_worker.values())


def has_worker_subscribers(event_type: str) -> bool:
    """Whether a committed event of ``event_type`` needs ``events.dispatch`` at all."""
    return any(subscriber.wants(event_type) for subscriber in _on_worker.values())


def unregister(name: str) -> Any:
    """Remove a subscriber of either kind (tests); returns it, or None."""
    return _after_commit.pop(name, None) or _on_worker.pop(name, None)
