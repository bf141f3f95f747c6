"""Rejection reasons: each organization's list, required to reject, recorded with the move."""

import pytest

from applications.errors import DuplicateRejectionReason, IllegalStageMove
from applications.models import RejectionReason, StageChange
from applications.selectors import rejection_reason_list, rejections_by_reason
from applications.services import (
    application_move,
    rejection_reason_archive,
    rejection_reason_create,
    rejection_reason_update,
)
from hotgigs.errors import Forbidden, ValidationFailed
from hotgigs.events.models import OutboxEvent
from tests.factories import ApplicationFactory, MembershipFactory, OrganizationFactory
from tests.factories.applications import rejection_reason_id

DEFAULT_CODES = ["skills", "experience", "withdrew", "position_filled", "other"]


def _state(application):  # type: ignore[no-untyped-def]
    application.refresh_from_db()
    return application.stage, StageChange.objects.count(), OutboxEvent.objects.count()


def test_a_new_organization_starts_with_the_default_reasons(db):
    organization = OrganizationFactory()

    reasons = RejectionReason.objects.filter(organization=organization).order_by("position")
    assert [reason.code for reason in reasons] == DEFAULT_CODES
    assert all(reason.label for reason in reasons)


def test_rejecting_records_the_reason_on_the_history_and_the_event(open_job, recruiter):
    application = ApplicationFactory(job=open_job, stage="interview")
    why = rejection_reason_id(open_job.organization_id, "experience")

    application_move(
        actor=recruiter, application=application, to_stage="rejected", reason=" Junior ", rejection_reason_id=why
    )

    change = StageChange.objects.filter(application=application).latest("id")
    assert (change.to_stage, change.rejection_reason_id, change.reason) == ("rejected", why, "Junior")
    event = OutboxEvent.objects.latest("id")
    assert event.type == "application.stage_changed"
    assert event.context["rejection_reason"] == {"id": why, "code": "experience"}


def test_rejecting_without_a_reason_changes_nothing(open_job, recruiter):
    application = ApplicationFactory(job=open_job, stage="screening")
    before = _state(application)

    with pytest.raises(ValidationFailed) as exc_info:
        application_move(actor=recruiter, application=application, to_stage="rejected", reason="No")

    assert exc_info.value.code == "VALIDATION_ERROR"
    assert "rejection_reason_id" in exc_info.value.details
    assert _state(application) == before


def test_a_reason_of_another_organization_is_refused(open_job, recruiter, other_org):
    application = ApplicationFactory(job=open_job)
    before = _state(application)

    with pytest.raises(ValidationFailed):
        application_move(
            actor=recruiter,
            application=application,
            to_stage="rejected",
            rejection_reason_id=rejection_reason_id(other_org.pk),
        )

    assert _state(application) == before


def test_an_archived_reason_is_refused(open_job, recruiter, org_admin):
    application = ApplicationFactory(job=open_job)
    reason = RejectionReason.objects.get(organization=open_job.organization, code="other")
    rejection_reason_archive(actor=org_admin, reason=reason)
    before = _state(application)

    with pytest.raises(ValidationFailed):
        application_move(actor=recruiter, application=application, to_stage="rejected", rejection_reason_id=reason.pk)

    assert _state(application) == before


def test_only_a_rejection_takes_a_reason(open_job, recruiter):
    application = ApplicationFactory(job=open_job)
    before = _state(application)

    with pytest.raises(ValidationFailed):
        application_move(
            actor=recruiter,
            application=application,
            to_stage="screening",
            rejection_reason_id=rejection_reason_id(open_job.organization_id),
        )

    assert _state(application) == before


def test_an_illegal_rejection_is_a_conflict_before_the_reason_is_asked_for(open_job, recruiter):
    application = ApplicationFactory(job=open_job, stage="hired")

    with pytest.raises(IllegalStageMove):
        application_move(actor=recruiter, application=application, to_stage="rejected")


def test_org_admins_manage_the_list(org, org_admin):
    reason = rejection_reason_create(actor=org_admin, organization_id=org.pk, code="salary", label=" Salary ")
    assert (reason.code, reason.label) == ("salary", "Salary")

    rejection_reason_update(actor=org_admin, reason=reason, label="Salary expectations", position=9)
    rejection_reason_archive(actor=org_admin, reason=reason)
    rejection_reason_archive(actor=org_admin, reason=reason)

    reason.refresh_from_db()
    assert (reason.label, reason.position, reason.archived_at is not None) == ("Salary expectations", 9, True)
    assert "salary" not in {r.code for r in rejection_reason_list(actor=org_admin)}
    assert "salary" in {r.code for r in rejection_reason_list(actor=org_admin, include_archived=True)}


def test_a_code_is_used_once_per_organization(org, org_admin, other_org):
    with pytest.raises(DuplicateRejectionReason):
        rejection_reason_create(actor=org_admin, organization_id=org.pk, code="skills", label="Again")
    assert RejectionReason.objects.filter(organization=org).count() == len(DEFAULT_CODES)


def test_recruiters_and_other_admins_may_not_change_the_list(org, recruiter, other_org):
    other_admin = MembershipFactory(organization=other_org, role="org_admin").user
    reason = RejectionReason.objects.get(organization=org, code="skills")

    for actor in (recruiter, other_admin):
        with pytest.raises(Forbidden):
            rejection_reason_create(actor=actor, organization_id=org.pk, code="new", label="New")
        with pytest.raises(Forbidden):
            rejection_reason_update(actor=actor, reason=reason, label="Renamed")
        with pytest.raises(Forbidden):
            rejection_reason_archive(actor=actor, reason=reason)

    reason.refresh_from_db()
    assert (reason.label, reason.archived_at) == ("Skills do not match", None)
    assert not RejectionReason.objects.filter(code="new").exists()


def test_a_blank_label_is_refused(org, org_admin):
    with pytest.raises(ValidationFailed):
        rejection_reason_create(actor=org_admin, organization_id=org.pk, code="blank", label="   ")
    assert not RejectionReason.objects.filter(code="blank").exists()


def test_the_lists_are_scoped_to_the_organization(org, recruiter, other_org, candidate):
    assert {reason.organization_id for reason in rejection_reason_list(actor=recruiter)} == {org.pk}
    assert not rejection_reason_list(actor=candidate.user).exists()


def test_rejections_are_counted_by_reason(open_job, other_open_job, recruiter, other_recruiter):
    for code in ("skills", "skills", "experience"):
        application_move(
            actor=recruiter,
            application=ApplicationFactory(job=open_job),
            to_stage="rejected",
            rejection_reason_id=rejection_reason_id(open_job.organization_id, code),
        )
    application_move(
        actor=other_recruiter,
        application=ApplicationFactory(job=other_open_job),
        to_stage="rejected",
        rejection_reason_id=rejection_reason_id(other_open_job.organization_id, "other"),
    )

    counts = rejections_by_reason(organization_ids=frozenset({open_job.organization_id}))

    assert [(row["code"], row["count"]) for row in counts] == [("skills", 2), ("experience", 1)]
    assert counts[0]["label"] == "Skills do not match"
