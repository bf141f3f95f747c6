"""The per-family identity cache: fewer queries, and every change seen at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from hotgigs.accounts.services import membership_set
from hotgigs.accounts.tokens import token_issue_for_user, token_revoke
from tests.conftest import clear_cache
from tests.factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db(transaction=True)

ME = "/api/v1/auth/me"


@pytest.fixture(autouse=True)
def _clean_cache():
    clear_cache()


def _client_for(user):
    pair = token_issue_for_user(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair.access_token}")
    return client, pair


def _queries(client) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(ME)
    return len(ctx), response


def test_a_known_family_is_authenticated_without_queries():
    user = MembershipFactory().user
    client, _ = _client_for(user)

    first, _ = _queries(client)
    second, response = _queries(client)

    assert response.status_code == 200
    assert first >= 2
    assert second < first
    assert second == first - 2  # neither the user and family, nor the memberships


def test_revoking_the_family_is_seen_at_once():
    user = MembershipFactory().user
    client, pair = _client_for(user)
    assert client.get(ME).status_code == 200

    token_revoke(refresh_token=pair.refresh_token, user=user)

    assert client.get(ME).status_code == 401


def test_deactivating_the_user_is_seen_at_once():
    user = MembershipFactory().user
    client, _ = _client_for(user)
    assert client.get(ME).status_code == 200

    user.is_active = False
    user.save()

    assert client.get(ME).status_code == 401


def test_membership_changes_are_seen_at_once():
    membership = MembershipFactory()
    client, _ = _client_for(membership.user)
    assert [o["role"] for o in client.get(ME).json()["organizations"]] == ["recruiter"]

    membership_set(user=membership.user, organization=membership.organization, role="org_admin")
    assert [o["role"] for o in client.get(ME).json()["organizations"]] == ["org_admin"]

    other = OrganizationFactory()
    membership_set(user=membership.user, organization=other, role="recruiter")
    assert len(client.get(ME).json()["organizations"]) == 2

    membership.delete()
    assert [o["id"] for o in client.get(ME).json()["organizations"]] == [other.pk]


def test_a_deactivated_organization_is_seen_at_once():
    membership = MembershipFactory()
    client, _ = _client_for(membership.user)
    assert len(client.get(ME).json()["organizations"]) == 1

    membership.organization.is_active = False
    membership.organization.save()

    assert client.get(ME).json()["organizations"] == []


def test_the_cache_can_be_switched_off(settings):
    settings.AUTH_CACHE_SECONDS = 0
    user = MembershipFactory().user
    client, _ = _client_for(user)

    first, _ = _queries(client)
    second, _ = _queries(client)

    assert first == second


@pytest.mark.redis
def test_each_reader_of_the_same_stored_identity_gets_its_own_copy(redis_url):
    from django.core.cache import cache

    from hotgigs.accounts.identity import identity_from_stored

    user = MembershipFactory().user
    stored = cache.client.encode({"user": user, "roles": {7: "recruiter"}})  # type: ignore[attr-defined]

    first = identity_from_stored(stored)
    assert first is not None
    first[0].full_name = "Changed by one request"
    first[1][7] = "org_admin"
    second = identity_from_stored(stored)

    assert second is not None
    assert second[0] is not first[0]
    assert second[0].pk == user.pk
    assert second[0].full_name == user.full_name
    assert second[1] == {7: "recruiter"}
