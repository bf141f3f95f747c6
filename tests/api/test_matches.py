"""The match endpoints: jobs/{id}/matches, candidates/{id}/matches and their recompute actions."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.matching import match_candidate, match_job
from applications.models import Match
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    CandidateSkillFactory,
    JobFactory,
    JobSkillFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def python_job(org, recruiter):
    job = JobFactory(organization=org, created_by=recruiter, title="Python developer", min_years_experience=3)
    JobSkillFactory(job=job, name="Python", normalized_name="python", level="advanced", required=True)
    JobSkillFactory(job=job, name="PostgreSQL", normalized_name="postgresql", required=True)
    JobSkillFactory(job=job, name="Kubernetes", normalized_name="kubernetes", required=False)
    return job


@pytest.fixture
def pool():
    """Three discoverable candidates: one with every required skill, one with half, one with none."""
    strong = CandidateFactory(discoverable=True, headline="Python engineer", summary="Django and Postgres APIs")
    CandidateSkillFactory(candidate=strong, name="python", normalized_name="python", level="expert")
    CandidateSkillFactory(candidate=strong, name="Postgres", normalized_name="postgres", level="advanced")
    half = CandidateFactory(discoverable=True, headline="Python scripter", summary="Automation")
    CandidateSkillFactory(candidate=half, name="Python", normalized_name="python", level="intermediate")
    weak = CandidateFactory(discoverable=True, headline="Accountant", summary="Budgets", years_experience=1)
    CandidateSkillFactory(candidate=weak, name="Excel", normalized_name="excel")
    return strong, half, weak


@pytest.fixture
def matched(python_job, pool):
    match_job(python_job.pk)
    return python_job, pool


def _url(kind: str, pk: int, suffix: str = "") -> str:
    return f"/api/v1/{kind}/{pk}/matches{suffix}"


# jobs/{id}/matches ----------------------------------------------------------------------


def test_recruiter_gets_the_jobs_candidates_best_first_with_receipts(login, recruiter, matched):
    job, (strong, half, weak) = matched

    response = login(recruiter).get(_url("jobs", job.pk))

    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["candidate"]["id"] for r in results] == [strong.pk, half.pk, weak.pk]
    best = results[0]
    assert best["candidate"] == {"id": strong.pk, "full_name": strong.full_name, "headline": "Python engineer"}
    assert best["provider"] == "local"
    assert best["fallback"] is None
    assert best["model_version"].startswith("local-v")
    assert best["score"] == str(Match.objects.get(job=job, candidate=strong).score)
    assert best["breakdown"]["required_matched"] == ["Python", "PostgreSQL"]
    assert best["breakdown"]["required_missing"] == []
    assert best["breakdown"]["preferred_missing"] == ["Kubernetes"]
    assert set(best["breakdown"]["weights"]) == {
        "required_skills",
        "preferred_skills",
        "experience",
        "location",
        "text_similarity",
    }
    assert 0 <= best["breakdown"]["text_similarity"] <= 1
    scores = [float(r["score"]) for r in results]
    assert scores == sorted(scores, reverse=True)


def test_min_score_keeps_only_matches_at_or_above_it(login, recruiter, matched):
    job, (strong, half, _weak) = matched
    threshold = Match.objects.get(job=job, candidate=half).score

    response = login(recruiter).get(_url("jobs", job.pk), {"min_score": str(threshold)})

    assert [r["candidate"]["id"] for r in response.json()["results"]] == [strong.pk, half.pk]


def test_has_required_skills_splits_complete_and_incomplete_matches(login, recruiter, matched):
    job, (strong, half, weak) = matched
    client = login(recruiter)

    complete = client.get(_url("jobs", job.pk), {"has_required_skills": "true"}).json()["results"]
    incomplete = client.get(_url("jobs", job.pk), {"has_required_skills": "false"}).json()["results"]

    assert [r["candidate"]["id"] for r in complete] == [strong.pk]
    assert [r["candidate"]["id"] for r in incomplete] == [half.pk, weak.pk]


def test_bad_filters_are_validation_errors(login, recruiter, matched):
    job, _ = matched

    response = login(recruiter).get(_url("jobs", job.pk), {"min_score": "101"})

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert "min_score" in response.json()["details"]


def test_pages_follow_the_score_order(login, recruiter, matched):
    job, (strong, half, weak) = matched
    client = login(recruiter)

    first = client.get(_url("jobs", job.pk), {"page_size": 2}).json()
    second = client.get(first["next"]).json()

    assert [r["candidate"]["id"] for r in first["results"]] == [strong.pk, half.pk]
    assert [r["candidate"]["id"] for r in second["results"]] == [weak.pk]
    assert second["next"] is None


def test_candidates_the_recruiter_can_no_longer_see_are_left_out(login, recruiter, matched):
    job, (strong, half, weak) = matched
    strong.discoverable = False
    strong.save()

    response = login(recruiter).get(_url("jobs", job.pk))

    assert [r["candidate"]["id"] for r in response.json()["results"]] == [half.pk, weak.pk]


def test_staff_see_any_jobs_matches(login, staff, matched):
    job, pool = matched

    response = login(staff).get(_url("jobs", job.pk))

    assert len(response.json()["results"]) == len(pool)


def test_another_organizations_job_is_not_found(login, other_recruiter, matched):
    job, _ = matched

    response = login(other_recruiter).get(_url("jobs", job.pk))

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


def test_a_candidate_cannot_read_a_jobs_matches_even_on_the_job_board(login, matched):
    job, (strong, _, _) = matched

    response = login(strong.user).get(_url("jobs", job.pk))

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


def test_reading_a_jobs_matches_needs_jobs_read(login, recruiter, matched):
    job, _ = matched

    response = login(recruiter, scope="candidates:read").get(_url("jobs", job.pk))

    assert response.status_code == 403
    assert response.json()["details"]["required_scope"] == "jobs:read"


def test_job_matches_cost_the_same_queries_whatever_the_page_size(login, recruiter, matched):
    job, _ = matched
    client = login(recruiter)
    counts = []
    for size in (1, 3):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(_url("jobs", job.pk), {"page_size": size})
        assert len(response.json()["results"]) == size
        counts.append(len(queries))

    assert counts[0] == counts[1]


# candidates/{id}/matches ----------------------------------------------------------------


@pytest.fixture
def candidate_matched(python_job, pool, other_open_job):
    strong = pool[0]
    JobFactory(organization=python_job.organization, status="draft")
    match_candidate(strong.pk)
    Match.objects.filter(candidate=strong).update(rationale="Strong Python and PostgreSQL.")
    return strong


def test_a_candidate_sees_their_matches_with_open_jobs_without_the_rationale(
    login, candidate_matched, python_job, other_open_job
):
    response = login(candidate_matched.user).get(_url("candidates", candidate_matched.pk))

    assert response.status_code == 200
    results = response.json()["results"]
    assert {r["job"]["id"] for r in results} == {python_job.pk, other_open_job.pk}
    # Best first; which job wins depends on the other job's random description, so the
    # row is picked by id.
    scores = [float(r["score"]) for r in results]
    assert scores == sorted(scores, reverse=True)
    mine = next(r for r in results if r["job"]["id"] == python_job.pk)
    assert mine["job"] == {
        "id": python_job.pk,
        "title": "Python developer",
        "organization": {"id": python_job.organization_id, "name": python_job.organization.name},
    }
    assert all(r["breakdown"]["rationale"] is None for r in results)


def test_a_closed_job_drops_out_of_the_candidates_view(login, candidate_matched, python_job, other_open_job):
    python_job.status = "closed"
    python_job.save()

    response = login(candidate_matched.user).get(_url("candidates", candidate_matched.pk))

    assert [r["job"]["id"] for r in response.json()["results"]] == [other_open_job.pk]


def test_a_recruiter_sees_only_their_organizations_jobs(login, recruiter, candidate_matched, python_job):
    response = login(recruiter).get(_url("candidates", candidate_matched.pk))

    results = response.json()["results"]
    assert [r["job"]["id"] for r in results] == [python_job.pk]
    assert results[0]["breakdown"]["rationale"] == "Strong Python and PostgreSQL."


def test_staff_see_every_job_for_the_candidate(login, staff, candidate_matched):
    response = login(staff).get(_url("candidates", candidate_matched.pk))

    assert len(response.json()["results"]) == 2


def test_a_candidate_cannot_read_another_candidates_matches(login, other_candidate, candidate_matched):
    response = login(other_candidate.user).get(_url("candidates", candidate_matched.pk))

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


def test_a_recruiter_cannot_read_a_candidate_they_cannot_see(login, recruiter, candidate_matched):
    candidate_matched.discoverable = False
    candidate_matched.save()

    response = login(recruiter).get(_url("candidates", candidate_matched.pk))

    assert response.status_code == 404


def test_an_applicant_is_visible_to_the_organization_they_applied_to(login, recruiter, python_job):
    applicant = CandidateFactory(discoverable=False)
    ApplicationFactory(job=python_job, candidate=applicant)
    match_candidate(applicant.pk)

    response = login(recruiter).get(_url("candidates", applicant.pk))

    assert [r["job"]["id"] for r in response.json()["results"]] == [python_job.pk]


def test_candidate_matches_filters_apply(login, staff, candidate_matched, python_job, other_open_job):
    JobSkillFactory(job=other_open_job, name="Rust", normalized_name="rust", required=True)
    # Saved, as the job services save a job whose skills they change: the board matrix that
    # match_candidate keeps (applications.open_jobs) refreshes a job's row by its updated_at.
    other_open_job.save()
    match_candidate(candidate_matched.pk)

    response = login(staff).get(_url("candidates", candidate_matched.pk), {"has_required_skills": "true"})

    assert [r["job"]["id"] for r in response.json()["results"]] == [python_job.pk]


def test_a_job_without_required_skills_misses_none(login, staff, candidate_matched, other_open_job):
    response = login(staff).get(_url("candidates", candidate_matched.pk), {"has_required_skills": "false"})

    assert response.json()["results"] == []


# recompute ------------------------------------------------------------------------------


def test_a_recruiter_recomputes_a_jobs_matches(django_capture_on_commit_callbacks, login, recruiter, python_job, pool):
    with django_capture_on_commit_callbacks(execute=True):
        response = login(recruiter).post(_url("jobs", python_job.pk, "/recompute"))

    assert response.status_code == 202
    assert response.json() == {
        "status": "queued",
        "task": "applications.rank_candidates_for_job",
        "job_id": python_job.pk,
        "candidate_id": None,
    }
    assert Match.objects.filter(job=python_job).count() == len(pool)


def test_recomputing_another_organizations_job_is_not_found(login, other_recruiter, python_job):
    response = login(other_recruiter).post(_url("jobs", python_job.pk, "/recompute"))

    assert response.status_code == 404


def test_a_candidate_cannot_recompute_a_job(login, candidate, python_job):
    response = login(candidate.user).post(_url("jobs", python_job.pk, "/recompute"))

    assert response.status_code == 403
    assert response.json()["details"]["required_scope"] == "jobs:write"


def test_a_recruiter_recomputes_a_candidates_matches(
    django_capture_on_commit_callbacks, login, recruiter, python_job, pool, other_open_job
):
    strong = pool[0]

    with django_capture_on_commit_callbacks(execute=True):
        response = login(recruiter).post(_url("candidates", strong.pk, "/recompute"))

    assert response.status_code == 202
    assert response.json()["candidate_id"] == strong.pk
    assert set(Match.objects.filter(candidate=strong).values_list("job_id", flat=True)) == {
        python_job.pk,
        other_open_job.pk,
    }


def test_a_candidate_cannot_recompute_even_their_own_matches(login, candidate):
    response = login(candidate.user).post(_url("candidates", candidate.pk, "/recompute"))

    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN"


def test_recomputing_a_candidate_the_recruiter_cannot_see_is_not_found(login, recruiter):
    hidden = CandidateFactory(discoverable=False)

    response = login(recruiter).post(_url("candidates", hidden.pk, "/recompute"))

    assert response.status_code == 404


def test_an_unknown_match_filter_is_a_validation_error(login, recruiter, matched):
    job = matched[0]
    response = login(recruiter).get(_url("jobs", job.pk), {"minscore": "90", "page_size": "5"})

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert response.json()["details"] == {"minscore": ["Unknown parameter."]}


def test_an_empty_min_score_is_a_validation_error(login, recruiter, matched):
    response = login(recruiter).get(_url("jobs", matched[0].pk), {"min_score": ""})

    assert response.status_code == 400
    assert "min_score" in response.json()["details"]
