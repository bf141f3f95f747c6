"""/api/v1/…/notes and /api/v1/notes/{id}: the access matrix, bad input, mentions."""

import pytest

from activity.models import Note
from activity.services import note_create
from candidates.services.profiles import candidate_update
from hotgigs.notifications.models import Notification
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def app_notes(application) -> str:  # type: ignore[no-untyped-def]
    return f"/api/v1/applications/{application.pk}/notes"


def cand_notes(candidate) -> str:  # type: ignore[no-untyped-def]
    return f"/api/v1/candidates/{candidate.pk}/notes"


def one(note) -> str:  # type: ignore[no-untyped-def]
    return f"/api/v1/notes/{note.pk}"


@pytest.fixture
def note(recruiter, application):  # type: ignore[no-untyped-def]
    return note_create(actor=recruiter, application=application, body="Solid <script>x</script>")


def test_a_recruiter_writes_and_reads_an_applications_notes(login, recruiter, application):
    client = login(recruiter)

    created = client.post(app_notes(application), {"body": "Good call today"}, format="json")
    listed = client.get(app_notes(application))

    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["body"] == "Good call today"
    assert body["author"] == {"id": recruiter.pk, "name": recruiter.full_name or recruiter.email}
    assert (body["application_id"], body["candidate_id"]) == (application.pk, application.candidate_id)
    assert [row["id"] for row in listed.json()["results"]] == [body["id"]]


def test_the_candidate_never_reads_nor_writes_notes(login, candidate, application, note):
    client = login(candidate.user)

    for response in (
        client.get(app_notes(application)),
        client.post(app_notes(application), {"body": "Let me in"}, format="json"),
        client.get(cand_notes(candidate)),
        client.post(cand_notes(candidate), {"body": "About me"}, format="json"),
    ):
        assert response.status_code == 403, response.json()
        assert response.json()["code"] == "FORBIDDEN"
        assert "Solid" not in response.content.decode()
    assert client.patch(one(note), {"body": "x"}, format="json").status_code == 404
    assert client.delete(one(note)).status_code == 404
    assert Note.objects.count() == 1


def test_another_organization_gets_404_everywhere(login, other_recruiter, application, note):
    client = login(other_recruiter)

    for response in (
        client.get(app_notes(application)),
        client.post(app_notes(application), {"body": "Hi"}, format="json"),
        client.patch(one(note), {"body": "x"}, format="json"),
        client.delete(one(note)),
    ):
        assert response.status_code == 404, response.json()
        assert response.json()["code"] == "NOT_FOUND"


def test_another_organization_does_not_see_notes_on_a_shared_candidate(login, other_recruiter, candidate, note):
    # The candidate is discoverable: both organizations see them, each only its own notes.
    candidate_update(actor=candidate.user, candidate=candidate, discoverable=True)

    response = login(other_recruiter).get(cand_notes(candidate))

    assert response.status_code == 200
    assert response.json()["results"] == []


def test_the_candidate_list_holds_candidate_and_application_notes(login, recruiter, candidate, note):
    client = login(recruiter)
    created = client.post(cand_notes(candidate), {"body": "Also applied elsewhere"}, format="json")

    listed = client.get(cand_notes(candidate)).json()["results"]

    assert created.status_code == 201, created.json()
    assert created.json()["application_id"] is None
    assert [row["id"] for row in listed] == [created.json()["id"], note.pk]


def test_only_the_author_edits_or_deletes(login, recruiter, colleague, note):
    other = login(colleague)

    refused_edit = other.patch(one(note), {"body": "Mine now"}, format="json")
    refused_delete = other.delete(one(note))
    edited = login(recruiter).patch(one(note), {"body": "Edited"}, format="json")

    assert (refused_edit.status_code, refused_delete.status_code) == (403, 403)
    assert edited.status_code == 200
    assert edited.json()["body"] == "Edited"
    assert edited.json()["edited_at"] is not None
    assert login(recruiter).delete(one(note)).status_code == 204
    assert not Note.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "body"),
        ({"body": ""}, "body"),
        ({"body": 5}, "body"),
        ({"body": "x" * 10_001}, "body"),
        ({"body": "ok", "colour": "red"}, "colour"),
        ({"body": "ok", "organization_id": 1}, "organization_id"),
        ({"body": "@nobody@nowhere.test"}, "body"),
    ],
)
def test_bad_input_gets_the_envelope_and_changes_nothing(login, recruiter, application, payload, field):
    response = login(recruiter).post(app_notes(application), payload, format="json")

    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert field in response.json()["details"]
    assert not Note.objects.exists()


def test_a_bad_edit_changes_nothing(login, recruiter, note):
    response = login(recruiter).patch(one(note), {"body": "  "}, format="json")

    assert response.status_code == 400
    note.refresh_from_db()
    assert note.body.startswith("Solid")


def test_a_mention_through_the_api_notifies_the_member(
    django_capture_on_commit_callbacks, login, recruiter, colleague, application
):
    with django_capture_on_commit_callbacks(execute=True):
        response = login(recruiter).post(app_notes(application), {"body": "cc @ana@acme.test"}, format="json")

    assert response.json()["mentions"] == [colleague.pk]
    assert Notification.objects.filter(user=colleague, kind="note.mentioned").count() == 1


def test_notes_need_the_applications_scope(login, recruiter, application):
    response = login(recruiter, scope="jobs:read").get(app_notes(application))

    assert response.status_code == 403
    assert response.json()["details"] == {"required_scope": "applications:read"}


def test_the_note_list_is_paginated(login, recruiter, application):
    for index in range(3):
        note_create(actor=recruiter, application=application, body=f"note {index}")
    client = login(recruiter)

    first = client.get(app_notes(application), {"page_size": 2}).json()
    second = client.get(first["next"]).json()

    assert [row["body"] for row in first["results"] + second["results"]] == ["note 2", "note 1", "note 0"]
    assert second["next"] is None


def test_notes_of_another_application_stay_there(login, recruiter, application, open_job, note):
    elsewhere = ApplicationFactory(job=open_job)

    assert login(recruiter).get(app_notes(elsewhere)).json()["results"] == []
