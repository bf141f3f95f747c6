"""Per-task metrics from Celery's signals, and the warm-up of each worker process.

Connected when Django loads the observability app (``ObservabilityConfig.ready``), which
happens in web processes (eager tasks) and in workers alike. Timings are kept per task id,
so nested eager tasks and thread pools are measured separately.
"""

import logging
import threading
import time
from typing import Any

from celery import signals
from django.conf import settings

from hotgigs.observability import metrics

logger = logging.getLogger(__name__)

_OUTCOME_FOR_STATE = {"SUCCESS": "ok", "FAILURE": "error", "RETRY": "retry"}
_started: dict[str, tuple[float, int]] = {}
_lock = threading.Lock()


@signals.task_prerun.connect
def _task_prerun(task_id: str | None = None, **_: Any) -> None:
    if task_id:
        with _lock:
            _started[task_id] = (time.perf_counter(), metrics.rss_bytes())


@signals.task_postrun.connect
def _task_postrun(task_id: str | None = None, task: Any = None, state: str | None = None, **_: Any) -> None:
    with _lock:
        started = _started.pop(task_id, None) if task_id else None
    if started is None:
        return
    begin, rss_before = started
    seconds = time.perf_counter() - begin
    name = str(getattr(task, "name", None) or "unknown")
    outcome = _OUTCOME_FOR_STATE.get(state or "", "error")
    metrics.record_call(kind="task", name=name, method="task", seconds=seconds, outcome=outcome, rss_before=rss_before)
    if settings.HOTGIGS_DEBUG_VERBOSE:
        logger.info(
            "task %s %s",
            name,
            state,
            extra={"task_id": task_id, "task": name, "state": state, "duration_ms": round(seconds * 1000, 3)},
        )


@signals.worker_process_init.connect
def _worker_process_init(**_: Any) -> None:
    # Runs in each prefork child after the fork, so the pool it opens belongs to the child.
    from hotgigs.observability.warmup import warm_up

    warm_up("worker")
