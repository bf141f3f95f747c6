"""The channel layer of the WebSocket server: channels-redis' Pub/Sub layer, made to let go.

channels-redis' ``RedisPubSubChannelLayer`` subscribes a socket's own channel in Redis when the
consumer starts, and gives it up only when a ``receive`` waiting on it is cancelled. A consumer
that dies while it handles one of the channel's messages (a send to a client that is already
gone fails) is not waiting then: its channel would stay subscribed in Redis, with a local queue
that gains one message per later event, for the life of the process. :class:`PubSubChannelLayer`
adds :meth:`~PubSubChannelLayer.release_channel`, which the consumer calls on every way out
(``hotgigs/realtime/consumers.py``).

Its local queues are bounded too: each socket's channel holds at most ``capacity`` messages
(``REALTIME_SOCKET_BACKLOG``). A socket whose consumer falls that far behind (its client reads
too slowly, so every send waits) loses the overflow and is marked; the consumer closes it
with 4008 and the client resumes with ``since`` from the outbox. channels-redis' own queues
are unbounded, and a full one would stop its receive loop for every socket of the process.

Writers publish from synchronous code too (a WSGI or Celery process, after a commit):
:meth:`PubSubChannelLayer.group_send_blocking` sends a batch of group messages as one
pipeline per Redis server on a plain redis-py client, with no event loop and no thread hop.
The messages are the ones ``group_send`` would publish, byte for byte (same channel name, same
serializer), so any server process of any version receives them the same way.

A channel is subscribed in Redis only by ``new_channel``, and a SUBSCRIBE interrupted half-way
is undone: channels-redis' ``receive`` subscribes any channel it does not know, so a consumer's
last receive, started after it released its channel, subscribed it again, and a cancel during
that SUBSCRIBE left it in Redis with no consumer.
"""

import asyncio
import contextlib
import logging
import os
import threading
from collections.abc import Coroutine, Sequence
from typing import Any

import redis
from channels_redis.pubsub import RedisPubSubChannelLayer, RedisPubSubLoopLayer, RedisSingleShardConnection
from channels_redis.utils import _consistent_hash, _wrap_close, decode_hosts

from hotgigs import redis_clients

logger = logging.getLogger(__name__)


DEFAULT_CAPACITY = 500


class _Shard(RedisSingleShardConnection):  # type: ignore[misc]
    """One Redis connection's receiver, putting each message into bounded queues."""

    def _receive_message(self, message: dict[str, Any] | None) -> None:
        if message is None:
            return
        name = message["channel"]
        if isinstance(name, bytes):
            name = name.decode()
        layer: _LoopLayer = self.channel_layer
        if name in layer.channels:
            layer.put(name, message["data"])
        elif name in layer.groups:
            for channel in layer.groups[name]:
                layer.put(channel, message["data"])


class _LoopLayer(RedisPubSubLoopLayer):  # type: ignore[misc]
    """One event loop's side of the layer (channels-redis keeps one per loop)."""

    def __init__(self, *args: Any, capacity: int = DEFAULT_CAPACITY, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.capacity = capacity
        self.overflowed: set[str] = set()
        self._cleanups: set[asyncio.Task[None]] = set()
        shards: list[Any] = self._shards  # type: ignore[has-type]
        self._shards = [_Shard(shard.host, self) for shard in shards]

    async def _subscribe_to_channel(self, channel: str) -> None:
        self.channels[channel] = asyncio.Queue(maxsize=self.capacity)
        # A SUBSCRIBE cancelled half-way (the server ending a connection that had just
        # opened) may still reach Redis, while channels-redis only records it once answered,
        # and its consumer never learns the name: nobody would ever unsubscribe it. The
        # SUBSCRIBE runs to its end instead, and the channel is released right after.
        subscribing = asyncio.ensure_future(self._get_shard(channel).subscribe(channel))
        try:
            await asyncio.shield(subscribing)
        except asyncio.CancelledError:
            self._in_background(self._release_once_subscribed(subscribing, channel))
            raise

    async def _release_once_subscribed(self, subscribing: "asyncio.Future[None]", channel: str) -> None:
        with contextlib.suppress(Exception):
            await subscribing
        await self.release_channel(channel)

    def _in_background(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(work)
        self._cleanups.add(task)
        task.add_done_callback(self._cleanups.discard)

    async def receive(self, channel: str) -> Any:
        if channel not in self.channels:
            # channels-redis subscribes an unknown channel here. In this process every channel
            # comes from new_channel, so a missing one was released: its consumer is ending,
            # and Channels starts one more receive after each message it hands the consumer.
            # Subscribed again, the channel would stay in Redis if that receive were cancelled
            # during the SUBSCRIBE. It waits to be cancelled instead.
            await asyncio.get_running_loop().create_future()
        return await super().receive(channel)

    def put(self, channel: str, data: bytes) -> None:
        queue = self.channels.get(channel)
        if queue is None:
            return
        try:
            queue.put_nowait(data)
        except asyncio.QueueFull:
            if channel not in self.overflowed:
                logger.warning("realtime.backlog_full", extra={"channel": channel, "capacity": self.capacity})
            self.overflowed.add(channel)

    async def release_channel(self, channel: str) -> None:
        self.overflowed.discard(channel)
        if self.channels.pop(channel, None) is None:
            return
        try:
            await self._get_shard(channel).unsubscribe(channel)
        except Exception:
            # Redis is down: its subscriptions went with the connection.
            logger.warning("realtime.release_failed", extra={"channel": channel}, exc_info=True)


class PubSubChannelLayer(RedisPubSubChannelLayer):  # type: ignore[misc]
    """channels-redis' Pub/Sub layer with bounded queues, :meth:`overflowed`, :meth:`release_channel`
    and :meth:`group_send_blocking`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._blocking_lock = threading.Lock()
        self._blocking_clients: list[redis.Redis] = []
        self._blocking_pid: int | None = None

    def _blocking_shards(self) -> list[redis.Redis]:
        """One redis-py client per Redis server of ``hosts`` (in their order), made once per process."""
        with self._blocking_lock:
            if self._blocking_pid != os.getpid():
                clients = []
                for host in decode_hosts(self._kwargs.get("hosts")):
                    address = host.get("address") or f"redis://{host.get('host', 'localhost')}:{host.get('port', 6379)}"
                    clients.append(redis.Redis.from_url(address, **redis_clients.client_options(address)))
                self._blocking_clients, self._blocking_pid = clients, os.getpid()
            return self._blocking_clients

    def group_send_blocking(self, sends: Sequence[tuple[str, dict[str, Any]]]) -> list[tuple[str, Exception]]:
        """Publish each ``(group, message)`` of ``sends`` as ``group_send`` would, in order, from
        synchronous code: one pipelined round trip per Redis server, whatever the count.

        Returns the ``(group, error)`` of each message Redis refused; raises redis-py's
        ConnectionError or TimeoutError when a server does not answer.
        """
        shards = self._blocking_shards()
        prefix = self._kwargs.get("prefix", "asgi")
        pipelines: dict[int, tuple[redis.client.Pipeline, list[str]]] = {}
        for group, message in sends:
            # The name and the bytes of channels-redis' own ``group_send``.
            name = f"{prefix}__group__{group}"
            index = _consistent_hash(name, len(shards))
            if index not in pipelines:
                pipelines[index] = (shards[index].pipeline(transaction=False), [])
            pipeline, groups = pipelines[index]
            pipeline.publish(name, self.serialize(message))
            groups.append(group)
        refused = []
        for pipeline, groups in pipelines.values():
            results = pipeline.execute(raise_on_error=False)
            refused += [
                (group, result) for group, result in zip(groups, results, strict=True) if isinstance(result, Exception)
            ]
        return refused

    def _get_layer(self) -> _LoopLayer:
        loop = asyncio.get_running_loop()
        layer = self._layers.get(loop)
        if layer is None:
            layer = _LoopLayer(*self._args, **self._kwargs, channel_layer=self)
            self._layers[loop] = layer
            _wrap_close(self, loop)
        return layer  # type: ignore[no-any-return]

    def overflowed(self, channel: str) -> bool:
        """Whether ``channel`` lost messages because its queue was full (its socket must go)."""
        return channel in self._get_layer().overflowed

    async def release_channel(self, channel: str) -> None:
        """Forget ``channel`` (its local queue and its Redis subscription), once its consumer is gone."""
        await self._get_layer().release_channel(channel)
