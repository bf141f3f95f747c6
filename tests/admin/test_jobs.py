"""Jobs in the back office: saved through the job services, moved by the actions."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jobs.models import Job
from tests.admin.helpers import action_data, add_url, change_url, changelist_url, listed_pks, messages_of
from tests.factories import ApplicationFactory, JobFactory, JobSkillFactory

pytestmark = pytest.mark.django_db


def job_form(organization_id: int, **overrides: Any) -> dict[str, Any]:
    """A complete add-form POST with two skills in the inline."""
    data: dict[str, Any] = {
        "organization": organization_id,
        "title": "Staff Engineer",
        "description": "Build the matching engine.",
        "department": "Platform",
        "location": "Lisbon",
        "remote_policy": "remote",
        "employment_type": "full_time",
        "min_years_experience": "5",
        "education": "none",
        "salary_min": "80000",
        "salary_max": "120000",
        "salary_currency": "EUR",
        "skills-TOTAL_FORMS": "2",
        "skills-INITIAL_FORMS": "0",
        "skills-MIN_NUM_FORMS": "0",
        "skills-MAX_NUM_FORMS": "1000",
        "skills-0-name": "Python",
        "skills-0-level": "expert",
        "skills-0-required": "on",
        "skills-1-name": "  Postgres ",
        "skills-1-level": "intermediate",
        # The hiring team inline, left empty.
        "hiring_team-TOTAL_FORMS": "0",
        "hiring_team-INITIAL_FORMS": "0",
        "hiring_team-MIN_NUM_FORMS": "0",
        "hiring_team-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_add_form_creates_a_draft_through_the_service(recruiter_client, recruiter, org):
    response = recruiter_client.post(add_url(Job), job_form(org.pk))

    assert response.status_code == 302
    job = Job.objects.get()
    assert (job.organization, job.created_by, job.status) == (org, recruiter, "draft")
    assert job.title == "Staff Engineer"
    # The service normalised and ordered the skills from the inline.
    assert list(job.skills.values_list("name", "normalized_name", "level", "required", "position")) == [
        ("Python", "python", "expert", True, 0),
        ("Postgres", "postgres", "intermediate", False, 1),
    ]


def test_service_rejection_shows_on_the_form_and_creates_nothing(recruiter_client, org):
    # The form accepts duplicate skill names (a business rule); the service does not.
    data = job_form(org.pk, **{"skills-1-name": "python"})

    response = recruiter_client.post(add_url(Job), data)

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert any("skills" in error for error in form.non_field_errors())
    assert response.context["errors"]
    assert not Job.objects.exists()


def test_the_form_checks_the_currency_code_and_creates_nothing(recruiter_client, org):
    response = recruiter_client.post(add_url(Job), job_form(org.pk, salary_currency="E1R"))

    assert response.status_code == 200
    assert "salary_currency" in response.context["adminform"].form.errors
    assert not Job.objects.exists()


def test_form_level_error_creates_nothing(recruiter_client, org):
    response = recruiter_client.post(add_url(Job), job_form(org.pk, title=""))

    assert response.status_code == 200
    assert "title" in response.context["adminform"].form.errors
    assert not Job.objects.exists()


def test_recruiter_may_only_choose_their_own_organization(recruiter_client, org, other_org):
    page = recruiter_client.get(add_url(Job))
    choices = page.context["adminform"].form.fields["organization"].queryset

    response = recruiter_client.post(add_url(Job), job_form(other_org.pk))

    assert list(choices) == [org]
    assert response.status_code == 200
    assert "organization" in response.context["adminform"].form.errors
    assert not Job.objects.exists()


def test_change_form_updates_through_the_service_and_keeps_status(recruiter_client, open_job):
    kept = JobSkillFactory.create(job=open_job, name="Go", normalized_name="go", position=0)
    dropped = JobSkillFactory.create(job=open_job, name="Rust", normalized_name="rust", position=1)
    data = job_form(
        open_job.organization_id,
        title="Principal Engineer",
        status="closed",
        **{
            "skills-TOTAL_FORMS": "3",
            "skills-INITIAL_FORMS": "2",
            "skills-0-id": kept.pk,
            "skills-0-job": open_job.pk,
            "skills-0-name": "Go",
            "skills-0-level": "advanced",
            "skills-0-required": "on",
            "skills-1-id": dropped.pk,
            "skills-1-job": open_job.pk,
            "skills-1-name": "Rust",
            "skills-1-level": "intermediate",
            "skills-1-DELETE": "on",
            "skills-2-name": "Kubernetes",
            "skills-2-level": "beginner",
        },
    )
    del data["organization"]

    response = recruiter_client.post(change_url(open_job), data)

    assert response.status_code == 302
    open_job.refresh_from_db()
    assert open_job.title == "Principal Engineer"
    assert open_job.status == "open"  # read-only in the form: posting it changes nothing
    assert list(open_job.skills.values_list("normalized_name", "level")) == [
        ("go", "advanced"),
        ("kubernetes", "beginner"),
    ]


def test_archived_job_edit_is_refused_with_a_message(recruiter_client, org):
    job = JobFactory.create(organization=org, status="archived", title="Old role")
    data = job_form(org.pk, title="Revived", **{"skills-TOTAL_FORMS": "0"})
    del data["organization"]

    response = recruiter_client.post(change_url(job), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == ["An archived job cannot be edited."]
    job.refresh_from_db()
    assert job.title == "Old role"


def test_close_action_closes_open_jobs_and_reports_drafts_as_failed(recruiter_client, org, open_job):
    draft = JobFactory.create(organization=org, status="draft", opened_at=None, title="Draft role")

    response = recruiter_client.post(changelist_url(Job), action_data("close_selected", open_job, draft))

    assert response.status_code == 302
    open_job.refresh_from_db()
    draft.refresh_from_db()
    assert (open_job.status, draft.status) == ("closed", "draft")
    assert open_job.closed_at is not None
    assert messages_of(response) == [
        "1 job closed.",
        "1 job could not be changed: Draft role: A draft job cannot become closed.",
    ]


def test_open_action_publishes_drafts(recruiter_client, org):
    drafts = [JobFactory.create(organization=org, status="draft", opened_at=None) for _ in range(2)]

    response = recruiter_client.post(changelist_url(Job), action_data("open_selected", *drafts))

    assert messages_of(response) == ["2 jobs opened."]
    assert set(Job.objects.values_list("status", flat=True)) == {"open"}


def test_actions_ignore_rows_of_another_organization(recruiter_client, other_open_job):
    recruiter_client.post(changelist_url(Job), action_data("close_selected", other_open_job))

    other_open_job.refresh_from_db()
    assert other_open_job.status == "open"


def test_changelist_counts_applications_per_job(recruiter_client, open_job, org):
    empty = JobFactory.create(organization=org)
    ApplicationFactory.create_batch(3, job=open_job)

    response = recruiter_client.get(changelist_url(Job))

    counts = {job.pk: job.num_applications for job in response.context["cl"].result_list}
    assert counts == {open_job.pk: 3, empty.pk: 0}


def _changelist_queries(client: Any) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(changelist_url(Job))
    assert response.status_code == 200
    return len(queries)


def test_changelist_queries_do_not_grow_with_rows(recruiter_client, org, django_assert_max_num_queries):
    def add_jobs(count: int) -> None:
        for _ in range(count):
            job = JobFactory.create(organization=org)
            JobSkillFactory.create(job=job)
            ApplicationFactory.create(job=job)

    add_jobs(2)
    few = _changelist_queries(recruiter_client)
    add_jobs(6)

    with django_assert_max_num_queries(few):
        response = recruiter_client.get(changelist_url(Job))

    assert len(listed_pks(response)) == 8
