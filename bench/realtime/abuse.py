"""Abuse phase of the realtime benchmark (``run.py --abuse``): clients that wear a server down.

On one uvicorn process, with the seeded candidates' tokens, and job-board events published
straight into the server's channel-layer group (as the publisher does after a commit):

  churn      --churn sockets subscribe to the job board and drop their connection (no close
             handshake) while events flow
  slow       --slow readers subscribe and never read, beside --normal sockets that read, during
             --abuse-events board events: how long until each slow one is closed, and the normal
             sockets' latency (publish to receipt) and losses
  storm      --storm sockets reconnect at once and subscribe again, three times

After each: the server's memory (VmRSS) and its channel-layer subscriptions left in Redis
(``PUBSUB CHANNELS <prefix>*``, with ``PUBSUB NUMSUB`` of the board's group).
"""

import asyncio
import base64
import json
import os
import socket
import time
from pathlib import Path
from typing import Any

from channels_redis.pubsub import RedisPubSubChannelLayer
from redis import asyncio as aioredis
from websockets.asyncio.client import ClientConnection, connect

ORIGIN = "http://localhost"
BOARD = "job_updates.job_board"
SUBSCRIBE = {"action": "subscribe", "channel": "job_updates", "params": {"scope": "board"}}


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(q * len(ordered) + 0.999999) - 1))] if ordered else float("nan")


async def subscriptions(redis_url: str, prefix: str) -> tuple[int, int]:
    """(channel-layer channels under ``prefix`` in Redis, subscribers of the board's group)."""
    client = aioredis.from_url(redis_url)
    try:
        channels = await client.pubsub_channels(f"{prefix}*")
        numsub = await client.pubsub_numsub(f"{prefix}__group__{BOARD}")
        return len(channels), int(numsub[0][1]) if numsub else 0
    finally:
        await client.aclose()


async def publish(redis_url: str, prefix: str, count: int, rate: float, first: int, size: int = 500) -> None:
    layer = RedisPubSubChannelLayer(hosts=[redis_url], prefix=prefix)
    began = time.perf_counter()
    try:
        for n in range(count):
            event = {
                "id": first + n,
                "channel": "job_updates",
                "type": "job.updated",
                "data": {"id": 1, "title": "x" * size, "sent": time.time()},
                "ts": "2026-01-01T00:00:00+00:00",
            }
            await layer.group_send(
                BOARD, {"type": "event.push", "event": event, "text": json.dumps(event), "groups": [BOARD], "prev": {}}
            )
            delay = began + (n + 1) / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
    finally:
        await layer.flush()


async def open_socket(base: str, token: str) -> ClientConnection:
    client = await connect(
        base.replace("http://", "ws://") + f"/ws/?token={token}",
        origin=ORIGIN,  # type: ignore[arg-type]
        open_timeout=60,
        ping_interval=None,
        max_queue=None,
    )
    await client.send(json.dumps(SUBSCRIBE))
    while json.loads(await client.recv()).get("type") != "ack":
        pass
    return client


def slow_reader(base: str, token: str) -> socket.socket:
    """A client that upgrades, subscribes, and never reads again (small receive buffer)."""
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    host, port = base.removeprefix("http://").split(":")
    raw.settimeout(30)
    raw.connect((host, int(port)))
    key = base64.b64encode(os.urandom(16)).decode()
    raw.sendall(
        f"GET /ws/?token={token} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nOrigin: {ORIGIN}\r\n\r\n".encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        head += raw.recv(1)
    payload = json.dumps(SUBSCRIBE).encode()
    mask = os.urandom(4)
    raw.sendall(bytes([0x81, 0x80 | len(payload)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))
    return raw


def closed_after(raw: socket.socket, began: float, bound: float = 90) -> float | None:
    """Drain a slow reader; seconds from ``began`` until the server ended it (None: not within ``bound``)."""
    raw.settimeout(bound)
    try:
        while raw.recv(65536):
            pass
    except TimeoutError:
        return None
    except ConnectionResetError:
        pass
    finally:
        raw.close()
    return time.perf_counter() - began


async def report(label: str, pid: int, redis_url: str, prefix: str, rss_before: float) -> None:
    await asyncio.sleep(2.0)
    channels, board = await subscriptions(redis_url, prefix)
    rss = rss_mib(pid)
    print(
        f"{label:<10} memory {rss:.1f} MiB ({(rss - rss_before) / rss_before * 100:+.1f} % of before), "
        f"channel-layer subscriptions in Redis: {channels} (board group subscribers: {board})"
    )


async def abuse(args: Any, env: dict[str, str], seed: dict[str, Any], base: str, pid: int) -> None:
    redis_url, prefix = env["REDIS_URL"], env["CHANNEL_LAYER_PREFIX"]
    tokens = [spec["token"] for spec in seed["sockets"]]
    await asyncio.sleep(1.0)
    rss_before = rss_mib(pid)
    print(f"abuse: one server, memory {rss_before:.1f} MiB, subscriptions {await subscriptions(redis_url, prefix)}")
    next_id = 1

    # churn ---------------------------------------------------------------------------------
    flow = asyncio.create_task(publish(redis_url, prefix, 10**9, args.rate, next_id))
    gate = asyncio.Semaphore(50)

    async def churn_one(i: int) -> None:
        async with gate:
            client = await open_socket(base, tokens[i % len(tokens)])
            await asyncio.sleep(0.05)
            client.transport.abort()

    began = time.perf_counter()
    await asyncio.gather(*(churn_one(i) for i in range(args.churn)))
    flow.cancel()
    next_id += 10**6
    print(
        f"churn: {args.churn} sockets subscribed and dropped in {time.perf_counter() - began:.1f} s while events flowed"
    )
    await report("churn", pid, redis_url, prefix, rss_before)

    # slow readers ----------------------------------------------------------------------------
    slow = [await asyncio.to_thread(slow_reader, base, tokens[i % len(tokens)]) for i in range(args.slow)]
    normal = [await open_socket(base, tokens[i % len(tokens)]) for i in range(args.normal)]
    latencies: list[float] = []
    counts = [0] * len(normal)

    async def read(i: int, client: ClientConnection) -> None:
        async for raw in client:
            message = json.loads(raw)
            if "data" in message:
                latencies.append((time.time() - message["data"]["sent"]) * 1000)
                counts[i] += 1
                if counts[i] == args.abuse_events:
                    return

    readers = [asyncio.create_task(read(i, c)) for i, c in enumerate(normal)]
    began = time.perf_counter()
    closing = [asyncio.create_task(asyncio.to_thread(closed_after, raw, began)) for raw in slow]
    await publish(redis_url, prefix, args.abuse_events, args.rate, next_id, size=4000)
    next_id += args.abuse_events
    await asyncio.wait(readers, timeout=30)
    closed = await asyncio.gather(*closing)
    for client in normal:
        await client.close()
    ended = [seconds for seconds in closed if seconds is not None]
    print(
        f"slow: {len(ended)} of {args.slow} slow readers closed by the server, "
        f"after {min(ended, default=float('nan')):.1f}-{max(ended, default=float('nan')):.1f} s; "
        f"{args.normal} normal sockets: p95 {pct(latencies, 0.95):.1f} ms, "
        f"lost {sum(args.abuse_events - c for c in counts)} of {args.abuse_events * args.normal}"
    )
    await report("slow", pid, redis_url, prefix, rss_before)

    # reconnect storm -------------------------------------------------------------------------
    began = time.perf_counter()
    for _ in range(3):
        clients = await asyncio.gather(*(open_socket(base, tokens[i % len(tokens)]) for i in range(args.storm)))
        for client in clients:
            await client.close()
    print(f"storm: {args.storm} sockets reconnected and subscribed 3 times in {time.perf_counter() - began:.1f} s")
    await report("storm", pid, redis_url, prefix, rss_before)
