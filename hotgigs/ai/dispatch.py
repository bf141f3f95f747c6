"""Ask for ranking and scoring by Celery task name, after the transaction commits.

The kernel and the jobs and candidates apps cannot import ``applications`` (dependencies
point the other way), yet ranking and scoring tasks live there: these names and functions
let their subscribers (``jobs/subscribers.py``, ``candidates/subscribers.py``,
``applications/subscribers.py``) and the rematch endpoints ask for them without importing
the tasks. Queuing goes through :mod:`hotgigs.queueing`, so a broker outage never fails a
write; beat sweeps catch up.
"""

from hotgigs import queueing

RANK_CANDIDATES_FOR_JOB = "applications.rank_candidates_for_job"
RANK_JOBS_FOR_CANDIDATE = "applications.rank_jobs_for_candidate"
SCORE_APPLICATION = "applications.score_application"


def request_job_ranking(job_id: int) -> None:
    """Rank candidates for the job after commit (the task skips jobs that are not open)."""
    queueing.enqueue_on_commit(RANK_CANDIDATES_FOR_JOB, job_id)


def request_candidate_ranking(candidate_id: int) -> None:
    """Rank open jobs for the candidate after commit (profile or resume changed)."""
    queueing.enqueue_on_commit(RANK_JOBS_FOR_CANDIDATE, candidate_id)


def request_application_score(application_id: int) -> None:
    """Score the submitted application after commit (fills ``Application.match_score``);
    the beat sweep ``applications.score_sweep`` scores it if this never ran."""
    queueing.enqueue_on_commit(SCORE_APPLICATION, application_id)
