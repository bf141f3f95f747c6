"""The candidate page: this organization's applications only, best jobs, add to job, identity."""

from decimal import Decimal

import pytest
from django.utils import timezone

from applications.models import Application, Match
from tests.factories import ApplicationFactory, CandidateFactory, JobFactory, ResumeFactory
from tests.workspace.pages import candidate_url, history_of, messages_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, recruiter):  # type: ignore[no-untyped-def]
    client.force_login(recruiter)
    return client


def add_url(candidate):  # type: ignore[no-untyped-def]
    from django.urls import reverse

    return reverse("admin:workspace_candidate_add_to_job", args=[candidate.pk])


def match(job, candidate, score):  # type: ignore[no-untyped-def]
    return Match.objects.create(
        job=job,
        candidate=candidate,
        score=Decimal(score),
        breakdown={},
        provider="local",
        model_version="v2",
        input_hash="x" * 64,
        computed_at=timezone.now(),
    )


def test_anonymous_visitors_are_sent_to_the_login(client, candidate):
    response = client.get(candidate_url(candidate))

    assert response.status_code == 302
    assert "/admin/login/" in response.url


def test_a_candidate_the_recruiter_may_not_see_is_not_found(signed_in, other_open_job):
    theirs = ApplicationFactory.create(job=other_open_job).candidate

    response = signed_in.get(candidate_url(theirs))

    assert response.status_code == 404


def test_only_this_organizations_applications_are_listed(signed_in, open_job, other_open_job):
    candidate = CandidateFactory.create()
    ours = ApplicationFactory.create(job=open_job, candidate=candidate, stage="interview")
    ApplicationFactory.create(job=other_open_job, candidate=candidate)
    ResumeFactory.create(candidate=candidate, original_filename="cv.txt")

    response = signed_in.get(candidate_url(candidate))

    html = response.content.decode()
    assert response.status_code == 200
    assert [row["application"] for row in response.context["workspace_applications"]] == [ours]
    assert open_job.title in html
    assert other_open_job.title not in html
    assert "Download cv.txt" in html


def test_best_matching_open_jobs_are_this_organizations_and_not_yet_applied(signed_in, org, open_job, other_open_job):
    candidate = CandidateFactory.create(discoverable=True)
    better = JobFactory.create(organization=org, title="Platform Engineer")
    closed = JobFactory.create(organization=org, title="Old Role", status="closed")
    ApplicationFactory.create(job=open_job, candidate=candidate)
    match(open_job, candidate, "95")  # applied already
    match(better, candidate, "80")
    match(closed, candidate, "99")
    match(other_open_job, candidate, "97")

    response = signed_in.get(candidate_url(candidate))

    assert [m.job for m in response.context["workspace_best_jobs"]] == [better]
    assert "Platform Engineer" in response.content.decode()


def test_add_to_job_creates_an_application_through_the_service(signed_in, recruiter, org, open_job):
    candidate = CandidateFactory.create(discoverable=True, full_name="Noor Aziz")

    response = signed_in.post(add_url(candidate), {"job": open_job.pk, "source": "sourced"})

    application = Application.objects.get(candidate=candidate)
    assert response.status_code == 302
    assert response.url == f"/admin/applications/application/{application.pk}/change/"
    assert (application.job, application.source, application.stage, application.created_by) == (
        open_job,
        "sourced",
        "applied",
        recruiter,
    )
    assert history_of(application) == [f"Added Noor Aziz to {open_job.title} (source: Sourced by a recruiter)."]
    assert history_of(candidate) == [f"Added to {open_job.title} (source: Sourced by a recruiter)."]


@pytest.mark.parametrize("case", ["duplicate", "other_org_job", "closed_job", "bad_source"])
def test_a_bad_add_shows_a_message_and_changes_nothing(signed_in, org, open_job, other_open_job, case):
    candidate = CandidateFactory.create(discoverable=True)
    job, source = open_job, "sourced"
    if case == "duplicate":
        ApplicationFactory.create(job=open_job, candidate=candidate)
    elif case == "other_org_job":
        job = other_open_job
    elif case == "closed_job":
        job = JobFactory.create(organization=org, status="closed")
    else:
        source = "telepathy"
    before = Application.objects.count()

    response = signed_in.post(add_url(candidate), {"job": job.pk, "source": source})

    assert response.status_code == 302
    [message] = messages_of(response)
    assert message.startswith("Not added")
    expected = {
        "duplicate": "already applied",
        "other_org_job": "Pick one of your organization's open jobs.",
        "closed_job": "Pick one of your organization's open jobs.",
        "bad_source": "Select a valid choice.",
    }[case]
    assert expected in message
    assert Application.objects.count() == before
    assert history_of(candidate) == []


def test_add_to_job_for_a_candidate_one_may_not_see_is_not_found(signed_in, open_job):
    hidden = CandidateFactory.create(discoverable=False)

    response = signed_in.post(add_url(hidden), {"job": open_job.pk, "source": "sourced"})

    assert response.status_code == 404
    assert not Application.objects.exists()
