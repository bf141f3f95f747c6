"""Pushes from synchronous code reuse one event loop (and its Redis connections) per process."""

import uuid
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from hotgigs.realtime import publisher

pytestmark = pytest.mark.redis


@pytest.fixture
def redis_layer(settings, redis_url):  # type: ignore[no-untyped-def]
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [redis_url], "prefix": f"hotgigs-test-{uuid.uuid4().hex[:12]}"},
        }
    }
    return get_channel_layer()


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
    received = [async_to_sync(redis_layer.receive)(channel)["n"] for _ in range(2)]
    assert received == [1, 2]


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
