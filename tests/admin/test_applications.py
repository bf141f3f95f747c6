"""Applications in the back office: stage moves through application_move, history shown."""

from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.models import Application, StageChange
from tests.admin.helpers import action_data, add_url, change_url, changelist_url, listed_pks, messages_of
from tests.factories import ApplicationFactory, CandidateFactory, InterviewFactory, JobFactory

pytestmark = pytest.mark.django_db


def history(application: Application) -> list[tuple[str, str, int | None]]:
    return list(
        StageChange.objects.filter(application=application)
        .order_by("changed_at", "id")
        .values_list("from_stage", "to_stage", "actor_id")
    )


def test_move_action_moves_legal_rows_and_refuses_illegal_ones(recruiter_client, recruiter, open_job):
    ready = ApplicationFactory.create(job=open_job, stage="screening")
    too_early = ApplicationFactory.create(job=open_job, stage="applied")

    response = recruiter_client.post(changelist_url(Application), action_data("move_to_interview", ready, too_early))

    assert response.status_code == 302
    ready.refresh_from_db()
    too_early.refresh_from_db()
    assert (ready.stage, too_early.stage) == ("interview", "applied")
    # The factory's first row has from_stage "" and to_stage "applied" (no actor).
    assert history(ready) == [("", "applied", None), ("screening", "interview", recruiter.pk)]
    assert history(too_early) == [("", "applied", None)]
    success, failure = messages_of(response)
    assert success == "1 application moved to interview."
    # In people's terms: no ids, the legal moves named.
    assert failure == (
        f"1 application could not be changed: {too_early.candidate.full_name}'s application cannot move "
        "from Applied to Interview. From Applied it can move to Screening, Rejected or Withdrawn."
    )
    # The move is in the application's History; the refused one left none.
    logged = LogEntry.objects.filter(object_id__in=[str(ready.pk), str(too_early.pk)])
    assert [(entry.object_id, entry.change_message) for entry in logged] == [
        (str(ready.pk), "Moved from Screening to Interview (list action).")
    ]


def test_move_to_rejected_from_any_active_stage(recruiter_client, open_job):
    applications = [ApplicationFactory.create(job=open_job, stage=stage) for stage in ("applied", "offer")]

    response = recruiter_client.post(changelist_url(Application), action_data("reject_experience", *applications))

    assert messages_of(response) == ["2 applications moved to rejected."]
    assert set(Application.objects.values_list("stage", flat=True)) == {"rejected"}
    assert set(StageChange.objects.filter(to_stage="rejected").values_list("rejection_reason__code", flat=True)) == {
        "experience"
    }


def test_move_action_ignores_another_organizations_rows(recruiter_client, other_open_job):
    theirs = ApplicationFactory.create(job=other_open_job)

    recruiter_client.post(changelist_url(Application), action_data("move_to_screening", theirs))

    theirs.refresh_from_db()
    assert theirs.stage == "applied"
    assert len(history(theirs)) == 1


def test_change_page_is_the_workspace_page_with_history_and_interviews(recruiter_client, recruiter, open_job):
    application = ApplicationFactory.create(job=open_job)
    InterviewFactory.create(application=application, interviewers=[recruiter])

    page = recruiter_client.get(change_url(application))
    post = recruiter_client.post(change_url(application), {"stage": "hired"})

    assert page.status_code == 200
    assert page.context["title"] == f"{application.candidate.full_name} — {open_job.title} · Applied"
    assert len(page.context["history"]) == 1
    assert len(page.context["interviews"]) == 1
    # Changes go through the page's actions, never a POST of the page itself.
    assert post.status_code == 405
    application.refresh_from_db()
    assert application.stage == "applied"


def test_add_form_submits_through_the_service(recruiter_client, recruiter, open_job):
    candidate = CandidateFactory.create(user=None, created_by=recruiter)
    data = {"job": open_job.pk, "candidate": candidate.pk, "source": "sourced", "cover_letter": ""}

    response = recruiter_client.post(add_url(Application), data)

    assert response.status_code == 302
    application = Application.objects.get()
    assert (application.job, application.candidate, application.stage) == (open_job, candidate, "applied")
    assert application.created_by == recruiter
    assert history(application) == [("", "applied", recruiter.pk)]


def test_add_form_refusal_from_the_service_shows_on_the_form(recruiter_client, recruiter, org):
    closed = JobFactory.create(organization=org, status="closed")
    candidate = CandidateFactory.create(user=None, created_by=recruiter)
    data = {"job": closed.pk, "candidate": candidate.pk, "source": "sourced", "cover_letter": ""}

    response = recruiter_client.post(add_url(Application), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    assert not Application.objects.exists()


def test_add_form_refuses_an_overlong_cover_letter_and_writes_nothing(recruiter_client, recruiter, open_job):
    candidate = CandidateFactory.create(user=None, created_by=recruiter)
    data = {"job": open_job.pk, "candidate": candidate.pk, "source": "sourced", "cover_letter": "x" * 10_001}

    response = recruiter_client.post(add_url(Application), data)

    assert response.status_code == 200
    assert "cover_letter" in response.context["adminform"].form.errors
    assert not Application.objects.exists()


def test_add_form_offers_only_visible_jobs_and_candidates(recruiter_client, other_open_job, other_recruiter):
    hidden = CandidateFactory.create(user=None, created_by=other_recruiter)
    data = {"job": other_open_job.pk, "candidate": hidden.pk, "source": "sourced", "cover_letter": ""}

    response = recruiter_client.post(add_url(Application), data)

    assert response.status_code == 200
    assert set(response.context["adminform"].form.errors) == {"job", "candidate"}
    assert not Application.objects.exists()


@pytest.mark.usefixtures("open_job", "other_open_job")
def test_organization_filter_is_for_staff_only(recruiter_client, client, staff):
    def filter_titles(response: Any) -> set[str]:
        return {spec.title for spec in response.context["cl"].filter_specs}

    recruiter_view = filter_titles(recruiter_client.get(changelist_url(Application)))
    client.force_login(staff)
    staff_view = filter_titles(client.get(changelist_url(Application)))

    assert "organization" not in recruiter_view
    assert staff_view - recruiter_view == {"organization"}


def test_search_finds_by_candidate_email(recruiter_client, open_job):
    wanted = ApplicationFactory.create(
        job=open_job, candidate=CandidateFactory.create(user=None, email="ada@example.test")
    )
    ApplicationFactory.create(job=open_job)

    response = recruiter_client.get(changelist_url(Application), {"q": "ada@example"})

    assert listed_pks(response) == {wanted.pk}


def _changelist_queries(client: Any) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(changelist_url(Application))
    assert response.status_code == 200
    return len(queries)


def test_changelist_queries_do_not_grow_with_rows(recruiter_client, open_job, django_assert_max_num_queries):
    ApplicationFactory.create_batch(2, job=open_job)
    few = _changelist_queries(recruiter_client)
    ApplicationFactory.create_batch(6, job=open_job)

    with django_assert_max_num_queries(few):
        response = recruiter_client.get(changelist_url(Application))

    assert len(listed_pks(response)) == 8


def test_org_admins_add_rejection_reasons_in_the_back_office_and_recruiters_may_not(client, org, recruiter, org_admin):
    from applications.models import RejectionReason

    data = {"organization": org.pk, "code": "salary", "label": "Salary", "position": 5}
    client.force_login(recruiter)
    client.post(add_url(RejectionReason), data)
    assert not RejectionReason.objects.filter(code="salary").exists()

    client.force_login(org_admin)
    response = client.post(add_url(RejectionReason), data)

    assert response.status_code == 302
    assert RejectionReason.objects.get(code="salary").organization_id == org.pk


def test_org_admins_edit_rejection_email_templates_in_the_back_office(client, org, other_org, recruiter, org_admin):
    from applications.models import RejectionEmailTemplate

    template = RejectionEmailTemplate.objects.get(organization=org)
    theirs = RejectionEmailTemplate.objects.get(organization=other_org)
    body = template.body
    good = {"name": "Kind", "subject": "About {job_title}", "body": "Dear {candidate_first_name},\nThanks."}

    client.force_login(recruiter)
    client.post(change_url(template), good)
    template.refresh_from_db()
    assert template.body == body

    client.force_login(org_admin)
    refused = client.post(change_url(template), {**good, "body": "Dear {candidate.user.password}"})
    assert refused.status_code == 200
    assert "Unknown placeholder {candidate.user.password}" in refused.content.decode()
    template.refresh_from_db()
    assert template.body == body
    assert client.get(change_url(theirs)).status_code in (302, 404)

    saved = client.post(change_url(template), good)

    assert saved.status_code == 302
    template.refresh_from_db()
    assert (template.name, template.body) == ("Kind", "Dear {candidate_first_name},\nThanks.")
