"""Hiring teams and roles through the API (issue 16, item 6): what each seat sees and may do.

A recruiter (full seat) reaches the whole organization. A hiring manager seat reaches the jobs
it manages and their applications, interviews, feedback and notes, moves them and approves
their offers; no analytics, no webhooks, no other job. An interviewer seat reads the
applications it interviews for (team or panel) with their interviews and its own feedback,
submits feedback, and nothing else.
"""

import pytest

from applications.models import Application, OfferApproval
from hotgigs.accounts import scopes
from hotgigs.accounts.tokens import token_issue_for_user
from hotgigs.events.models import OutboxEvent
from jobs.models import HiringTeamMember
from tests.factories import FeedbackFactory, MembershipFactory, UserFactory
from tests.factories.applications import rejection_reason_id
from tests.seats import build_seats


@pytest.fixture
def seats(db):  # type: ignore[no-untyped-def]
    return build_seats()


def ids(response) -> set[int]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


# --- scopes ------------------------------------------------------------------------------------


def test_each_seat_gets_the_scopes_it_needs(seats):
    interviewer = set(token_issue_for_user(user=seats.interviewer).scope.split())
    manager = set(token_issue_for_user(user=seats.manager).scope.split())
    recruiter = set(token_issue_for_user(user=seats.recruiter).scope.split())

    assert interviewer == {
        scopes.JOBS_READ,
        scopes.APPLICATIONS_READ,
        scopes.INTERVIEWS_READ,
        scopes.FEEDBACK_READ,
        scopes.FEEDBACK_WRITE,
        scopes.NOTIFICATIONS_READ,
        scopes.NOTIFICATIONS_WRITE,
    }
    assert scopes.ANALYTICS_READ not in manager | interviewer
    assert scopes.WEBHOOKS_READ not in manager | interviewer
    assert scopes.JOBS_WRITE not in manager
    assert {scopes.APPLICATIONS_WRITE, scopes.INTERVIEWS_WRITE} <= manager
    assert scopes.ANALYTICS_READ in recruiter


def test_a_token_cannot_ask_for_more_than_the_seat(seats, api_client):
    response = api_client.post(
        "/api/v1/auth/token",
        {"email": seats.interviewer.email, "password": "correct-horse-battery-staple", "scope": "analytics:read"},
        format="json",
    )

    assert response.status_code in (400, 403), response.content
    assert "access_token" not in response.json()


# --- reads per seat ----------------------------------------------------------------------------


def test_what_each_seat_lists(seats, login):
    for user, jobs, applications, interviews in (
        (seats.recruiter, {seats.job_a.pk, seats.job_b.pk}, {seats.app_a.pk, seats.app_b.pk}, None),
        (seats.manager, {seats.job_a.pk}, {seats.app_a.pk}, {seats.interview_a.pk}),
        (seats.interviewer, {seats.job_a.pk}, {seats.app_a.pk}, {seats.interview_a.pk}),
        (seats.panelist, set(), {seats.app_b.pk}, {seats.interview_b.pk}),
    ):
        client = login(user)
        assert ids(client.get("/api/v1/jobs")) == jobs, user
        assert ids(client.get("/api/v1/applications")) == applications, user
        if interviews is not None:
            assert ids(client.get("/api/v1/interviews")) == interviews, user


@pytest.mark.parametrize("who", ["manager", "interviewer", "panelist"])
def test_other_jobs_and_applications_are_not_found(seats, login, who):
    client = login(getattr(seats, who))
    hidden_app = seats.app_a if who == "panelist" else seats.app_b

    for url in (
        f"/api/v1/jobs/{seats.job_b.pk}",
        f"/api/v1/jobs/{seats.other_job.pk}",
        f"/api/v1/applications/{hidden_app.pk}",
        f"/api/v1/applications/{seats.other_app.pk}",
    ):
        response = client.get(url)
        assert response.status_code == 404, (url, response.content)
        assert response.json()["code"] == "NOT_FOUND"


@pytest.mark.parametrize("who", ["manager", "interviewer", "panelist"])
def test_limited_seats_get_no_analytics_and_no_webhooks(seats, login, who):
    client = login(getattr(seats, who))

    for url in ("/api/v1/analytics", "/api/v1/webhooks/endpoints"):
        response = client.get(url)
        assert response.status_code == 403, (url, response.content)
        assert response.json()["code"] == "FORBIDDEN"


def test_an_interviewer_reads_only_their_own_feedback(seats, login):
    FeedbackFactory(interview=seats.interview_a, interviewer=seats.interviewer)
    client = login(seats.interviewer)

    response = client.get(f"/api/v1/interviews/{seats.interview_a.pk}/feedback")

    assert response.status_code == 200, response.content
    rows = response.json()
    rows = rows["results"] if isinstance(rows, dict) else rows
    assert len(rows) == 1
    assert rows[0]["interviewer"]["id"] == seats.interviewer.pk


def test_the_hiring_manager_reads_all_feedback_of_their_jobs(seats, login):
    FeedbackFactory(interview=seats.interview_a, interviewer=seats.interviewer)

    response = login(seats.manager).get(f"/api/v1/interviews/{seats.interview_a.pk}/feedback")

    assert response.status_code == 200, response.content
    rows = response.json()
    rows = rows["results"] if isinstance(rows, dict) else rows
    assert len(rows) == 2


def test_an_interviewer_submits_feedback(seats, login):
    response = login(seats.interviewer).post(
        f"/api/v1/interviews/{seats.interview_a.pk}/feedback",
        {"rating": 4, "recommendation": "yes", "notes": "Clear thinker."},
        format="json",
    )

    assert response.status_code == 201, response.content


# --- writes per seat ---------------------------------------------------------------------------


def test_the_hiring_manager_moves_their_jobs_applications_only(seats, login):
    client = login(seats.manager)
    reason = rejection_reason_id(seats.org.pk)

    mine = client.post(
        f"/api/v1/applications/{seats.app_a.pk}/move",
        {"stage": "rejected", "rejection_reason_id": reason},
        format="json",
    )
    other = client.post(
        f"/api/v1/applications/{seats.app_b.pk}/move",
        {"stage": "rejected", "rejection_reason_id": reason},
        format="json",
    )

    assert mine.status_code == 200, mine.content
    assert other.status_code == 404
    assert Application.objects.get(pk=seats.app_b.pk).stage == "interview"


def test_an_interviewer_moves_nothing_and_writes_no_notes(seats, login):
    client = login(seats.interviewer)

    move = client.post(f"/api/v1/applications/{seats.app_a.pk}/move", {"stage": "offer"}, format="json")
    note = client.post(f"/api/v1/applications/{seats.app_a.pk}/notes", {"body": "Hi"}, format="json")
    notes = client.get(f"/api/v1/applications/{seats.app_a.pk}/notes")

    assert move.status_code == 403
    assert move.json()["details"]["required_scope"] == "applications:write"
    assert note.status_code == 403
    assert notes.status_code == 403
    assert Application.objects.get(pk=seats.app_a.pk).stage == "interview"


def test_the_hiring_manager_writes_and_reads_notes_of_their_jobs(seats, login):
    client = login(seats.manager)

    created = client.post(f"/api/v1/applications/{seats.app_a.pk}/notes", {"body": "Strong."}, format="json")
    listed = client.get(f"/api/v1/applications/{seats.app_a.pk}/notes")

    assert created.status_code == 201, created.content
    assert [row["body"] for row in listed.json()["results"]] == ["Strong."]


# --- the hiring team endpoints -----------------------------------------------------------------


def test_the_team_is_listed_for_the_organizations_seats(seats, login):
    for user in (seats.recruiter, seats.manager, seats.interviewer):
        response = login(user).get(f"/api/v1/jobs/{seats.job_a.pk}/team")
        assert response.status_code == 200, response.content
        assert {(row["user_id"], row["role"]) for row in response.json()} == {
            (seats.manager.pk, "hiring_manager"),
            (seats.interviewer.pk, "interviewer"),
            (seats.recruiter.pk, "recruiter"),
        }


def test_a_candidate_does_not_see_who_hires_for_an_open_job(seats, login, candidate):
    response = login(candidate.user).get(f"/api/v1/jobs/{seats.job_a.pk}/team")

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


def test_a_recruiter_puts_someone_on_the_team_and_takes_them_off(seats, login):
    client = login(seats.recruiter)

    added = client.post(
        f"/api/v1/jobs/{seats.job_b.pk}/team", {"user_id": seats.panelist.pk, "role": "interviewer"}, format="json"
    )
    assert added.status_code == 200, added.content
    assert [row["user_id"] for row in added.json()] == [seats.panelist.pk]
    assert OutboxEvent.objects.filter(type="job.team_changed", data__change="added").count() == 1

    removed = client.delete(f"/api/v1/jobs/{seats.job_b.pk}/team/{seats.panelist.pk}")
    assert removed.status_code == 200, removed.content
    assert removed.json() == []
    assert not HiringTeamMember.objects.filter(job=seats.job_b).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "interviewer"}, "user_id"),
        ({"user_id": 1, "role": "boss"}, "role"),
        ({"user_id": "x", "role": "interviewer"}, "user_id"),
        ({"user_id": 1, "role": "interviewer", "extra": 1}, "extra"),
    ],
)
def test_bad_team_input_is_refused(seats, login, body, field):
    before = HiringTeamMember.objects.count()

    response = login(seats.recruiter).post(f"/api/v1/jobs/{seats.job_b.pk}/team", body, format="json")

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert field in response.json()["details"]
    assert HiringTeamMember.objects.count() == before


def test_team_rules_refuse_and_change_nothing(seats, login):
    client = login(seats.recruiter)
    outsider = UserFactory()
    second_manager = MembershipFactory(organization=seats.org, role="hiring_manager").user
    before = set(HiringTeamMember.objects.values_list("job_id", "user_id", "role"))

    for body in (
        {"user_id": outsider.pk, "role": "interviewer"},  # not a member
        {"user_id": seats.panelist.pk, "role": "hiring_manager"},  # an interviewer seat only interviews
        {"user_id": second_manager.pk, "role": "hiring_manager"},  # the job has one
    ):
        response = client.post(f"/api/v1/jobs/{seats.job_a.pk}/team", body, format="json")
        assert response.status_code == 400, (body, response.content)
        assert response.json()["code"] == "VALIDATION_ERROR"

    assert set(HiringTeamMember.objects.values_list("job_id", "user_id", "role")) == before


@pytest.mark.parametrize("who", ["manager", "interviewer"])
def test_limited_seats_do_not_change_teams(seats, login, who):
    client = login(getattr(seats, who))

    add = client.post(
        f"/api/v1/jobs/{seats.job_a.pk}/team", {"user_id": seats.panelist.pk, "role": "interviewer"}, format="json"
    )
    remove = client.delete(f"/api/v1/jobs/{seats.job_a.pk}/team/{seats.interviewer.pk}")

    assert add.status_code == 403
    assert remove.status_code == 403
    assert HiringTeamMember.objects.filter(job=seats.job_a).count() == 3


def test_removing_someone_not_on_the_team_is_not_found(seats, login):
    response = login(seats.recruiter).delete(f"/api/v1/jobs/{seats.job_a.pk}/team/{seats.panelist.pk}")

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


# --- offer approval ----------------------------------------------------------------------------


def _approve(client, application, body):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/applications/{application.pk}/offer-approval", body, format="json")


def _offer(client, application):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/applications/{application.pk}/move", {"stage": "offer"}, format="json")


def test_an_offer_waits_for_the_hiring_managers_approval(seats, login):
    recruiter = login(seats.recruiter)

    refused = _offer(recruiter, seats.app_a)
    assert refused.status_code == 409, refused.content
    assert refused.json()["details"]["hiring_manager_id"] == seats.manager.pk
    assert Application.objects.get(pk=seats.app_a.pk).stage == "interview"

    approved = _approve(login(seats.manager), seats.app_a, {"decision": "approve", "comment": "Go."})
    assert approved.status_code == 201, approved.content
    assert approved.json()["decision"] == "approve"
    event = OutboxEvent.objects.get(type="application.offer_decided")
    assert event.data["decision"] == "approve"
    assert all("user" not in group for group in event.groups)

    moved = _offer(recruiter, seats.app_a)
    assert moved.status_code == 200, moved.content
    assert moved.json()["stage"] == "offer"


def test_a_decline_keeps_the_offer_refused(seats, login):
    manager = login(seats.manager)
    _approve(manager, seats.app_a, {"decision": "approve"})
    _approve(manager, seats.app_a, {"decision": "decline", "comment": "Budget."})

    refused = _offer(login(seats.recruiter), seats.app_a)

    assert refused.status_code == 409
    assert refused.json()["details"]["decision"] == "decline"


def test_a_job_without_a_hiring_manager_needs_no_approval(seats, login):
    assert _offer(login(seats.recruiter), seats.app_b).status_code == 200


@pytest.mark.parametrize("who", ["recruiter", "interviewer"])
def test_only_the_hiring_manager_decides(seats, login, who):
    response = _approve(login(getattr(seats, who)), seats.app_a, {"decision": "approve"})

    assert response.status_code == 403, response.content
    assert response.json()["code"] == "FORBIDDEN"
    assert not OfferApproval.objects.exists()


def test_staff_may_decide(seats, login, staff):
    assert _approve(login(staff), seats.app_a, {"decision": "approve"}).status_code == 201


@pytest.mark.parametrize(
    "body",
    [{}, {"decision": "maybe"}, {"decision": "approve", "comment": "x" * 2001}, {"decision": "approve", "x": 1}],
)
def test_bad_offer_decisions_are_refused(seats, login, body):
    response = _approve(login(seats.manager), seats.app_a, body)

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert not OfferApproval.objects.exists()
    assert not OutboxEvent.objects.filter(type="application.offer_decided").exists()


def test_no_decision_where_no_offer_is_next(seats, login):
    Application.objects.filter(pk=seats.app_a.pk).update(stage="applied")

    response = _approve(login(seats.manager), seats.app_a, {"decision": "approve"})

    assert response.status_code == 409
    assert response.json()["code"] == "CONFLICT"
    assert not OfferApproval.objects.exists()


def test_an_application_the_manager_does_not_see_is_not_found(seats, login):
    response = _approve(login(seats.manager), seats.app_b, {"decision": "approve"})

    assert response.status_code == 404
