"""``/api/v1/rejection-reasons`` and rejecting through ``/applications/{id}/move``."""

import pytest

from applications.models import Application, RejectionReason, StageChange
from tests.factories import ApplicationFactory, MembershipFactory
from tests.factories.applications import rejection_reason_id

URL = "/api/v1/rejection-reasons"


def _detail(reason_id: int, suffix: str = "") -> str:
    return f"{URL}/{reason_id}{suffix}"


@pytest.fixture
def theirs(other_org):  # type: ignore[no-untyped-def]
    return RejectionReason.objects.get(organization=other_org, code="skills")


def test_members_list_their_organizations_reasons(login, recruiter, org, other_org):
    body = login(recruiter).get(URL).json()

    assert [item["code"] for item in body] == ["skills", "experience", "withdrew", "position_filled", "other"]
    assert {item["organization_id"] for item in body} == {org.pk}


def test_a_candidate_sees_no_reasons(login, candidate, org):
    response = login(candidate.user).get(URL)

    assert response.status_code == 200
    assert response.json() == []


def test_another_organizations_reason_is_not_found(login, recruiter, org_admin, theirs):
    assert login(recruiter).get(_detail(theirs.pk)).status_code == 404
    assert login(org_admin).patch(_detail(theirs.pk), {"label": "Mine"}, format="json").status_code == 404
    assert login(org_admin).post(_detail(theirs.pk, "/archive")).status_code == 404
    theirs.refresh_from_db()
    assert (theirs.label, theirs.archived_at) == ("Skills do not match", None)


def test_an_org_admin_creates_renames_and_archives(login, org_admin, org):
    client = login(org_admin)

    created = client.post(URL, {"organization_id": org.pk, "code": "salary", "label": "Salary"}, format="json")
    assert created.status_code == 201, created.json()
    reason_id = created.json()["id"]
    renamed = client.patch(_detail(reason_id), {"label": "Salary expectations", "position": 7}, format="json")
    assert (renamed.status_code, renamed.json()["label"], renamed.json()["position"]) == (
        200,
        "Salary expectations",
        7,
    )
    archived = client.post(_detail(reason_id, "/archive"))
    assert archived.status_code == 200
    assert archived.json()["archived_at"] is not None
    assert "salary" not in [item["code"] for item in client.get(URL).json()]
    assert "salary" in [item["code"] for item in client.get(URL, {"include_archived": "true"}).json()]


def test_a_recruiter_may_not_change_the_list(login, recruiter, org):
    response = login(recruiter).post(URL, {"organization_id": org.pk, "code": "x", "label": "X"}, format="json")

    assert response.status_code == 403
    assert not RejectionReason.objects.filter(code="x").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"code": "x", "label": "X"}, "organization_id"),
        ({"organization_id": 0, "code": "x", "label": "X"}, "organization_id"),
        ({"organization_id": "ORG", "code": "not a slug", "label": "X"}, "code"),
        ({"organization_id": "ORG", "code": "x", "label": "X", "extra": 1}, "extra"),
        ({"organization_id": "ORG", "code": "x", "label": "   "}, "label"),
        ({"organization_id": "OTHER", "code": "x", "label": "X"}, "organization_id"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(login, org_admin, org, other_org, body, field):
    body = {key: {"ORG": org.pk, "OTHER": other_org.pk}.get(value, value) for key, value in body.items()}
    before = RejectionReason.objects.count()

    response = login(org_admin).post(URL, body, format="json")

    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert field in response.json()["details"]
    assert RejectionReason.objects.count() == before


def test_a_taken_code_is_a_conflict(login, org_admin, org):
    response = login(org_admin).post(URL, {"organization_id": org.pk, "code": "skills", "label": "S"}, format="json")

    assert response.status_code == 409


def test_another_organizations_admin_cannot_add_to_this_list(login, org, other_org):
    other_admin = MembershipFactory(organization=other_org, role="org_admin").user

    response = login(other_admin).post(URL, {"organization_id": org.pk, "code": "x", "label": "X"}, format="json")

    assert response.status_code == 400
    assert not RejectionReason.objects.filter(code="x").exists()


# --- rejecting through the move endpoint


def _move(client, application, body):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/applications/{application.pk}/move", body, format="json")


def test_rejecting_requires_a_reason(login, recruiter, open_job):
    application = ApplicationFactory(job=open_job, stage="screening")

    response = _move(login(recruiter), application, {"stage": "rejected", "reason": "Not now"})

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert "rejection_reason_id" in response.json()["details"]
    assert Application.objects.get(pk=application.pk).stage == "screening"


@pytest.mark.parametrize("reason", ["OTHER", 999_999, "abc", 0])
def test_a_reason_not_of_this_organization_is_refused(login, recruiter, open_job, other_org, reason):
    application = ApplicationFactory(job=open_job)
    if reason == "OTHER":
        reason = rejection_reason_id(other_org.pk)
    before = StageChange.objects.count()

    response = _move(login(recruiter), application, {"stage": "rejected", "rejection_reason_id": reason})

    assert response.status_code == 400
    assert "rejection_reason_id" in response.json()["details"]
    assert StageChange.objects.count() == before
    assert Application.objects.get(pk=application.pk).stage == "applied"


def test_rejecting_with_a_reason(login, recruiter, open_job):
    application = ApplicationFactory(job=open_job)
    why = rejection_reason_id(open_job.organization_id, "position_filled")

    response = _move(login(recruiter), application, {"stage": "rejected", "rejection_reason_id": why})

    assert response.status_code == 200
    assert response.json()["stage"] == "rejected"
    assert StageChange.objects.filter(application=application).latest("id").rejection_reason_id == why


def test_analytics_break_rejections_down_by_reason(login, recruiter, open_job):
    why = rejection_reason_id(open_job.organization_id, "experience")
    for _ in range(2):
        _move(login(recruiter), ApplicationFactory(job=open_job), {"stage": "rejected", "rejection_reason_id": why})

    body = login(recruiter).get("/api/v1/analytics").json()

    assert body["rejections_by_reason"] == [{"code": "experience", "label": "Not enough experience", "count": 2}]
