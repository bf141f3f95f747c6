# mypy: disable-error-code="attr-defined,arg-type,misc"
"""The audit log: who viewed or changed a candidate's data, append-only, searchable by staff."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from hotgigs import tenancy
from hotgigs.accounts import policies
from hotgigs.audit.models import AccessRecord
from hotgigs.audit.services import access_record
from tests.conftest import require_service
from tests.factories import CandidateFactory
from tests.factories.applications import ApplicationFactory
from tests.factories.candidates import ResumeFactory


@pytest.fixture
def applicant(open_job):  # type: ignore[no-untyped-def]
    candidate = CandidateFactory()
    ApplicationFactory(job=open_job, candidate=candidate)
    return candidate


def test_a_recruiter_reading_a_profile_through_the_api_is_logged(login, recruiter, applicant) -> None:
    response = login(recruiter).get(f"/api/v1/candidates/{applicant.pk}")

    assert response.status_code == 200
    record = AccessRecord.objects.get()
    assert (record.actor_id, record.actor_email, record.candidate_id) == (recruiter.pk, recruiter.email, applicant.pk)
    assert (record.action, record.channel) == ("viewed", "api")


def test_a_change_through_the_api_is_logged_and_a_refused_one_is_not(login, staff, recruiter, applicant) -> None:
    refused = login(recruiter).patch(f"/api/v1/candidates/{applicant.pk}", {"headline": "x"}, format="json")
    changed = login(staff).patch(f"/api/v1/candidates/{applicant.pk}", {"headline": "Lead"}, format="json")

    assert (refused.status_code, changed.status_code) == (403, 200)
    assert list(AccessRecord.objects.values_list("actor_id", "action")) == [(staff.pk, "changed")]


def test_the_person_reading_their_own_profile_is_not_an_access_by_someone_else(login, applicant) -> None:
    client = login(applicant.user)

    assert client.get(f"/api/v1/candidates/{applicant.pk}").status_code == 200
    assert client.get("/api/v1/candidates/me").status_code == 200
    assert not AccessRecord.objects.exists()


def test_a_profile_the_reader_may_not_see_leaves_no_record(login, other_recruiter, applicant) -> None:
    assert login(other_recruiter).get(f"/api/v1/candidates/{applicant.pk}").status_code == 404
    assert not AccessRecord.objects.exists()


def test_the_back_office_candidate_page_is_logged(client, recruiter, applicant) -> None:
    client.force_login(recruiter)

    response = client.get(reverse("admin:candidates_candidate_change", args=[applicant.pk]))

    assert response.status_code == 200
    record = AccessRecord.objects.get()
    assert (record.actor_id, record.candidate_id, record.action, record.channel) == (
        recruiter.pk,
        applicant.pk,
        "viewed",
        "admin",
    )


def test_reading_a_resume_its_link_and_the_timeline_through_the_api_is_logged(login, recruiter, applicant) -> None:
    resume = ResumeFactory(candidate=applicant)
    client = login(recruiter)

    paths = [
        f"/api/v1/candidates/{applicant.pk}/resumes/{resume.pk}",
        f"/api/v1/candidates/{applicant.pk}/resumes/{resume.pk}/link",
        f"/api/v1/candidates/{applicant.pk}/activity",
    ]
    statuses = [client.get(path).status_code for path in paths]

    assert statuses == [200, 200, 200]
    records = AccessRecord.objects.order_by("id")
    assert [(r.actor_id, r.candidate_id, r.action, r.channel) for r in records] == [
        (recruiter.pk, applicant.pk, "viewed", "api")
    ] * 3
    assert [r.detail for r in records] == [f"GET {path}" for path in paths]


def test_the_person_reading_their_own_resume_is_not_logged(login, applicant) -> None:
    resume = ResumeFactory(candidate=applicant)
    client = login(applicant.user)

    assert client.get(f"/api/v1/candidates/{applicant.pk}/resumes/{resume.pk}").status_code == 200
    assert client.get(f"/api/v1/candidates/{applicant.pk}/resumes/{resume.pk}/link").status_code == 200
    assert not AccessRecord.objects.exists()


def test_a_resume_the_reader_may_not_see_leaves_no_record(login, other_recruiter, applicant) -> None:
    resume = ResumeFactory(candidate=applicant)

    response = login(other_recruiter).get(f"/api/v1/candidates/{applicant.pk}/resumes/{resume.pk}/link")

    assert response.status_code == 404
    assert not AccessRecord.objects.exists()


def test_a_resume_download_in_the_back_office_is_logged(client, recruiter, applicant) -> None:
    resume = ResumeFactory(candidate=applicant)
    client.force_login(recruiter)

    response = client.get(reverse("admin:workspace_resume_download", args=[applicant.pk, resume.pk]))

    assert response.status_code == 302
    record = AccessRecord.objects.get()
    assert (record.actor_id, record.candidate_id, record.action, record.channel, record.detail) == (
        recruiter.pk,
        applicant.pk,
        "viewed",
        "admin",
        f"resume {resume.pk} download",
    )


def test_staff_search_the_log_by_candidate_actor_and_action(login, staff, recruiter, applicant) -> None:
    other = CandidateFactory()
    access_record(actor=recruiter, candidate_id=applicant.pk, action="viewed", channel="api")
    access_record(actor=recruiter, candidate_id=other.pk, action="viewed", channel="api")
    access_record(actor=staff, candidate_id=applicant.pk, action="exported", channel="command")

    client = login(staff)
    by_candidate = client.get("/api/v1/audit-records", {"candidate": applicant.pk}).json()["results"]
    by_actor = client.get("/api/v1/audit-records", {"actor": recruiter.pk, "action": "viewed"}).json()["results"]

    assert [(r["action"], r["actor"]) for r in by_candidate] == [("exported", staff.pk), ("viewed", recruiter.pk)]
    assert {r["candidate_id"] for r in by_actor} == {applicant.pk, other.pk}


def test_only_staff_read_the_log(login, recruiter, applicant) -> None:
    access_record(actor=recruiter, candidate_id=applicant.pk, action="viewed", channel="api")

    response = login(recruiter).get("/api/v1/audit-records")

    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN"


@pytest.mark.parametrize(
    ("params", "field"),
    [({"action": "deleted"}, "action"), ({"candidate": "x"}, "candidate"), ({"colour": "red"}, "colour")],
)
def test_a_bad_filter_answers_the_envelope(login, staff, params, field) -> None:
    response = login(staff).get("/api/v1/audit-records", params)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "VALIDATION_ERROR"
    assert field in body["details"]


def test_the_back_office_log_is_read_only_and_staff_only(client, staff, recruiter, applicant) -> None:
    access_record(actor=recruiter, candidate_id=applicant.pk, action="viewed", channel="api")
    record = AccessRecord.objects.get()
    client.force_login(staff)

    listing = client.get(reverse("admin:audit_accessrecord_changelist"), {"q": str(applicant.pk)})
    delete = client.post(reverse("admin:audit_accessrecord_delete", args=[record.pk]), {"post": "yes"})
    client.force_login(recruiter)
    refused = client.get(reverse("admin:audit_accessrecord_changelist"))

    assert listing.status_code == 200
    assert recruiter.email in listing.content.decode()
    assert delete.status_code == 403
    assert refused.status_code == 403
    assert AccessRecord.objects.filter(pk=record.pk).exists()


# --- the database keeps it append-only, and each user writes only their own accesses


@pytest.fixture
def on_postgresql(db) -> None:  # type: ignore[no-untyped-def]
    require_service("PostgreSQL (DATABASE_URL) for the append-only trigger", connection.vendor == "postgresql")


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement", ["UPDATE audit_accessrecord SET action = 'changed'", "DELETE FROM audit_accessrecord"]
)
def test_the_database_refuses_to_change_or_delete_a_record(on_postgresql, recruiter, applicant, statement) -> None:
    access_record(actor=recruiter, candidate_id=applicant.pk, action="viewed", channel="api")

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert AccessRecord.objects.get().action == "viewed"


@pytest.mark.postgres
def test_a_user_writes_and_reads_only_records_of_their_own_accesses(
    on_postgresql, recruiter, other_recruiter, applicant
):
    access_record(actor=other_recruiter, candidate_id=applicant.pk, action="viewed", channel="api")

    with tenancy.acting_as(policies.database_identity(recruiter)):
        access_record(actor=recruiter, candidate_id=applicant.pk, action="viewed", channel="api")
        seen = set(AccessRecord.objects.values_list("actor_id", flat=True))
        with pytest.raises(DatabaseError), transaction.atomic():
            access_record(actor=other_recruiter, candidate_id=applicant.pk, action="viewed", channel="api")

    assert seen == {recruiter.pk}
    assert AccessRecord.objects.count() == 2
