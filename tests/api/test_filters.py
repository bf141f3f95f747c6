"""One convention for the multi-value filters of every list (hotgigs/api/filters.py).

Repeated parameters (what a client generated from the schema sends) and comma-separated
values are both accepted, mixed too; nothing is ever reduced to the last value silently.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    CandidateSkillFactory,
    InterviewFactory,
    JobFactory,
    JobSkillFactory,
)

pytestmark = pytest.mark.django_db

JOBS = "/api/v1/jobs"
CANDIDATES = "/api/v1/candidates"
APPLICATIONS = "/api/v1/applications"
INTERVIEWS = "/api/v1/interviews"


def ids(response) -> set[int]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def jobs(org, recruiter):  # type: ignore[no-untyped-def]
    made = {
        status: JobFactory(organization=org, created_by=recruiter, status=status)
        for status in ("open", "closed", "draft")
    }
    JobSkillFactory(job=made["open"], name="Python")
    JobSkillFactory(job=made["open"], name="Django")
    JobSkillFactory(job=made["closed"], name="Python")
    return made


@pytest.mark.parametrize(
    "query",
    ["status=open&status=closed", "status=open,closed", "status=open,%20closed", "status=open&status=closed,open"],
)
def test_job_status_takes_repeated_and_comma_separated_values(login, recruiter, jobs, query):
    response = login(recruiter).get(f"{JOBS}?{query}")

    assert ids(response) == {jobs["open"].pk, jobs["closed"].pk}


@pytest.mark.parametrize("query", ["skill=python&skill=django", "skill=python,django", "skill=PYTHON&skill=%20django"])
def test_job_skills_take_both_forms_and_all_must_match(login, recruiter, jobs, query):
    response = login(recruiter).get(f"{JOBS}?{query}")

    assert ids(response) == {jobs["open"].pk}


@pytest.mark.parametrize("query", ["skill=python&skill=rust", "skill=python,rust"])
def test_candidate_skills_take_both_forms(login, recruiter, query):
    both = CandidateFactory(discoverable=True)
    CandidateSkillFactory(candidate=both, name="Python")
    CandidateSkillFactory(candidate=both, name="Rust")
    python_only = CandidateFactory(discoverable=True)
    CandidateSkillFactory(candidate=python_only, name="Python")

    response = login(recruiter).get(f"{CANDIDATES}?{query}")

    assert ids(response) == {both.pk}


@pytest.mark.parametrize("query", ["stage=applied&stage=screening", "stage=applied,screening"])
def test_application_stages_take_both_forms(login, recruiter, open_job, query):
    applied = ApplicationFactory(job=open_job)
    screening = ApplicationFactory(job=open_job, stage="screening")
    ApplicationFactory(job=open_job, stage="rejected")

    response = login(recruiter).get(f"{APPLICATIONS}?{query}")

    assert ids(response) == {applied.pk, screening.pk}


@pytest.mark.parametrize("query", ["status=cancelled&status=completed", "status=cancelled,completed"])
def test_interview_statuses_take_both_forms(login, recruiter, open_job, query):
    application = ApplicationFactory(job=open_job, stage="screening")
    soon = timezone.now() + timedelta(days=2)
    cancelled = InterviewFactory(application=application, status="cancelled", starts_at=soon)
    completed = InterviewFactory(application=application, status="completed", starts_at=soon + timedelta(days=1))
    InterviewFactory(application=application, starts_at=soon + timedelta(days=2))

    response = login(recruiter).get(f"{INTERVIEWS}?{query}")

    assert ids(response) == {cancelled.pk, completed.pk}


@pytest.mark.parametrize(
    ("url", "query", "parameter"),
    [
        (JOBS, "status=", "status"),
        (JOBS, "status=open,,closed", "status"),
        (JOBS, "status=open&status=bogus", "status"),
        (JOBS, "skill=python&skill=", "skill"),
        (JOBS, "skill=" + ",".join(f"s{n}" for n in range(21)), "skill"),
        (APPLICATIONS, "stage=applied,promoted", "stage"),
        (INTERVIEWS, "status=cancelled,", "status"),
        (CANDIDATES, "skill=%20", "skill"),
    ],
)
def test_a_bad_or_empty_value_is_refused_naming_the_parameter(login, recruiter, url, query, parameter):
    response = login(recruiter).get(f"{url}?{query}")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "VALIDATION_ERROR"
    assert parameter in body["details"]


@pytest.mark.parametrize(
    ("url", "query", "parameter"),
    [
        (JOBS, "remote_policy=onsite&remote_policy=remote", "remote_policy"),
        (JOBS, "organization=1&organization=2", "organization"),
        (APPLICATIONS, "job=1&job=2", "job"),
        (INTERVIEWS, "starts_after=2030-01-01T00:00:00Z&starts_after=2031-01-01T00:00:00Z", "starts_after"),
        (CANDIDATES, "location=berlin&location=paris", "location"),
    ],
)
def test_a_single_value_filter_given_twice_is_refused(login, recruiter, url, query, parameter):
    response = login(recruiter).get(f"{url}?{query}")

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert parameter in response.json()["details"]


@pytest.mark.parametrize(
    ("path", "parameter", "enum"),
    [
        ("/api/v1/jobs/", "status", ["draft", "open", "closed", "archived"]),
        ("/api/v1/jobs/", "skill", None),
        ("/api/v1/candidates/", "skill", None),
        ("/api/v1/applications/", "stage", ["applied", "screening", "interview", "offer", "hired"]),
        ("/api/v1/interviews/", "status", ["scheduled", "completed", "cancelled", "no_show"]),
    ],
)
def test_the_schema_documents_multi_value_filters_as_exploded_arrays(client, path, parameter, enum):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    documented = {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}[parameter]

    assert documented["style"] == "form"
    assert documented["explode"] is True
    assert documented["schema"]["type"] == "array"
    items = documented["schema"]["items"]
    if enum is None:
        assert "pattern" in items
    else:
        assert set(enum) <= set(items["enum"])


@pytest.mark.parametrize(
    ("url", "query", "parameter"),
    [
        (JOBS, "remote=AAA", "remote"),
        (CANDIDATES, "open_to_remote=maybe", "open_to_remote"),
        (INTERVIEWS, "starts_before=", "starts_before"),
        (APPLICATIONS, "job=", "job"),
        (JOBS, "salary_min=", "salary_min"),
    ],
)
def test_a_malformed_or_empty_typed_value_is_refused_not_ignored(login, recruiter, url, query, parameter):
    response = login(recruiter).get(f"{url}?{query}")

    assert response.status_code == 400
    assert parameter in response.json()["details"]


@pytest.mark.parametrize(
    ("url", "query", "unknown"),
    [
        (JOBS, "titel=engineer", ["titel"]),
        (JOBS, "status=open&stauts=closed", ["stauts"]),
        (APPLICATIONS, "page_size=5&sort=-created_at&_=1700000000", ["_", "sort"]),
        (INTERVIEWS, "E%F2%B2%AD%9E%3F=false", ["E\U000b2b5e?"]),
        (CANDIDATES, "skills=python", ["skills"]),
    ],
)
def test_a_parameter_the_list_does_not_take_is_refused_not_ignored(login, recruiter, open_job, url, query, unknown):
    # A misspelt filter must not answer the unfiltered list as if it had been applied.
    response = login(recruiter).get(f"{url}?{query}")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "VALIDATION_ERROR"
    assert body["details"] == {name: ["Unknown parameter."] for name in unknown}


def test_the_lists_own_parameters_are_all_accepted(login, recruiter, open_job):
    response = login(recruiter).get(f"{JOBS}?status=open&skill=python&page_size=5")

    assert response.status_code == 200
