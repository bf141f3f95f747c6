"""Queue Celery tasks by name, after the transaction commits, never failing the write.

Kernel code names a task instead of importing it (the task may live in an app the kernel
must not import): :func:`send_task_by_name` runs the task registered under that name with
``apply_async`` — eagerly in-process when ``CELERY_TASK_ALWAYS_EAGER`` is on — or, in a
process where it is not registered, sends the message to the broker by name
(``send_task``) for a worker that knows it.

**When the broker is down** a write must still succeed: its rows are committed before
anything is queued. :func:`send_task_by_name` gives up at once while the broker's Redis is
marked down (``hotgigs.redis_clients``), or after the broker's timeouts, logs
``tasks.not_queued`` and returns False; a beat sweeper queues the work once the broker is
back (the outbox's dispatch sweep, emails, webhook deliveries, match scores). Every hook is
registered ``robust``: one that fails is logged by Django and never keeps the others from
running.

**Lingering batches.** A task queued with ``linger`` (the outbox's ``events.dispatch`` in a
web process) is not sent by the committing request: its ids wait in the process for that
many seconds, and one daemon thread (:class:`hotgigs.linger.Linger`) sends every id gathered meanwhile as one message (at
most ``LINGER_MAX_IDS`` ids a message). A publish costs about a millisecond of CPU whatever
it carries, so under load one message serves several requests, and no request waits for
the broker. What a process still holds when it ends normally is sent at exit; what a killed
process held is lost like any task the broker lost, and its sweeper catches up.
"""

import logging
from collections.abc import Sequence
from typing import Any

import redis
from django.db import transaction
from kombu.exceptions import OperationalError

from hotgigs import redis_clients
from hotgigs.linger import Linger

logger = logging.getLogger(__name__)

# What a broker that is down or silent raises from a publish.
_BROKER_UNREACHABLE = (OperationalError, redis.ConnectionError, redis.TimeoutError, OSError)


# Celery's own limit on the arguments' repr in a message's headers.
_ARGSREPR_MAX = 1024


def send_task_by_name(name: str, args: Sequence[Any], *, countdown: float | None = None) -> bool:
    """Run or queue the task called ``name`` now (see the module docstring).

    True when it ran (eager) or was queued; False when the broker is down or did not answer
    (logged; the caller's sweeper catches up). Other errors propagate, as do the task's own
    errors when it runs eagerly. ``countdown`` delays a queued task (ignored when eager).
    """
    from celery import current_app

    if name not in current_app.tasks:
        # Registers every app's tasks module (Celery's autodiscovery), once per process.
        current_app.loader.import_default_modules()
    task = current_app.tasks.get(name)
    eager = _eager()
    broker = None if eager else redis_clients.url_address(str(current_app.conf.broker_url or ""))
    if redis_clients.is_down(broker):
        logger.warning("tasks.not_queued", extra={"task": name, "reason": "broker_down"})
        return False
    options: dict[str, Any] = {} if countdown is None or eager else {"countdown": countdown}
    # How monitoring shows the arguments: Celery's own safe repr took 7 % of a publish's profiled
    # time; the arguments here are ids and plain JSON values, whose plain repr is as safe.
    options["argsrepr"] = repr(list(args))[:_ARGSREPR_MAX]
    options["kwargsrepr"] = "{}"
    try:
        if task is not None:
            task.apply_async(args=list(args), **options)
        else:
            current_app.send_task(name, args=list(args), **options)
    except _BROKER_UNREACHABLE as exc:
        if eager:
            raise
        redis_clients.mark_down(broker, exc)
        logger.warning("tasks.not_queued", extra={"task": name, "reason": type(exc).__name__})
        return False
    return True


def enqueue_on_commit(name: str, *args: Any) -> None:
    """Run or queue the task ``name`` once the current transaction commits (at once outside one)."""

    def queue_task() -> None:
        send_task_by_name(name, args)

    transaction.on_commit(queue_task, robust=True)


# The most ids one lingering message carries (a task claims its events in one transaction).
LINGER_MAX_IDS = 200


def _send_lingering(pending: dict[str, list[int]]) -> int:
    """Send the lingering ids of each task, at most LINGER_MAX_IDS a message; returns how many
    messages it sent (or tried to)."""
    sent = 0
    for name, ids in pending.items():
        for start in range(0, len(ids), LINGER_MAX_IDS):
            sent += 1
            try:
                send_task_by_name(name, [ids[start : start + LINGER_MAX_IDS]])
            except Exception:
                # Never let the thread die: the next batch must still go. The ids are the
                # sweeper's now, as when the broker is down.
                logger.exception("tasks.linger_failed", extra={"task": name, "ids": len(ids)})
    return sent


_linger = Linger("hotgigs-linger", _send_lingering)


def flush_lingering() -> int:
    """Send the lingering batches now (tests; a process about to stop). Returns the messages sent."""
    return _linger.flush()


class _Batch:
    """The ids a transaction gave for one task; the first :meth:`queue` after commit sends them."""

    def __init__(self, name: str, single: str | None) -> None:
        self.name = name
        self.single = single
        self.linger = 0.0
        self.ids: list[int] = []
        self.queued = False

    def queue(self) -> None:
        if self.queued:
            return
        self.queued = True
        if self.linger > 0 and not _eager():
            _linger.add({self.name: self.ids}, self.linger)
        elif self.single is not None and len(self.ids) == 1:
            send_task_by_name(self.single, self.ids)
        else:
            send_task_by_name(self.name, [self.ids])


def _eager() -> bool:
    from celery import current_app

    return bool(current_app.conf.task_always_eager)


def batch_on_commit(name: str, ids: Sequence[int], *, single: str | None = None, linger: float = 0.0) -> None:
    """Queue the task ``name`` once per transaction, with every id given to it during it.

    The task receives one argument, the list of ids, after commit (with ``single``, a
    transaction that gave one id queues ``single`` with that id instead). Every call
    registers its own callback, so a rolled-back savepoint loses none; the first to run
    sends the whole list, and ids from a rolled-back savepoint may ride along (the task
    finds no row for them). Outside a transaction it queues at once.

    With ``linger`` (seconds, > 0) the ids are not sent by the committing thread: they join
    the process's lingering batch of ``name``, sent within that time with the ids of every
    other transaction meanwhile (see the module docstring; ``single`` does not apply). Tasks
    that run eagerly never linger. A lingering message carries no publisher's identity (its ids
    come from several requests, hotgigs/tenancy/celery.py): only for a task that declares its
    own access (``tenancy.system``), as ``events.dispatch`` does.
    """
    connection = transaction.get_connection()
    batches: dict[str, _Batch] = connection.__dict__.setdefault("hotgigs_batches", {})
    batch = batches.get(name)
    if batch is None or batch.queued:
        batch = batches[name] = _Batch(name, single)
    # The latest call decides (a batch a rollback left unsent is reused by the next transaction).
    batch.linger = linger
    batch.ids.extend(ids)
    transaction.on_commit(batch.queue, robust=True)
