"""A pushed event reaches each socket as the text the publisher encoded once, byte for byte
what ``send_json`` sent before, and without waiting for the database thread."""

import asyncio
import json
import threading
import uuid
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from hypothesis import given
from hypothesis import strategies as st

from hotgigs.realtime import events
from hotgigs.realtime.consumers import _with_subscriptions
from jobs.services import job_create
from tests.factories import MembershipFactory
from tests.realtime.conftest import call, connect, subscribe, token_for

# The values an event's payload can hold once it went through JSON (events.py round-trips it).
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
_events = st.fixed_dictionaries(
    {"id": st.integers(min_value=1), "channel": st.text(), "type": st.text(), "data": _json, "ts": st.text()}
)


@given(event=_events, keys=st.lists(st.text(), min_size=1, max_size=3))
def test_the_forwarded_text_is_what_send_json_sent(event: dict[str, Any], keys: list[str]) -> None:
    assert _with_subscriptions(json.dumps(event), keys) == json.dumps({**event, "subscriptions": keys})


@pytest.fixture(params=["in-memory", pytest.param("redis-pubsub", marks=pytest.mark.redis)])
def layer(request, settings):  # type: ignore[no-untyped-def]
    """The embedded default's layer, and the deployed one (msgpack through Redis Pub/Sub)."""
    if request.param == "redis-pubsub":
        settings.CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                "CONFIG": {
                    "hosts": [request.getfixturevalue("redis_url")],
                    "prefix": f"hotgigs-test-{uuid.uuid4().hex[:12]}",
                },
            }
        }
    return get_channel_layer()


@pytest.mark.django_db(transaction=True)
def test_a_published_event_arrives_byte_identical_to_the_per_socket_encoding(layer, org, monkeypatch):
    recruiter = MembershipFactory(organization=org).user
    token = token_for(recruiter)
    pushed = []
    real_send = events._send

    def recording_send(batch):  # type: ignore[no-untyped-def]
        pushed.extend(message for _, message, _ in batch)
        real_send(batch)

    monkeypatch.setattr(events, "_send", recording_send)

    async def scenario():  # type: ignore[no-untyped-def]
        communicator = await connect(token)
        ack = await subscribe(communicator, "job_updates", scope="organization", organization_id=org.pk)
        await call(
            job_create,
            actor=recruiter,
            organization=org,
            title="Ingénieur « plateforme » \u2603",
            description='Quotes " and \\ and\nlines.',
        )
        output = await communicator.receive_output(timeout=5)
        await communicator.disconnect()
        return ack, output

    ack, output = async_to_sync(scenario)()

    [message] = pushed
    # What every client received before: the consumer encoded the event it got, per socket.
    assert output == {
        "type": "websocket.send",
        "text": json.dumps({**message, "subscriptions": [ack["subscription"]]}),
    }


@pytest.mark.django_db(transaction=True)
def test_a_push_without_its_text_is_encoded_by_the_socket(org):
    """A publisher that does not send ``text`` yet (a rolling deploy) is still understood."""
    recruiter = MembershipFactory(organization=org).user
    token = token_for(recruiter)
    event = {"id": 10**9, "channel": "job_updates", "type": "job.updated", "data": {"id": 1, "title": "é"}, "ts": "t"}

    async def scenario():  # type: ignore[no-untyped-def]
        communicator = await connect(token)
        ack = await subscribe(communicator, "job_updates", scope="organization", organization_id=org.pk)
        group = events.channel_group("job_updates", events.group_for_organization(org.pk))
        await get_channel_layer().group_send(
            group, {"type": "event.push", "event": event, "groups": [group], "prev": {}}
        )
        output = await communicator.receive_output(timeout=5)
        await communicator.disconnect()
        return ack, output

    ack, output = async_to_sync(scenario)()

    assert output["text"] == json.dumps({**event, "subscriptions": [ack["subscription"]]})


@pytest.mark.django_db(transaction=True)
def test_a_push_does_not_wait_for_the_database_thread(org):
    """One event reaches every socket of a process at once: none of them queues for the database."""
    recruiter = MembershipFactory(organization=org).user
    token = token_for(recruiter)
    release = threading.Event()

    def busy_database_work() -> None:
        release.wait(timeout=10)

    async def scenario():  # type: ignore[no-untyped-def]
        communicator = await connect(token)
        await subscribe(communicator, "job_updates", scope="organization", organization_id=org.pk)
        busy = asyncio.ensure_future(database_sync_to_async(busy_database_work)())
        group = events.channel_group("job_updates", events.group_for_organization(org.pk))
        try:
            await events._push(
                get_channel_layer(),
                [
                    (
                        [group],
                        events._message(
                            [group],
                            {"id": 10**9, "channel": "job_updates", "type": "job.updated", "data": {}, "ts": "t"},
                            {},
                        ),
                    )
                ],
            )
            event = await communicator.receive_json_from(timeout=2)
        finally:
            release.set()
            await busy
        await communicator.disconnect()
        return event

    event = async_to_sync(scenario)()

    assert event["id"] == 10**9
