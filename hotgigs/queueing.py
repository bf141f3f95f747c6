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
"""

import logging
from collections.abc import Sequence
from typing import Any

import redis
from django.db import transaction
from kombu.exceptions import OperationalError

from hotgigs import redis_clients

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
    eager = bool(current_app.conf.task_always_eager)
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


class _Batch:
    """The ids a transaction gave for one task; the first :meth:`queue` after commit sends them."""

    def __init__(self, name: str, single: str | None) -> None:
        self.name = name
        self.single = single
        self.ids: list[int] = []
        self.queued = False

    def queue(self) -> None:
        if self.queued:
            return
        self.queued = True
        if self.single is not None and len(self.ids) == 1:
            send_task_by_name(self.single, self.ids)
        else:
            send_task_by_name(self.name, [self.ids])


def batch_on_commit(name: str, ids: Sequence[int], *, single: str | None = None) -> None:
    """Queue the task ``name`` once per transaction, with every id given to it during it.

    The task receives one argument, the list of ids, after commit (with ``single``, a
    transaction that gave one id queues ``single`` with that id instead). Every call
    registers its own callback, so a rolled-back savepoint loses none; the first to run
    sends the whole list, and ids from a rolled-back savepoint may ride along (the task
    finds no row for them). Outside a transaction it queues at once.
    """
    connection = transaction.get_connection()
    batches: dict[str, _Batch] = connection.__dict__.setdefault("hotgigs_batches", {})
    batch = batches.get(name)
    if batch is None or batch.queued:
        batch = batches[name] = _Batch(name, single)
    batch.ids.extend(ids)
    transaction.on_commit(batch.queue, robust=True)
