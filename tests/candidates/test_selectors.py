import pytest
from django.contrib.auth.models import AnonymousUser

from candidates.errors import CandidateNotFound
from candidates.models import Candidate
from candidates.selectors import candidate_for_user, candidate_get, candidate_list
from tests.factories import ApplicationFactory, CandidateFactory, MembershipFactory


@pytest.fixture
def pool(org, other_org, recruiter, other_recruiter, open_job, other_open_job):
    """Candidates related to the two organizations in every way the access rules know."""
    colleague = MembershipFactory(organization=org).user
    return {
        "applied_here": ApplicationFactory(job=open_job).candidate,
        "applied_there": ApplicationFactory(job=other_open_job).candidate,
        "discoverable": CandidateFactory(discoverable=True),
        "sourced_here": CandidateFactory(user=None, created_by=colleague),
        "sourced_there": CandidateFactory(user=None, created_by=other_recruiter),
        "stranger": CandidateFactory(),
    }


def test_recruiter_sees_applicants_discoverable_and_own_org_sourced_candidates(pool, recruiter):
    expected = {pool["applied_here"], pool["discoverable"], pool["sourced_here"]}

    assert set(candidate_list(actor=recruiter)) == expected


def test_other_org_recruiter_sees_their_own_set(pool, other_recruiter):
    expected = {pool["applied_there"], pool["discoverable"], pool["sourced_there"]}

    assert set(candidate_list(actor=other_recruiter)) == expected


def test_a_recruiters_own_job_hunting_profile_stays_hidden_from_colleagues(org, recruiter):
    colleague = MembershipFactory(organization=org).user
    private = CandidateFactory(user=colleague, created_by=colleague, discoverable=False)

    assert private not in set(candidate_list(actor=recruiter))
    assert private in set(candidate_list(actor=colleague))


def test_candidate_sees_only_self(pool, candidate, other_candidate):
    assert list(candidate_list(actor=candidate.user)) == [candidate]
    assert list(candidate_list(actor=other_candidate.user)) == [other_candidate]


def test_staff_sees_every_candidate(pool, staff):
    assert candidate_list(actor=staff).count() == Candidate.objects.count()


def test_anonymous_sees_no_candidate(pool):
    assert not candidate_list(actor=AnonymousUser()).exists()


def test_candidate_get_hides_another_orgs_applicant(pool, recruiter):
    with pytest.raises(CandidateNotFound) as exc_info:
        candidate_get(actor=recruiter, candidate_id=pool["applied_there"].pk)

    assert exc_info.value.code == "NOT_FOUND"


def test_candidate_get_hides_other_candidates(candidate, other_candidate):
    with pytest.raises(CandidateNotFound):
        candidate_get(actor=candidate.user, candidate_id=other_candidate.pk)


def test_candidate_get_returns_a_visible_candidate(pool, recruiter):
    assert candidate_get(actor=recruiter, candidate_id=pool["sourced_here"].pk) == pool["sourced_here"]


def test_candidate_for_user(candidate, recruiter):
    assert candidate_for_user(user=candidate.user) == candidate
    assert candidate_for_user(user=recruiter) is None
    assert candidate_for_user(user=AnonymousUser()) is None
