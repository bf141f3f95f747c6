# mypy: disable-error-code="attr-defined,arg-type,misc"
"""Fixtures of the privacy tests: a private resume folder, bearer-token clients, and a person with a
bit of everything held about them (profile, resume, applications moved along, an interview with
feedback, notes, notifications, consents)."""

from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from activity.services import note_create
from applications.models import Application
from applications.services import application_move, application_submit
from candidates.choices import CONSENT_TEXTS
from candidates.services.consents import consent_give
from hotgigs.accounts.tokens import token_issue
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    CandidateSkillFactory,
    FeedbackFactory,
    InterviewFactory,
    NotificationFactory,
    ResumeFactory,
)
from tests.factories.accounts import PASSWORD

# Strings only other people wrote about the person: none may reach an export.
NOTE = "Private: seemed nervous on the phone."
FEEDBACK = "Interviewer only: weak on system design."
MOVE_REASON = "Team only: salary expectations too high."


@pytest.fixture(autouse=True)
def resume_dir(settings, tmp_path):  # type: ignore[no-untyped-def]
    folder = tmp_path / "resumes-private"
    settings.RESUME_STORAGE_ROOT = str(folder)
    settings.STORAGES = {
        **settings.STORAGES,
        "resumes": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(folder)}},
    }
    return folder


@pytest.fixture
def login():  # type: ignore[no-untyped-def]
    def _login(user) -> APIClient:  # type: ignore[no-untyped-def]
        pair = token_issue(email=user.email, password=PASSWORD)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair.access_token}")
        return client

    return _login


@dataclass
class Person:
    candidate: object
    applications: list
    resume: object
    interview: object


@pytest.fixture
def person(recruiter, open_job, org) -> Person:  # type: ignore[no-untyped-def]
    from tests.factories import JobFactory

    candidate = CandidateFactory(full_name="Ada Lovelace", phone="+44 20 7946 0000", summary="Analyst.")
    user = candidate.user
    CandidateSkillFactory(candidate=candidate, name="Python")
    consent_give(
        actor=user,
        candidate=candidate,
        purpose="application_processing",
        text_version=CONSENT_TEXTS["application_processing"][0],
    )
    resume = ResumeFactory(candidate=candidate, extracted_text="Ada Lovelace, analyst, Python.")
    hired_job = JobFactory(organization=org, created_by=recruiter)
    first = application_submit(actor=user, job=open_job, candidate=candidate, cover_letter="Dear team, Ada here.")
    second = application_submit(actor=user, job=hired_job, candidate=candidate)
    for stage in ("screening", "interview", "offer", "hired"):
        application_move(actor=recruiter, application=second, to_stage=stage, reason=MOVE_REASON)
    application_move(actor=recruiter, application=first, to_stage="screening", reason=MOVE_REASON)
    Application.objects.filter(pk=first.pk).update(match_score=77)
    interview = InterviewFactory(application=second, interviewers=[recruiter])
    FeedbackFactory(interview=interview, interviewer=recruiter, notes=FEEDBACK)
    note_create(actor=recruiter, body=NOTE, candidate=candidate, organization_id=org.pk)
    note_create(actor=recruiter, body=NOTE, application=first)
    NotificationFactory(user=user, payload={"application_id": first.pk, "role": "candidate"})
    # Someone else's application to the same job: untouched by anything done to the person.
    ApplicationFactory(job=open_job, candidate=CandidateFactory(full_name="Grace Hopper"))
    return Person(candidate=candidate, applications=[first, second], resume=resume, interview=interview)
