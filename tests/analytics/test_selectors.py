import pytest
from django.contrib.auth.models import AnonymousUser

from analytics.selectors import pipeline_summary
from applications.choices import ApplicationStage
from tests.factories import ApplicationFactory, JobFactory

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
