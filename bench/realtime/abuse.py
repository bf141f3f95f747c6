"""Abuse phase of the realtime benchmark (``run.py --abuse``): clients that wear a server down.

On one uvicorn process, with the seeded candidates' tokens, and job-board events published
straight into the server's channel-layer group (as the publisher does after a commit):

  churn      --churn sockets subscribe to the job board and drop their connection (no close
             handshake) while events flow
  slow       --slow readers subscribe and never read, beside --normal sockets that read, during
             --abuse-events board events: how long until each slow one is closed, and the normal
             sockets' latency (publish to receipt) and losses
  storm      --storm sockets reconnect at once and subscribe again, three times
  fan-in     --recruiters recruiter sockets each send --topics subscribes at once (one per
             application of the seeded organization, all of them allowed) while another user's
             socket pings every 20 ms: time until all of them are acked, and the ping's
             round trip p50/p95 meanwhile (a reconnect storm of busy recruiters)

The server runs as deployed (``python -m hotgigs.serve``) around bench/realtime/probe.py, which
lets the bench ask the server about its own memory. After each phase: the server's memory
(VmRSS; after ``gc.collect()``; after ``malloc_trim``), its asyncio tasks and channel-layer
queues and groups, and its channel-layer subscriptions left in Redis (``PUBSUB CHANNELS
<prefix>*``, with ``PUBSUB NUMSUB`` of the board's group). Churn runs twice: growth in the
second round means a leak, growth in the first only is memory the allocator keeps for reuse.
"""

import asyncio
import base64
import json
import os
import socket
import time
from pathlib import Path
from typing import Any
from urllib.request import urlopen

from channels_redis.pubsub import RedisPubSubChannelLayer
from redis import asyncio as aioredis
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

ORIGIN = "http://localhost"
TCP_ESTABLISHED = 1  # tcpi_state of Linux's TCP_INFO
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


async def closed_after(slow: list[socket.socket], began: float, bound: float = 90) -> list[float | None]:
    """Seconds from ``began`` until the server ended each slow reader (None: not within
    ``bound``). The client watches the sockets' TCP state (Linux's ``TCP_INFO``) instead of
    reading them: a reader that drained its socket would not be slow."""
    ended: list[float | None] = [None] * len(slow)
    while time.perf_counter() - began < bound and None in ended:
        for n, raw in enumerate(slow):
            if ended[n] is None and raw.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 1)[0] != TCP_ESTABLISHED:
                ended[n] = time.perf_counter() - began
        await asyncio.sleep(0.05)
    for raw in slow:
        raw.close()
    return ended


async def memory(base: str) -> dict[str, Any]:
    """The server's own view of its memory (bench/realtime/probe.py)."""
    url = f"{base}/__bench__/memory"  # http://127.0.0.1:<port>, the bench's own server
    return await asyncio.to_thread(lambda: json.loads(urlopen(url, timeout=60).read()))  # noqa: S310


async def report(label: str, base: str, redis_url: str, prefix: str, before: dict[str, Any]) -> dict[str, Any]:
    await asyncio.sleep(2.0)
    channels, board = await subscriptions(redis_url, prefix)
    now = await memory(base)

    def change(key: str) -> str:
        return f"{now[key]:.1f} MiB ({(now[key] - before[key]) / before[key] * 100:+.1f} %)"

    print(
        f"{label:<14} memory {change('rss_mib')}, after gc {change('rss_gc_mib')}, after malloc_trim "
        f"{change('rss_trim_mib')}; tasks {now['tasks']}, layer {now['layer']}; "
        f"channel-layer subscriptions in Redis: {channels} (board group subscribers: {board})"
    )
    for line in now.get("top", []):
        print(f"    {line}")
    return now


async def abuse(args: Any, env: dict[str, str], seed: dict[str, Any], base: str, pid: int) -> None:
    redis_url, prefix = env["REDIS_URL"], env["CHANNEL_LAYER_PREFIX"]
    tokens = [spec["token"] for spec in seed["sockets"]]
    phases = [phase.strip() for phase in args.phases.split(",") if phase.strip()]
    await asyncio.sleep(1.0)
    # Warm the server once (a socket, a subscribe, an event) so the baseline is not its cold start.
    warm = await open_socket(base, tokens[0])
    await publish(redis_url, prefix, 10, 100, 1)
    await warm.close()
    cold = await memory(base)
    # Then once at the churn's concurrency (50 sockets at a time), so the baseline holds what is
    # made once and kept by design: every database thread with its connection, the event loop's
    # and the layer's structures sized for 50 sockets. Growth past it is what churn leaves.
    warmers = await asyncio.gather(*(open_socket(base, tokens[i % len(tokens)]) for i in range(50)))
    await publish(redis_url, prefix, 10, 100, 11)
    await asyncio.gather(*(client.close() for client in warmers))
    await asyncio.sleep(1.0)
    before = await memory(base)
    print(
        f"abuse: one server (python -m hotgigs.serve), memory {cold['rss_mib']:.1f} MiB "
        f"({cold['rss_trim_mib']:.1f} after gc and malloc_trim) after one socket; "
        f"{before['rss_mib']:.1f} MiB ({before['rss_trim_mib']:.1f} after gc and malloc_trim) after 50 at once, "
        f"the baseline below; subscriptions {await subscriptions(redis_url, prefix)}"
    )
    next_id = 100

    # churn, twice: a second identical round tells a leak (it grows again) from the allocator
    # keeping what the first round's peak needed (it does not) ------------------------------
    async def churn(round_: int) -> None:
        nonlocal next_id
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
            f"churn {round_}: {args.churn} sockets subscribed and dropped in {time.perf_counter() - began:.1f} s "
            "while events flowed"
        )

    # slow readers ----------------------------------------------------------------------------
    async def slow_readers() -> None:
        nonlocal next_id
        slow = [await asyncio.to_thread(slow_reader, base, tokens[i % len(tokens)]) for i in range(args.slow)]
        normal = [await open_socket(base, tokens[i % len(tokens)]) for i in range(args.normal)]
        latencies: list[float] = []
        counts = [0] * len(normal)

        closed_normal: list[int | None] = []

        async def read(i: int, client: ClientConnection) -> None:
            try:
                async for raw in client:
                    message = json.loads(raw)
                    if "data" in message:
                        latencies.append((time.time() - message["data"]["sent"]) * 1000)
                        counts[i] += 1
                        if counts[i] == args.abuse_events:
                            return
            except ConnectionClosed:
                closed_normal.append(client.close_code)

        readers = [asyncio.create_task(read(i, c)) for i, c in enumerate(normal)]
        began = time.perf_counter()
        closing = asyncio.create_task(closed_after(slow, began))
        await publish(redis_url, prefix, args.abuse_events, args.rate, next_id, size=4000)
        published = time.perf_counter() - began
        next_id += args.abuse_events
        await asyncio.wait(readers, timeout=30)
        closed = await closing
        for client in normal:
            await client.close()
        ended = sorted(seconds for seconds in closed if seconds is not None)
        print(
            f"slow: {len(ended)} of {args.slow} slow readers closed by the server, "
            f"{min(ended, default=float('nan')):.1f}-{max(ended, default=float('nan')):.1f} s after events began "
            f"(median {pct(ended, 0.5):.1f} s; events took {published:.1f} s); "
            f"{args.normal} normal sockets: p50 {pct(latencies, 0.5):.1f} ms, p95 {pct(latencies, 0.95):.1f} ms, "
            f"lost {sum(args.abuse_events - c for c in counts)} of {args.abuse_events * args.normal}; "
            f"normal sockets closed by the server: {len(closed_normal)} (codes {sorted({code or 0 for code in closed_normal})})"
        )

    # reconnect storm -------------------------------------------------------------------------
    async def storm() -> None:
        began = time.perf_counter()
        for _ in range(3):
            clients = await asyncio.gather(*(open_socket(base, tokens[i % len(tokens)]) for i in range(args.storm)))
            for client in clients:
                await client.close()
        print(f"storm: {args.storm} sockets reconnected and subscribed 3 times in {time.perf_counter() - began:.1f} s")

    for phase in phases:
        if phase == "churn":
            await churn(1)
            await report("churn round 1", base, redis_url, prefix, before)
            await churn(2)
            await report("churn round 2", base, redis_url, prefix, before)
        elif phase == "slow":
            await slow_readers()
            await report("slow", base, redis_url, prefix, before)
        elif phase == "storm":
            await storm()
            await report("storm", base, redis_url, prefix, before)
        elif phase == "fan-in":
            await fan_in(args, base, seed)
            await report("fan-in", base, redis_url, prefix, before)
        else:
            raise SystemExit(f"unknown abuse phase {phase!r}")


async def fan_in(args: Any, base: str, seed: dict[str, Any]) -> None:
    """--recruiters sockets × --topics subscribes at once, beside one user's pings (module docstring)."""
    applications = [spec["application_id"] for spec in seed["sockets"]]
    topics = min(args.topics, len(applications))
    url = base.replace("http://", "ws://") + "/ws/?token="
    options: dict[str, Any] = {"origin": ORIGIN, "open_timeout": 60, "ping_interval": None, "max_queue": None}
    gate = asyncio.Semaphore(50)

    async def opened(token: str) -> ClientConnection:
        async with gate:
            return await connect(url + token, **options)

    pinger = await opened(seed["sockets"][0]["token"])
    recruiters = await asyncio.gather(*(opened(seed["recruiter_token"]) for _ in range(args.recruiters)))
    rtts: list[float] = []
    stop = asyncio.Event()

    async def ping() -> None:
        while not stop.is_set():
            sent = time.perf_counter()
            await pinger.send(json.dumps({"action": "ping"}))
            while json.loads(await pinger.recv()).get("type") != "pong":
                pass
            rtts.append((time.perf_counter() - sent) * 1000)
            await asyncio.sleep(max(0.0, 0.02 - (time.perf_counter() - sent)))

    acks: list[float] = []
    refused: list[dict[str, Any]] = []
    closed: list[int | None] = []

    async def subscribe_all(k: int, client: ClientConnection, began: float) -> None:
        for j in range(topics):
            application_id = applications[(k + j) % len(applications)]
            await client.send(
                json.dumps(
                    {
                        "action": "subscribe",
                        "channel": "application_status",
                        "params": {"application_id": application_id},
                    }
                )
            )
        answered = 0
        try:
            while answered < topics:
                message = json.loads(await asyncio.wait_for(client.recv(), timeout=60))
                if message.get("type") == "ack":
                    acks.append(time.perf_counter() - began)
                    answered += 1
                elif message.get("type") == "error":
                    refused.append(message)
                    answered += 1
        except Exception:
            closed.append(client.close_code)

    pinging = asyncio.create_task(ping())
    await asyncio.sleep(1.0)  # the ping's quiet round trip first
    quiet = list(rtts)
    rtts.clear()
    began = time.perf_counter()
    await asyncio.gather(*(subscribe_all(k, client, began) for k, client in enumerate(recruiters)))
    elapsed = time.perf_counter() - began
    stop.set()
    await pinging
    await asyncio.gather(*(client.close() for client in [pinger, *recruiters]), return_exceptions=True)
    total = args.recruiters * topics
    print(
        f"fan-in: {args.recruiters} sockets x {topics} subscribes: {len(acks)} of {total} acked, "
        f"all answered in {elapsed:.2f} s (ack p50 {pct(acks, 0.5):.2f} s, p95 {pct(acks, 0.95):.2f} s); "
        f"{len(refused)} refused{' e.g. ' + str(refused[0]) if refused else ''}; {len(closed)} sockets closed; "
        f"another user's ping p50 {pct(rtts, 0.5):.1f} ms, p95 {pct(rtts, 0.95):.1f} ms over {len(rtts)} pings "
        f"(quiet: p50 {pct(quiet, 0.5):.1f} ms)"
    )
