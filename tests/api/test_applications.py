"""/api/v1/applications: list, retrieve, apply, move, withdraw, history."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from applications.models import Application, StageChange
from tests.factories import ApplicationFactory, CandidateFactory, JobFactory, StageChangeFactory
from tests.factories.applications import rejection_reason_id

URL = "/api/v1/applications"

pytestmark = pytest.mark.django_db


def detail(application: Application, suffix: str = "") -> str:
    return f"{URL}/{application.pk}{suffix}"


@pytest.fixture
def own_application(open_job, candidate):
    return ApplicationFactory(job=open_job, candidate=candidate)


@pytest.fixture
def foreign_application(other_open_job, other_candidate):
    return ApplicationFactory(job=other_open_job, candidate=other_candidate)


@pytest.fixture
def sourced(recruiter):
    return CandidateFactory(user=None, created_by=recruiter)


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


# --- authentication and scopes ------------------------------------------------------------------


def test_no_token_is_unauthorized(api_client):
    response = api_client.get(URL)

    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHORIZED"


def test_read_needs_the_applications_read_scope(login, recruiter):
    response = login(recruiter, scope="jobs:read").get(URL)

    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN"
    assert response.json()["details"] == {"required_scope": "applications:read"}


def test_apply_needs_the_applications_write_scope(login, candidate, open_job):
    response = login(candidate.user, scope="applications:read").post(URL, {"job_id": open_job.pk}, format="json")

    assert response.status_code == 403
    assert response.json()["details"] == {"required_scope": "applications:write"}
    assert not Application.objects.exists()


def test_the_unversioned_path_is_the_same_resource(login, candidate, own_application):
    response = login(candidate.user).get("/api/applications")

    assert response.status_code == 200
    assert ids(response) == {own_application.pk}


# --- list ---------------------------------------------------------------------------------------


def test_a_candidate_lists_only_their_own(login, candidate, own_application, foreign_application, open_job):
    ApplicationFactory(job=open_job)

    response = login(candidate.user).get(URL)

    assert response.status_code == 200
    assert ids(response) == {own_application.pk}
    assert response.json()["results"][0]["allowed_moves"] == []


def test_a_recruiter_lists_their_organizations(login, recruiter, own_application, foreign_application, open_job):
    colleague_job = ApplicationFactory(job=JobFactory(organization=open_job.organization))

    response = login(recruiter).get(URL)

    assert ids(response) == {own_application.pk, colleague_job.pk}


def test_staff_list_everything(login, staff, own_application, foreign_application):
    response = login(staff).get(URL)

    assert ids(response) == {own_application.pk, foreign_application.pk}


def test_list_output_shape(login, recruiter, own_application, open_job, candidate):
    Application.objects.filter(pk=own_application.pk).update(match_score="87.5")

    row = login(recruiter).get(URL).json()["results"][0]

    assert set(row) == {
        "id",
        "job",
        "candidate",
        "stage",
        "source",
        "cover_letter",
        "match_score",
        "created_at",
        "stage_changed_at",
        "allowed_moves",
    }
    assert row["job"] == {"id": open_job.pk, "title": open_job.title, "organization_id": open_job.organization_id}
    assert row["candidate"] == {"id": candidate.pk, "full_name": candidate.full_name}
    assert row["match_score"] == "87.50"
    assert row["allowed_moves"] == ["screening", "rejected", "withdrawn"]


def test_match_score_is_null_before_matching(login, recruiter, own_application):
    row = login(recruiter).get(detail(own_application)).json()

    assert row["match_score"] is None


def test_filter_by_job_and_stages(login, recruiter, org, open_job):
    second_job = JobFactory(organization=org)
    applied = ApplicationFactory(job=open_job)
    screening = ApplicationFactory(job=open_job, stage="screening")
    ApplicationFactory(job=open_job, stage="rejected")
    ApplicationFactory(job=second_job)
    client = login(recruiter)

    by_job = client.get(URL, {"job": second_job.pk})
    by_stages = client.get(f"{URL}?job={open_job.pk}&stage=applied&stage=screening")

    assert len(by_job.json()["results"]) == 1
    assert ids(by_stages) == {applied.pk, screening.pk}


def test_filter_by_candidate(login, recruiter, open_job, own_application, candidate):
    ApplicationFactory(job=open_job)

    response = login(recruiter).get(URL, {"candidate": candidate.pk})

    assert ids(response) == {own_application.pk}


def test_filter_by_creation_time(login, recruiter, open_job):
    old = ApplicationFactory(job=open_job)
    new = ApplicationFactory(job=open_job)
    Application.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=10))
    since = (timezone.now() - timedelta(days=1)).isoformat()
    client = login(recruiter)

    after = client.get(URL, {"created_after": since})
    before = client.get(URL, {"created_before": since})

    assert ids(after) == {new.pk}
    assert ids(before) == {old.pk}


@pytest.mark.parametrize(
    "query",
    [
        {"stage": "promoted"},
        {"job": "abc"},
        {"job": "0"},
        {"created_after": "yesterday"},
        {"created_after": "2030-01-01T09:00:00"},
    ],
)
def test_bad_filters_are_validation_errors(login, recruiter, query):
    response = login(recruiter).get(URL, query)

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert set(response.json()["details"]) == set(query)


def test_bad_cursor_is_a_validation_error(login, recruiter):
    response = login(recruiter).get(URL, {"cursor": "garbage"})

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"


def test_pages_follow_the_cursor(login, recruiter, open_job):
    created = {ApplicationFactory(job=open_job).pk for _ in range(5)}
    client = login(recruiter)

    first = client.get(URL, {"page_size": 3}).json()
    second = client.get(first["next"]).json()

    assert len(first["results"]) == 3
    assert {row["id"] for row in first["results"] + second["results"]} == created
    assert second["next"] is None


def test_page_size_is_capped(login, recruiter, open_job, settings):
    settings.API_MAX_PAGE_SIZE = 2
    for _ in range(3):
        ApplicationFactory(job=open_job)

    response = login(recruiter).get(URL, {"page_size": 50})

    assert len(response.json()["results"]) == 2


def test_list_runs_the_same_queries_whatever_the_page_size(login, recruiter, open_job):
    for _ in range(12):
        ApplicationFactory(job=open_job, candidate=CandidateFactory())
    client = login(recruiter)

    with CaptureQueriesContext(connection) as small:
        assert client.get(URL, {"page_size": 2}).status_code == 200
    with CaptureQueriesContext(connection) as large:
        assert len(client.get(URL, {"page_size": 50}).json()["results"]) == 12

    # the user, the token family check, the memberships, the page
    assert len(small) == len(large) == 3  # user with token family, memberships, the page


# --- retrieve -----------------------------------------------------------------------------------


def test_a_candidate_gets_their_own(login, candidate, own_application):
    response = login(candidate.user).get(detail(own_application))

    assert response.status_code == 200
    assert response.json()["id"] == own_application.pk


def test_another_candidates_application_is_not_found(login, other_candidate, own_application):
    response = login(other_candidate.user).get(detail(own_application))

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


def test_another_organizations_application_is_not_found(login, other_recruiter, own_application):
    response = login(other_recruiter).get(detail(own_application))

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


def test_an_absurd_id_is_not_found(login, recruiter):
    response = login(recruiter).get(f"{URL}/99999999999999999999999")

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


# --- create -------------------------------------------------------------------------------------


def test_a_candidate_applies_to_an_open_job(login, candidate, open_job):
    response = login(candidate.user).post(URL, {"job_id": open_job.pk, "cover_letter": "Hello"}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["stage"] == "applied"
    assert body["source"] == "career_site"
    assert body["candidate"]["id"] == candidate.pk
    assert body["allowed_moves"] == []
    application = Application.objects.get(pk=body["id"])
    assert application.cover_letter == "Hello"
    assert application.stage_changes.count() == 1


def test_a_candidate_may_name_the_source(login, candidate, open_job):
    response = login(candidate.user).post(URL, {"job_id": open_job.pk, "source": "referral"}, format="json")

    assert response.status_code == 201
    assert response.json()["source"] == "referral"


def test_a_recruiter_adds_a_candidate_they_sourced(login, recruiter, sourced, open_job):
    response = login(recruiter).post(URL, {"job_id": open_job.pk, "candidate_id": sourced.pk}, format="json")

    assert response.status_code == 201
    assert response.json()["source"] == "sourced"
    assert response.json()["allowed_moves"] == ["screening", "rejected", "withdrawn"]
    assert Application.objects.get().created_by == recruiter


def test_a_recruiter_without_a_profile_must_name_the_candidate(login, recruiter, open_job):
    response = login(recruiter).post(URL, {"job_id": open_job.pk}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert "candidate_id" in response.json()["details"]
    assert not Application.objects.exists()


OPEN_JOB = object()  # stands for the open job's id in the parametrized bodies


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "job_id"),
        ({"job_id": "abc"}, "job_id"),
        ({"job_id": 0}, "job_id"),
        ({"job_id": OPEN_JOB, "cover_letter": "x" * 10_001}, "cover_letter"),
        ({"job_id": OPEN_JOB, "cover_letter": None}, "cover_letter"),
        ({"job_id": OPEN_JOB, "source": "newspaper"}, "source"),
        ({"job_id": OPEN_JOB, "stage": "hired"}, "stage"),
    ],
)
def test_apply_validation_errors(login, candidate, open_job, body, field):
    payload = {key: open_job.pk if value is OPEN_JOB else value for key, value in body.items()}

    response = login(candidate.user).post(URL, payload, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert field in response.json()["details"]
    assert not Application.objects.exists()


def test_a_body_that_is_not_an_object_is_a_validation_error(login, candidate):
    response = login(candidate.user).post(URL, ["job_id"], format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"


def test_a_draft_job_is_not_found_for_a_candidate(login, candidate, org):
    draft = JobFactory(organization=org, status="draft")

    response = login(candidate.user).post(URL, {"job_id": draft.pk}, format="json")

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"
    assert not Application.objects.exists()


def test_a_closed_job_is_a_conflict_for_its_recruiter(login, recruiter, sourced, org):
    closed = JobFactory(organization=org, status="closed")

    response = login(recruiter).post(URL, {"job_id": closed.pk, "candidate_id": sourced.pk}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "CONFLICT"
    assert not Application.objects.exists()


def test_applying_twice_is_a_conflict(login, candidate, own_application, open_job):
    response = login(candidate.user).post(URL, {"job_id": open_job.pk}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "CONFLICT"
    assert Application.objects.count() == 1


def test_a_candidate_cannot_apply_for_someone_else(login, candidate, other_candidate, open_job):
    response = login(candidate.user).post(
        URL, {"job_id": open_job.pk, "candidate_id": other_candidate.pk}, format="json"
    )

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"
    assert not Application.objects.exists()


def test_a_recruiter_cannot_add_to_another_organizations_job(login, recruiter, sourced, other_open_job):
    response = login(recruiter).post(URL, {"job_id": other_open_job.pk, "candidate_id": sourced.pk}, format="json")

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"
    assert not Application.objects.exists()


def test_a_recruiter_cannot_add_a_candidate_they_cannot_see(login, recruiter, other_candidate, open_job):
    response = login(recruiter).post(URL, {"job_id": open_job.pk, "candidate_id": other_candidate.pk}, format="json")

    assert response.status_code == 404
    assert not Application.objects.exists()


# --- move ---------------------------------------------------------------------------------------


def test_a_recruiter_moves_an_application_forward(login, recruiter, own_application):
    response = login(recruiter).post(
        detail(own_application, "/move"), {"stage": "screening", "reason": "Good CV"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["stage"] == "screening"
    assert response.json()["allowed_moves"] == ["interview", "rejected", "withdrawn"]
    last = own_application.stage_changes.order_by("-changed_at", "-id").first()
    assert (last.from_stage, last.to_stage, last.reason, last.actor) == ("applied", "screening", "Good CV", recruiter)


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        ("applied", "interview", ["screening", "rejected", "withdrawn"]),
        ("applied", "hired", ["screening", "rejected", "withdrawn"]),
        ("screening", "applied", ["interview", "rejected", "withdrawn"]),
        ("offer", "screening", ["hired", "rejected", "withdrawn"]),
        ("hired", "rejected", []),
        ("withdrawn", "applied", []),
    ],
)
def test_illegal_moves_are_conflicts_listing_the_allowed_stages(login, recruiter, open_job, current, target, allowed):
    application = ApplicationFactory(job=open_job, stage=current)

    response = login(recruiter).post(detail(application, "/move"), {"stage": target}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "CONFLICT"
    assert response.json()["details"] == {"stage": current, "allowed": allowed}
    application.refresh_from_db()
    assert application.stage == current
    assert application.stage_changes.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"stage": "promoted"}, "stage"),
        ({}, "stage"),
        ({"stage": "screening", "extra": 1}, "extra"),
        ({"stage": "screening", "reason": "x" * 2001}, "reason"),
    ],
)
def test_move_validation_errors(login, recruiter, own_application, body, field):
    response = login(recruiter).post(detail(own_application, "/move"), body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert field in response.json()["details"]
    own_application.refresh_from_db()
    assert own_application.stage == "applied"


def test_a_candidate_may_not_move_their_application(login, candidate, own_application):
    response = login(candidate.user).post(detail(own_application, "/move"), {"stage": "screening"}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN"
    own_application.refresh_from_db()
    assert own_application.stage == "applied"


def test_another_organizations_recruiter_cannot_find_it_to_move(login, other_recruiter, own_application):
    response = login(other_recruiter).post(detail(own_application, "/move"), {"stage": "screening"}, format="json")

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


def test_move_needs_the_write_scope(login, recruiter, own_application):
    response = login(recruiter, scope="applications:read").post(
        detail(own_application, "/move"), {"stage": "screening"}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["details"] == {"required_scope": "applications:write"}


# --- withdraw -----------------------------------------------------------------------------------


def test_a_candidate_withdraws(login, candidate, own_application):
    response = login(candidate.user).post(
        detail(own_application, "/withdraw"), {"reason": "Took another offer"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["stage"] == "withdrawn"
    own_application.refresh_from_db()
    assert own_application.stage == "withdrawn"


def test_withdrawing_an_ended_application_is_a_conflict(login, candidate, open_job):
    application = ApplicationFactory(job=open_job, candidate=candidate, stage="rejected")

    response = login(candidate.user).post(detail(application, "/withdraw"), {}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "CONFLICT"


def test_a_recruiter_may_not_withdraw_for_the_candidate(login, recruiter, own_application):
    response = login(recruiter).post(detail(own_application, "/withdraw"), {}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN"


def test_withdraw_rejects_unknown_fields(login, candidate, own_application):
    response = login(candidate.user).post(detail(own_application, "/withdraw"), {"stage": "withdrawn"}, format="json")

    assert response.status_code == 400
    assert "stage" in response.json()["details"]


def test_another_candidate_cannot_withdraw_it(login, other_candidate, own_application):
    response = login(other_candidate.user).post(detail(own_application, "/withdraw"), {}, format="json")

    assert response.status_code == 404


# --- history ------------------------------------------------------------------------------------


def test_history_lists_moves_with_time_in_stage(login, recruiter, open_job):
    start = timezone.now() - timedelta(days=3)
    application = ApplicationFactory(job=open_job, stage="interview", stage_changed_at=start)
    StageChangeFactory(
        application=application, from_stage="applied", to_stage="screening", changed_at=start + timedelta(hours=2)
    )
    StageChangeFactory(
        application=application, from_stage="screening", to_stage="interview", changed_at=start + timedelta(days=1)
    )

    response = login(recruiter).get(detail(application, "/history"))

    assert response.status_code == 200
    rows = response.json()
    assert [(row["from_stage"], row["to_stage"]) for row in rows] == [
        (None, "applied"),
        ("applied", "screening"),
        ("screening", "interview"),
    ]
    assert rows[0]["seconds_in_stage"] == 2 * 3600
    assert rows[1]["seconds_in_stage"] == 22 * 3600
    assert rows[2]["left_at"] is None
    assert rows[2]["seconds_in_stage"] >= 2 * 86400


def test_history_of_another_candidates_application_is_not_found(login, other_candidate, own_application):
    response = login(other_candidate.user).get(detail(own_application, "/history"))

    assert response.status_code == 404


def test_the_candidate_reads_their_history(login, candidate, own_application):
    response = login(candidate.user).get(detail(own_application, "/history"))

    assert response.status_code == 200
    assert len(response.json()) == StageChange.objects.filter(application=own_application).count()


def test_move_reasons_are_internal(login, recruiter, candidate, own_application):
    why = rejection_reason_id(own_application.job.organization_id, "skills")
    body = {"stage": "rejected", "reason": "Weak SQL", "rejection_reason_id": why}
    assert login(recruiter).post(detail(own_application, "/move"), body, format="json").status_code == 200

    team_view = login(recruiter).get(detail(own_application, "/history")).json()
    candidate_view = login(candidate.user).get(detail(own_application, "/history")).json()

    assert team_view[-1]["reason"] == "Weak SQL"
    assert team_view[-1]["actor_id"] == recruiter.pk
    assert team_view[-1]["rejection_reason"] == "skills"
    assert candidate_view[-1]["rejection_reason"] is None
    assert candidate_view[-1]["to_stage"] == "rejected"
    assert candidate_view[-1]["reason"] is None
    assert candidate_view[-1]["actor_id"] is None
