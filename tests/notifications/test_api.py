"""GET/PATCH /api/v1/notifications/preferences: the caller's own email choices per kind."""

import pytest

from hotgigs.notifications.choices import NotificationKind
from hotgigs.notifications.models import NotificationPreference
from tests.factories import UserFactory

URL = "/api/v1/notifications/preferences"


@pytest.fixture
def login():  # type: ignore[no-untyped-def]
    from rest_framework.test import APIClient

    from hotgigs.accounts.tokens import token_issue_for_user

    def _login(user, scopes=None):  # type: ignore[no-untyped-def]
        client = APIClient()
        pair = token_issue_for_user(user=user, scopes=scopes)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair.access_token}")
        return client

    return _login


def _email(body) -> dict[str, bool]:  # type: ignore[no-untyped-def]
    return {p["kind"]: p["email"] for p in body["preferences"]}


def test_every_kind_is_on_by_default(db, login):
    response = login(UserFactory()).get(URL)

    assert response.status_code == 200
    assert _email(response.json()) == dict.fromkeys(NotificationKind.values, True)
    assert all(p["label"] for p in response.json()["preferences"])


def test_patch_switches_kinds_and_keeps_the_others(db, login):
    me, other = UserFactory(), UserFactory()
    client = login(me)

    client.patch(URL, {"email": {"interview.scheduled": False, "application.new": False}}, format="json")
    response = client.patch(URL, {"email": {"application.new": True}}, format="json")

    assert response.status_code == 200
    expected = {**dict.fromkeys(NotificationKind.values, True), "interview.scheduled": False}
    assert _email(response.json()) == expected
    assert _email(client.get(URL).json()) == expected
    assert not NotificationPreference.objects.filter(user=other).exists()


@pytest.mark.parametrize(
    "body",
    [
        {"email": {"application.exploded": False}},
        {"email": {"interview.scheduled": "maybe"}},
        {"email": {}},
        {"email": ["interview.scheduled"]},
        {"email": {"interview.scheduled": False}, "user_id": 1},
        {},
    ],
)
def test_bad_bodies_answer_the_envelope_and_change_nothing(db, login, body):
    me = UserFactory()

    response = login(me).patch(URL, body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert set(response.json()) == {"code", "message", "details"}
    assert not NotificationPreference.objects.exists()


def test_a_mixed_body_with_one_unknown_kind_changes_nothing(db, login):
    response = login(UserFactory()).patch(URL, {"email": {"interview.scheduled": False, "nope": False}}, format="json")

    assert response.status_code == 400
    assert not NotificationPreference.objects.exists()


def test_anonymous_callers_are_refused(db):
    from rest_framework.test import APIClient

    response = APIClient().get(URL)

    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHORIZED"


def test_patch_needs_the_write_scope(db, login):
    client = login(UserFactory(), scopes=("notifications:read",))

    assert client.get(URL).status_code == 200
    response = client.patch(URL, {"email": {"interview.scheduled": False}}, format="json")

    assert response.status_code == 403
    assert response.json()["details"] == {"required_scope": "notifications:write"}
    assert not NotificationPreference.objects.exists()
