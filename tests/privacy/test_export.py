# mypy: disable-error-code="attr-defined,arg-type,misc"
"""The export of everything held about a person: API, staff command, back office; never others' notes."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from hotgigs.audit.models import AccessRecord
from tests.factories import CandidateFactory
from tests.privacy.conftest import FEEDBACK, MOVE_REASON, NOTE


def _without_time(document: dict) -> dict:
    return {key: value for key, value in document.items() if key != "generated_at"}


def test_the_candidate_downloads_everything_held_about_them(login, person) -> None:
    response = login(person.candidate.user).get("/api/v1/candidates/me/export")

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="personal-data-{person.candidate.pk}.json"'
    body = response.json()
    assert body["format"] == "hotgigs.personal-data/1"
    assert body["profile"]["full_name"] == "Ada Lovelace"
    assert body["account"]["email"] == person.candidate.user.email
    assert [s["name"] for s in body["skills"]] == ["Python"]
    assert [c["purpose"] for c in body["consents"]] == ["application_processing"]
    assert body["resumes"][0]["extracted_text"] == "Ada Lovelace, analyst, Python."
    assert body["resumes"][0]["download"] == (
        f"/api/v1/candidates/{person.candidate.pk}/resumes/{person.resume.pk}/link"
    )
    by_job = {a["id"]: a for a in body["applications"]}
    assert by_job[person.applications[0].pk]["cover_letter"] == "Dear team, Ada here."
    assert [h["to_stage"] for h in by_job[person.applications[1].pk]["history"]] == [
        "applied",
        "screening",
        "interview",
        "offer",
        "hired",
    ]
    assert [(i["id"], i["kind"]) for i in body["interviews"]] == [(person.interview.pk, "video")]
    assert len(body["notifications"]) == 1


def test_the_export_holds_no_one_elses_notes_feedback_or_reasons(login, person) -> None:
    text = login(person.candidate.user).get("/api/v1/candidates/me/export").content.decode()

    for secret in (NOTE, FEEDBACK, MOVE_REASON, "Grace Hopper"):
        assert secret not in text
    assert "interviewer" not in text


def test_an_export_is_written_to_the_audit_log(login, person) -> None:
    login(person.candidate.user).get("/api/v1/candidates/me/export")

    record = AccessRecord.objects.get()
    assert (record.candidate_id, record.action, record.channel) == (person.candidate.pk, "exported", "api")


def test_staff_get_the_same_document_from_the_api_the_command_and_the_back_office(
    login, client, staff, person, tmp_path
) -> None:
    api = login(staff).get(f"/api/v1/candidates/{person.candidate.pk}/export").json()
    out = tmp_path / "export.json"
    call_command("export_candidate", person.candidate.email, "--staff", staff.email, "--output", str(out))
    client.force_login(staff)
    admin = client.get(reverse("admin:privacy_candidate_export", args=[person.candidate.pk]))

    command = json.loads(out.read_text())
    assert admin.status_code == 200
    assert admin["Content-Type"] == "application/json"
    assert _without_time(json.loads(admin.content)) == _without_time(command) == _without_time(api)
    assert AccessRecord.objects.filter(action="exported").count() == 3


def test_the_admin_action_leads_to_the_export(client, staff, person) -> None:
    client.force_login(staff)

    response = client.post(
        reverse("admin:candidates_candidate_changelist"),
        {"action": "export_personal_data", "_selected_action": [person.candidate.pk]},
    )

    assert response.status_code == 302
    assert response.url == reverse("admin:privacy_candidate_export", args=[person.candidate.pk])


def test_a_recruiter_may_not_export_a_candidate(login, client, recruiter, person) -> None:
    response = login(recruiter).get(f"/api/v1/candidates/{person.candidate.pk}/export")
    client.force_login(recruiter)
    page = client.get(reverse("admin:privacy_candidate_export", args=[person.candidate.pk]))

    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN"
    assert page.status_code == 404
    assert not AccessRecord.objects.filter(action="exported").exists()


def test_someone_without_a_profile_gets_not_found(login, recruiter) -> None:
    response = login(recruiter).get("/api/v1/candidates/me/export")

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


def test_staff_exporting_an_unknown_candidate_get_not_found(login, staff) -> None:
    response = login(staff).get("/api/v1/candidates/999999/export")

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


def test_the_command_refuses_an_unknown_candidate_or_a_non_staff_actor(staff, recruiter) -> None:
    candidate = CandidateFactory()
    with pytest.raises(CommandError, match="No candidate"):
        call_command("export_candidate", "nobody@example.test", "--staff", staff.email, stdout=StringIO())
    with pytest.raises(CommandError, match="not an active staff member"):
        call_command("export_candidate", str(candidate.pk), "--staff", recruiter.email, stdout=StringIO())
    assert not AccessRecord.objects.exists()


@pytest.mark.ratelimit
@pytest.mark.redis
def test_exports_are_limited_per_user(login, person, settings) -> None:
    settings.RATE_LIMIT_EXPORT = "2/h"
    client = login(person.candidate.user)

    answers = [client.get("/api/v1/candidates/me/export") for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].json()["code"] == "RATE_LIMITED"
    assert answers[2].json()["details"]["scope"] == "export"
    assert AccessRecord.objects.filter(action="exported").count() == 2
