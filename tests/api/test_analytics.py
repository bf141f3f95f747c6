"""/api/v1/analytics: pipeline figures per organization, checked on a small known history."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from applications.choices import ApplicationSource, ApplicationStage
from tests.factories import ApplicationFactory, InterviewFactory, JobFactory, MembershipFactory, StageChangeFactory

URL = "/api/v1/analytics"
DAY = 86_400

pytestmark = pytest.mark.django_db


def pipeline(job, source: str, *moves: tuple[str, int], start):  # type: ignore[no-untyped-def]
    """An application submitted at ``start`` that then moved to each stage on the given day."""
    final = moves[-1][0] if moves else "applied"
    application = ApplicationFactory(job=job, source=source, stage=final, stage_changed_at=start)
    previous = "applied"
    for stage, day in moves:
        StageChangeFactory(
            application=application, from_stage=previous, to_stage=stage, changed_at=start + timedelta(days=day)
        )
        previous = stage
    return application


@pytest.fixture
def history(org, other_org, open_job, other_open_job):
    start = timezone.now() - timedelta(days=60)
    JobFactory(organization=org, status="open")
    JobFactory(organization=org, status="draft")
    JobFactory(organization=other_org, status="closed")
    pipeline(open_job, "referral", ("screening", 1), ("interview", 3), ("offer", 6), ("hired", 10), start=start)
    pipeline(open_job, "career_site", ("screening", 2), ("rejected", 4), start=start)
    waiting = pipeline(open_job, "career_site", ("screening", 1), ("interview", 2), start=start)
    pipeline(open_job, "linkedin", start=start)
    pipeline(open_job, "referral", ("screening", 1), ("interview", 2), ("offer", 3), ("hired", 6), start=start)
    pipeline(open_job, "agency", ("screening", 5), ("interview", 10), ("offer", 15), ("hired", 20), start=start)
    pipeline(other_open_job, "job_board", ("screening", 1), ("interview", 2), ("offer", 3), ("hired", 4), start=start)

    now = timezone.now()
    soon = InterviewFactory(application=waiting, starts_at=now + timedelta(days=2))
    InterviewFactory(application=waiting, starts_at=now + timedelta(days=10))
    InterviewFactory(application=waiting, starts_at=now + timedelta(days=1), status="cancelled")
    InterviewFactory(application=waiting, starts_at=now - timedelta(days=1), ends_at=now - timedelta(hours=23))
    elsewhere = ApplicationFactory(job=other_open_job, stage="screening")
    other_soon = InterviewFactory(application=elsewhere, starts_at=now + timedelta(days=3))
    return {"soon": soon, "other_soon": other_soon}


def by(figures: dict, **counts: int) -> dict:  # type: ignore[type-arg]
    return {**dict.fromkeys(figures, 0), **counts}


def test_figures_for_a_recruiters_organization(login, recruiter, org, history):
    response = login(recruiter).get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["organization_ids"] == [org.pk]
    assert body["open_jobs"] == 2
    assert body["applications_by_stage"] == by(
        dict.fromkeys(ApplicationStage.values), applied=1, interview=1, hired=3, rejected=1
    )
    assert body["applications_by_source"] == by(
        dict.fromkeys(ApplicationSource.values), referral=2, career_site=2, linkedin=1, agency=1
    )
    assert body["conversion"] == [
        {"from_stage": "applied", "to_stage": "screening", "entered": 6, "advanced": 5, "rate": 0.8333},
        {"from_stage": "screening", "to_stage": "interview", "entered": 5, "advanced": 4, "rate": 0.8},
        {"from_stage": "interview", "to_stage": "offer", "entered": 4, "advanced": 3, "rate": 0.75},
        {"from_stage": "offer", "to_stage": "hired", "entered": 3, "advanced": 3, "rate": 1.0},
    ]
    assert body["avg_time_in_stage_seconds"] == {
        "applied": 2 * DAY,
        "screening": 190_080,  # 2.2 days
        "interview": 3 * DAY,
        "offer": 4 * DAY,
    }
    assert body["time_to_hire"] == {"hires": 3, "mean_days": 12.0, "median_days": 10.0}
    upcoming = body["upcoming_interviews"]
    assert (upcoming["window_days"], upcoming["count"]) == (7, 1)
    assert [row["id"] for row in upcoming["next"]] == [history["soon"].pk]
    assert upcoming["next"][0]["job_title"] == history["soon"].application.job.title


def test_the_other_organization_sees_only_its_own(login, other_recruiter, other_org, history):
    body = login(other_recruiter).get(URL).json()

    assert body["organization_ids"] == [other_org.pk]
    assert body["open_jobs"] == 1
    assert body["applications_by_stage"]["hired"] == 1
    assert body["applications_by_stage"]["screening"] == 1
    assert body["time_to_hire"] == {"hires": 1, "mean_days": 4.0, "median_days": 4.0}
    assert [row["id"] for row in body["upcoming_interviews"]["next"]] == [history["other_soon"].pk]


def test_staff_see_every_organization(login, staff, history):
    body = login(staff).get(URL).json()

    assert body["organization_ids"] is None
    assert body["open_jobs"] == 3
    assert sum(body["applications_by_stage"].values()) == 8
    assert body["time_to_hire"]["hires"] == 4
    assert body["upcoming_interviews"]["count"] == 2


def test_staff_may_pick_any_organization(login, staff, other_org, history):
    body = login(staff).get(URL, {"organization": other_org.pk}).json()

    assert body["organization_ids"] == [other_org.pk]
    assert body["open_jobs"] == 1


def test_a_member_of_two_organizations_sees_both_or_picks_one(login, recruiter, org, other_org, history):
    MembershipFactory(user=recruiter, organization=other_org)
    client = login(recruiter)

    both = client.get(URL).json()
    one = client.get(URL, {"organization": org.pk}).json()

    assert both["organization_ids"] == sorted([org.pk, other_org.pk])
    assert both["open_jobs"] == 3
    assert one["open_jobs"] == 2


def test_another_organization_is_not_found(login, recruiter, other_org, history):
    response = login(recruiter).get(URL, {"organization": other_org.pk})

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


def test_staff_naming_a_missing_organization_get_not_found(login, staff):
    response = login(staff).get(URL, {"organization": 999_999})

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


@pytest.mark.parametrize("value", ["abc", "0", "-3", "1" * 30])
def test_a_bad_organization_is_a_validation_error(login, recruiter, value):
    response = login(recruiter).get(URL, {"organization": value})

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert "organization" in response.json()["details"]


def test_an_unknown_query_parameter_is_a_validation_error(login, recruiter):
    """The schema names only ``organization``; a misspelt filter must not silently widen the figures."""
    response = login(recruiter).get(URL, {"organisation": 1})

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert response.json()["details"] == {"organisation": ["Unknown field."]}


def test_an_empty_organization_has_zeros_and_no_rates(login, recruiter):
    body = login(recruiter).get(URL).json()

    assert body["open_jobs"] == 0
    assert set(body["applications_by_stage"].values()) == {0}
    assert [row["rate"] for row in body["conversion"]] == [None, None, None, None]
    assert set(body["avg_time_in_stage_seconds"].values()) == {None}
    assert body["time_to_hire"] == {"hires": 0, "mean_days": None, "median_days": None}
    assert body["upcoming_interviews"] == {"window_days": 7, "count": 0, "next": []}


def test_no_token_is_unauthorized(api_client):
    response = api_client.get(URL)

    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHORIZED"


def test_candidates_are_forbidden(login, candidate):
    response = login(candidate.user).get(URL)

    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN"
    assert response.json()["details"] == {"required_scope": "analytics:read"}


def test_a_recruiter_token_without_the_scope_is_forbidden(login, recruiter):
    response = login(recruiter, scope="jobs:read").get(URL)

    assert response.status_code == 403
    assert response.json()["details"] == {"required_scope": "analytics:read"}


def test_analytics_is_read_only(login, recruiter):
    response = login(recruiter).post(URL, {}, format="json")

    assert response.status_code in (403, 405)


def test_the_query_count_does_not_grow_with_the_data(login, recruiter, open_job, history):
    client = login(recruiter)
    with CaptureQueriesContext(connection) as before:
        assert client.get(URL).status_code == 200
    start = timezone.now() - timedelta(days=30)
    for _ in range(10):
        pipeline(open_job, "referral", ("screening", 1), ("interview", 2), ("offer", 3), ("hired", 4), start=start)
        InterviewFactory(
            application=ApplicationFactory(job=open_job, stage="screening"),
            starts_at=timezone.now() + timedelta(days=1),
        )

    with CaptureQueriesContext(connection) as after:
        body = client.get(URL).json()

    assert body["time_to_hire"]["hires"] == 13
    # user, token family, memberships, then open jobs, stage/source counts, conversion,
    # time in stage, time to hire, upcoming count and the first upcoming, rejections by reason
    assert len(before) == len(after) == 10
