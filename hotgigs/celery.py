"""The Celery application, laid out as the Celery docs' "First steps with Django" describe.

Configuration comes from Django settings under the ``CELERY_`` namespace; tasks are
discovered in each installed app's ``tasks.py``.
"""

import os
from typing import Any

from celery import Celery, signals
from django import db

from hotgigs.ai import dispatch

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotgigs.settings")

app = Celery("hotgigs")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Celery's Django fix-up closes every database connection, and Django's connection pool with
# it, before and after each task, so each task paid for new PostgreSQL sessions (a server
# process started, authenticated and configured: a third of a worker's time on the pipeline
# benchmark). A worker process keeps one connection instead (settings.py: no pool for the
# worker kind, DATABASE_WORKER_CONN_MAX_AGE), the fix-up closes it only every
# CELERY_DB_REUSE_MAX tasks, and every task starts and ends as a web request does: a
# connection past its age, or left unusable by an error, is closed, and a reused one is
# health-checked (CONN_HEALTH_CHECKS) before its first query.
app.conf["CELERY_DB_REUSE_MAX"] = 500


@signals.worker_init.connect
def _lower_priority(**_: Any) -> None:
    # In the worker's main process, before it starts its pool: the processes it forks inherit it.
    from django.conf import settings

    lower_by = settings.WORKER_NICENESS - os.nice(0)
    if lower_by > 0:
        os.nice(lower_by)


@signals.task_prerun.connect
@signals.task_postrun.connect
def _close_old_connections(task: Any = None, **_: Any) -> None:
    # An eager task runs inside its caller's transaction (a request, a test): not ours to close.
    if task is not None and getattr(task.request, "is_eager", False):
        return
    db.close_old_connections()


# Tasks that go to CELERY_MATCHING_QUEUE (see settings.py); everything else takes the default queue.
# (The resume task's name is candidates.services.resumes.PARSE_RESUME_TASK; that module cannot be
# imported this early, and tests/test_celery_routes.py checks every name is a real task.)
MATCHING_TASKS = frozenset(
    {
        dispatch.RANK_CANDIDATES_FOR_JOB,
        dispatch.RANK_JOBS_FOR_CANDIDATE,
        dispatch.SCORE_APPLICATION,
        "candidates.parse_resume",
    }
)


def route_task(name: str, args: Any, kwargs: Any, options: Any, task: Any = None, **kw: Any) -> dict[str, str] | None:
    """Celery router (``CELERY_TASK_ROUTES``): matching and parsing to the matching queue.

    It reads the setting on every call, so a test can point the queue at its own worker.
    """
    from django.conf import settings

    if name in MATCHING_TASKS:
        return {"queue": settings.CELERY_MATCHING_QUEUE}
    return None


app.conf.beat_schedule = {
    # Outbox events past REALTIME_OUTBOX_RETENTION (3 days by default).
    "realtime.prune_outbox": {"task": "realtime.prune_outbox", "schedule": 3600.0, "options": {"expires": 3000.0}},
    # Idempotency-Key rows past IDEMPOTENCY_KEY_TTL (24 h by default); expired keys never replay.
    "api.purge_idempotency_keys": {
        "task": "api.purge_idempotency_keys",
        "schedule": 3600.0,
        "options": {"expires": 3000.0},
    },
    # Emails whose task was lost or whose worker died mid-send.
    "notifications.requeue_stale": {
        "task": "notifications.requeue_stale",
        "schedule": 300.0,
        "options": {"expires": 240.0},
    },
    # Interviewers who owe feedback on interviews that ended a while ago; each reminded once.
    "interviews.send_feedback_reminders": {
        "task": "interviews.send_feedback_reminders",
        "schedule": 900.0,
        "options": {"expires": 800.0},
    },
    # Applications whose scoring task was lost (broker outage): no match score yet.
    "applications.score_sweep": {"task": "applications.score_sweep", "schedule": 60.0, "options": {"expires": 50.0}},
    # Rejection emails that are due and whose countdown task was lost.
    "applications.rejection_emails_sweep": {
        "task": "applications.rejection_emails_sweep",
        "schedule": 60.0,
        "options": {"expires": 50.0},
    },
    # Domain events whose events.dispatch task was lost (broker outage, a worker killed).
    "events.sweep": {"task": "events.sweep", "schedule": 30.0, "options": {"expires": 25.0}},
    # Pending webhook deliveries that are due (their task was lost or their retry is due).
    "webhooks.sweep": {"task": "webhooks.sweep", "schedule": 30.0, "options": {"expires": 25.0}},
    # Failed-login counters past AUTH_LOGIN_FAILURE_WINDOW_SECONDS (hotgigs/accounts/throttle.py).
    "accounts.purge_login_throttles": {
        "task": "accounts.purge_login_throttles",
        "schedule": 3600.0,
        "options": {"expires": 3000.0},
    },
    # The analytics' daily facts of yesterday and today (analytics/services.py); today's
    # figures are at most ten minutes old.
    "analytics.snapshot": {
        "task": "analytics.snapshot",
        "schedule": 600.0,
        "options": {"expires": 500.0},
    },
    # Candidates past their organizations' retention periods, erased with receipts (privacy).
    "privacy.retention_purge": {
        "task": "privacy.retention_purge",
        "schedule": 86400.0,
        "options": {"expires": 3600.0},
    },
    # Readiness of database, cache, channel layer and broker, kept as gauges and in the cache.
    "observability.record_readiness": {
        "task": "observability.record_readiness",
        "schedule": 30.0,
        "options": {"expires": 25.0},
    },
}
