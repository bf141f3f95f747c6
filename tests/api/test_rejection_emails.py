"""``/api/v1/rejection-email-templates``, rejecting with an email through ``move`` and ``bulk``,
and ``/applications/{id}/rejection-emails``."""

import pytest

from applications.models import Application, RejectionEmail, RejectionEmailTemplate, StageChange
from tests.factories import ApplicationFactory
from tests.factories.applications import rejection_reason_id

URL = "/api/v1/rejection-email-templates"


def _detail(template_id: int, suffix: str = "") -> str:
    return f"{URL}/{template_id}{suffix}"


def _template_id(organization_id: int) -> int:
    return RejectionEmailTemplate.objects.get(organization_id=organization_id).pk


def test_members_list_their_organizations_templates(login, recruiter, org, other_org):
    body = login(recruiter).get(URL).json()

    assert [item["organization_id"] for item in body] == [org.pk]
    assert "{candidate_name}" in body[0]["body"]


def test_a_candidate_sees_no_templates(login, candidate, org):
    client = login(candidate.user)

    assert client.get(URL).json() == []
    assert client.get(_detail(_template_id(org.pk))).status_code == 404


def test_an_org_admin_creates_edits_and_archives(login, org_admin, org):
    client = login(org_admin)

    created = client.post(
        URL,
        {"organization_id": org.pk, "name": "Short", "subject": "{job_title}", "body": "Hi {candidate_first_name}"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    template_id = created.json()["id"]
    edited = client.patch(_detail(template_id), {"body": "Hello {candidate_name}"}, format="json")
    assert (edited.status_code, edited.json()["body"]) == (200, "Hello {candidate_name}")
    archived = client.post(_detail(template_id, "/archive"))
    assert archived.json()["archived_at"] is not None
    assert template_id not in [item["id"] for item in client.get(URL).json()]
    assert template_id in [item["id"] for item in client.get(URL, {"include_archived": "true"}).json()]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"body": "Dear {candidate.user.password}"}, "body"),
        ({"subject": "{job_title} {salary}"}, "subject"),
        ({"body": ""}, "body"),
        ({"name": ""}, "name"),
        ({"body": 7}, "body"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_templates_answer_the_envelope_and_change_nothing(login, org_admin, org, payload, field):
    before = list(RejectionEmailTemplate.objects.values_list("id", "name", "subject", "body"))
    fields = {"organization_id": org.pk, "name": "New", "subject": "S {job_title}", "body": "B", **payload}

    created = login(org_admin).post(URL, fields, format="json")
    edited = login(org_admin).patch(_detail(_template_id(org.pk)), payload, format="json")

    for response in (created, edited):
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "VALIDATION_ERROR"
        assert field in body["details"]
    assert list(RejectionEmailTemplate.objects.values_list("id", "name", "subject", "body")) == before


def test_recruiters_and_other_organizations_may_not_change_templates(login, recruiter, org_admin, org, other_org):
    ours, theirs = _template_id(org.pk), _template_id(other_org.pk)

    assert login(recruiter).patch(_detail(ours), {"name": "Mine"}, format="json").status_code == 403
    assert login(org_admin).patch(_detail(theirs), {"name": "Mine"}, format="json").status_code == 404
    answer = login(org_admin).post(
        URL, {"organization_id": other_org.pk, "name": "X", "subject": "S", "body": "B"}, format="json"
    )
    assert answer.status_code == 400
    assert not RejectionEmailTemplate.objects.filter(name__in=["Mine", "X"]).exists()


def test_a_move_to_rejected_schedules_the_email_the_team_sees_and_the_candidate_does_not(
    login, recruiter, candidate, open_job
):
    application = ApplicationFactory(job=open_job, candidate=candidate, stage="screening")
    organization_id = open_job.organization_id

    moved = login(recruiter).post(
        f"/api/v1/applications/{application.pk}/move",
        {
            "stage": "rejected",
            "rejection_reason_id": rejection_reason_id(organization_id),
            "email_template_id": _template_id(organization_id),
            "email_delay_minutes": 120,
        },
        format="json",
    )

    assert moved.status_code == 200, moved.json()
    team = login(recruiter).get(f"/api/v1/applications/{application.pk}/rejection-emails").json()
    assert [(item["status"], item["to_email"]) for item in team] == [("scheduled", candidate.email)]
    assert open_job.title in team[0]["subject"]
    own = login(candidate.user).get(f"/api/v1/applications/{application.pk}/rejection-emails")
    assert (own.status_code, own.json()) == (200, [])

    undone = login(recruiter).post(f"/api/v1/applications/{application.pk}/undo", {"reason": "Oops"}, format="json")
    assert undone.status_code == 200
    team = login(recruiter).get(f"/api/v1/applications/{application.pk}/rejection-emails").json()
    assert team[0]["status"] == "cancelled"


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"email_delay_minutes": 10_081}, "email_delay_minutes"),
        ({"email_delay_minutes": "soon"}, "email_delay_minutes"),
        ({"email_template_id": 0}, "email_template_id"),
        ({"email_template_id": "other"}, "email_template_id"),
        ({"stage": "screening", "email_template_id": "own"}, "email_template_id"),
    ],
)
def test_bad_email_arguments_answer_the_envelope_and_change_nothing(
    login, recruiter, open_job, other_org, extra, field
):
    application = ApplicationFactory(job=open_job)
    ids = {"own": _template_id(open_job.organization_id), "other": _template_id(other_org.pk)}
    payload = {"stage": "rejected", "rejection_reason_id": rejection_reason_id(open_job.organization_id), **extra}
    if payload.get("email_template_id") in ids:
        payload["email_template_id"] = ids[payload["email_template_id"]]
    if payload["stage"] != "rejected":
        del payload["rejection_reason_id"]
    before = StageChange.objects.count()

    response = login(recruiter).post(f"/api/v1/applications/{application.pk}/move", payload, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert field in response.json()["details"]
    assert Application.objects.get(pk=application.pk).stage == "applied"
    assert StageChange.objects.count() == before
    assert not RejectionEmail.objects.exists()


def test_a_bulk_rejection_takes_a_template_and_a_delay(login, recruiter, open_job):
    applications = [ApplicationFactory(job=open_job) for _ in range(2)]
    ids = [application.pk for application in applications]

    response = login(recruiter).post(
        "/api/v1/applications/bulk",
        {
            "action": "reject",
            "application_ids": ids,
            "rejection_reason_id": rejection_reason_id(open_job.organization_id),
            "email_template_id": _template_id(open_job.organization_id),
            "email_delay_minutes": 15,
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json() == {"succeeded": ids, "failed": []}
    assert sorted(RejectionEmail.objects.values_list("application_id", flat=True)) == sorted(ids)


def test_a_bulk_note_takes_no_email(login, recruiter, open_job):
    application = ApplicationFactory(job=open_job)

    response = login(recruiter).post(
        "/api/v1/applications/bulk",
        {"action": "note", "application_ids": [application.pk], "body": "Hi", "email_delay_minutes": 5},
        format="json",
    )

    assert response.status_code == 400
    assert "email_delay_minutes" in response.json()["details"]
