"""The Pub/Sub channel layer of the WebSocket server (``hotgigs/realtime/layers.py``) on a real Redis."""

import asyncio
import uuid

import pytest
from redis import asyncio as aioredis

from hotgigs.realtime.layers import PubSubChannelLayer

pytestmark = pytest.mark.redis


async def _subscribed(redis_url: str, prefix: str) -> list[str]:
    client = aioredis.from_url(redis_url)
    try:
        return sorted(name.decode() for name in await client.pubsub_channels(f"{prefix}*"))
    finally:
        await client.aclose()


def test_a_receive_after_the_channel_was_released_does_not_subscribe_it_again(redis_url: str) -> None:
    """Channels starts one more receive after each message a consumer handles, also after the
    consumer released its channel; that receive must not put the channel back into Redis."""
    prefix = f"hotgigs-test-{uuid.uuid4().hex[:12]}"

    async def scenario() -> tuple[list[str], bool, list[str]]:
        layer = PubSubChannelLayer(hosts=[redis_url], prefix=prefix)
        channel = await layer.new_channel()
        await layer.release_channel(channel)
        late = asyncio.ensure_future(layer.receive(channel))
        await asyncio.sleep(0.5)
        subscribed = await _subscribed(redis_url, prefix)
        known = channel in layer._get_layer().channels
        late.cancel()
        await asyncio.gather(late, return_exceptions=True)
        await layer.flush()
        return subscribed, known, await _subscribed(redis_url, prefix)

    subscribed, known, after = asyncio.run(scenario())

    assert subscribed == []
    assert known is False
    assert after == []


def test_a_new_channel_cancelled_during_its_subscribe_leaves_nothing_behind(redis_url: str) -> None:
    """A consumer whose connection ends while its channel is being subscribed never learns the
    name: the layer itself undoes the subscription, in Redis and in its queues."""
    prefix = f"hotgigs-test-{uuid.uuid4().hex[:12]}"

    async def scenario() -> tuple[dict[str, object], list[str]]:
        layer = PubSubChannelLayer(hosts=[redis_url], prefix=prefix)
        for _ in range(5):
            making = asyncio.ensure_future(layer.new_channel())
            await asyncio.sleep(0)  # it has its queue and has sent, or is sending, its SUBSCRIBE
            making.cancel()
            await asyncio.gather(making, return_exceptions=True)
        # The undoing runs in the background: a bound on waiting for it, not a timing assertion.
        for _ in range(50):
            left = await _subscribed(redis_url, prefix)
            if not left and not layer._get_layer().channels:
                break
            await asyncio.sleep(0.1)
        queues = dict(layer._get_layer().channels)
        await layer.flush()
        return queues, left

    queues, left = asyncio.run(scenario())

    assert queues == {}
    assert left == []
