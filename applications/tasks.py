"""Celery tasks of the applications app: thin, idempotent, ids in, calling services.

Matching (``applications.matching``): the jobs and candidates apps ask for these by name
through ``hotgigs.ai.dispatch`` on commit, and ``application_submit`` does the same. A
provider outage never fails them — the engine falls back to the local provider inside the
call and the receipt says so — so the retries here (``RETRY_TASK_OPTIONS``: exponential
backoff, full jitter, at most 3) are for transient database errors, which are re-raised as
``TransientError``. A row deleted before the task runs means there is nothing to do.
"""

import logging
from collections.abc import Callable
from typing import Any

from celery import shared_task
from django.db import InterfaceError, OperationalError

from applications import matching
from applications.subscribers import (
    SEND_REJECTION_EMAIL,
    application_scores_sweep,
    rejection_email_deliver,
    rejection_emails_sweep,
)
from candidates.errors import CandidateNotFound
from hotgigs import tenancy
from hotgigs.ai import dispatch
from hotgigs.resilience import TransientError
from hotgigs.resilience.celery import RETRY_TASK_OPTIONS
from jobs.errors import JobNotFound

logger = logging.getLogger(__name__)


def _run(call: Callable[[int], Any], object_id: int) -> Any:
    try:
        return call(object_id)
    except (OperationalError, InterfaceError) as exc:
        raise TransientError(f"database unavailable: {exc}") from exc


@shared_task(name=dispatch.RANK_CANDIDATES_FOR_JOB, ignore_result=True, **RETRY_TASK_OPTIONS)
@tenancy.system("matching ranks every organization's candidates")
def rank_candidates_for_job(job_id: int) -> dict[str, Any] | None:
    """Rank candidates for a job that opened or changed; store the best matches."""
    try:
        return _run(matching.match_job, job_id).as_dict()  # type: ignore[no-any-return]
    except JobNotFound:
        logger.info("job %s is gone; nothing to rank", job_id, extra={"job_id": job_id})
        return None


@shared_task(name=dispatch.RANK_JOBS_FOR_CANDIDATE, ignore_result=True, **RETRY_TASK_OPTIONS)
@tenancy.system("matching ranks every organization's open jobs")
def rank_jobs_for_candidate(candidate_id: int) -> dict[str, Any] | None:
    """Rank open jobs for a candidate whose profile or resume changed."""
    try:
        return _run(matching.match_candidate, candidate_id).as_dict()  # type: ignore[no-any-return]
    except CandidateNotFound:
        logger.info("candidate %s is gone; nothing to rank", candidate_id, extra={"candidate_id": candidate_id})
        return None


@shared_task(name=dispatch.SCORE_APPLICATION, ignore_result=True, **RETRY_TASK_OPTIONS)
@tenancy.system("scoring writes a match for any organization's application")
def score_application(application_id: int) -> float | None:
    """Give a submitted application its match score (and the pair its receipt)."""
    try:
        match = _run(matching.match_application, application_id)
    except matching.Application.DoesNotExist:
        logger.info("application %s is gone", application_id, extra={"application_id": application_id})
        return None
    return float(match.score)


@shared_task(name="applications.score_sweep", ignore_result=True)
@tenancy.system("beat: queues scoring for any organization's application")
def score_sweep() -> int:
    """Beat: queue the scoring of applications still without a match score (their task was lost)."""
    return application_scores_sweep()


@shared_task(name=SEND_REJECTION_EMAIL, ignore_result=True, **RETRY_TASK_OPTIONS)
@tenancy.system("sends any organization's scheduled rejection email")
def send_rejection_email(email_id: int) -> str:
    """Send one scheduled rejection email when due (a no-op when cancelled, sent or not yet due)."""
    return rejection_email_deliver(email_id=email_id)


@shared_task(name="applications.rejection_emails_sweep", ignore_result=True)
@tenancy.system("beat: sends the rejection emails of any organization that are due")
def rejection_emails_sweep_task() -> int:
    """Beat: queue the rejection emails that are due and whose task was lost."""
    return rejection_emails_sweep()
