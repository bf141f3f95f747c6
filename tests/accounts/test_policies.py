"""The access policy, rule by rule, for every kind of actor.

Actors: anonymous, a candidate (a user with a profile and no membership), a recruiter and an
org admin of ``org``, a member of ``other_org`` only, staff, and the ones who must count for
nothing: an inactive staff user, an inactive member, a member of a deactivated organization.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from candidates.models import Candidate
from hotgigs.accounts import policies
from hotgigs.accounts.models import Membership
from tests.factories import CandidateFactory, MembershipFactory, OrganizationFactory, UserFactory


@pytest.fixture
def anonymous():  # type: ignore[no-untyped-def]
    return AnonymousUser()


@pytest.fixture
def candidate_user(candidate):  # type: ignore[no-untyped-def]
    return candidate.user


@pytest.fixture
def inactive_staff(db):  # type: ignore[no-untyped-def]
    return UserFactory(is_staff=True, is_active=False)


@pytest.fixture
def inactive_member(org):  # type: ignore[no-untyped-def]
    return MembershipFactory(organization=org, user=UserFactory(is_active=False)).user


@pytest.fixture
def dormant_member(db):  # type: ignore[no-untyped-def]
    return MembershipFactory(organization=OrganizationFactory(is_active=False)).user


NOBODY = ("anonymous", "candidate_user", "inactive_staff", "inactive_member", "dormant_member")


def _actor(request, name):  # type: ignore[no-untyped-def]
    return request.getfixturevalue(name)


# --- who the actor is ----------------------------------------------------------------------------


def test_only_active_staff_is_staff(staff, recruiter, org_admin, candidate_user, anonymous, inactive_staff):
    assert policies.is_staff(staff)
    assert not policies.is_staff(recruiter)
    assert not policies.is_staff(org_admin)
    assert not policies.is_staff(candidate_user)
    assert not policies.is_staff(anonymous)
    assert not policies.is_staff(inactive_staff)


def test_members_have_roles_in_their_organization_only(org, other_org, recruiter, org_admin):
    assert policies.actor_roles(recruiter) == {org.pk: "recruiter"}
    assert policies.organization_ids(org_admin) == frozenset({org.pk})
    assert policies.is_member(recruiter, org.pk)
    assert not policies.is_member(recruiter, other_org.pk)
    assert policies.is_org_admin(org_admin, org.pk)
    assert not policies.is_org_admin(recruiter, org.pk)
    assert policies.is_org_admin_anywhere(org_admin)
    assert not policies.is_org_admin_anywhere(recruiter)
    assert policies.is_recruiter(recruiter)


@pytest.mark.parametrize("name", NOBODY)
def test_candidates_anonymous_and_inactive_have_no_roles(request, org, name):
    actor = _actor(request, name)

    assert policies.actor_roles(actor) == {}
    assert policies.organization_ids(actor) == frozenset()
    assert not policies.is_member(actor, org.pk)
    assert not policies.is_recruiter(actor)


def test_staff_hold_no_role_by_being_staff(org, staff):
    assert policies.organization_ids(staff) == frozenset()
    assert not policies.is_member(staff, org.pk)


def test_roles_are_memoised_until_forgotten(org, recruiter, django_assert_num_queries):
    policies.actor_roles(recruiter)
    MembershipFactory(user=recruiter, organization=OrganizationFactory())

    with django_assert_num_queries(0):
        assert set(policies.actor_roles(recruiter)) == {org.pk}
        assert policies.is_member(recruiter, org.pk)

    policies.forget_actor_roles(recruiter)
    assert len(policies.actor_roles(recruiter)) == 2


def test_remembered_roles_are_used_without_a_query(org, other_org, recruiter, django_assert_num_queries):
    policies.remember_actor_roles(recruiter, {other_org.pk: "recruiter"})

    with django_assert_num_queries(0):
        assert policies.is_member(recruiter, other_org.pk)
        assert not policies.is_member(recruiter, org.pk)


def test_is_self_names_only_the_actor_own_user(candidate, other_candidate, anonymous):
    user = candidate.user

    assert policies.is_self(user, user.pk)
    assert not policies.is_self(user, other_candidate.user.pk)
    assert not policies.is_self(user, None)
    assert not policies.is_self(anonymous, None)
    assert not policies.is_self(anonymous, user.pk)


# --- what the actor may do -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("staff", True),
        ("recruiter", True),
        ("org_admin", True),
        ("other_recruiter", False),
        *[(nobody, False) for nobody in NOBODY],
    ],
)
def test_may_manage_organization(request, org, name, allowed):
    assert policies.may_manage_organization(_actor(request, name), org.pk) is allowed


def test_staff_may_manage_every_organization(staff, other_org):
    assert policies.may_manage_organization(staff, other_org.pk)
    assert policies.sees_every_organization(staff)


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("staff", True),
        ("recruiter", True),
        ("org_admin", True),
        ("other_recruiter", True),
        *[(nobody, False) for nobody in NOBODY],
    ],
)
def test_may_recruit_and_use_the_back_office(request, name, allowed):
    actor = _actor(request, name)

    assert policies.may_recruit(actor) is allowed
    assert policies.may_use_back_office(actor) is allowed


@pytest.mark.parametrize("name", ["recruiter", "other_recruiter", "candidate_user", "anonymous"])
def test_only_staff_see_every_organization(request, name):
    assert not policies.sees_every_organization(_actor(request, name))


def test_the_candidate_alone_gets_the_candidate_view_of_their_profile(candidate, recruiter, staff):
    own = candidate.user.pk

    assert not policies.sees_internal_candidate_view(candidate.user, candidate_user_id=own)
    assert policies.sees_internal_candidate_view(recruiter, candidate_user_id=own)
    assert policies.sees_internal_candidate_view(recruiter, candidate_user_id=None)
    assert policies.sees_internal_candidate_view(staff, candidate_user_id=staff.pk)


def test_may_edit_candidate(org, recruiter, org_admin, other_recruiter, staff, candidate, other_candidate):
    sourced_here = CandidateFactory(user=None, created_by=recruiter)
    sourced_elsewhere = CandidateFactory(user=None, created_by=other_recruiter)
    # A colleague's own job-hunting profile has a login: sourcing never covers it.
    colleague_profile = CandidateFactory(user=org_admin, created_by=org_admin)

    def may(actor, row):  # type: ignore[no-untyped-def]
        return policies.may_edit_candidate(actor, candidate_user_id=row.user_id, organization_id=row.organization_id)

    assert may(org_admin, sourced_here)
    assert may(recruiter, sourced_here)
    assert not may(other_recruiter, sourced_here)
    assert may(other_recruiter, sourced_elsewhere)
    assert not may(recruiter, colleague_profile)
    assert may(org_admin, colleague_profile)
    assert may(candidate.user, candidate)
    assert not may(candidate.user, other_candidate)
    assert not may(recruiter, candidate)
    assert may(staff, candidate)
    assert may(staff, sourced_elsewhere)
    assert not may(AnonymousUser(), sourced_here)


def test_may_edit_candidate_ignores_memberships_of_deactivated_organizations(dormant_member):
    colleague = MembershipFactory(organization=Membership.objects.get(user=dormant_member).organization).user
    sourced = CandidateFactory(user=None, created_by=colleague)

    assert not policies.may_edit_candidate(
        dormant_member, candidate_user_id=None, organization_id=sourced.organization_id
    )


def test_may_upload_resume(candidate, other_candidate, recruiter, staff, anonymous):
    own = candidate.user.pk

    assert policies.may_upload_resume(candidate.user, candidate_user_id=own)
    assert not policies.may_upload_resume(other_candidate.user, candidate_user_id=own)
    assert policies.may_upload_resume(recruiter, candidate_user_id=own)
    assert policies.may_upload_resume(staff, candidate_user_id=None)
    assert not policies.may_upload_resume(anonymous, candidate_user_id=None)


# --- which rows the actor may see ----------------------------------------------------------------


def _memberships(actor, **rule):  # type: ignore[no-untyped-def]
    visible = policies.visible_rows(actor, **rule)
    return set() if visible is None else set(Membership.objects.filter(visible))


def test_visible_rows_staff_see_every_row(org, other_org, recruiter, other_recruiter, staff):
    assert policies.visible_rows(staff, organization="organization_id", owner="user_id") == Q()
    assert _memberships(staff, organization="organization_id") == set(Membership.objects.all())


def test_visible_rows_members_see_their_organizations_rows(org, recruiter, org_admin, other_recruiter):
    mine = set(Membership.objects.filter(organization=org))

    assert _memberships(recruiter, organization="organization_id") == mine
    assert _memberships(other_recruiter, organization="organization_id") == set(
        Membership.objects.filter(user=other_recruiter)
    )


def test_visible_rows_owners_see_their_own_rows(org, recruiter, other_recruiter):
    assert _memberships(recruiter, owner="user_id") == set(Membership.objects.filter(user=recruiter))
    both = _memberships(other_recruiter, owner="user_id", organization="organization_id")
    assert both == set(Membership.objects.filter(user=other_recruiter))


def test_visible_rows_organization_rule_may_be_a_function(org, other_org, recruiter, other_recruiter):
    seen: list[frozenset[int]] = []

    def shared(ids: frozenset[int]) -> Q:
        seen.append(ids)
        return Q(organization_id=other_org.pk)

    assert _memberships(recruiter, organization=shared) == {Membership.objects.get(user=other_recruiter)}
    assert seen == [frozenset({org.pk})]


@pytest.mark.parametrize("name", ["anonymous", "inactive_member", "dormant_member"])
def test_visible_rows_of_members_of_nothing(request, org, recruiter, name):
    actor = _actor(request, name)

    visible = policies.visible_rows(actor, organization="organization_id")

    assert visible is None or not Membership.objects.filter(visible).exists()


def test_visible_rows_anonymous_see_nothing_even_their_own(anonymous):
    assert policies.visible_rows(anonymous, owner="user_id", organization="organization_id") is None


def test_visible_rows_without_any_rule_for_a_candidate_is_nothing(candidate_user):
    assert policies.visible_rows(candidate_user, organization="organization_id") is None
    assert policies.visible_rows(candidate_user, owner="user_id") == Q(user_id=candidate_user.pk)


def test_members_of_matches_rows_whose_user_is_a_member(org, other_org, recruiter, other_recruiter):
    sourced_here = CandidateFactory(user=None, created_by=recruiter)
    CandidateFactory(user=None, created_by=other_recruiter)
    CandidateFactory(user=None, created_by=None)

    found = Candidate.objects.filter(policies.members_of([org.pk], field="created_by_id"))

    assert list(found) == [sourced_here]


def test_organization_member_ids_counts_active_members_only(
    org, recruiter, org_admin, inactive_member, other_recruiter
):
    assert policies.organization_member_ids(org.pk) == {recruiter.pk, org_admin.pk}
    assert policies.organization_member_ids(org.pk, among=[recruiter.pk, other_recruiter.pk]) == {recruiter.pk}
    assert policies.organization_member_ids(org.pk, among=[]) == set()


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("staff", "staff"),
        ("recruiter", "organizations"),
        ("candidate_user", "outsider"),
        ("dormant_member", "outsider"),
        ("anonymous", "anonymous"),
    ],
)
def test_audience(request, org, name, kind):
    audience = policies.audience(_actor(request, name))

    assert audience.kind == kind
    assert audience.organization_ids == (frozenset({org.pk}) if kind == "organizations" else frozenset())
