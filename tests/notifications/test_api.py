"""The notifications API, each caller's own only: GET /api/v1/notifications, POST
/api/v1/notifications/read and GET/PATCH /api/v1/notifications/preferences."""

import pytest

from hotgigs.notifications.choices import NotificationKind
from hotgigs.notifications.models import Notification, NotificationPreference
from tests.factories import NotificationFactory, UserFactory

LIST_URL = "/api/v1/notifications"
READ_URL = "/api/v1/notifications/read"
PREFERENCES_URL = "/api/v1/notifications/preferences"


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


# --- the list and marking read ---------------------------------------------------------------


def test_list_shows_only_my_notifications_newest_first(db, login):
    me, other = UserFactory(), UserFactory()
    older, newer = NotificationFactory(user=me), NotificationFactory(user=me)
    NotificationFactory(user=other)

    response = login(me).get(LIST_URL)

    assert response.status_code == 200
    body = response.json()
    assert [n["id"] for n in body["results"]] == [newer.pk, older.pk]
    assert set(body["results"][0]) == {"id", "kind", "payload", "created_at", "read_at", "read"}


def test_list_filters_unread(db, login):
    me = UserFactory()
    read, unread = NotificationFactory.create_batch(2, user=me)
    Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)
    client = login(me)

    unread_ids = [n["id"] for n in client.get(LIST_URL, {"unread": "true"}).json()["results"]]
    read_ids = [n["id"] for n in client.get(LIST_URL, {"unread": "false"}).json()["results"]]

    assert unread_ids == [unread.pk]
    assert read_ids == [read.pk]


def test_list_refuses_a_bad_unread_value(db, login):
    response = login(UserFactory()).get(LIST_URL, {"unread": "maybe"})

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"


def test_list_is_cursor_paginated(db, login):
    me = UserFactory()
    NotificationFactory.create_batch(3, user=me)
    client = login(me)

    first = client.get(LIST_URL, {"page_size": 2}).json()
    second = client.get(first["next"]).json()

    assert len(first["results"]) == 2
    assert len(second["results"]) == 1
    assert second["next"] is None


def test_mark_some_read_ignores_other_users_ids(db, login):
    me, other = UserFactory(), UserFactory()
    mine = NotificationFactory.create_batch(2, user=me)
    theirs = NotificationFactory(user=other)

    response = login(me).post(READ_URL, {"ids": [mine[0].pk, theirs.pk]}, format="json")

    assert response.status_code == 200
    assert response.json() == {"updated": 1}
    assert set(Notification.objects.filter(read_at__isnull=False)) == {mine[0]}


def test_mark_all_read(db, login):
    me, other = UserFactory(), UserFactory()
    NotificationFactory.create_batch(3, user=me)
    theirs = NotificationFactory(user=other)

    response = login(me).post(READ_URL, {"all": True}, format="json")

    theirs.refresh_from_db()
    assert response.json() == {"updated": 3}
    assert theirs.read_at is None


@pytest.mark.parametrize(
    "body",
    [{}, {"all": False}, {"ids": []}, {"ids": [1], "all": True}, {"ids": ["x"]}, {"ids": [0]}, {"user_id": 1}],
)
def test_mark_read_validates_the_body(db, login, body):
    response = login(UserFactory()).post(READ_URL, body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"


def test_scopes_are_enforced(db, login):
    client = login(UserFactory(), scopes=("jobs:read",))

    listed = client.get(LIST_URL)
    marked = client.post(READ_URL, {"all": True}, format="json")

    assert listed.status_code == marked.status_code == 403
    assert listed.json()["details"] == {"required_scope": "notifications:read"}
    assert marked.json()["details"] == {"required_scope": "notifications:write"}


def test_anonymous_is_unauthorized(db, client):
    assert client.get(LIST_URL).status_code == 401
    assert client.post(READ_URL, {"all": True}, content_type="application/json").status_code == 401


# --- email preferences -----------------------------------------------------------------------


def _email(body) -> dict[str, bool]:  # type: ignore[no-untyped-def]
    return {p["kind"]: p["email"] for p in body["preferences"]}


def test_every_kind_is_on_by_default(db, login):
    response = login(UserFactory()).get(PREFERENCES_URL)

    assert response.status_code == 200
    assert _email(response.json()) == dict.fromkeys(NotificationKind.values, True)
    assert all(p["label"] for p in response.json()["preferences"])


def test_patch_switches_kinds_and_keeps_the_others(db, login):
    me, other = UserFactory(), UserFactory()
    client = login(me)

    client.patch(PREFERENCES_URL, {"email": {"interview.scheduled": False, "application.new": False}}, format="json")
    response = client.patch(PREFERENCES_URL, {"email": {"application.new": True}}, format="json")

    assert response.status_code == 200
    expected = {**dict.fromkeys(NotificationKind.values, True), "interview.scheduled": False}
    assert _email(response.json()) == expected
    assert _email(client.get(PREFERENCES_URL).json()) == expected
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

    response = login(me).patch(PREFERENCES_URL, body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert set(response.json()) == {"code", "message", "details"}
    assert not NotificationPreference.objects.exists()


def test_a_mixed_body_with_one_unknown_kind_changes_nothing(db, login):
    response = login(UserFactory()).patch(
        PREFERENCES_URL, {"email": {"interview.scheduled": False, "nope": False}}, format="json"
    )

    assert response.status_code == 400
    assert not NotificationPreference.objects.exists()


def test_anonymous_callers_are_refused(db):
    from rest_framework.test import APIClient

    response = APIClient().get(PREFERENCES_URL)

    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHORIZED"


def test_patch_needs_the_write_scope(db, login):
    client = login(UserFactory(), scopes=("notifications:read",))

    assert client.get(PREFERENCES_URL).status_code == 200
    response = client.patch(PREFERENCES_URL, {"email": {"interview.scheduled": False}}, format="json")

    assert response.status_code == 403
    assert response.json()["details"] == {"required_scope": "notifications:write"}
    assert not NotificationPreference.objects.exists()
