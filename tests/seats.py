"""One organization with every kind of seat, for the hiring team and role tests.

``org`` has a recruiter (full seat), a hiring manager seat, an interviewer seat on a team and
an interviewer seat on a panel only. ``job_a`` is the hiring manager's (the interviewer is on
its team as interviewer); ``job_b`` is nobody's but the recruiter's, and the panel-only
interviewer sits on an interview of ``app_b``'s. ``other_job`` belongs to another organization.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from jobs.models import HiringTeamMember
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    FeedbackFactory,
    InterviewFactory,
    JobFactory,
    MembershipFactory,
    OrganizationFactory,
)


@dataclass
class Seats:
    org: Any
    recruiter: Any
    manager: Any
    interviewer: Any
    panelist: Any
    job_a: Any
    job_b: Any
    app_a: Any
    app_b: Any
    interview_a: Any
    interview_b: Any
    other_job: Any
    other_app: Any


def team(job: Any, user: Any, role: str) -> HiringTeamMember:
    return HiringTeamMember.objects.create(job=job, organization_id=job.organization_id, user=user, role=role)


def build_seats() -> Seats:
    org = OrganizationFactory(name="Seats Inc")
    recruiter = MembershipFactory(organization=org).user
    manager = MembershipFactory(organization=org, role="hiring_manager").user
    interviewer = MembershipFactory(organization=org, role="interviewer").user
    panelist = MembershipFactory(organization=org, role="interviewer").user
    job_a = JobFactory(organization=org, created_by=recruiter, title="Platform Engineer")
    job_b = JobFactory(organization=org, created_by=recruiter, title="Data Analyst")
    team(job_a, manager, "hiring_manager")
    team(job_a, interviewer, "interviewer")
    team(job_a, recruiter, "recruiter")
    app_a = ApplicationFactory(job=job_a, candidate=CandidateFactory(), stage="interview")
    app_b = ApplicationFactory(job=job_b, candidate=CandidateFactory(), stage="interview")
    past = timezone.now() - timedelta(hours=3)
    interview_a = InterviewFactory(
        application=app_a, interviewers=[interviewer, recruiter], starts_at=past, ends_at=past + timedelta(hours=1)
    )
    interview_b = InterviewFactory(
        application=app_b, interviewers=[panelist, recruiter], starts_at=past, ends_at=past + timedelta(hours=1)
    )
    FeedbackFactory(interview=interview_a, interviewer=recruiter)
    FeedbackFactory(interview=interview_b, interviewer=recruiter)
    other_org = OrganizationFactory(name="Elsewhere")
    other_job = JobFactory(organization=other_org)
    other_app = ApplicationFactory(job=other_job, candidate=CandidateFactory())
    return Seats(
        org=org,
        recruiter=recruiter,
        manager=manager,
        interviewer=interviewer,
        panelist=panelist,
        job_a=job_a,
        job_b=job_b,
        app_a=app_a,
        app_b=app_b,
        interview_a=interview_a,
        interview_b=interview_b,
        other_job=other_job,
        other_app=other_app,
    )
