"""The channel layer of the WebSocket server: channels-redis' Pub/Sub layer, made to let go.

channels-redis' ``RedisPubSubChannelLayer`` subscribes a socket's own channel in Redis when the
consumer starts, and gives it up only when a ``receive`` waiting on it is cancelled. A consumer
that dies while it handles one of the channel's messages (a send to a client that is already
gone fails) is not waiting then: its channel would stay subscribed in Redis, with a local queue
that gains one message per later event, for the life of the process. :class:`PubSubChannelLayer`
adds :meth:`~PubSubChannelLayer.release_channel`, which the consumer calls on every way out
(``hotgigs/realtime/consumers.py``).
"""

import asyncio
import logging

from channels_redis.pubsub import RedisPubSubChannelLayer, RedisPubSubLoopLayer
from channels_redis.utils import _wrap_close

logger = logging.getLogger(__name__)


class _LoopLayer(RedisPubSubLoopLayer):  # type: ignore[misc]
    """One event loop's side of the layer (channels-redis keeps one per loop)."""

    async def release_channel(self, channel: str) -> None:
        if self.channels.pop(channel, None) is None:
            return
        try:
            await self._get_shard(channel).unsubscribe(channel)
        except Exception:
            # Redis is down: its subscriptions went with the connection.
            logger.warning("realtime.release_failed", extra={"channel": channel}, exc_info=True)


class PubSubChannelLayer(RedisPubSubChannelLayer):  # type: ignore[misc]
    """channels-redis' Pub/Sub layer with :meth:`release_channel`."""

    def _get_layer(self) -> _LoopLayer:
        loop = asyncio.get_running_loop()
        layer = self._layers.get(loop)
        if layer is None:
            layer = _LoopLayer(*self._args, **self._kwargs, channel_layer=self)
            self._layers[loop] = layer
            _wrap_close(self, loop)
        return layer  # type: ignore[no-any-return]

    async def release_channel(self, channel: str) -> None:
        """Forget ``channel`` (its local queue and its Redis subscription), once its consumer is gone."""
        await self._get_layer().release_channel(channel)
