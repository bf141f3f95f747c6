"""Celery's Redis transport, publishing through one Redis client per channel.

kombu's Redis channel builds a new ``redis.Redis`` for every message it publishes
(``conn_or_acquire`` → ``_create_client``). The client is only a facade over the channel's
connection pool, but building one copies redis-py's table of some 80 response callbacks: a
quarter of a publish's profiled time (``bench/api``'s submission queues one per request).
This channel keeps the facade it built while its pool stays the same, so no connection,
timeout or pool setting changes; everything else is kombu's. Settings select it for
``redis://`` brokers (``CELERY_BROKER_TRANSPORT``).
"""

from typing import Any

from kombu.transport import redis as kombu_redis


class Channel(kombu_redis.Channel):  # type: ignore[misc]
    _kept_client: Any = None

    def _create_client(self, asynchronous: bool = False) -> Any:
        if asynchronous:
            return super()._create_client(asynchronous=True)
        kept = self._kept_client
        # kombu drops the channel's pool when the connection is lost; a facade over the old
        # pool must not outlive it.
        if kept is None or kept.connection_pool is not self.pool:
            kept = self._kept_client = super()._create_client()
        return kept


class Transport(kombu_redis.Transport):  # type: ignore[misc]
    Channel = Channel
