import pytest
from django.contrib.auth.models import AnonymousUser

from hotgigs.accounts.errors import OrganizationNotFound
from hotgigs.accounts.selectors import (
    actor_is_member,
    actor_is_org_admin,
    actor_is_recruiter,
    actor_is_staff,
    actor_organization_ids,
    actor_roles,
    forget_actor_roles,
    organization_get,
    organization_list,
    user_get_by_email,
)
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory


def test_staff_helpers(staff, recruiter):
    assert actor_is_staff(staff)
    assert not actor_is_staff(recruiter)
    assert not actor_is_staff(AnonymousUser())


def test_inactive_staff_is_not_staff(db):
    user = UserFactory(is_staff=True, is_active=False)

    assert not actor_is_staff(user)


def test_recruiter_roles(org, other_org, recruiter, org_admin):
    assert actor_roles(recruiter) == {org.pk: "recruiter"}
    assert actor_organization_ids(org_admin) == frozenset({org.pk})
    assert actor_is_member(recruiter, org.pk)
    assert not actor_is_member(recruiter, other_org.pk)
    assert actor_is_org_admin(org_admin, org.pk)
    assert not actor_is_org_admin(recruiter, org.pk)
    assert actor_is_recruiter(recruiter)


def test_candidates_and_anonymous_have_no_roles(candidate):
    assert actor_roles(candidate.user) == {}
    assert not actor_is_recruiter(candidate.user)
    assert actor_roles(AnonymousUser()) == {}
    assert not actor_is_recruiter(AnonymousUser())


def test_inactive_organizations_and_users_grant_no_roles(db):
    dormant = MembershipFactory(organization=OrganizationFactory(is_active=False)).user
    gone = MembershipFactory(user=UserFactory(is_active=False)).user

    assert actor_roles(dormant) == {}
    assert actor_roles(gone) == {}


def test_roles_are_memoised_until_forgotten(org, recruiter, django_assert_num_queries):
    actor_roles(recruiter)
    MembershipFactory(user=recruiter, organization=OrganizationFactory())

    with django_assert_num_queries(0):
        assert set(actor_roles(recruiter)) == {org.pk}

    forget_actor_roles(recruiter)
    assert len(actor_roles(recruiter)) == 2


def test_organization_list_is_scoped(org, other_org, recruiter, staff, candidate):
    assert list(organization_list(actor=recruiter)) == [org]
    assert set(organization_list(actor=staff)) == {org, other_org}
    assert not organization_list(actor=candidate.user).exists()
    assert not organization_list(actor=AnonymousUser()).exists()


def test_organization_get_hides_other_organizations(other_org, recruiter):
    with pytest.raises(OrganizationNotFound) as exc_info:
        organization_get(actor=recruiter, organization_id=other_org.pk)

    assert exc_info.value.code == "NOT_FOUND"


def test_user_get_by_email_ignores_case_and_spaces(db):
    user = UserFactory(email="mixed@example.test")

    assert user_get_by_email(email=" MIXED@Example.Test ") == user
    assert user_get_by_email(email="nobody@example.test") is None
