"""Matching runs on a real Celery worker: the services queue it after commit, a worker process
scores through the broker, and running the same work twice leaves the same rows."""

import time
from typing import Any

import pytest

from applications.models import Application, Match
from applications.services import application_submit
from hotgigs.ai import dispatch
from tests.factories import CandidateFactory, JobFactory, MembershipFactory

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True), pytest.mark.redis]

# A bound on waiting for another process, not a timing assertion.
WORKER_SECONDS = 30


def wait_for(read: Any, worker: Any) -> Any:
    """Poll ``read()`` until it returns something truthy; fail with the worker's log otherwise."""
    deadline = time.monotonic() + WORKER_SECONDS
    while time.monotonic() < deadline:
        value = read()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"the worker did not finish within {WORKER_SECONDS} s; its log:\n{worker.log()}")


def test_a_submitted_application_is_scored_by_the_worker(live_worker, org):
    recruiter = MembershipFactory(organization=org).user
    job = JobFactory(organization=org, created_by=recruiter)
    candidate = CandidateFactory()

    application = application_submit(actor=candidate.user, job=job, candidate=candidate)

    scored = wait_for(
        lambda: Application.objects.filter(pk=application.pk, match_score__isnull=False).first(), live_worker
    )
    match = Match.objects.get(job=job, candidate=candidate)
    assert scored.match_score == match.score
    assert match.provider == "local"
    assert f"Task {dispatch.SCORE_APPLICATION}" in live_worker.log()


def test_ranking_twice_on_the_worker_keeps_the_same_receipts(live_worker, org):
    recruiter = MembershipFactory(organization=org).user
    job = JobFactory(organization=org, created_by=recruiter)
    candidates = CandidateFactory.create_batch(3, discoverable=True)

    dispatch.send_task_by_name(dispatch.RANK_CANDIDATES_FOR_JOB, [job.pk])
    first = wait_for(lambda: list(Match.objects.filter(job=job).order_by("candidate").values()), live_worker)
    assert {row["candidate_id"] for row in first} >= {c.pk for c in candidates}

    done = live_worker.log().count("succeeded")
    dispatch.send_task_by_name(dispatch.RANK_CANDIDATES_FOR_JOB, [job.pk])
    wait_for(lambda: live_worker.log().count("succeeded") > done, live_worker)
    assert list(Match.objects.filter(job=job).order_by("candidate").values()) == first
