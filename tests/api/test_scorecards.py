"""Scorecards through the API: the plan's shape (rounds with attributes, names still accepted),
rated feedback and its errors, the application's feedback and summary, and the rule that a
panel interviewer reads colleagues' feedback only after submitting their own."""

from datetime import timedelta

import pytest
from django.utils import timezone

from activity.selectors import application_activity
from interviews.models import Feedback, FeedbackRating, InterviewRound, RoundAttribute
from interviews.services import AttributeRating, AttributeSpec, RoundSpec, feedback_submit, interview_plan_set
from tests.factories import ApplicationFactory, InterviewFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(org):  # type: ignore[no-untyped-def]
    return MembershipFactory(organization=org).user


@pytest.fixture
def technical(open_job, recruiter):  # type: ignore[no-untyped-def]
    spec = RoundSpec("Technical", attributes=[AttributeSpec("System design"), AttributeSpec("Communication")])
    return interview_plan_set(actor=recruiter, job=open_job, rounds=["Phone screen", spec])[1]


@pytest.fixture
def application(open_job, candidate):  # type: ignore[no-untyped-def]
    return ApplicationFactory(job=open_job, candidate=candidate, stage="interview")


@pytest.fixture
def sat(application, technical, recruiter, colleague):  # type: ignore[no-untyped-def]
    starts = timezone.now() - timedelta(hours=1)
    return InterviewFactory(
        application=application,
        round=technical,
        interviewers=[recruiter, colleague],
        starts_at=starts,
        ends_at=starts + timedelta(minutes=45),
    )


def _ids(technical):  # type: ignore[no-untyped-def]
    return list(RoundAttribute.objects.filter(round=technical).order_by("position").values_list("pk", flat=True))


def _submit(user, sat, technical, scores=(3, 4), recommendation="yes"):  # type: ignore[no-untyped-def]
    ratings = [AttributeRating(pk, score) for pk, score in zip(_ids(technical), scores, strict=True)]
    return feedback_submit(actor=user, interview=sat, rating=4, recommendation=recommendation, ratings=ratings)


def _plan_url(job) -> str:  # type: ignore[no-untyped-def]
    return f"/api/v1/jobs/{job.pk}/interview-plan"


# --- the plan -----------------------------------------------------------------------------------


def test_the_plan_answers_rounds_with_their_attributes(login, recruiter, open_job, technical):
    response = login(recruiter).get(_plan_url(open_job))

    assert response.status_code == 200
    rounds = response.json()["rounds"]
    assert [(r["name"], [a["name"] for a in r["attributes"]]) for r in rounds] == [
        ("Phone screen", []),
        ("Technical", ["System design", "Communication"]),
    ]
    assert rounds[1]["attributes"][0] == {
        "id": _ids(technical)[0],
        "name": "System design",
        "description": "",
        "position": 0,
    }


def test_the_plan_takes_objects_and_names_together(login, recruiter, open_job, technical):
    body = {
        "rounds": [
            {"id": technical.pk, "name": "Coding", "attributes": [{"name": "Tests", "description": "Writes them"}]},
            "Phone screen",
        ]
    }

    response = login(recruiter).put(_plan_url(open_job), body, format="json")

    assert response.status_code == 200, response.json()
    first = response.json()["rounds"][0]
    assert (first["id"], first["name"]) == (technical.pk, "Coding")
    assert response.json()["rounds"][0]["attributes"][0]["description"] == "Writes them"
    assert response.json()["rounds"][1]["name"] == "Phone screen"


@pytest.mark.parametrize(
    "rounds",
    [
        [{"name": "Technical", "attributes": [{"name": "A"}, {"name": "a"}]}],
        [{"name": "Technical", "attributes": [{"name": "A", "colour": "red"}]}],
        [{"name": "Technical", "attributes": "System design"}],
        [{"name": "Technical", "id": 10**9}],
        [{"name": "x" * 81}],
        [42],
        [{"name": "Technical", "attributes": [{"name": "A", "description": "d" * 301}]}],
    ],
    ids=["repeated", "unknown-key", "not-a-list", "foreign-id", "long", "not-a-round", "long-description"],
)
def test_a_bad_plan_answers_the_envelope_and_changes_nothing(login, recruiter, open_job, technical, rounds):
    before = list(RoundAttribute.objects.order_by("pk").values_list("pk", "name", "round_id"))

    response = login(recruiter).put(_plan_url(open_job), {"rounds": rounds}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert "rounds" in response.json()["details"]
    assert list(RoundAttribute.objects.order_by("pk").values_list("pk", "name", "round_id")) == before
    assert InterviewRound.objects.filter(job=open_job).count() == 2


# --- rated feedback -----------------------------------------------------------------------------


def test_feedback_with_a_full_scorecard_is_saved(login, recruiter, sat, technical):
    design, communication = _ids(technical)
    body = {
        "rating": 4,
        "recommendation": "yes",
        "ratings": [
            {"attribute_id": design, "score": 3, "note": "Sharded the cache"},
            {"attribute_id": communication, "score": 4},
        ],
    }

    response = login(recruiter).post(f"/api/v1/interviews/{sat.pk}/feedback", body, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["ratings"] == [
        {"attribute_id": design, "attribute": "System design", "score": 3, "note": "Sharded the cache"},
        {"attribute_id": communication, "attribute": "Communication", "score": 4, "note": ""},
    ]


@pytest.mark.parametrize(
    ("ratings", "where"),
    [
        (lambda d, c: [{"attribute_id": d, "score": 3}], ("ratings", "missing")),
        (lambda d, c: [], ("ratings", "missing")),
        (
            lambda d, c: [
                {"attribute_id": d, "score": 3},
                {"attribute_id": c, "score": 3},
                {"attribute_id": 10**9, "score": 1},
            ],
            ("ratings", "unknown"),
        ),
        (lambda d, c: [{"attribute_id": d, "score": 5}, {"attribute_id": c, "score": 3}], ("ratings",)),
        (lambda d, c: [{"attribute_id": d, "score": 0}, {"attribute_id": c, "score": 3}], ("ratings",)),
        (lambda d, c: [{"attribute_id": d, "score": "3"}, {"attribute_id": c, "score": 3}], ("ratings",)),
        (lambda d, c: [{"attribute_id": d, "score": 3, "extra": 1}, {"attribute_id": c, "score": 3}], ("ratings",)),
    ],
    ids=["missing", "none", "unknown", "five", "zero", "string", "unknown-key"],
)
def test_a_bad_scorecard_answers_the_envelope_and_saves_nothing(login, recruiter, sat, technical, ratings, where):
    body = {"rating": 4, "recommendation": "yes", "ratings": ratings(*_ids(technical))}

    response = login(recruiter).post(f"/api/v1/interviews/{sat.pk}/feedback", body, format="json")

    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "VALIDATION_ERROR"
    details = response.json()["details"]
    for key in where:
        assert key in details
        details = details[key]
    assert not Feedback.objects.exists()
    assert not FeedbackRating.objects.exists()


# --- hidden until submitted ---------------------------------------------------------------------


def test_a_panel_interviewer_sees_no_colleagues_feedback_until_they_submit(login, recruiter, colleague, sat, technical):
    _submit(colleague, sat, technical, recommendation="strong_yes")
    client = login(recruiter)

    before = client.get(f"/api/v1/interviews/{sat.pk}/feedback")
    summary_before = client.get(f"/api/v1/applications/{sat.application_id}/feedback")
    assert before.status_code == 200
    assert before.json() == []
    assert summary_before.json()["feedback"] == []
    assert summary_before.json()["summary"]["withheld"] is True
    assert summary_before.json()["summary"]["recommendations"]["strong_yes"] == 0

    body = {
        "rating": 3,
        "recommendation": "no",
        "ratings": [{"attribute_id": pk, "score": 2} for pk in _ids(technical)],
    }
    assert client.post(f"/api/v1/interviews/{sat.pk}/feedback", body, format="json").status_code == 201

    after = client.get(f"/api/v1/interviews/{sat.pk}/feedback")
    assert sorted(row["interviewer"]["id"] for row in after.json()) == sorted([recruiter.pk, colleague.pk])
    summary = client.get(f"/api/v1/applications/{sat.application_id}/feedback").json()["summary"]
    assert summary["withheld"] is False
    assert summary["recommendations"] == {"strong_no": 0, "no": 1, "mixed": 0, "yes": 0, "strong_yes": 1}


def test_a_recruiter_off_the_panel_reads_the_summary(login, org_admin, recruiter, colleague, sat, technical):
    _submit(recruiter, sat, technical, scores=(2, 4))
    _submit(colleague, sat, technical, scores=(3, 3))

    response = login(org_admin).get(f"/api/v1/applications/{sat.application_id}/feedback")

    assert response.status_code == 200
    body = response.json()
    assert len(body["feedback"]) == 2
    assert body["summary"]["feedback_count"] == 2
    assert [(a["round_name"], a["name"], a["mean"]) for a in body["summary"]["attributes"]] == [
        ("Technical", "System design", 2.5),
        ("Technical", "Communication", 3.5),
    ]
    assert [(s["interviewer"]["id"], s["score"]) for s in body["summary"]["attributes"][0]["scores"]] == [
        (recruiter.pk, 2),
        (colleague.pk, 3),
    ]


def test_the_application_feedback_is_the_hiring_teams(login, other_recruiter, candidate, sat):
    assert login(other_recruiter).get(f"/api/v1/applications/{sat.application_id}/feedback").status_code == 404
    response = login(candidate.user).get(f"/api/v1/applications/{sat.application_id}/feedback")
    assert response.status_code == 403


def test_the_timeline_hides_colleagues_feedback_until_the_reader_submits(
    login, recruiter, colleague, org_admin, application, sat, technical
):
    _submit(colleague, sat, technical)

    def feedback_entries(user):  # type: ignore[no-untyped-def]
        entries, _ = application_activity(actor=user, application=application)
        return [e for e in entries if e.kind == "feedback_submitted"]

    api = login(recruiter).get(f"/api/v1/applications/{application.pk}/activity")
    assert api.status_code == 200
    assert [e for e in api.json()["results"] if e["kind"] == "feedback_submitted"] == []
    assert feedback_entries(recruiter) == []
    assert len(feedback_entries(org_admin)) == 1

    _submit(recruiter, sat, technical)

    assert len(feedback_entries(recruiter)) == 2
