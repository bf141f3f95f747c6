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
(VmRSS; after ``gc.collect()``; after ``malloc_trim``; CPython's allocator arenas and the bytes
its objects use; the object types that grew), its asyncio tasks and channel-layer queues and
groups, its channel-layer subscriptions left in Redis (``PUBSUB CHANNELS <prefix>*``, with
``PUBSUB NUMSUB`` of the board's group), and its CPU seconds. Churn runs twice: growth in the
second round means a leak, growth in the first only is memory the allocator keeps for reuse.
Its memory is judged against the warmed baseline, printed beside the cold one (bench/README.md
says what each holds). A churn client the server drops before the upgrade completes (its
open timeout, on a starved machine) is counted, not the end of the run.

The slow phase's client publishes and reads every normal socket in one process: on a machine
starved of CPU it falls behind its own reading, and the server, starved too, behind its
sends; either ends in 4008 for the normal sockets. The phase prints the server's and this
client's CPU seconds, the load, and how many sockets the server closed for a full backlog
(the rest: a send that waited too long), so such a run reads as what it is.
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
from websockets.exceptions import ConnectionClosed, WebSocketException

ORIGIN = "http://localhost"
TCP_ESTABLISHED = 1  # tcpi_state of Linux's TCP_INFO
BOARD = "job_updates.job_board"
SUBSCRIBE = {"action": "subscribe", "channel": "job_updates", "params": {"scope": "board"}}
TARGET_CHURN_GROWTH = 10.0  # % of the warmed baseline (issue 13)
PLATEAU_MIB = 2.0  # round 2 over round 1: more than this is growth per round, a leak


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


def backlog_full(base: str) -> int:
    """How many times the server has logged ``realtime.backlog_full`` (its log: run.py's start_servers)."""
    log = Path(__file__).resolve().parents[2] / "var" / f"bench-realtime-{base.rsplit(':', 1)[1]}.log"
    return sum(1 for line in log.read_text().splitlines() if '"realtime.backlog_full"' in line) if log.exists() else 0


def cpu_waited(pid: int) -> float:
    """Seconds the main thread of ``pid`` (a server's event loop) has spent runnable but waiting
    for a CPU (``/proc/<pid>/schedstat``): high when the machine, not the process, is the limit."""
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[1]) / 1e9


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of process ``pid`` so far (``/proc/<pid>/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def python_heap(now: dict[str, Any], before: dict[str, Any]) -> str:
    if "arenas" not in now["python"] or "arenas" not in before["python"]:
        # Under tracemalloc the allocator is wrapped and reports no statistics of its own.
        return f"{now['blocks'] - before['blocks']:+d} blocks"
    arenas, used = now["python"]["arenas"], now["python"]["used_mib"]
    return (
        f"python objects {used:.1f} MiB ({used - before['python']['used_mib']:+.2f}) in {arenas} arenas "
        f"({arenas - before['python']['arenas']:+d}), {now['blocks'] - before['blocks']:+d} blocks"
    )


async def report(
    label: str, base: str, redis_url: str, prefix: str, before: dict[str, Any], pid: int, cpu_before: float
) -> tuple[dict[str, Any], int]:
    """Print the server's state after a phase; return its memory and its channel-layer
    subscriptions left in Redis."""
    await asyncio.sleep(2.0)
    channels, board = await subscriptions(redis_url, prefix)
    cpu = cpu_seconds(pid) - cpu_before
    now = await memory(base)

    def change(key: str) -> str:
        return f"{now[key]:.1f} MiB ({(now[key] - before[key]) / before[key] * 100:+.1f} %)"

    print(
        f"{label:<14} memory {change('rss_mib')}, after gc {change('rss_gc_mib')}, after malloc_trim "
        f"{change('rss_trim_mib')}; {python_heap(now, before)}; tasks {now['tasks']}, layer {now['layer']}; "
        f"channel-layer subscriptions in Redis: {channels} (board group subscribers: {board}); "
        f"server CPU {cpu:.1f} s; load {' '.join(f'{v:.1f}' for v in os.getloadavg())}"
    )
    if now["grown"]:
        print(f"    objects grown since the last report: {', '.join(now['grown'])}")
    for line in now.get("top", []):
        print(f"    {line}")
    return now, channels


async def abuse(args: Any, env: dict[str, str], seed: dict[str, Any], base: str, pid: int) -> None:
    redis_url, prefix = env["REDIS_URL"], env["CHANNEL_LAYER_PREFIX"]
    tokens = [spec["token"] for spec in seed["sockets"]]
    phases = [phase.strip() for phase in args.phases.split(",") if phase.strip()]
    await asyncio.sleep(1.0)
    # Two baselines, both printed. Cold: after one socket, one subscribe and a few events (the
    # code paths loaded, first-use caches filled). Warmed, the one the targets use: after every
    # token of the run has connected, 50 sockets at once (the churn's concurrency), while
    # events flowed. It holds what is made once and kept by design: the database threads and
    # their pooled connections, the event loop's and the layer's structures sized for 50
    # sockets, and one entry per token in the bounded memo of verified tokens
    # (hotgigs/api/authentication.py, TOKEN_MEMO_SIZE). Growth past it is what churn leaves;
    # the churn runs twice so that a leak (round 2 grows again) shows apart from memory the
    # allocators keep after round 1's peak (round 2 does not).
    warm = await open_socket(base, tokens[0])
    await publish(redis_url, prefix, 10, 100, 1)
    await warm.close()
    cold = await memory(base)
    for start in range(0, max(len(tokens), 50), 50):
        warmers = await asyncio.gather(*(open_socket(base, tokens[i % len(tokens)]) for i in range(start, start + 50)))
        await publish(redis_url, prefix, 10, 100, 11 + start)
        await asyncio.gather(*(client.close() for client in warmers))
    await asyncio.sleep(1.0)
    before = await memory(base)
    print(
        f"abuse: one server (python -m hotgigs.serve); baselines: cold {cold['rss_mib']:.1f} MiB "
        f"({cold['rss_trim_mib']:.1f} after gc and malloc_trim; {python_heap(cold, cold)}) after one socket; "
        f"warmed {before['rss_mib']:.1f} MiB ({before['rss_trim_mib']:.1f} after gc and malloc_trim; "
        f"{python_heap(before, cold)}) after {len(tokens)} tokens, 50 at once: the baseline below; "
        f"subscriptions {await subscriptions(redis_url, prefix)}; load {' '.join(f'{v:.1f}' for v in os.getloadavg())}"
    )
    next_id = 100

    # churn, twice: a second identical round tells a leak (it grows again) from the allocator
    # keeping what the first round's peak needed (it does not) ------------------------------
    async def churn(round_: int) -> None:
        nonlocal next_id
        flow = asyncio.create_task(publish(redis_url, prefix, 10**9, args.rate, next_id))
        gate = asyncio.Semaphore(50)

        failed: list[str] = []

        async def churn_one(i: int) -> None:
            async with gate:
                try:
                    client = await open_socket(base, tokens[i % len(tokens)])
                except (OSError, WebSocketException) as exc:
                    # A server too busy to finish the handshake in time (its open timeout)
                    # drops the connection: counted, not the end of the run.
                    failed.append(type(exc).__name__)
                    return
                await asyncio.sleep(0.05)
                client.transport.abort()

        began = time.perf_counter()
        await asyncio.gather(*(churn_one(i) for i in range(args.churn)))
        flow.cancel()
        next_id += 10**6
        print(
            f"churn {round_}: {args.churn - len(failed)} sockets subscribed and dropped in "
            f"{time.perf_counter() - began:.1f} s while events flowed; {len(failed)} could not connect"
            + (f" ({', '.join(sorted(set(failed)))})" if failed else "")
        )

    # slow readers ----------------------------------------------------------------------------
    async def slow_readers() -> None:
        nonlocal next_id
        slow = [await asyncio.to_thread(slow_reader, base, tokens[i % len(tokens)]) for i in range(args.slow)]
        normal = [await open_socket(base, tokens[i % len(tokens)]) for i in range(args.normal)]
        latencies: list[float] = []
        counts = [0] * len(normal)

        closed_normal: list[int | None] = []
        closed_normal_at: list[float] = []

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
                closed_normal_at.append(time.perf_counter() - began)

        readers = [asyncio.create_task(read(i, c)) for i, c in enumerate(normal)]
        began = time.perf_counter()
        cpu_client, cpu_server = time.process_time(), cpu_seconds(pid)
        waited_client, waited_server = cpu_waited(os.getpid()), cpu_waited(pid)
        full_before = backlog_full(base)
        closing = asyncio.create_task(closed_after(slow, began))
        await publish(redis_url, prefix, args.abuse_events, args.rate, next_id, size=4000)
        published = time.perf_counter() - began
        next_id += args.abuse_events
        await asyncio.wait(readers, timeout=30)
        wall = time.perf_counter() - began
        cpu_client, cpu_server = time.process_time() - cpu_client, cpu_seconds(pid) - cpu_server
        waited_client, waited_server = cpu_waited(os.getpid()) - waited_client, cpu_waited(pid) - waited_server
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
            f"normal sockets closed by the server: {len(closed_normal)} (codes {sorted({code or 0 for code in closed_normal})}"
            + (
                f", {min(closed_normal_at):.1f}-{max(closed_normal_at):.1f} s after events began"
                if closed_normal_at
                else ""
            )
            + f"); over {wall:.1f} s the server used {cpu_server:.1f} s of CPU and its loop waited {waited_server:.1f} s "
            f"for one, this client (the publisher and every reader) {cpu_client:.1f} s and {waited_client:.1f} s, load {' '.join(f'{v:.1f}' for v in os.getloadavg())} on "
            f"{os.cpu_count()} CPUs"
        )
        if closed_normal:
            # 4008 comes after a send waited REALTIME_SEND_TIMEOUT_SECONDS (the client did not
            # read) or once REALTIME_SOCKET_BACKLOG messages waited for the socket (the server
            # logs realtime.backlog_full: its consumer fell behind, its client or the server
            # itself too slow). On a machine starved of CPU this client, which publishes and
            # reads every normal socket in one process, and the server both fall behind.
            print(
                f"    why: {backlog_full(base) - full_before} sockets' backlogs filled in the server "
                f"(realtime.backlog_full), the others' sends waited too long"
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
        cpu = cpu_seconds(pid)
        if phase == "churn":
            await churn(1)
            round_1, left_1 = await report("churn round 1", base, redis_url, prefix, before, pid, cpu)
            cpu = cpu_seconds(pid)
            await churn(2)
            round_2, left_2 = await report("churn round 2", base, redis_url, prefix, before, pid, cpu)
            grown = [
                (m["rss_trim_mib"] - before["rss_trim_mib"]) / before["rss_trim_mib"] * 100 for m in (round_1, round_2)
            ]
            cold_grown = [
                (m["rss_trim_mib"] - cold["rss_trim_mib"]) / cold["rss_trim_mib"] * 100 for m in (round_1, round_2)
            ]
            again = round_2["rss_trim_mib"] - round_1["rss_trim_mib"]
            met = left_1 == left_2 == 0 and max(grown) <= TARGET_CHURN_GROWTH and again <= PLATEAU_MIB
            print(
                f"churn target (0 subscriptions left; memory after gc and malloc_trim within "
                f"{TARGET_CHURN_GROWTH:.0f} % of the warmed baseline; round 2 at most {PLATEAU_MIB:.0f} MiB above "
                f"round 1, i.e. no leak): {'MET' if met else 'NOT MET'}: subscriptions left {left_1}, {left_2}; "
                f"{grown[0]:+.1f} %, {grown[1]:+.1f} % of the warmed baseline ({cold_grown[0]:+.1f} %, "
                f"{cold_grown[1]:+.1f} % of the cold one); round 2 {again:+.1f} MiB over round 1"
            )
        elif phase == "slow":
            await slow_readers()
            await report("slow", base, redis_url, prefix, before, pid, cpu)
        elif phase == "storm":
            await storm()
            await report("storm", base, redis_url, prefix, before, pid, cpu)
        elif phase == "fan-in":
            await fan_in(args, base, seed)
            await report("fan-in", base, redis_url, prefix, before, pid, cpu)
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
