import asyncio

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from hotgigs.notifications.models import Notification
from hotgigs.notifications.services import notification_create, notification_mark_read
from hotgigs.realtime.events import channel_group, group_for_user
from tests.factories import NotificationFactory, UserFactory


@pytest.fixture
def layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    layer = get_channel_layer()
    yield layer
    async_to_sync(layer.flush)()


def _listen(layer, group: str) -> str:
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(group, channel)
    return channel


async def _receive_or_none(layer, channel: str):
    try:
        return await asyncio.wait_for(layer.receive(channel), timeout=0.2)
    except TimeoutError:
        return None


def test_notification_create_stores_and_publishes_after_commit(db, layer, django_capture_on_commit_callbacks):
    user = UserFactory()
    channel = _listen(layer, channel_group("notifications", group_for_user(user.pk)))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = notification_create(user_id=user.pk, kind="interview.scheduled", payload={"interview_id": 7})

    message = async_to_sync(layer.receive)(channel)
    assert len(callbacks) == 1
    assert Notification.objects.get() == notification
    assert message["type"] == "event.push"
    assert message["event"]["channel"] == "notifications"
    assert message["event"]["type"] == "notification.created"
    assert message["event"]["data"] == {
        "id": notification.pk,
        "kind": "interview.scheduled",
        "payload": {"interview_id": 7},
    }
    assert set(message["event"]) == {"id", "channel", "type", "data", "ts"}


def test_other_users_hear_nothing(db, layer, django_capture_on_commit_callbacks):
    user, bystander = UserFactory(), UserFactory()
    channel = _listen(layer, channel_group("notifications", group_for_user(bystander.pk)))

    with django_capture_on_commit_callbacks(execute=True):
        notification_create(user_id=user.pk, kind="interview.scheduled", payload={})

    assert async_to_sync(_receive_or_none)(layer, channel) is None


class Boom(Exception):
    pass


@transaction.atomic
def _notify_then_fail(user_id: int) -> None:
    notification_create(user_id=user_id, kind="interview.scheduled", payload={})
    raise Boom


def test_nothing_is_stored_or_sent_when_the_transaction_rolls_back(db, layer, django_capture_on_commit_callbacks):
    user = UserFactory()
    channel = _listen(layer, channel_group("notifications", group_for_user(user.pk)))

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Boom):
        _notify_then_fail(user.pk)

    assert callbacks == []
    assert not Notification.objects.exists()
    assert async_to_sync(_receive_or_none)(layer, channel) is None


def test_mark_read_touches_only_the_users_own_rows(db):
    user, other = UserFactory(), UserFactory()
    mine = NotificationFactory.create_batch(2, user=user)
    theirs = NotificationFactory(user=other)

    changed = notification_mark_read(user_id=user.pk, notification_ids=[mine[0].pk, theirs.pk])

    assert changed == 1
    assert set(Notification.objects.filter(read_at__isnull=False)) == {mine[0]}


def test_mark_read_without_ids_marks_every_unread_row_of_the_user(db):
    user, other = UserFactory(), UserFactory()
    NotificationFactory.create_batch(3, user=user)
    theirs = NotificationFactory(user=other)

    changed = notification_mark_read(user_id=user.pk)

    theirs.refresh_from_db()
    assert changed == 3
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()
    assert theirs.read_at is None


def test_mark_read_leaves_read_rows_alone(db):
    user = UserFactory()
    notification = NotificationFactory(user=user)
    notification_mark_read(user_id=user.pk)
    notification.refresh_from_db()
    first = notification.read_at

    changed = notification_mark_read(user_id=user.pk, notification_ids=[notification.pk])

    notification.refresh_from_db()
    assert changed == 0
    assert notification.read_at == first


@pytest.mark.parametrize("kind", ["", "   ", "x" * 65])
def test_notification_kind_must_be_given(db, kind):
    from hotgigs.errors import ValidationFailed
    from hotgigs.notifications.models import Notification
    from hotgigs.notifications.services import notification_create
    from tests.factories import UserFactory

    user = UserFactory()

    with pytest.raises(ValidationFailed):
        notification_create(user_id=user.pk, kind=kind, payload={})

    assert not Notification.objects.exists()


def test_notifications_for_many_users_reach_each_users_channel(db, layer, django_capture_on_commit_callbacks):
    from hotgigs.notifications.services import notifications_create

    users = UserFactory.create_batch(3)
    channels = [_listen(layer, channel_group("notifications", group_for_user(user.pk))) for user in users]

    with django_capture_on_commit_callbacks(execute=True):
        created = notifications_create(kind="application.new", payloads={u.pk: {"n": i} for i, u in enumerate(users)})

    assert [(n.user_id, n.payload) for n in created] == [(u.pk, {"n": i}) for i, u in enumerate(users)]
    for notification, channel in zip(created, channels, strict=True):
        message = async_to_sync(_receive_or_none)(layer, channel)
        assert message["event"]["data"]["id"] == notification.pk
        assert async_to_sync(_receive_or_none)(layer, channel) is None


def test_one_bad_payload_writes_no_notification(db):
    from hotgigs.errors import ValidationFailed
    from hotgigs.notifications.services import notifications_create

    users = UserFactory.create_batch(2)

    with pytest.raises(ValidationFailed):
        notifications_create(kind="application.new", payloads={users[0].pk: {}, users[1].pk: ["not", "an", "object"]})

    assert not Notification.objects.exists()
