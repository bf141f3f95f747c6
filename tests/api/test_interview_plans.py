"""Per-job interview plans (``/api/v1/jobs/{id}/interview-plan``) and interviews that name a round."""

from datetime import timedelta

import pytest
from django.utils import timezone

from hotgigs.errors import Forbidden, ValidationFailed
from interviews.models import Interview, InterviewRound
from interviews.services import interview_plan_set
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def _plan_url(job) -> str:  # type: ignore[no-untyped-def]
    return f"/api/v1/jobs/{job.pk}/interview-plan"


def _names(job) -> list[str]:  # type: ignore[no-untyped-def]
    return list(InterviewRound.objects.filter(job=job).order_by("position").values_list("name", flat=True))


def test_the_team_sets_and_reorders_the_plan_keeping_attached_interviews(open_job, recruiter):
    rounds = interview_plan_set(actor=recruiter, job=open_job, rounds=["Phone screen", "Technical", "Onsite"])
    technical = rounds[1]

    interview_plan_set(actor=recruiter, job=open_job, rounds=[" Onsite ", "Technical", "Culture"])

    assert _names(open_job) == ["Onsite", "Technical", "Culture"]
    assert InterviewRound.objects.get(job=open_job, name="Technical").pk == technical.pk


@pytest.mark.parametrize("names", [["A", "a"], ["A", " "], ["x" * 81], [str(n) for n in range(21)]])
def test_a_bad_plan_changes_nothing(open_job, recruiter, names):
    interview_plan_set(actor=recruiter, job=open_job, rounds=["Phone screen"])

    with pytest.raises(ValidationFailed):
        interview_plan_set(actor=recruiter, job=open_job, rounds=names)

    assert _names(open_job) == ["Phone screen"]


def test_another_organization_may_not_set_the_plan(open_job, other_recruiter):
    with pytest.raises(Forbidden):
        interview_plan_set(actor=other_recruiter, job=open_job, rounds=["Mine"])
    assert _names(open_job) == []


def test_the_plan_over_the_api(login, recruiter, open_job):
    client = login(recruiter)

    put = client.put(_plan_url(open_job), {"rounds": ["Phone screen", "Technical"]}, format="json")
    got = client.get(_plan_url(open_job))

    assert put.status_code == got.status_code == 200
    assert [(r["name"], r["position"]) for r in got.json()["rounds"]] == [("Phone screen", 0), ("Technical", 1)]
    assert got.json()["job_id"] == open_job.pk


@pytest.mark.parametrize(("who", "read", "write"), [("other_recruiter", 404, 404), ("candidate", 404, 403)])
def test_others_neither_read_nor_change_the_plan(request, login, open_job, recruiter, who, read, write):
    interview_plan_set(actor=recruiter, job=open_job, rounds=["Phone screen"])
    user = request.getfixturevalue(who)
    client = login(getattr(user, "user", user))

    assert client.get(_plan_url(open_job)).status_code == read
    assert client.put(_plan_url(open_job), {"rounds": []}, format="json").status_code == write
    assert _names(open_job) == ["Phone screen"]


@pytest.mark.parametrize("body", [{}, {"rounds": "Onsite"}, {"rounds": ["A", "A"]}, {"rounds": [], "x": 1}])
def test_bad_plan_input_is_refused(login, recruiter, open_job, body):
    response = login(recruiter).put(_plan_url(open_job), body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert response.json()["details"]


def _booking(application, recruiter, **extra):  # type: ignore[no-untyped-def]
    starts = timezone.now() + timedelta(days=2)
    return {
        "application_id": application.pk,
        "kind": "video",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=1)).isoformat(),
        "interviewer_ids": [recruiter.pk],
        "meeting_url": "https://meet.example.test/xyz",
        **extra,
    }


def test_an_interview_names_a_round_of_its_job(login, recruiter, open_job, other_open_job, other_recruiter):
    application = ApplicationFactory(job=open_job, stage="interview")
    technical = interview_plan_set(actor=recruiter, job=open_job, rounds=["Phone screen", "Technical"])[1]
    theirs = interview_plan_set(actor=other_recruiter, job=other_open_job, rounds=["Theirs"])[0]
    client = login(recruiter)

    refused = client.post("/api/v1/interviews", _booking(application, recruiter, round_id=theirs.pk), format="json")
    assert refused.status_code == 400
    assert "round_id" in refused.json()["details"]
    assert not Interview.objects.exists()

    booked = client.post("/api/v1/interviews", _booking(application, recruiter, round_id=technical.pk), format="json")
    assert booked.status_code == 201, booked.json()
    assert booked.json()["round_id"] == technical.pk
    assert Interview.objects.get().round_id == technical.pk
