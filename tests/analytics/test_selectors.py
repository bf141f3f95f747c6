from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from analytics.selectors import TimeToHire, analytics_summary, pipeline_summary
from applications.choices import ApplicationStage
from tests.factories import ApplicationFactory, JobFactory, StageChangeFactory

ZERO = dict.fromkeys(ApplicationStage.values, 0)


@pytest.fixture
def pipelines(org, other_org, open_job, other_open_job):
    JobFactory(organization=org, status="draft")
    JobFactory(organization=other_org, status="closed")
    ApplicationFactory(job=open_job, stage="applied")
    ApplicationFactory(job=open_job, stage="applied")
    ApplicationFactory(job=open_job, stage="interview")
    ApplicationFactory(job=other_open_job, stage="hired")


def test_a_recruiter_counts_their_own_organization_only(pipelines, recruiter):
    summary = pipeline_summary(actor=recruiter)

    assert summary.open_jobs == 1
    assert summary.applications_by_stage == {**ZERO, "applied": 2, "interview": 1}


def test_the_other_organization_counts_its_own(pipelines, other_recruiter):
    summary = pipeline_summary(actor=other_recruiter)

    assert summary.open_jobs == 1
    assert summary.applications_by_stage == {**ZERO, "hired": 1}


def test_staff_counts_every_organization(pipelines, staff):
    summary = pipeline_summary(actor=staff)

    assert summary.open_jobs == 2
    assert summary.applications_by_stage == {**ZERO, "applied": 2, "interview": 1, "hired": 1}


def test_a_candidate_counts_nothing(pipelines, candidate):
    summary = pipeline_summary(actor=candidate.user)

    assert summary.open_jobs == 0
    assert summary.applications_by_stage == ZERO


def test_anonymous_counts_nothing(pipelines):
    summary = pipeline_summary(actor=AnonymousUser())

    assert summary.open_jobs == 0
    assert summary.applications_by_stage == ZERO


def _through(job, *moves: tuple[str, int]):  # type: ignore[no-untyped-def]
    """An application submitted 60 days ago that then moved to each stage on the given day."""
    start = timezone.now() - timedelta(days=60)
    application = ApplicationFactory(job=job, stage=moves[-1][0], stage_changed_at=start)
    previous = "applied"
    for stage, day in moves:
        StageChangeFactory(
            application=application, from_stage=previous, to_stage=stage, changed_at=start + timedelta(days=day)
        )
        previous = stage
    return application


OFFERED = (("screening", 1), ("interview", 2), ("offer", 4))


def test_time_to_hire_leaves_out_an_application_withdrawn_after_the_offer(recruiter, open_job):
    _through(open_job, *OFFERED, ("hired", 10))
    _through(open_job, *OFFERED, ("withdrawn", 30))

    summary = analytics_summary(actor=recruiter)

    assert summary.time_to_hire == TimeToHire(hires=1, mean_days=10.0, median_days=10.0)


def test_time_to_hire_leaves_out_rejections_after_the_offer(recruiter, open_job):
    _through(open_job, *OFFERED, ("hired", 8))
    _through(open_job, *OFFERED, ("hired", 12))
    _through(open_job, *OFFERED, ("rejected", 40))

    summary = analytics_summary(actor=recruiter)

    assert summary.time_to_hire == TimeToHire(hires=2, mean_days=10.0, median_days=10.0)


def test_withdrawals_alone_are_no_hires(recruiter, open_job):
    _through(open_job, *OFFERED, ("withdrawn", 5))
    _through(open_job, ("screening", 1), ("withdrawn", 2))

    summary = analytics_summary(actor=recruiter)

    assert summary.time_to_hire == TimeToHire(hires=0, mean_days=None, median_days=None)
    assert summary.applications_by_stage["withdrawn"] == 2
    assert summary.applications_by_stage["hired"] == 0
