"""Which scopes each role may hold, written out here rather than read from the code's tuples."""

import pytest

from hotgigs.accounts.scopes import parse_scope, scopes_for_user
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

CANDIDATE = (
    "jobs:read",
    "candidates:read",
    "candidates:write",
    "applications:read",
    "applications:write",
    "interviews:read",
    "notifications:read",
    "notifications:write",
)
RECRUITER = (
    "jobs:read",
    "jobs:write",
    "candidates:read",
    "candidates:write",
    "applications:read",
    "applications:write",
    "interviews:read",
    "interviews:write",
    "feedback:read",
    "feedback:write",
    "analytics:read",
    "notifications:read",
    "notifications:write",
    "webhooks:read",
    "webhooks:write",
)
EVERY = (*RECRUITER, "organization:admin")


def test_a_candidate_holds_no_recruiting_scope(candidate):
    assert scopes_for_user(candidate.user) == CANDIDATE


def test_a_recruiter_holds_every_scope_but_organization_admin(recruiter):
    assert scopes_for_user(recruiter) == RECRUITER


def test_an_organization_admin_holds_every_scope(org_admin):
    assert scopes_for_user(org_admin) == EVERY


def test_an_admin_of_one_organization_and_recruiter_of_another_holds_admin(org_admin, other_org):
    MembershipFactory(user=org_admin, organization=other_org, role="recruiter")

    assert scopes_for_user(org_admin) == EVERY


def test_staff_hold_every_scope(staff):
    assert scopes_for_user(staff) == EVERY


def test_deactivated_staff_hold_no_recruiting_scope(db):
    user = UserFactory(is_staff=True, is_active=False)

    assert scopes_for_user(user) == CANDIDATE


def test_a_member_of_a_deactivated_organization_holds_no_recruiting_scope(db):
    user = MembershipFactory(organization=OrganizationFactory(is_active=False), role="org_admin").user

    assert scopes_for_user(user) == CANDIDATE


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("jobs:read jobs:write", ("jobs:read", "jobs:write")),
        ("  jobs:read   jobs:write  ", ("jobs:read", "jobs:write")),
        ("jobs:read\tjobs:write\njobs:read", ("jobs:read", "jobs:write")),
        ("", ()),
        ("   ", ()),
    ],
)
def test_a_scope_string_is_split_on_any_whitespace_without_empties_or_repeats(value, expected):
    assert parse_scope(value) == expected
