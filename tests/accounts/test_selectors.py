import pytest
from django.contrib.auth.models import AnonymousUser

from hotgigs.accounts.errors import OrganizationNotFound
from hotgigs.accounts.selectors import organization_get, organization_list, user_get_by_email
from tests.factories import UserFactory

# Who is staff or member, and the role memo, are the policy's: tests/accounts/test_policies.py.


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
