# mypy: disable-error-code="attr-defined,arg-type,misc"
"""Erasure: personal data and files go, anonymous facts stay (analytics unchanged), a receipt records it."""

import json
from dataclasses import asdict
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from activity.models import Note
from analytics.selectors import analytics_summary
from applications.models import Application, Match, StageChange
from candidates.models import Candidate, CandidateSkill, Consent, Resume
from hotgigs.accounts.models import User
from hotgigs.audit.models import AccessRecord
from hotgigs.events.models import OutboxEvent
from hotgigs.notifications.models import Notification
from interviews.models import Feedback, Interview
from privacy.models import ErasureReceipt
from tests.factories import CandidateFactory
from tests.privacy.conftest import FEEDBACK, MOVE_REASON, NOTE

ERASE = {"confirm": "ERASE"}


def _facts() -> list[list[tuple]]:
    """The anonymous facts erasure keeps: applications, their history, interviews and feedback outcomes."""
    return [
        sorted(Application.objects.values_list("id", "job_id", "candidate_id", "stage", "source", "created_at")),
        sorted(StageChange.objects.values_list("id", "application_id", "from_stage", "to_stage", "kind", "changed_at")),
        sorted(Interview.objects.values_list("id", "application_id", "kind", "status", "starts_at", "ends_at")),
        sorted(Feedback.objects.values_list("id", "rating", "recommendation")),
    ]


def test_analytics_figures_are_identical_before_and_after_erasure(
    login, staff, org, person, django_capture_on_commit_callbacks
) -> None:
    now = timezone.now()
    before = asdict(analytics_summary(actor=staff, organization_id=org.pk, now=now))
    facts = _facts()

    with django_capture_on_commit_callbacks(execute=True):
        response = login(staff).post(f"/api/v1/candidates/{person.candidate.pk}/erase", ERASE, format="json")

    assert response.status_code == 201
    assert asdict(analytics_summary(actor=staff, organization_id=org.pk, now=now)) == before
    assert _facts() == facts


def test_erasure_removes_the_personal_data_and_the_files(
    login, staff, person, resume_dir, django_capture_on_commit_callbacks
) -> None:
    path = resume_dir / person.resume.file.name
    assert path.exists()
    user = person.candidate.user

    with django_capture_on_commit_callbacks(execute=True):
        login(staff).post(f"/api/v1/candidates/{person.candidate.pk}/erase", ERASE, format="json")

    candidate = Candidate.objects.get(pk=person.candidate.pk)
    assert (candidate.full_name, candidate.phone, candidate.summary, candidate.user_id) == (
        "Erased candidate",
        "",
        "",
        None,
    )
    assert candidate.email == f"erased-{candidate.pk}@erased.invalid"
    assert candidate.erased_at is not None
    assert not path.exists()
    for model in (Resume, CandidateSkill, Consent, Match):
        assert not model.objects.filter(candidate_id=candidate.pk).exists()
    assert not Note.objects.filter(candidate_id=candidate.pk).exists()
    assert not Notification.objects.filter(user_id=user.pk).exists()
    assert set(Application.objects.filter(candidate=candidate).values_list("cover_letter", "match_score")) == {
        ("", None)
    }
    assert not StageChange.objects.filter(reason=MOVE_REASON).exists()
    assert not Feedback.objects.filter(notes=FEEDBACK).exists()
    user.refresh_from_db()
    assert (user.is_active, user.full_name, user.has_usable_password()) == (False, "", False)
    assert user.email == f"erased-user-{user.pk}@erased.invalid"


def test_the_receipt_records_what_when_and_who_without_the_data(login, staff, person) -> None:
    email = person.candidate.email

    body = login(staff).post(f"/api/v1/candidates/{person.candidate.pk}/erase", ERASE, format="json").json()

    receipt = ErasureReceipt.objects.get()
    assert body["id"] == receipt.pk
    assert (receipt.candidate_id, receipt.erased_by_id, receipt.requested_by_candidate) == (
        person.candidate.pk,
        staff.pk,
        False,
    )
    assert receipt.counts["resumes"] == 1
    assert receipt.counts["notes"] == 2
    assert receipt.counts["applications"] == 2
    assert receipt.counts["feedback_notes"] == 1
    assert receipt.counts["login"] == 1
    text = json.dumps(body)
    for secret in ("Ada", email, NOTE, FEEDBACK, "Dear team"):
        assert secret not in text
    record = AccessRecord.objects.get(action="erased")
    assert (record.actor_id, record.candidate_id, record.channel) == (staff.pk, person.candidate.pk, "api")
    event = OutboxEvent.objects.filter(type="candidate.erased").get()
    assert event.data == {"candidate_id": person.candidate.pk, "receipt_id": receipt.pk}


def test_the_candidate_erases_their_own_data_at_once(login, person) -> None:
    client = login(person.candidate.user)

    response = client.post("/api/v1/candidates/me/erase", ERASE, format="json")

    assert response.status_code == 201
    receipt = ErasureReceipt.objects.get()
    assert (receipt.requested_by_candidate, receipt.erased_by_id, receipt.erased_by_email) == (True, None, "")
    assert Candidate.objects.get(pk=person.candidate.pk).erased_at is not None
    assert client.get("/api/v1/candidates/me").status_code == 401


@pytest.mark.parametrize("body", [{}, {"confirm": "yes"}, {"confirm": "ERASE", "also": 1}, {"confirm": True}])
def test_a_bad_request_answers_the_envelope_and_erases_nothing(login, person, body) -> None:
    response = login(person.candidate.user).post("/api/v1/candidates/me/erase", body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert Candidate.objects.get(pk=person.candidate.pk).full_name == "Ada Lovelace"
    assert not ErasureReceipt.objects.exists()


def test_erasing_twice_is_a_conflict_that_changes_nothing(login, staff, person) -> None:
    client = login(staff)
    client.post(f"/api/v1/candidates/{person.candidate.pk}/erase", ERASE, format="json")

    again = client.post(f"/api/v1/candidates/{person.candidate.pk}/erase", ERASE, format="json")

    assert again.status_code == 409
    assert again.json()["code"] == "CONFLICT"
    assert ErasureReceipt.objects.count() == 1


def test_a_recruiter_may_not_erase(login, recruiter, person) -> None:
    response = login(recruiter).post(f"/api/v1/candidates/{person.candidate.pk}/erase", ERASE, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN"
    assert Candidate.objects.get(pk=person.candidate.pk).erased_at is None


def test_a_login_that_also_works_for_an_organization_is_kept(login, staff, recruiter) -> None:
    candidate = CandidateFactory(user=recruiter, email=recruiter.email)

    login(staff).post(f"/api/v1/candidates/{candidate.pk}/erase", ERASE, format="json")

    recruiter.refresh_from_db()
    assert recruiter.is_active
    assert ErasureReceipt.objects.get().counts["login"] == 0


def test_staff_erase_from_the_back_office_with_confirmation(client, staff, person) -> None:
    client.force_login(staff)
    page = reverse("admin:privacy_candidate_erase", args=[person.candidate.pk])

    action = client.post(
        reverse("admin:candidates_candidate_changelist"),
        {"action": "erase_personal_data", "_selected_action": [person.candidate.pk]},
    )
    shown = client.get(page)
    refused = client.post(page, {"confirm": "please"})
    assert not ErasureReceipt.objects.exists()
    done = client.post(page, {"confirm": "ERASE"})

    assert (action.status_code, action.url) == (302, page)
    assert shown.status_code == 200
    assert b"Ada Lovelace" in shown.content
    assert refused.status_code == 200
    receipt = ErasureReceipt.objects.get()
    assert done.url == reverse("admin:privacy_erasurereceipt_change", args=[receipt.pk])
    assert receipt.channel == "admin"
    assert client.get(done.url).status_code == 200


def test_the_candidate_admin_no_longer_deletes_profiles(client, staff, person) -> None:
    client.force_login(staff)

    response = client.post(reverse("admin:candidates_candidate_delete", args=[person.candidate.pk]), {"post": "yes"})

    assert response.status_code == 403
    assert Candidate.objects.filter(pk=person.candidate.pk).exists()


def test_the_command_erases_with_yes_and_prints_the_receipt(staff, person) -> None:
    with pytest.raises(CommandError, match="--yes"):
        call_command("erase_candidate", str(person.candidate.pk), "--staff", staff.email)
    assert not ErasureReceipt.objects.exists()
    out = StringIO()

    call_command("erase_candidate", str(person.candidate.pk), "--staff", staff.email, "--yes", stdout=out)

    printed = json.loads(out.getvalue())
    assert printed["receipt"] == ErasureReceipt.objects.get().pk
    assert printed["counts"]["resumes"] == 1
    with pytest.raises(CommandError, match="already erased"):
        call_command("erase_candidate", str(person.candidate.pk), "--staff", staff.email, "--yes")


def test_staff_list_receipts_and_others_may_not(login, staff, recruiter, person) -> None:
    login(staff).post(f"/api/v1/candidates/{person.candidate.pk}/erase", ERASE, format="json")

    listed = login(staff).get("/api/v1/erasure-receipts").json()["results"]
    refused = login(recruiter).get("/api/v1/erasure-receipts")

    assert [r["candidate_id"] for r in listed] == [person.candidate.pk]
    assert refused.status_code == 403


def test_matching_leaves_an_erased_profile_alone(staff, person, open_job) -> None:
    from applications.matching import candidate_pool
    from privacy.services import candidate_erase

    candidate_erase(actor=staff, candidate=person.candidate, channel="command")

    assert not candidate_pool(open_job).filter(pk=person.candidate.pk).exists()


@pytest.mark.postgres
def test_a_failed_erasure_keeps_the_files(staff, person, resume_dir, django_capture_on_commit_callbacks) -> None:
    """The files leave storage only once the erasure commits."""
    from django.db import transaction

    from privacy.services import candidate_erase

    path = resume_dir / person.resume.file.name
    assert connection.vendor == "postgresql"

    def erase_then_fail() -> None:
        with transaction.atomic():
            candidate_erase(actor=staff, candidate=person.candidate, channel="command")
            raise RuntimeError("rolled back")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        erase_then_fail()

    assert path.exists()
    assert Candidate.objects.get(pk=person.candidate.pk).full_name == "Ada Lovelace"
    assert User.objects.get(pk=person.candidate.user_id).is_active
