"""Replay after pruning: ``since`` just before, at and after the oldest event the outbox keeps.

The outbox prunes its oldest rows; a client resuming from an id whose successor was pruned
must be told its replay is incomplete (``expired``), and one whose successor is still kept
must not be, whatever the ids of the other groups.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from hotgigs.events.models import OutboxEvent
from hotgigs.realtime.events import publish_on_commit
from hotgigs.realtime.selectors import outbox_replay
from hotgigs.realtime.services import outbox_prune

GROUP = "notifications.user.1"

pytestmark = pytest.mark.django_db


@pytest.fixture
def pruned() -> list[int]:
    """Five events of one group, the first two pruned: the ids of the three kept."""
    ids = [
        publish_on_commit(channel="notifications", type="notification.created", data={"n": n}, groups=["user.1"]).pk
        for n in range(5)
    ]
    assert ids == list(range(ids[0], ids[0] + 5)), "the boundary cases below need consecutive ids"
    OutboxEvent.objects.filter(pk__in=ids[:2]).update(created_at=timezone.now() - timedelta(days=10))
    assert outbox_prune(older_than=timedelta(days=1)) == 2
    return ids[2:]


def test_since_two_before_the_oldest_kept_is_expired(pruned):
    oldest = pruned[0]

    # The client saw oldest - 2; oldest - 1 was pruned, so it cannot be told what it missed.
    replay = outbox_replay(group=GROUP, since=oldest - 2, limit=10)

    assert replay.expired
    assert [event["id"] for event in replay.events] == pruned


def test_since_just_before_the_oldest_kept_is_complete(pruned):
    oldest = pruned[0]

    # The client saw the last pruned event: everything after it is still kept.
    replay = outbox_replay(group=GROUP, since=oldest - 1, limit=10)

    assert not replay.expired
    assert [event["id"] for event in replay.events] == pruned


def test_since_at_the_oldest_kept_is_complete(pruned):
    oldest = pruned[0]

    replay = outbox_replay(group=GROUP, since=oldest, limit=10)

    assert not replay.expired
    assert [event["id"] for event in replay.events] == pruned[1:]


def test_since_after_the_oldest_kept_is_complete(pruned):
    oldest = pruned[0]

    replay = outbox_replay(group=GROUP, since=oldest + 1, limit=10)

    assert not replay.expired
    assert [event["id"] for event in replay.events] == pruned[2:]
    assert replay.head == pruned[-1]


def test_since_far_before_the_oldest_kept_is_expired(pruned):
    replay = outbox_replay(group=GROUP, since=0, limit=10)

    assert replay.expired
    assert [event["id"] for event in replay.events] == pruned


def test_nothing_pruned_is_never_expired(db):
    first = publish_on_commit(channel="notifications", type="notification.created", data={}, groups=["user.1"]).pk

    replay = outbox_replay(group=GROUP, since=first - 1, limit=10)

    assert not replay.expired
    assert [event["id"] for event in replay.events] == [first]
