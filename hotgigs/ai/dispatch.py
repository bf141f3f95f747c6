"""Ask for matching work by task name, after the transaction commits.

The jobs and candidates apps cannot import ``applications`` (dependencies point the other
way), yet their writes must trigger ranking. They call these functions, which name the
Celery task instead of importing it: on commit, the task registered under that name runs
with ``apply_async`` — eagerly in-process when ``CELERY_TASK_ALWAYS_EAGER`` is on — or, in
a process where it is not registered, the message goes to the broker by name
(``send_task``) for a worker that knows it.
"""

import logging
from collections.abc import Sequence
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)

RANK_CANDIDATES_FOR_JOB = "applications.rank_candidates_for_job"
RANK_JOBS_FOR_CANDIDATE = "applications.rank_jobs_for_candidate"
SCORE_APPLICATION = "applications.score_application"


def send_task_by_name(name: str, args: Sequence[Any]) -> None:
    """Run or queue the task called ``name`` now (see the module docstring)."""
    from celery import current_app

    if name not in current_app.tasks:
        # Registers every app's tasks module (Celery's autodiscovery), once per process.
        current_app.loader.import_default_modules()
    task = current_app.tasks.get(name)
    if task is not None:
        task.apply_async(args=list(args))
    else:
        current_app.send_task(name, args=list(args))


def enqueue_on_commit(name: str, *args: Any) -> None:
    """Run or queue the task ``name`` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: send_task_by_name(name, args))


def request_job_ranking(job_id: int) -> None:
    """Rank candidates for the job after commit (the task skips jobs that are not open)."""
    enqueue_on_commit(RANK_CANDIDATES_FOR_JOB, job_id)


def request_candidate_ranking(candidate_id: int) -> None:
    """Rank open jobs for the candidate after commit (profile or resume changed)."""
    enqueue_on_commit(RANK_JOBS_FOR_CANDIDATE, candidate_id)


def request_application_score(application_id: int) -> None:
    """Score the submitted application after commit (fills ``Application.match_score``)."""
    enqueue_on_commit(SCORE_APPLICATION, application_id)
