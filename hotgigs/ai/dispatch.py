"""Queue Celery tasks by name, after the transaction commits.

The jobs and candidates apps cannot import ``applications`` (dependencies point the other
way), yet their writes must trigger ranking. They call these functions, which name the
Celery task instead of importing it: on commit, the task registered under that name runs
with ``apply_async`` — eagerly in-process when ``CELERY_TASK_ALWAYS_EAGER`` is on — or, in
a process where it is not registered, the message goes to the broker by name
(``send_task``) for a worker that knows it. Notifications and webhooks queue their tasks
through :func:`send_task_by_name` too, so every task a write asks for meets the broker the
same way.

**When the broker is down** a write must still succeed: its rows are committed before
anything is queued. :func:`send_task_by_name` gives up at once while the broker's Redis is
marked down (``hotgigs.redis_clients``), or after the broker's timeouts, logs
``tasks.not_queued`` and returns False; a beat sweeper queues the work once the broker is
back (match scores, emails, webhooks). Every hook is registered ``robust``: one that fails
is logged by Django and never keeps the others from running.
"""

import logging
from collections.abc import Sequence
from typing import Any

import redis
from django.db import transaction
from kombu.exceptions import OperationalError

from hotgigs import redis_clients

logger = logging.getLogger(__name__)

RANK_CANDIDATES_FOR_JOB = "applications.rank_candidates_for_job"
RANK_JOBS_FOR_CANDIDATE = "applications.rank_jobs_for_candidate"
SCORE_APPLICATION = "applications.score_application"

# What a broker that is down or silent raises from a publish.
_BROKER_UNREACHABLE = (OperationalError, redis.ConnectionError, redis.TimeoutError, OSError)


def send_task_by_name(name: str, args: Sequence[Any]) -> bool:
    """Run or queue the task called ``name`` now (see the module docstring).

    True when it ran (eager) or was queued; False when the broker is down or did not answer
    (logged; the caller's sweeper catches up). Other errors propagate, as do the task's own
    errors when it runs eagerly.
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
    try:
        if task is not None:
            task.apply_async(args=list(args))
        else:
            current_app.send_task(name, args=list(args))
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


def request_job_ranking(job_id: int) -> None:
    """Rank candidates for the job after commit (the task skips jobs that are not open)."""
    enqueue_on_commit(RANK_CANDIDATES_FOR_JOB, job_id)


def request_candidate_ranking(candidate_id: int) -> None:
    """Rank open jobs for the candidate after commit (profile or resume changed)."""
    enqueue_on_commit(RANK_JOBS_FOR_CANDIDATE, candidate_id)


def request_application_score(application_id: int) -> None:
    """Score the submitted application after commit (fills ``Application.match_score``);
    the beat sweep ``applications.score_sweep`` scores it if this never ran."""
    enqueue_on_commit(SCORE_APPLICATION, application_id)
