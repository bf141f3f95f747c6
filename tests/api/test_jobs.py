import copy
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hotgigs.accounts.models import Membership
from jobs.models import Job
from tests.factories import JobFactory, MembershipFactory, OrganizationFactory
from tests.factories.jobs import JobSkillFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/jobs"

VALID_BODY: dict[str, Any] = {
    "title": "Backend Engineer",
    "description": "Build the matching service.",
    "department": "Engineering",
    "location": "Lisbon, Portugal",
    "remote_policy": "remote",
    "employment_type": "contract",
    "requirements": {
        "skills": [
            {"name": "Python", "level": "advanced", "required": True},
            {"name": "PostgreSQL", "level": "intermediate", "required": False},
        ],
        "min_years_experience": 3,
        "education": "bachelor",
    },
    "salary": {"min": 70000, "max": 95000, "currency": "EUR"},
}


def body(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(VALID_BODY)
    data.update(changes)
    return data


def detail(job: Job) -> str:
    return f"{URL}/{job.pk}"


@pytest.fixture
def draft_job(org, recruiter):  # type: ignore[no-untyped-def]
    return JobFactory.create(organization=org, created_by=recruiter, status="draft", opened_at=None)


@pytest.fixture
def other_draft_job(other_org, other_recruiter):  # type: ignore[no-untyped-def]
    return JobFactory.create(organization=other_org, created_by=other_recruiter, status="draft", opened_at=None)


def ids(response) -> list[int]:  # type: ignore[no-untyped-def]
    return [row["id"] for row in response.json()["results"]]


# --- list and retrieve -------------------------------------------------------------------


def test_recruiter_lists_all_jobs_of_own_organization(login, recruiter, open_job, draft_job, other_open_job):
    response = login(recruiter).get(URL)

    assert response.status_code == 200
    assert sorted(ids(response)) == sorted([open_job.pk, draft_job.pk])


def test_candidate_sees_the_job_board_of_open_jobs(login, candidate, open_job, other_open_job, draft_job):
    response = login(candidate.user).get(URL)

    assert response.status_code == 200
    assert sorted(ids(response)) == sorted([open_job.pk, other_open_job.pk])


def test_staff_sees_every_job(login, staff, open_job, draft_job, other_draft_job):
    response = login(staff).get(URL)

    assert sorted(ids(response)) == sorted([open_job.pk, draft_job.pk, other_draft_job.pk])


def test_retrieve_has_the_documented_shape(login, recruiter, open_job):
    JobSkillFactory.create(job=open_job, name="Django", level="expert", required=False)

    response = login(recruiter).get(detail(open_job))

    assert response.status_code == 200
    job = response.json()
    assert set(job) == {
        "id",
        "organization",
        "title",
        "description",
        "department",
        "location",
        "remote_policy",
        "employment_type",
        "requirements",
        "salary",
        "status",
        "created_at",
        "updated_at",
        "opened_at",
        "closed_at",
    }
    assert job["organization"] == {"id": open_job.organization_id, "name": "Acme Robotics"}
    assert job["requirements"] == {
        "skills": [{"name": "Django", "level": "expert", "required": False}],
        "min_years_experience": 2,
        "education": "none",
    }
    assert job["salary"] == {"min": 60000, "max": 90000, "currency": "EUR"}
    assert job["closed_at"] is None


def test_seed_path_answers_like_v1(login, recruiter, open_job):
    client = login(recruiter)

    seed = client.get("/api/jobs")
    v1 = client.get(URL)

    assert seed.status_code == 200
    assert seed.json() == v1.json()
    assert client.get(f"/api/jobs/{open_job.pk}").json() == client.get(detail(open_job)).json()


def test_trailing_slash_is_optional(login, recruiter, open_job):
    client = login(recruiter)

    assert client.get(f"{URL}/").status_code == 200
    assert client.get(f"{detail(open_job)}/").status_code == 200


@pytest.mark.parametrize("who", ["recruiter", "candidate"])
def test_another_organizations_draft_is_not_found(request, login, who, other_draft_job):
    user = request.getfixturevalue("recruiter") if who == "recruiter" else request.getfixturevalue("candidate").user

    response = login(user).get(detail(other_draft_job))

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


def test_recruiter_does_not_see_another_organizations_open_job(login, recruiter, other_open_job):
    response = login(recruiter).get(detail(other_open_job))

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


def test_non_numeric_id_is_not_found(login, recruiter):
    response = login(recruiter).get(f"{URL}/abc")

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


# --- authentication and scopes -----------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", ""), ("get", "/{id}"), ("post", ""), ("patch", "/{id}"), ("put", "/{id}"), ("post", "/{id}/close")],
)
def test_without_a_token_is_unauthorized(api_client, open_job, method, path):
    response = getattr(api_client, method)(URL + path.format(id=open_job.pk), {}, format="json")

    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHORIZED"


@pytest.mark.parametrize(
    ("method", "path"),
    [("post", ""), ("patch", "/{id}"), ("put", "/{id}"), ("post", "/{id}/close"), ("post", "/{id}/archive")],
)
def test_write_without_jobs_write_scope_is_forbidden(login, recruiter, open_job, method, path):
    client = login(recruiter, scope="jobs:read")

    response = getattr(client, method)(URL + path.format(id=open_job.pk), body(), format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN"
    assert response.json()["details"] == {"required_scope": "jobs:write"}
    assert Job.objects.count() == 1


def test_read_without_jobs_read_scope_is_forbidden(login, recruiter, open_job):
    client = login(recruiter, scope="candidates:read")

    response = client.get(URL)

    assert response.status_code == 403
    assert response.json()["details"] == {"required_scope": "jobs:read"}


def test_candidate_cannot_create_a_job(login, candidate):
    response = login(candidate.user).post(URL, body(), format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN"
    assert not Job.objects.exists()


def test_former_member_with_a_write_token_cannot_create_or_change_jobs(login, recruiter, open_job):
    client = login(recruiter)
    Membership.objects.filter(user=recruiter).delete()

    created = client.post(URL, body(), format="json")
    closed = client.post(f"{detail(open_job)}/close", format="json")

    assert created.status_code == 403
    assert created.json()["code"] == "FORBIDDEN"
    # The open job is still on the board they can read, but only members may change it.
    assert closed.status_code == 403
    assert closed.json()["code"] == "FORBIDDEN"
    open_job.refresh_from_db()
    assert open_job.status == "open"
    assert Job.objects.count() == 1


# --- create ------------------------------------------------------------------------------


def test_recruiter_creates_a_draft_job(login, recruiter, org):
    response = login(recruiter).post(URL, body(), format="json")

    assert response.status_code == 201
    job = response.json()
    assert job["status"] == "draft"
    assert job["organization"] == {"id": org.pk, "name": org.name}
    assert job["requirements"]["skills"] == VALID_BODY["requirements"]["skills"]
    assert job["requirements"]["min_years_experience"] == 3
    assert job["salary"] == {"min": 70000, "max": 95000, "currency": "EUR"}
    assert job["opened_at"] is None
    row = Job.objects.get(pk=job["id"])
    assert row.created_by == recruiter
    assert list(row.skills.values_list("normalized_name", flat=True)) == ["python", "postgresql"]


def test_create_with_only_title_and_description_takes_defaults(login, recruiter):
    response = login(recruiter).post(URL, {"title": "Intern", "description": "Learn."}, format="json")

    assert response.status_code == 201
    job = response.json()
    assert job["remote_policy"] == "onsite"
    assert job["employment_type"] == "full_time"
    assert job["requirements"] == {"skills": [], "min_years_experience": 0, "education": "none"}
    assert job["salary"] == {"min": None, "max": None, "currency": ""}


def test_create_in_a_named_organization(login, recruiter, org):
    response = login(recruiter).post(URL, body(organization=org.pk), format="json")

    assert response.status_code == 201
    assert response.json()["organization"]["id"] == org.pk


def test_member_of_two_organizations_must_name_one(login, recruiter):
    MembershipFactory.create(user=recruiter, organization=OrganizationFactory.create(name="Initech"))

    response = login(recruiter).post(URL, body(), format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert "organization" in response.json()["details"]
    assert not Job.objects.exists()


def test_create_in_another_organization_is_not_found(login, recruiter, other_org):
    response = login(recruiter).post(URL, body(organization=other_org.pk), format="json")

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"
    assert not Job.objects.exists()


def test_staff_creates_in_any_named_organization(login, staff, other_org):
    response = login(staff).post(URL, body(organization=other_org.pk), format="json")

    assert response.status_code == 201
    assert response.json()["organization"]["id"] == other_org.pk


def _with_requirements(**changes: Any) -> dict[str, Any]:
    return body(requirements={**VALID_BODY["requirements"], **changes})


INVALID_BODIES = [
    pytest.param(body(title=""), ("title",), id="title-blank"),
    pytest.param(body(title="   "), ("title",), id="title-whitespace"),
    pytest.param(body(title="x" * 256), ("title",), id="title-256"),
    pytest.param(body(description=""), ("description",), id="description-blank"),
    pytest.param(body(remote_policy="moon"), ("remote_policy",), id="remote-policy"),
    pytest.param(
        _with_requirements(skills=[{"name": "Python", "level": "guru"}]),
        ("requirements", "skills"),
        id="skill-level",
    ),
    pytest.param(
        _with_requirements(skills=[{"name": "Python"}, {"name": " python "}]),
        ("requirements", "skills"),
        id="duplicate-skills",
    ),
    pytest.param(
        _with_requirements(skills=[{"name": "Python", "years": 3}]),
        ("requirements", "skills"),
        id="skill-unknown-key",
    ),
    pytest.param(_with_requirements(min_years_experience=51), ("requirements", "min_years_experience"), id="years"),
    pytest.param(_with_requirements(education="wizard"), ("requirements", "education"), id="education"),
    pytest.param(body(salary={"min": 100, "max": 50, "currency": "EUR"}), ("salary", "max"), id="salary-min-gt-max"),
    pytest.param(body(salary={"min": -1, "currency": "EUR"}), ("salary", "min"), id="salary-negative"),
    pytest.param(body(salary={"min": 100}), ("salary", "currency"), id="salary-without-currency"),
    pytest.param(body(salary={"min": 100, "currency": "euro"}), ("salary", "currency"), id="currency-length"),
    pytest.param(body(colour="blue"), ("colour",), id="unknown-field"),
    pytest.param(body(status="open"), ("status",), id="protected-status"),
    pytest.param(body(created_by=1), ("created_by",), id="protected-created-by"),
    pytest.param(body(id=999), ("id",), id="protected-id"),
    pytest.param(body(opened_at="2024-01-01T00:00:00Z"), ("opened_at",), id="protected-timestamp"),
    pytest.param(body(organization="acme"), ("organization",), id="organization-not-an-id"),
]


def _error_at(details: dict[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = details
    for key in path:
        assert isinstance(node, dict), details
        assert key in node, details
        node = node[key]
    return node


@pytest.mark.parametrize(("data", "path"), INVALID_BODIES)
def test_create_rejects_invalid_input(login, recruiter, data, path):
    response = login(recruiter).post(URL, data, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert _error_at(response.json()["details"], path)
    assert not Job.objects.exists()


def test_create_rejects_a_non_object_body(login, recruiter):
    response = login(recruiter).post(URL, ["title"], format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"


# --- update ------------------------------------------------------------------------------


def test_patch_changes_only_the_given_fields(login, recruiter, open_job):
    JobSkillFactory.create(job=open_job, name="Go")

    response = login(recruiter).patch(
        detail(open_job), {"title": "Staff Engineer", "salary": {"max": 120000}}, format="json"
    )

    assert response.status_code == 200
    job = response.json()
    assert job["title"] == "Staff Engineer"
    assert job["salary"] == {"min": 60000, "max": 120000, "currency": "EUR"}
    assert job["location"] == "Berlin, Germany"
    assert job["status"] == "open"
    assert [s["name"] for s in job["requirements"]["skills"]] == ["Go"]


def test_patch_skills_replaces_the_list(login, recruiter, open_job):
    JobSkillFactory.create(job=open_job, name="Go")

    response = login(recruiter).patch(
        detail(open_job), {"requirements": {"skills": [{"name": "Rust", "level": "expert"}]}}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["requirements"]["skills"] == [{"name": "Rust", "level": "expert", "required": True}]
    assert response.json()["requirements"]["min_years_experience"] == 2


def test_put_replaces_the_job_and_resets_omitted_fields(login, recruiter, open_job):
    response = login(recruiter).put(detail(open_job), {"title": "Renamed", "description": "New text."}, format="json")

    assert response.status_code == 200
    job = response.json()
    assert job["title"] == "Renamed"
    assert job["location"] == ""
    assert job["salary"] == {"min": None, "max": None, "currency": ""}
    assert job["requirements"]["min_years_experience"] == 0


def test_put_requires_title_and_description(login, recruiter, open_job):
    response = login(recruiter).put(detail(open_job), {"location": "Paris"}, format="json")

    assert response.status_code == 400
    assert set(response.json()["details"]) == {"title", "description"}


UPDATE_INVALID = [
    pytest.param({"title": ""}, ("title",), id="title-blank"),
    pytest.param({"title": "x" * 256}, ("title",), id="title-256"),
    pytest.param({"description": ""}, ("description",), id="description-blank"),
    pytest.param({"requirements": {"skills": [{"name": "A", "level": "god"}]}}, ("requirements", "skills"), id="level"),
    pytest.param(
        {"requirements": {"skills": [{"name": "A"}, {"name": "a"}]}}, ("requirements", "skills"), id="duplicates"
    ),
    pytest.param({"salary": {"min": 95000}}, ("salary", "max"), id="salary-min-above-stored-max"),
    pytest.param({"colour": "blue"}, ("colour",), id="unknown-field"),
    pytest.param({"organization": 1}, ("organization",), id="protected-organization"),
    pytest.param({"status": "closed"}, ("status",), id="protected-status"),
    pytest.param({"created_by": 1}, ("created_by",), id="protected-created-by"),
]


@pytest.mark.parametrize(("data", "path"), UPDATE_INVALID)
def test_patch_rejects_invalid_input_and_changes_nothing(login, recruiter, open_job, data, path):
    before = Job.objects.filter(pk=open_job.pk).values().get()

    response = login(recruiter).patch(detail(open_job), data, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert _error_at(response.json()["details"], path)
    assert Job.objects.filter(pk=open_job.pk).values().get() == before


def test_patch_another_organizations_job_is_not_found(login, recruiter, other_draft_job):
    response = login(recruiter).patch(detail(other_draft_job), {"title": "Mine now"}, format="json")

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"
    other_draft_job.refresh_from_db()
    assert other_draft_job.title != "Mine now"


def test_archived_job_cannot_be_edited(login, recruiter, org):
    job = JobFactory.create(organization=org, status="archived")

    response = login(recruiter).patch(detail(job), {"title": "Back"}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "CONFLICT"


# --- status moves ------------------------------------------------------------------------


def test_publish_close_reopen_archive(login, recruiter, draft_job):
    client = login(recruiter)

    opened = client.post(f"{detail(draft_job)}/open", format="json")
    closed = client.post(f"{detail(draft_job)}/close", format="json")
    reopened = client.post(f"{detail(draft_job)}/open", format="json")
    closed_again = client.post(f"{detail(draft_job)}/close", format="json")
    archived = client.post(f"{detail(draft_job)}/archive", format="json")

    assert [r.status_code for r in (opened, closed, reopened, closed_again, archived)] == [200] * 5
    assert opened.json()["status"] == "open"
    assert opened.json()["opened_at"] is not None
    assert closed.json()["status"] == "closed"
    assert closed.json()["closed_at"] is not None
    assert reopened.json()["status"] == "open"
    assert reopened.json()["closed_at"] is None
    assert archived.json()["status"] == "archived"


@pytest.mark.parametrize(
    ("status", "action", "allowed"),
    [
        ("draft", "close", ["open", "archived"]),
        ("open", "open", ["closed"]),
        ("open", "archive", ["closed"]),
        ("archived", "open", []),
    ],
)
def test_illegal_status_move_is_a_conflict(login, recruiter, org, status, action, allowed):
    job = JobFactory.create(organization=org, status=status)

    response = login(recruiter).post(f"{detail(job)}/{action}", format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "CONFLICT"
    assert response.json()["details"]["allowed"] == allowed
    job.refresh_from_db()
    assert job.status == status


def test_status_move_refuses_a_body(login, recruiter, open_job):
    response = login(recruiter).post(f"{detail(open_job)}/close", {"reason": "filled"}, format="json")

    assert response.status_code == 400
    assert "reason" in response.json()["details"]
    open_job.refresh_from_db()
    assert open_job.status == "open"


def test_closing_another_organizations_job_is_not_found(login, recruiter, other_open_job):
    response = login(recruiter).post(f"{detail(other_open_job)}/close", format="json")

    assert response.status_code == 404
    other_open_job.refresh_from_db()
    assert other_open_job.status == "open"


# --- filters, search, ordering -----------------------------------------------------------


@pytest.fixture
def board(org):  # type: ignore[no-untyped-def]
    remote = JobFactory.create(
        organization=org,
        title="Remote Python Developer",
        description="Django and Celery.",
        location="Anywhere",
        remote_policy="remote",
        employment_type="contract",
        salary_min=50000,
        salary_max=70000,
    )
    JobSkillFactory.create(job=remote, name="Python")
    JobSkillFactory.create(job=remote, name="Django")
    hybrid = JobFactory.create(
        organization=org,
        title="Data Engineer",
        description="Pipelines in Python.",
        location="Berlin, Germany",
        remote_policy="hybrid",
        salary_min=90000,
        salary_max=120000,
    )
    JobSkillFactory.create(job=hybrid, name="Python")
    onsite = JobFactory.create(
        organization=org,
        title="Office Manager",
        description="Keep the office running.",
        location="Munich, Germany",
        remote_policy="onsite",
        status="closed",
        salary_min=None,
        salary_max=None,
        salary_currency="",
    )
    return {"remote": remote, "hybrid": hybrid, "onsite": onsite}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=open", ["remote", "hybrid"]),
        ("status=open,closed", ["remote", "hybrid", "onsite"]),
        ("remote=true", ["remote", "hybrid"]),
        ("remote=false", ["onsite"]),
        ("remote_policy=hybrid", ["hybrid"]),
        ("employment_type=contract", ["remote"]),
        ("location=GERMANY", ["hybrid", "onsite"]),
        ("skill=python", ["remote", "hybrid"]),
        ("skill=%20PYTHON%20,django", ["remote"]),
        ("salary_min=80000", ["hybrid"]),
        ("salary_max=60000", ["remote"]),
        ("salary_min=65000&salary_max=95000", ["remote", "hybrid"]),
        ("search=python", ["remote", "hybrid"]),
        ("search=office%20running", ["onsite"]),
    ],
)
def test_filters_and_search(login, recruiter, board, query, expected):
    response = login(recruiter).get(f"{URL}?{query}")

    assert response.status_code == 200
    assert sorted(ids(response)) == sorted(board[name].pk for name in expected)


def test_filter_by_organization(login, staff, open_job, other_open_job):
    response = login(staff).get(f"{URL}?organization={other_open_job.organization_id}")

    assert ids(response) == [other_open_job.pk]


@pytest.mark.parametrize("query", ["status=bogus", "remote_policy=moon", "salary_min=abc", "ordering=description"])
def test_invalid_filter_value_is_a_validation_error(login, recruiter, query):
    response = login(recruiter).get(f"{URL}?{query}")

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("title", ["hybrid", "onsite", "remote"]),
        ("-title", ["remote", "onsite", "hybrid"]),
        ("-salary_max", ["hybrid", "remote", "onsite"]),
        ("salary_max", ["onsite", "remote", "hybrid"]),
    ],
)
def test_ordering(login, recruiter, board, ordering, expected):
    response = login(recruiter).get(f"{URL}?ordering={ordering}")

    assert ids(response) == [board[name].pk for name in expected]


# --- pagination and query counts ---------------------------------------------------------


def _walk(client, url: str) -> list[int]:  # type: ignore[no-untyped-def]
    seen: list[int] = []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen.extend(ids(response))
        url = response.json()["next"]
    return seen


def test_cursor_pagination_walks_every_job_once(login, recruiter, org):
    jobs = JobFactory.create_batch(7, organization=org)

    seen = _walk(login(recruiter), f"{URL}?page_size=3")

    assert seen == [job.pk for job in sorted(jobs, key=lambda j: (j.created_at, j.pk), reverse=True)]


def test_cursor_pagination_keeps_the_ordering(login, recruiter, org):
    for title in ("Delta", "Alpha", "Charlie", "Bravo", "Echo"):
        JobFactory.create(organization=org, title=title, salary_max=80000)

    titles_by_salary = _walk(login(recruiter), f"{URL}?page_size=2&ordering=-salary_max")
    by_title = login(recruiter).get(f"{URL}?page_size=2&ordering=title")

    assert len(titles_by_salary) == 5
    assert len(set(titles_by_salary)) == 5
    assert len(_walk(login(recruiter), f"{URL}?page_size=2&ordering=title")) == 5
    assert [row["title"] for row in by_title.json()["results"]] == ["Alpha", "Bravo"]


def test_page_size_is_capped(login, recruiter, org, settings):
    settings.API_MAX_PAGE_SIZE = 3
    JobFactory.create_batch(5, organization=org)

    response = login(recruiter).get(f"{URL}?page_size=1000")

    assert len(response.json()["results"]) == 3
    assert response.json()["next"] is not None


def test_invalid_cursor_is_a_validation_error(login, recruiter):
    response = login(recruiter).get(f"{URL}?cursor=garbage")

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"


@pytest.mark.parametrize("who", ["recruiter", "candidate", "staff"])
def test_list_runs_a_constant_number_of_queries(request, login, django_assert_num_queries, org, who):
    for job in JobFactory.create_batch(60, organization=org):
        JobSkillFactory.create(job=job, name="Python")
        JobSkillFactory.create(job=job, name="SQL")
    user = request.getfixturevalue(who)
    client = login(user.user if who == "candidate" else user)
    query = "?skill=python&remote=true&search=engineer&ordering=-salary_max"

    with CaptureQueriesContext(connection) as small:
        assert len(client.get(f"{URL}{query}&page_size=5").json()["results"]) == 5

    with django_assert_num_queries(len(small.captured_queries)):
        assert len(client.get(f"{URL}{query}&page_size=50").json()["results"]) == 50


def test_fast_rendering_matches_the_declared_fields(recruiter, org):
    """JobSerializer.to_representation is hand-written for speed; it must equal DRF's own rendering."""
    from rest_framework import serializers as drf_serializers

    from jobs.api.serializers import JobSerializer
    from jobs.selectors import job_get
    from tests.factories import JobFactory, JobSkillFactory

    job = JobFactory(organization=org, closed_at=None)
    JobSkillFactory(job=job, name="Python", level="expert", required=True)
    JobSkillFactory(job=job, name="Go", level="beginner", required=False)
    loaded = job_get(actor=recruiter, job_id=job.pk)

    fast = JobSerializer(loaded).data
    declared = drf_serializers.Serializer.to_representation(JobSerializer(loaded), loaded)

    assert fast == declared
