"""Merging candidates in the back office: the candidates' "Merge" action, the merges page and its
undo action, and the organization of a new sourced profile."""

import pytest

from applications.models import Application
from candidates.models import Candidate, CandidateMerge
from tests.admin.helpers import action_data, add_url, change_url, changelist_url, listed_pks, messages_of
from tests.admin.test_candidates import candidate_form
from tests.factories import ApplicationFactory, CandidateFactory, JobFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(org, recruiter):  # type: ignore[no-untyped-def]
    older = CandidateFactory(user=None, created_by=recruiter, email="ada@example.test")
    newer = CandidateFactory(user=None, created_by=recruiter, email="ada.l@example.test")
    ApplicationFactory(candidate=newer, job=JobFactory(organization=org))
    return older, newer


def test_the_merge_action_keeps_the_older_profile(recruiter_client, pair):
    older, newer = pair

    response = recruiter_client.post(changelist_url(Candidate), action_data("merge_two", newer, older), follow=True)

    assert response.status_code == 200
    merge = CandidateMerge.objects.get()
    assert (merge.survivor_id, merge.duplicate_id) == (older.pk, newer.pk)
    assert Application.objects.get().candidate_id == older.pk
    assert any("was merged into" in m for m in messages_of(response))
    assert newer.pk not in listed_pks(recruiter_client.get(changelist_url(Candidate)))


def test_the_merge_action_needs_exactly_two(recruiter_client, pair, recruiter):
    older, _ = pair
    third = CandidateFactory(user=None, created_by=recruiter)

    one = recruiter_client.post(changelist_url(Candidate), action_data("merge_two", older), follow=True)
    three = recruiter_client.post(changelist_url(Candidate), action_data("merge_two", *pair, third), follow=True)

    assert "Select exactly two profiles to merge." in messages_of(one)
    assert "Select exactly two profiles to merge." in messages_of(three)
    assert not CandidateMerge.objects.exists()


def test_the_merge_action_shows_the_services_refusal(staff_client, pair, other_recruiter):
    older, _ = pair
    theirs = CandidateFactory(user=None, created_by=other_recruiter)

    response = staff_client.post(changelist_url(Candidate), action_data("merge_two", older, theirs), follow=True)

    assert any("same organization" in m for m in messages_of(response))
    assert not CandidateMerge.objects.exists()
    assert not Candidate.objects.exclude(merged_into=None).exists()


def test_the_merges_page_lists_the_organizations_own_and_undoes(recruiter_client, client, pair, other_recruiter):
    older, newer = pair
    recruiter_client.post(changelist_url(Candidate), action_data("merge_two", older, newer))
    merge = CandidateMerge.objects.get()

    assert listed_pks(recruiter_client.get(changelist_url(CandidateMerge))) == {merge.pk}
    assert recruiter_client.get(change_url(merge)).status_code == 200

    response = recruiter_client.post(changelist_url(CandidateMerge), action_data("undo_selected", merge), follow=True)

    assert response.status_code == 200
    merge.refresh_from_db()
    assert merge.undone_at is not None
    assert Application.objects.get().candidate_id == newer.pk
    assert newer.pk in listed_pks(recruiter_client.get(changelist_url(Candidate)))


def test_another_organization_does_not_see_or_undo_the_merge(client, pair, recruiter, other_recruiter):
    older, newer = pair
    client.force_login(recruiter)
    client.post(changelist_url(Candidate), action_data("merge_two", older, newer))
    merge = CandidateMerge.objects.get()
    client.force_login(other_recruiter)

    assert listed_pks(client.get(changelist_url(CandidateMerge))) == set()
    client.post(changelist_url(CandidateMerge), action_data("undo_selected", merge))

    merge.refresh_from_db()
    assert merge.undone_at is None


def test_a_merge_cannot_be_added_or_deleted_by_hand(staff_client, pair, recruiter):
    older, newer = pair
    staff_client.post(changelist_url(Candidate), action_data("merge_two", older, newer))
    merge = CandidateMerge.objects.get()

    assert staff_client.get(add_url(CandidateMerge)).status_code == 403
    assert staff_client.post(change_url(merge).replace("/change/", "/delete/"), {"post": "yes"}).status_code == 403
    assert CandidateMerge.objects.filter(pk=merge.pk).exists()


def test_a_member_of_several_organizations_picks_the_one_on_add(client, org, other_org, recruiter):
    MembershipFactory(organization=other_org, user=recruiter)
    client.force_login(recruiter)

    refused = client.post(add_url(Candidate), candidate_form())
    foreign = client.post(add_url(Candidate), candidate_form(organization=str(other_org.pk + 1000)))
    added = client.post(add_url(Candidate), candidate_form(organization=str(other_org.pk)))

    assert refused.status_code == 200
    assert foreign.status_code == 200
    assert added.status_code == 302
    assert Candidate.objects.get().organization_id == other_org.pk
