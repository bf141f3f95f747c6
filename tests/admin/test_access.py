"""Who gets into the back office, and which rows each of them sees there."""

import pytest
from django.urls import reverse

from applications.models import Application
from candidates.models import Candidate
from interviews.models import Interview
from jobs.models import Job
from tests.admin.helpers import add_url, change_url, changelist_url, listed_pks, messages_of
from tests.factories import ApplicationFactory, CandidateFactory, InterviewFactory, NotificationFactory
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_orgs(open_job, other_open_job, recruiter, other_recruiter):  # type: ignore[no-untyped-def]
    """One application and one interview on each side; candidates known only through them."""
    mine = ApplicationFactory.create(job=open_job, candidate=CandidateFactory.create())
    theirs = ApplicationFactory.create(job=other_open_job, candidate=CandidateFactory.create())
    return {
        Job: (open_job, other_open_job),
        Application: (mine, theirs),
        Interview: (
            InterviewFactory.create(application=mine, interviewers=[recruiter]),
            InterviewFactory.create(application=theirs, interviewers=[other_recruiter]),
        ),
        Candidate: (mine.candidate, theirs.candidate),
    }


MODELS = [Job, Application, Interview, Candidate]
# Their change URLs are the workspace's application and candidate pages.
WORKSPACE_PAGES = (Application, Candidate)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_recruiter_changelist_lists_only_own_organization_rows(recruiter_client, two_orgs, model):
    own, _ = two_orgs[model]

    response = recruiter_client.get(changelist_url(model))

    assert listed_pks(response) == {own.pk}


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_recruiter_opening_another_organizations_row_is_told_it_does_not_exist(recruiter_client, two_orgs, model):
    _, other = two_orgs[model]

    response = recruiter_client.get(change_url(other))

    if model in WORKSPACE_PAGES:
        # The workspace's pages answer like the API: 404, nothing of the row shown.
        assert response.status_code == 404
        name = other.full_name if model is Candidate else other.candidate.full_name
        assert name not in response.content.decode()
        return
    # Django's answer for a missing row: back to the index with a warning; nothing of the row shown.
    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    assert any("doesn’t exist" in message for message in messages_of(response))


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_recruiter_opens_own_row(recruiter_client, two_orgs, model):
    own, _ = two_orgs[model]

    response = recruiter_client.get(change_url(own))

    assert response.status_code == 200
    shown = response.context["application"] if model is Application else response.context["original"]
    assert shown == own


@pytest.mark.parametrize("model", [Job, Candidate], ids=lambda m: m.__name__)
def test_recruiter_cannot_post_changes_to_another_organizations_row(recruiter_client, two_orgs, model):
    _, other = two_orgs[model]

    response = recruiter_client.post(change_url(other), {"title": "Hijacked", "full_name": "Hijacked"})

    if model is Candidate:
        assert response.status_code == 404
    else:
        assert response.status_code == 302
        assert response.url == reverse("admin:index")
    other.refresh_from_db()
    assert "Hijacked" not in str(other)


@pytest.mark.parametrize("model", [Job, Application], ids=lambda m: m.__name__)
def test_recruiter_cannot_delete_even_own_rows(recruiter_client, two_orgs, model):
    own, _ = two_orgs[model]
    delete_url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_delete", args=[own.pk])

    response = recruiter_client.post(delete_url, {"post": "yes"})

    assert response.status_code == 403
    assert model.objects.filter(pk=own.pk).exists()


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_staff_sees_rows_of_every_organization(staff_client, two_orgs, model):
    own, other = two_orgs[model]

    response = staff_client.get(changelist_url(model))

    assert listed_pks(response) == {own.pk, other.pk}
    assert staff_client.get(change_url(other)).status_code == 200


def test_recruiter_index_lists_domain_models_but_not_users_or_notifications(recruiter_client):
    response = recruiter_client.get(reverse("admin:index"))

    assert response.status_code == 200
    listed = {model["object_name"] for app in response.context["app_list"] for model in app["models"]}
    # Webhooks are managed in the back office, scoped to the recruiter's organization.
    assert listed == {
        "Job",
        "Application",
        "Interview",
        "Candidate",
        "CandidateMerge",
        "Match",
        "RejectionEmailTemplate",
        "RejectionReason",
        "Resume",
        "WebhookEndpoint",
        "WebhookDelivery",
    }
    # Accounts and notifications (in-app and email) stay staff-only.
    assert not listed & {"User", "Organization", "Notification", "EmailDelivery", "NotificationPreference"}


def test_staff_index_also_lists_the_models_hidden_from_recruiters(staff_client):
    response = staff_client.get(reverse("admin:index"))

    listed = {model["object_name"] for app in response.context["app_list"] for model in app["models"]}
    # Proves the names the recruiter test expects to be hidden are the real ones.
    assert {"User", "Organization", "Notification", "EmailDelivery", "NotificationPreference"} <= listed


def test_recruiter_cannot_open_staff_pages(recruiter_client):
    assert recruiter_client.get(reverse("admin:accounts_user_changelist")).status_code == 403
    assert recruiter_client.get(reverse("admin:notifications_notification_changelist")).status_code == 403


def test_staff_reads_notifications(staff_client, recruiter):
    notification = NotificationFactory.create(user=recruiter)

    response = staff_client.get(changelist_url(type(notification)))

    assert listed_pks(response) == {notification.pk}
    assert staff_client.get(change_url(notification)).status_code == 200


def test_recruiter_logs_in_through_the_admin_login_form(client, recruiter):
    response = client.post(reverse("admin:login"), {"username": recruiter.email, "password": PASSWORD})

    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_candidate_user_cannot_log_in_to_the_admin(client, candidate):
    response = client.post(reverse("admin:login"), {"username": candidate.user.email, "password": PASSWORD})

    assert response.status_code == 200
    assert response.context["form"].errors["__all__"]
    assert "_auth_user_id" not in client.session


def test_logged_in_candidate_user_is_sent_to_the_login_page(client, candidate):
    client.force_login(candidate.user)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response.url == f"{reverse('admin:login')}?next={reverse('admin:index')}"
    assert client.get(changelist_url(Job)).status_code == 302


@pytest.mark.parametrize("model", [Job, Application, Candidate], ids=lambda m: m.__name__)
def test_recruiter_add_pages_render(recruiter_client, model):
    response = recruiter_client.get(add_url(model))

    assert response.status_code == 200


def test_autocomplete_offers_only_candidates_the_recruiter_may_see(recruiter_client, two_orgs):
    mine, _ = two_orgs[Candidate]
    params = {"app_label": "applications", "model_name": "application", "field_name": "candidate", "term": ""}

    response = recruiter_client.get(reverse("admin:autocomplete"), params)

    assert response.status_code == 200
    assert [int(row["id"]) for row in response.json()["results"]] == [mine.pk]


def test_view_site_opens_the_frontend_not_the_backends_root(recruiter_client, settings):
    settings.FRONTEND_URL = "https://app.hotgigs.example"

    response = recruiter_client.get("/admin/jobs/job/")

    assert response.status_code == 200
    assert b'<a href="https://app.hotgigs.example">View site</a>' in response.content
