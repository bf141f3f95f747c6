"""The back office for limited seats (issue 16, item 6).

An interviewer seat logs in and finds "My interviews" and the applications it interviews for,
read-only: no dashboard figures, no candidates, no webhooks, no other job's board. A hiring
manager seat finds its jobs' applications, moves them and approves their offers there.
"""

import pytest
from django.urls import reverse

from applications.models import Application, OfferApproval
from candidates.models import Candidate
from hotgigs.webhooks.models import WebhookEndpoint
from interviews.models import Interview
from jobs.models import HiringTeamMember, Job
from tests.admin.helpers import change_url, changelist_url, listed_pks
from tests.admin.test_jobs import job_form
from tests.seats import build_seats


@pytest.fixture
def seats(db):  # type: ignore[no-untyped-def]
    return build_seats()


@pytest.fixture
def as_user(client):  # type: ignore[no-untyped-def]
    def login(user):  # type: ignore[no-untyped-def]
        client.force_login(user)
        return client

    return login


def test_an_interviewer_gets_in_without_figures(seats, as_user):
    client = as_user(seats.interviewer)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="limited-seat"' in page
    assert 'class="ws-dashboard"' not in page
    models = {model["object_name"] for app in response.context["app_list"] for model in app["models"]}
    assert models == {"Application", "Interview", "Job"}


@pytest.mark.parametrize("who", ["interviewer", "panelist", "manager"])
def test_limited_seats_list_only_what_they_reach(seats, as_user, who):
    client = as_user(getattr(seats, who))
    applications = {"interviewer": {seats.app_a.pk}, "panelist": {seats.app_b.pk}, "manager": {seats.app_a.pk}}
    jobs = {"interviewer": {seats.job_a.pk}, "panelist": set(), "manager": {seats.job_a.pk}}

    assert listed_pks(client.get(changelist_url(Application))) == applications[who]
    assert listed_pks(client.get(changelist_url(Job))) == jobs[who]
    assert len(listed_pks(client.get(changelist_url(Interview)))) == 1
    assert client.get(changelist_url(Candidate)).status_code == 403
    assert client.get(changelist_url(WebhookEndpoint)).status_code == 403


def test_an_interviewer_reads_the_application_page_and_acts_on_nothing(seats, as_user):
    client = as_user(seats.interviewer)

    page = client.get(change_url(seats.app_a))
    hidden = client.get(change_url(seats.app_b))
    move = client.post(
        reverse("admin:workspace_application_move", args=[seats.app_a.pk]), {"to_stage": "offer", "reason": "x"}
    )
    board = client.get(reverse("admin:jobs_job_board", args=[seats.job_a.pk]))

    assert page.status_code == 200
    text = page.content.decode()
    assert seats.app_a.candidate.full_name in text
    assert "Platform Engineer" in text
    for section in ('id="ws-actions"', 'id="ws-history"', 'id="ws-match"', 'id="ws-offer"', "ws-schedule-form"):
        assert section not in text, section
    assert hidden.status_code == 404
    assert move.status_code == 404
    assert board.status_code == 404
    assert Application.objects.get(pk=seats.app_a.pk).stage == "interview"


def test_an_interviewer_sees_a_job_read_only(seats, as_user):
    client = as_user(seats.interviewer)

    page = client.get(change_url(seats.job_a))
    post = client.post(change_url(seats.job_a), {"title": "Renamed"})

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert post.status_code == 403
    assert Job.objects.get(pk=seats.job_a.pk).title == "Platform Engineer"


def test_the_hiring_manager_approves_the_offer_on_the_application_page(seats, as_user):
    client = as_user(seats.manager)

    page = client.get(change_url(seats.app_a))
    assert 'id="ws-offer-form"' in page.content.decode()
    assert client.get(reverse("admin:jobs_job_board", args=[seats.job_a.pk])).status_code == 200

    decided = client.post(
        reverse("admin:workspace_offer_decision", args=[seats.app_a.pk]), {"decision": "approve", "comment": "Yes"}
    )

    assert decided.status_code == 302
    approval = OfferApproval.objects.get()
    assert (approval.decision, approval.decided_by_id, approval.comment) == ("approve", seats.manager.pk, "Yes")


def test_a_bad_offer_decision_changes_nothing(seats, as_user):
    client = as_user(seats.manager)

    client.post(reverse("admin:workspace_offer_decision", args=[seats.app_a.pk]), {"decision": "perhaps"})

    assert not OfferApproval.objects.exists()


def test_a_recruiter_sees_the_offer_waiting_but_may_not_decide(seats, as_user):
    client = as_user(seats.recruiter)

    text = client.get(change_url(seats.app_a)).content.decode()
    client.post(reverse("admin:workspace_offer_decision", args=[seats.app_a.pk]), {"decision": "approve"})

    assert 'id="ws-offer"' in text
    assert 'id="ws-offer-form"' not in text
    assert not OfferApproval.objects.exists()


def test_a_recruiter_edits_the_team_on_the_job_page(seats, as_user):
    client = as_user(seats.recruiter)
    data = job_form(
        seats.org.pk,
        title="Data Analyst",
        **{
            "skills-TOTAL_FORMS": "0",
            "hiring_team-TOTAL_FORMS": "1",
            "hiring_team-0-user": seats.panelist.pk,
            "hiring_team-0-role": "interviewer",
        },
    )
    del data["organization"]

    response = client.post(change_url(seats.job_b), data)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert HiringTeamMember.objects.filter(job=seats.job_b, user=seats.panelist, role="interviewer").exists()


def test_a_team_rule_broken_on_the_job_page_changes_nothing(seats, as_user):
    client = as_user(seats.recruiter)
    data = job_form(
        seats.org.pk,
        title="Renamed",
        **{
            "skills-TOTAL_FORMS": "0",
            "hiring_team-TOTAL_FORMS": "1",
            "hiring_team-0-user": seats.panelist.pk,
            "hiring_team-0-role": "hiring_manager",
        },
    )
    del data["organization"]

    response = client.post(change_url(seats.job_b), data)

    assert response.status_code == 200
    assert not HiringTeamMember.objects.filter(job=seats.job_b).exists()
    assert Job.objects.get(pk=seats.job_b.pk).title == "Data Analyst"
