"""Pushes from synchronous code reuse one event loop (and its Redis connections) per process."""

import asyncio
import uuid
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from hotgigs import redis_clients
from hotgigs.realtime import publisher
from tests.servers import redis_server

pytestmark = pytest.mark.redis


def _layer(settings, redis_url, backend):  # type: ignore[no-untyped-def]
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": backend,
            "CONFIG": {"hosts": [redis_url], "prefix": f"hotgigs-test-{uuid.uuid4().hex[:12]}"},
        }
    }
    return get_channel_layer()


@pytest.fixture
def redis_layer(settings, redis_url):  # type: ignore[no-untyped-def]
    return _layer(settings, redis_url, "channels_redis.core.RedisChannelLayer")


@pytest.fixture
def pubsub_layer(settings, redis_url):  # type: ignore[no-untyped-def]
    """The deployed default (``CHANNEL_LAYER_BACKEND=redis-pubsub``): the project's subclass of
    channels-redis' Pub/Sub layer."""
    return _layer(settings, redis_url, "hotgigs.realtime.layers.PubSubChannelLayer")


async def _group_send(layer: Any, group: str, n: int) -> None:
    await layer.group_send(group, {"type": "event.push", "n": n})


def test_pushes_from_sync_code_share_one_loop_and_arrive_in_order(redis_layer):
    channel = async_to_sync(redis_layer.new_channel)()
    async_to_sync(redis_layer.group_add)("notifications.user.1", channel)

    publisher.push(_group_send, "notifications.user.1", 1)
    loop = publisher._background_loop()
    publisher.push(_group_send, "notifications.user.1", 2)

    assert publisher._background_loop() is loop
    assert loop in redis_layer._layers, "the push ran on the publishing loop, with its own connections"

    async def receive_both() -> list[int]:
        # One loop for both: channels-redis drops each received message from its backup queue in a
        # task of the receiving loop, and a loop that ends first would leave it to be received again.
        return [(await redis_layer.receive(channel))["n"] for _ in range(2)]

    assert async_to_sync(receive_both)() == [1, 2]


def test_the_deployed_pubsub_layer_also_pushes_from_the_shared_loop(pubsub_layer):
    """A socket's process subscribes on its own loop; a sync writer pushes from another thread.
    The push must run on the publishing loop (connections kept), not a loop of its own per call."""

    async def subscriber() -> list[int]:
        channel = await pubsub_layer.new_channel()
        await pubsub_layer.group_add("notifications.user.1", channel)
        loop = asyncio.get_running_loop()
        for n in (1, 2):
            await loop.run_in_executor(None, publisher.push, _group_send, "notifications.user.1", n)
        return [(await asyncio.wait_for(pubsub_layer.receive(channel), 5))["n"] for _ in range(2)]

    received = asyncio.run(subscriber())

    assert received == [1, 2]
    assert publisher._background_loop() in pubsub_layer._layers, "the pushes ran on the publishing loop"


def test_a_forked_process_starts_its_own_loop(redis_layer, monkeypatch):
    parent = publisher._background_loop()
    monkeypatch.setattr(publisher, "_loop_pid", -1)  # as a forked child sees its parent's loop

    child = publisher._background_loop()

    assert child is not parent
    assert child.is_running()


def test_the_in_memory_layer_keeps_async_to_sync(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)("notifications.user.2", channel)

    publisher.push(_group_send, "notifications.user.2", 7)

    assert async_to_sync(layer.receive)(channel)["n"] == 7


def test_the_deployed_layer_publishes_a_batch_from_sync_code_without_a_loop(pubsub_layer):
    """``group_send_many`` on the Pub/Sub layer: one pipeline from the calling thread. A socket's
    layer receives exactly what ``group_send`` would have sent, each group in the batch's order."""

    async def subscriber() -> tuple[list[Any], list[Any], bool]:
        first, second = await pubsub_layer.new_channel(), await pubsub_layer.new_channel()
        await pubsub_layer.group_add("notifications.user.3", first)
        await pubsub_layer.group_add("application_status.org.3", second)
        sends = [
            ("notifications.user.3", {"type": "event.push", "n": 1}),
            ("application_status.org.3", {"type": "event.push", "n": 2, "text": "é"}),
            ("notifications.user.3", {"type": "event.push", "n": 3}),
        ]
        loops_before = set(pubsub_layer._layers)
        sent = await asyncio.get_running_loop().run_in_executor(None, publisher.group_send_many, sends)
        no_new_loop = set(pubsub_layer._layers) == loops_before
        got_first = [await asyncio.wait_for(pubsub_layer.receive(first), 5) for _ in range(2)]
        got_second = [await asyncio.wait_for(pubsub_layer.receive(second), 5)]
        assert sent is True
        return got_first, got_second, no_new_loop

    got_first, got_second, no_new_loop = asyncio.run(subscriber())

    assert [message["n"] for message in got_first] == [1, 3]
    assert got_second == [{"type": "event.push", "n": 2, "text": "é"}]
    assert no_new_loop, "no event loop took part in the publish"


def test_other_layers_leave_the_batch_to_the_publishing_loop(redis_layer):
    assert publisher.group_send_many([("notifications.user.4", {"type": "event.push", "n": 1})]) is False


def test_a_batch_for_a_stopped_redis_is_dropped_logged_and_the_redis_marked_down(settings, caplog):
    """Best effort, as every push: a Redis that refuses costs the writer one failed connect,
    then nothing (marked down), and neither raises."""
    with redis_server() as server:
        layer = _layer(settings, server.url, "hotgigs.realtime.layers.PubSubChannelLayer")
        address = redis_clients.url_address(server.url)
        assert layer.group_send_blocking([("notifications.user.5", {"type": "event.push"})]) == []
        server.stop()
        try:
            with caplog.at_level("WARNING", logger="hotgigs.realtime.publisher"):
                assert publisher.group_send_many([("notifications.user.5", {"type": "event.push"})]) is True
                assert redis_clients.is_down(address)
                assert publisher.group_send_many([("notifications.user.5", {"type": "event.push"})]) is True
        finally:
            redis_clients.mark_up(address)

    messages = [record.getMessage() for record in caplog.records if record.name == "hotgigs.realtime.publisher"]
    assert messages == ["realtime.push_failed", "realtime.push_skipped"]
