"""Merging two sourced profiles of one organization, and undoing it exactly
(candidates/services/merges.py; applications follow through the part applications registers)."""

from typing import Any

import pytest

from applications.models import Application
from applications.selectors import application_list
from candidates.errors import InvalidMerge, MergeAlreadyUndone, MergeUndoBlocked
from candidates.models import Candidate, CandidateMerge, CandidateSkill, Consent, Resume
from candidates.selectors import candidate_list
from candidates.services.merges import candidate_merge, candidate_merge_undo
from candidates.services.profiles import candidate_update
from hotgigs.errors import Forbidden
from hotgigs.events import catalogue
from hotgigs.events.models import OutboxEvent
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    CandidateSkillFactory,
    InterviewFactory,
    JobFactory,
    ResumeFactory,
)


@pytest.fixture
def pair(org, recruiter):  # type: ignore[no-untyped-def]
    """Two sourced profiles of ``org`` of the same person: skills, resumes and applications each,
    one skill, one resume's content and one job in common."""
    survivor = CandidateFactory(user=None, created_by=recruiter, email="ada@example.test")
    duplicate = CandidateFactory(user=None, created_by=recruiter, email="ada.lovelace@example.test")
    CandidateSkillFactory(candidate=survivor, name="Python")
    CandidateSkillFactory(candidate=duplicate, name="python", level="expert")
    CandidateSkillFactory(candidate=duplicate, name="Rust")
    ResumeFactory(candidate=survivor, sha256="a" * 64)
    ResumeFactory(candidate=duplicate, sha256="a" * 64)
    ResumeFactory(candidate=duplicate, sha256="b" * 64)
    shared_job, other_job = JobFactory(organization=org), JobFactory(organization=org)
    ApplicationFactory(candidate=survivor, job=shared_job)
    ApplicationFactory(candidate=duplicate, job=shared_job, stage="screening")
    moved = ApplicationFactory(candidate=duplicate, job=other_job)
    InterviewFactory(application=moved)
    return survivor, duplicate


def state() -> dict[str, Any]:
    """Every row a merge may touch, as plain values."""
    return {
        "candidates": list(Candidate.objects.order_by("pk").values()),
        "skills": list(CandidateSkill.objects.order_by("pk").values()),
        "resumes": list(Resume.objects.order_by("pk").values("pk", "candidate_id", "file", "sha256")),
        "applications": list(Application.objects.order_by("pk").values()),
    }


def without_updated_at(snapshot: dict[str, Any]) -> dict[str, Any]:
    return {**snapshot, "candidates": [{**row, "updated_at": None} for row in snapshot["candidates"]]}


def test_a_merge_moves_what_does_not_collide_and_hides_the_duplicate(pair, recruiter):
    survivor, duplicate = pair

    merge = candidate_merge(actor=recruiter, survivor=survivor, duplicate=duplicate)

    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == survivor.pk
    assert sorted(survivor.skills.values_list("normalized_name", "level")) == [
        ("python", "intermediate"),
        ("rust", "intermediate"),
    ]
    assert list(duplicate.skills.values_list("normalized_name", flat=True)) == ["python"]
    assert sorted(survivor.resumes.values_list("sha256", flat=True)) == ["a" * 64, "b" * 64]
    assert list(duplicate.resumes.values_list("sha256", flat=True)) == ["a" * 64]
    assert survivor.applications.count() == 2
    # The duplicate's application to the job both applied to stays with it, hidden.
    assert list(duplicate.applications.values_list("stage", flat=True)) == ["screening"]
    assert not application_list(actor=recruiter).filter(candidate=duplicate).exists()
    assert not candidate_list(actor=recruiter).filter(pk=duplicate.pk).exists()
    assert len(merge.moved["applications"]) == 1
    assert len(merge.moved["resumes"]) == 1
    assert (merge.organization_id, merge.merged_by) == (survivor.organization_id, recruiter)


def test_a_merge_records_its_event_and_reranks_the_survivor(pair, recruiter):
    survivor, duplicate = pair

    merge = candidate_merge(actor=recruiter, survivor=survivor, duplicate=duplicate)

    merged = OutboxEvent.objects.get(type=catalogue.CANDIDATE_MERGED)
    assert merged.data == {
        "merge_id": merge.pk,
        "organization_id": survivor.organization_id,
        "survivor_id": survivor.pk,
        "duplicate_id": duplicate.pk,
    }
    assert OutboxEvent.objects.filter(type=catalogue.CANDIDATE_PROFILE_CHANGED, data__candidate_id=survivor.pk).exists()


def test_undo_restores_both_profiles_and_their_applications_exactly(pair, recruiter):
    survivor, duplicate = pair
    before = state()

    merge = candidate_merge(actor=recruiter, survivor=survivor, duplicate=duplicate)
    assert state() != before
    candidate_merge_undo(actor=recruiter, merge=merge)

    assert without_updated_at(state()) == without_updated_at(before)
    merge.refresh_from_db()
    assert merge.undone_at is not None
    assert merge.undone_by == recruiter
    assert candidate_list(actor=recruiter).filter(pk=duplicate.pk).exists()
    assert application_list(actor=recruiter).filter(candidate=duplicate).count() == 2
    assert OutboxEvent.objects.filter(type=catalogue.CANDIDATE_MERGE_UNDONE, data__merge_id=merge.pk).exists()


def test_undo_brings_back_skills_the_survivor_replaced_since(pair, recruiter):
    survivor, duplicate = pair
    before = list(duplicate.skills.order_by("pk").values("name", "normalized_name", "level", "years", "source"))
    merge = candidate_merge(actor=recruiter, survivor=survivor, duplicate=duplicate)

    candidate_update(actor=recruiter, candidate=survivor, skills=[{"name": "Go"}])
    candidate_merge_undo(actor=recruiter, merge=merge)

    after = list(duplicate.skills.order_by("pk").values("name", "normalized_name", "level", "years", "source"))
    assert sorted(after, key=str) == sorted(before, key=str)
    assert list(survivor.skills.values_list("name", flat=True)) == ["Go"]


def test_what_the_survivor_gained_since_stays(pair, org, recruiter):
    survivor, duplicate = pair
    merge = candidate_merge(actor=recruiter, survivor=survivor, duplicate=duplicate)
    later = ApplicationFactory(candidate=survivor, job=JobFactory(organization=org))

    candidate_merge_undo(actor=recruiter, merge=merge)

    later.refresh_from_db()
    assert later.candidate_id == survivor.pk


@pytest.mark.parametrize("kind", ["itself", "self_registered", "other_org", "unsourced_staff"])
def test_only_two_profiles_of_one_organization_merge(pair, recruiter, other_recruiter, staff, kind):
    survivor, _ = pair
    other = {
        "itself": survivor,
        "self_registered": CandidateFactory(),
        "other_org": CandidateFactory(user=None, created_by=other_recruiter),
        "unsourced_staff": CandidateFactory(user=None, created_by=staff),
    }[kind]
    before = state()

    with pytest.raises(InvalidMerge) as exc_info:
        candidate_merge(actor=staff, survivor=survivor, duplicate=other)

    assert set(exc_info.value.details) == {"duplicate"}
    assert state() == before
    assert not CandidateMerge.objects.exists()


def test_a_profile_merged_away_cannot_be_merged_again(pair, recruiter):
    survivor, duplicate = pair
    candidate_merge(actor=recruiter, survivor=survivor, duplicate=duplicate)
    third = CandidateFactory(user=None, created_by=recruiter)
    before = state()

    with pytest.raises(InvalidMerge):
        candidate_merge(actor=recruiter, survivor=third, duplicate=duplicate)

    assert state() == before


def test_another_organization_may_not_merge_profiles_it_sees(pair, other_recruiter):
    survivor, duplicate = pair
    Candidate.objects.filter(pk__in=[survivor.pk, duplicate.pk]).update(discoverable=True)
    for profile in (survivor, duplicate):  # in the talent pool: discoverable with the consent
        Consent.objects.create(
            candidate=profile,
            purpose="talent_pool",
            text_version="2026-12",
            given_at=profile.created_at,
            given_source="admin",
        )
    assert candidate_list(actor=other_recruiter).filter(pk__in=[survivor.pk, duplicate.pk]).count() == 2
    before = state()

    with pytest.raises(Forbidden):
        candidate_merge(actor=other_recruiter, survivor=survivor, duplicate=duplicate)

    assert state() == before


def test_another_organization_may_not_undo(pair, recruiter, other_recruiter):
    survivor, duplicate = pair
    merge = candidate_merge(actor=recruiter, survivor=survivor, duplicate=duplicate)
    before = state()

    with pytest.raises(Forbidden):
        candidate_merge_undo(actor=other_recruiter, merge=merge)

    assert state() == before


def test_a_merge_is_undone_once(pair, recruiter):
    survivor, duplicate = pair
    merge = candidate_merge(actor=recruiter, survivor=survivor, duplicate=duplicate)
    candidate_merge_undo(actor=recruiter, merge=merge)
    before = state()

    with pytest.raises(MergeAlreadyUndone):
        candidate_merge_undo(actor=recruiter, merge=merge)

    assert state() == before


def test_merges_are_undone_last_first(pair, recruiter):
    survivor, duplicate = pair
    first = candidate_merge(actor=recruiter, survivor=survivor, duplicate=duplicate)
    third = CandidateFactory(user=None, created_by=recruiter)
    second = candidate_merge(actor=recruiter, survivor=third, duplicate=survivor)
    before = state()

    with pytest.raises(MergeUndoBlocked):
        candidate_merge_undo(actor=recruiter, merge=first)
    assert state() == before

    candidate_merge_undo(actor=recruiter, merge=second)
    candidate_merge_undo(actor=recruiter, merge=first)
    assert not Candidate.objects.exclude(merged_into=None).exists()
    assert duplicate.applications.count() == 2


def test_staff_merge_any_organizations_profiles(pair, staff):
    survivor, duplicate = pair

    merge = candidate_merge(actor=staff, survivor=survivor, duplicate=duplicate)

    assert merge.merged_by == staff
