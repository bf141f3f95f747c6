"""Run channel-layer pushes from synchronous code without a new Redis connection per push.

``async_to_sync`` called where no event loop runs (a Celery worker, a WSGI worker, a
management command) starts a fresh event loop for every call, and channels-redis keeps its
connections per event loop: each push would connect to Redis again and drop the connection
afterwards (measured at 2.5 ms of a 3 ms publish). With channels-redis, pushes therefore go
to one event loop that a daemon thread keeps running for the life of the process, so the
connections are made once and reused. Calls wait for their push to finish, so one process's
pushes leave in the order they were made.

The deployed Pub/Sub layer needs no loop at all for a batch of group messages: its
:meth:`~hotgigs.realtime.layers.PubSubChannelLayer.group_send_blocking` publishes them as one
Redis pipeline from the calling thread (:func:`group_send_many`). Measured in-process on
``POST /api/v1/applications`` (one event, three groups), median process CPU per request: the
push cost 0.78 ms through the publishing loop and costs about 0.15 ms so (5.87 → 5.24 ms a POST).

The in-memory layer (the embedded default) is bound to the loop that created its queues and is
not thread-safe; it keeps ``async_to_sync``, as do layers this module does not know.

While the layer's Redis is marked down (``hotgigs.redis_clients``: it timed out or refused
moments ago) a push is skipped at once and logged: pushes are best effort, the outbox keeps
every event for replay, so a write never waits on a Redis that does not answer.
"""

import asyncio
import concurrent.futures
import logging
import os
import threading
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings

from hotgigs import redis_clients

logger = logging.getLogger(__name__)

# A bound on waiting for Redis, so a stuck connection cannot hold a request or task forever.
PUSH_TIMEOUT_SECONDS = 5.0

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_loop_pid: int | None = None


def _uses_redis(layer: Any) -> bool:
    """Whether the layer is one of channels-redis' or derives from one (the deployed
    ``hotgigs.realtime.layers.PubSubChannelLayer`` does: judged by its own module alone, every
    push went through ``async_to_sync`` and opened a Redis connection of its own)."""
    return any(cls.__module__.startswith("channels_redis.") for cls in type(layer).__mro__)


def _background_loop() -> asyncio.AbstractEventLoop:
    """This process's publishing loop, started on first use (and again in a forked child)."""
    global _loop, _loop_pid
    with _lock:
        if _loop is None or _loop_pid != os.getpid() or _loop.is_closed():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="realtime-publisher", daemon=True).start()
            _loop, _loop_pid = loop, os.getpid()
        return _loop


def _layer_address() -> str | None:
    """``host:port`` of the default channel layer's (first) Redis, as the down mark knows it."""
    layers: dict[str, Any] = settings.CHANNEL_LAYERS
    hosts = layers.get("default", {}).get("CONFIG", {}).get("hosts") or []
    if not hosts:
        return None
    host = hosts[0]
    address = host.get("address") if isinstance(host, dict) else host
    return redis_clients.url_address(address) if isinstance(address, str) else None


def group_send_many(sends: Sequence[tuple[str, dict[str, Any]]]) -> bool:
    """Send each ``(group, message)`` in order, from synchronous code, when the default layer can
    publish without an event loop (the deployed Pub/Sub layer); False when it cannot (the caller
    uses :func:`push`). Best effort as :func:`push`: a Redis marked down is skipped, one that
    fails or times out is marked down, and either is logged, never raised."""
    layer = get_channel_layer()
    # Looked up on the class: channels-redis' own Pub/Sub layer forwards unknown attributes to
    # its per-loop layer, which needs a running loop.
    if getattr(type(layer), "group_send_blocking", None) is None:
        return False
    blocking = layer.group_send_blocking
    address = _layer_address()
    if redis_clients.is_down(address):
        logger.warning("realtime.push_skipped", extra={"redis": address, "reason": "redis_down"})
        return True
    try:
        refused = blocking(sends)
    except redis_clients.UNREACHABLE as exc:
        redis_clients.mark_down(address, exc)
        logger.warning("realtime.push_failed", extra={"redis": address, "reason": type(exc).__name__})
        return True
    for group, error in refused:
        logger.error("realtime.publish_failed", extra={"group": group}, exc_info=error)
    return True


def push(coroutine: Callable[..., Coroutine[Any, Any, None]], *args: Any) -> None:
    """Run ``coroutine(layer, *args)`` against the default channel layer and wait for it.

    Does nothing without a channel layer. A push that does not finish within
    ``PUSH_TIMEOUT_SECONDS`` is logged and abandoned: pushes are best effort (the outbox
    keeps every event for replay).
    """
    layer = get_channel_layer()
    if layer is None:
        return
    if not _uses_redis(layer):
        async_to_sync(coroutine)(layer, *args)
        return
    address = _layer_address()
    if redis_clients.is_down(address):
        logger.warning("realtime.push_skipped", extra={"redis": address, "reason": "redis_down"})
        return
    future: concurrent.futures.Future[None] = asyncio.run_coroutine_threadsafe(
        coroutine(layer, *args), _background_loop()
    )
    try:
        future.result(timeout=PUSH_TIMEOUT_SECONDS)
    except TimeoutError as exc:
        future.cancel()
        redis_clients.mark_down(address, exc)
        logger.warning("realtime.push_timeout", extra={"seconds": PUSH_TIMEOUT_SECONDS})
