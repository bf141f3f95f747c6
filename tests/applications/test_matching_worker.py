"""Matching runs on a real Celery worker: the services queue it after commit, a worker process
scores through the broker, and running the same work twice leaves the same rows."""

import pytest

from applications.models import Application, Match
from applications.services import application_submit
from hotgigs import queueing
from hotgigs.ai import dispatch
from tests.factories import CandidateFactory, JobFactory, MembershipFactory

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True), pytest.mark.redis]


def test_a_submitted_application_is_scored_by_the_worker(live_worker, org):
    recruiter = MembershipFactory(organization=org).user
    job = JobFactory(organization=org, created_by=recruiter)
    candidate = CandidateFactory()

    application = application_submit(actor=candidate.user, job=job, candidate=candidate)

    scored = live_worker.wait_for(
        lambda: Application.objects.filter(pk=application.pk, match_score__isnull=False).first()
    )
    match = Match.objects.get(job=job, candidate=candidate)
    assert scored.match_score == match.score
    assert match.provider == "local"
    assert f"Task {dispatch.SCORE_APPLICATION}" in live_worker.log()


def test_ranking_twice_on_the_worker_keeps_the_same_receipts(live_worker, org):
    recruiter = MembershipFactory(organization=org).user
    job = JobFactory(organization=org, created_by=recruiter)
    candidates = CandidateFactory.create_batch(3, discoverable=True)

    queueing.send_task_by_name(dispatch.RANK_CANDIDATES_FOR_JOB, [job.pk])
    first = live_worker.wait_for(lambda: list(Match.objects.filter(job=job).order_by("candidate").values()))
    assert {row["candidate_id"] for row in first} >= {c.pk for c in candidates}

    done = live_worker.log().count("succeeded")
    queueing.send_task_by_name(dispatch.RANK_CANDIDATES_FOR_JOB, [job.pk])
    live_worker.wait_for(lambda: live_worker.log().count("succeeded") > done)
    assert list(Match.objects.filter(job=job).order_by("candidate").values()) == first
