"""Queue Celery tasks by name, after the transaction commits.

The jobs and candidates apps cannot import ``applications`` (dependencies point the other
way), yet their writes must trigger ranking. They call these functions, which name the
Celery task instead of importing it (through :mod:`hotgigs.queueing`, the kernel's
"queue a task by name after commit, never failing the write").
"""

from typing import Any

from django.db import transaction

from hotgigs.queueing import send_task_by_name

__all__ = [
    "RANK_CANDIDATES_FOR_JOB",
    "RANK_JOBS_FOR_CANDIDATE",
    "SCORE_APPLICATION",
    "enqueue_on_commit",
    "request_application_score",
    "request_candidate_ranking",
    "request_job_ranking",
    "send_task_by_name",
]

RANK_CANDIDATES_FOR_JOB = "applications.rank_candidates_for_job"
RANK_JOBS_FOR_CANDIDATE = "applications.rank_jobs_for_candidate"
SCORE_APPLICATION = "applications.score_application"


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
