"""The floor of bench/realtime's broadcast: a bare ASGI app that relays Redis Pub/Sub to every socket.

Run by run.py under the same uvicorn as the project (same WebSocket implementation and
extensions), on the same Redis and machine, read by the same client: what remains between it
and ``/ws/`` is the project's own cost (Django, Channels, the channel layer, the consumer).

* WebSocket, any path: accepted at once; every client message is answered ``{"type": "ack"}``.
* Each message published on ``FLOOR_CHANNEL`` (in ``REDIS_URL``) is sent, as it is, to every
  open socket, one after another.
* HTTP ``/health/live``: 200 once the subscription is in place (503 before), for the harness.
"""

import asyncio
import os
from collections.abc import Awaitable, Callable
from typing import Any

from redis import asyncio as aioredis

Send = Callable[[dict[str, Any]], Awaitable[None]]

_sockets: set[Send] = set()
_subscribed = asyncio.Event()
_tasks: list[asyncio.Task[None]] = []


async def _relay() -> None:
    client = aioredis.from_url(os.environ["REDIS_URL"])
    pubsub = client.pubsub()
    await pubsub.subscribe(os.environ["FLOOR_CHANNEL"])
    _subscribed.set()
    async for message in pubsub.listen():
        if message["type"] != "message":
            continue
        text = message["data"].decode()
        for send in list(_sockets):
            await send({"type": "websocket.send", "text": text})


async def _lifespan(receive: Callable[[], Awaitable[dict[str, Any]]], send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            _tasks.append(asyncio.create_task(_relay()))
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            for task in _tasks:
                task.cancel()
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _websocket(receive: Callable[[], Awaitable[dict[str, Any]]], send: Send) -> None:
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    _sockets.add(send)
    try:
        while (await receive())["type"] != "websocket.disconnect":
            await send({"type": "websocket.send", "text": '{"type": "ack"}'})
    finally:
        _sockets.discard(send)


async def _http(receive: Callable[[], Awaitable[dict[str, Any]]], send: Send) -> None:
    status = 200 if _subscribed.is_set() else 503
    await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"ok" if status == 200 else b"starting"})


async def app(scope: dict[str, Any], receive: Callable[[], Awaitable[dict[str, Any]]], send: Send) -> None:
    if scope["type"] == "lifespan":
        await _lifespan(receive, send)
    elif scope["type"] == "websocket":
        await _websocket(receive, send)
    else:
        await _http(receive, send)
