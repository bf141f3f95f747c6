"""Realtime benchmark: N authenticated WebSockets on real servers (python -m hotgigs.serve) over channels-redis.

Phases, in one run:
  connect     N sockets (one candidate each) connect with their access token and subscribe to
              ``application_status`` ``{scope: "mine"}``: per-socket connect+ack time, total time,
              server memory per connection (VmRSS of the server processes before and after)
  small       a paced burst of --events ``application.stage_changed`` events (--rate per second)
              published through the realtime layer (``publish_on_commit``: outbox row, per-group
              advisory lock, push after commit) by --publishers processes, each to the audience a
              real move has (an organization, the application, the candidate: one socket hears
              it), spread over --organizations organizations: latency from commit to receipt p50/p95/p99, delivered messages/s, lost messages
  saturate    real ``application_move`` calls (the whole service: row lock, history, outbox,
              notification), unpaced, from 1 and then --publishers processes, all in one
              organization: the commits per second one organization takes while its group's
              advisory lock serialises the writers, and their delivery
  broadcast   every socket also subscribes to the job board; --broadcasts job edits, each one
              event to all N sockets: time from commit to the first, median and last socket.
              Side by side, the floor: N more sockets on a bare ASGI app under the same uvicorn
              (bench/realtime/floor.py) that relays each Redis Pub/Sub message to all of them;
              its broadcasts alternate with the job edits, timed from the publish

The load average is printed at the start and the end: the machines are shared, and the
broadcast's figures follow the load; the floor, measured in between, follows it too.

Commit times come from the publishing process (an on_commit callback that runs before the
push); receipt times from this process, on the same clock. Heartbeats are off and rate limits
too; the servers and publishers share a channel-layer prefix of their own.

With ``--abuse``, the run is the abuse phase instead (bench/realtime/abuse.py): subscribe-then-
drop churn while events flow, slow readers beside normal sockets, a reconnect storm; after each,
the server's memory and its channel-layer subscriptions in Redis. The churn's memory is judged
against a warmed baseline (every token connected, 50 sockets at once), printed beside the cold
one, and the churn runs twice to tell a leak from allocator retention (bench/README.md).

Usage (PostgreSQL and Redis must be reachable; the database is created and seeded if missing):
    .venv/bin/python bench/realtime/run.py [--sockets 1000] [--rate 200] [--events 2000]
        [--servers 1] [--publishers 4] [--broadcasts 7]
    .venv/bin/python bench/realtime/run.py --abuse [--sockets 100] [--churn 500] [--slow 20]
        [--normal 20] [--abuse-events 2000] [--storm 200] [--rate 200]
"""

import argparse
import asyncio
import datetime
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from redis import asyncio as aioredis
from websockets.asyncio.client import ClientConnection, connect

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import harness

from hotgigs.events import catalogue

HERE = Path(__file__).resolve().parent
ORIGIN = "http://localhost"
STAGES = ("screening", "interview", "offer", "hired")
TARGET_P95_MS = 100.0
TARGET_RATE = 200.0
TARGET_BROADCAST_LAST_MS = 200.0
DRAIN_SECONDS = 15.0


def pct(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1) of a non-empty sequence."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1))]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


class Socket:
    """One client socket: its receipts by event key and how many acks it has seen."""

    def __init__(self, index: int, base: str, spec: dict[str, Any]) -> None:
        self.index = index
        self.base = base
        self.spec = spec
        self.ws: ClientConnection | None = None
        self.received: dict[tuple[str, Any, Any], float] = {}
        self.duplicates = 0
        self.acks = 0
        self.errors: list[dict[str, Any]] = []

    async def open(self) -> float:
        began = time.perf_counter()
        url = self.base.replace("http://", "ws://") + f"/ws/?token={self.spec['token']}"
        self.ws = await connect(url, origin=ORIGIN, open_timeout=120, ping_interval=None, max_queue=None)  # type: ignore[arg-type]
        await self.ws.send(
            json.dumps({"action": "subscribe", "channel": "application_status", "params": {"scope": "mine"}})
        )
        answer = json.loads(await self.ws.recv())
        if answer.get("type") != "ack":
            raise RuntimeError(f"socket {self.index}: {answer}")
        self.acks = 1
        return time.perf_counter() - began

    async def read(self) -> None:
        assert self.ws is not None
        async for raw in self.ws:
            now = time.time()
            message = json.loads(raw)
            if "data" in message:
                data = message["data"]
                key = (message["type"], data["id"], data.get("stage") or data.get("title"))
                if key in self.received:
                    self.duplicates += 1
                else:
                    self.received[key] = now
            elif message.get("type") == "ack":
                self.acks += 1
            elif message.get("type") == "error":
                self.errors.append(message)


def start_servers(
    env: dict[str, str], count: int, app: str = "hotgigs.asgi:application"
) -> list[tuple[str, subprocess.Popen[bytes]]]:
    """``count`` servers of ``app``, started as deployed (``python -m hotgigs.serve``: its head
    timeout and bounded WebSocket close included), one process each. Their logs (a line per
    connection) go to ``var/bench-realtime-<port>.log``, not to the figures."""
    servers = []
    logs = harness.ROOT / "var"
    logs.mkdir(exist_ok=True)
    for _ in range(count):
        port = harness.free_port()
        with open(logs / f"bench-realtime-{port}.log", "ab") as log:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "hotgigs.serve",
                    "--app",
                    app,
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--workers",
                    "1",
                ],
                env=env,
                cwd=harness.ROOT,
                stdout=log,
                stderr=log,
            )
        servers.append((f"http://127.0.0.1:{port}", process))
    for base, _ in servers:
        harness.wait_ready(base)
    return servers


async def run_plans(env: dict[str, str], command: str, plans: list[dict[str, Any]], tmp: Path) -> list[dict[str, Any]]:
    """Run one ``django_side.py <command>`` process per plan, concurrently; return all records."""
    processes, outs = [], []
    for n, plan in enumerate(plans):
        plan_path, out = tmp / f"{command}-{n}.plan.json", tmp / f"{command}-{n}.out.json"
        plan_path.write_text(json.dumps(plan))
        outs.append(out)
        processes.append(
            await asyncio.create_subprocess_exec(
                sys.executable,
                str(HERE / "django_side.py"),
                command,
                str(plan_path),
                str(out),
                env=env,
                cwd=harness.ROOT,
            )
        )
    for process in processes:
        if await process.wait() != 0:
            raise SystemExit(f"{command} publisher failed")
    return [record for out in outs for record in json.loads(out.read_text())]


async def drain(sockets: list[Socket], expected: dict[int, set[tuple[str, Any, Any]]]) -> None:
    """Wait until every socket has what it should, or DRAIN_SECONDS pass."""
    deadline = time.monotonic() + DRAIN_SECONDS
    while time.monotonic() < deadline:
        if all(expected.get(s.index, set()) <= s.received.keys() for s in sockets):
            return
        await asyncio.sleep(0.1)


def moves_plan(
    sockets: list[Socket], moves_done: list[int], indexes: list[int], rate: float, publishers: int, seed: dict[str, Any]
) -> tuple[list[dict[str, Any]], dict[int, set[tuple[str, Any, Any]]]]:
    """One move per entry of ``indexes`` (socket indexes, may repeat), paced at ``rate`` (0: unpaced)."""
    items: list[list[dict[str, Any]]] = [[] for _ in range(publishers)]
    expected: dict[int, set[tuple[str, Any, Any]]] = {}
    for k, i in enumerate(indexes):
        stage = STAGES[moves_done[i]]
        moves_done[i] += 1
        application_id = sockets[i].spec["application_id"]
        # One application always goes to the same publisher, so its moves stay in order.
        items[i % publishers].append(
            {"at": k / rate if rate else 0.0, "application_id": application_id, "stage": stage, "socket": i}
        )
        expected.setdefault(i, set()).add((catalogue.APPLICATION_STAGE_CHANGED, application_id, stage))
    start = time.time() + 4.0  # publishers need a moment to start Django
    plans = [{"start": start, "recruiter_id": seed["recruiter_id"], "items": chunk} for chunk in items if chunk]
    return plans, expected


def small_groups_figures(
    sockets: list[Socket], records: list[dict[str, Any]], expected: dict[int, set[tuple[str, Any, Any]]]
) -> dict[str, float]:
    latencies, receipts, lost = [], [], 0
    by_key = {(catalogue.APPLICATION_STAGE_CHANGED, r["application_id"], r["stage"]): r for r in records}
    for index, keys in expected.items():
        for key in keys:
            at = sockets[index].received.get(key)
            if at is None:
                lost += 1
                continue
            latencies.append((at - by_key[key]["commit"]) * 1000)
            receipts.append(at)
    commits = sorted(r["commit"] for r in records)
    services = [r["service_s"] * 1000 for r in records]
    span = (max(receipts) - commits[0]) if receipts else float("nan")
    return {
        "events": len(records),
        "delivered": len(latencies),
        "lost": lost,
        "p50_ms": pct(latencies, 0.5) if latencies else float("nan"),
        "p95_ms": pct(latencies, 0.95) if latencies else float("nan"),
        "p99_ms": pct(latencies, 0.99) if latencies else float("nan"),
        "max_ms": max(latencies) if latencies else float("nan"),
        "delivered_per_s": len(latencies) / span if receipts else 0.0,
        "commits_per_s": (len(commits) - 1) / (commits[-1] - commits[0]) if len(commits) > 1 else float("nan"),
        "service_p50_ms": pct(services, 0.5),
        "service_p95_ms": pct(services, 0.95),
    }


def load_average() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def broadcast_figures(sockets: list[Socket], records: list[dict[str, Any]], job_id: int) -> dict[str, float]:
    """First, median and last arrival after each record's ``commit`` (ms), as medians over the records."""
    firsts, medians, lasts, lost = [], [], [], 0
    for record in records:
        key = (catalogue.JOB_UPDATED, job_id, record["title"])
        arrivals = [s.received[key] - record["commit"] for s in sockets if key in s.received]
        lost += len(sockets) - len(arrivals)
        if len(arrivals) < len(sockets):
            print(f"broadcast {record['title']!r}: {len(sockets) - len(arrivals)} sockets did not receive it")
        if arrivals:
            firsts.append(min(arrivals) * 1000)
            medians.append(statistics.median(arrivals) * 1000)
            lasts.append(max(arrivals) * 1000)
    nan = float("nan")
    return {
        "first_ms": statistics.median(firsts) if firsts else nan,
        "median_ms": statistics.median(medians) if medians else nan,
        "last_ms": statistics.median(lasts) if lasts else nan,
        "worst_last_ms": max(lasts) if lasts else nan,
        "lost": lost,
    }


def ratio(contender: dict[str, float], floor: dict[str, float], key: str) -> str:
    return f"{contender[key] / floor[key]:.1f}x" if floor[key] > 0 else "-"


async def floor_broadcasts(
    redis_url: str, channel: str, job_id: int, titles: list[str], start: float, interval: float
) -> list[dict[str, Any]]:
    """Publish one job-board-sized event per title to the floor at ``start + n * interval``; their publish times."""
    client = aioredis.from_url(redis_url)
    records = []
    try:
        for n, title in enumerate(titles):
            delay = start + n * interval - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            data = {
                "id": job_id,
                "organization_id": 1,
                "title": title,
                "status": "open",
                "location": "",
                "remote_policy": "onsite",
            }
            ts = datetime.datetime.now(datetime.UTC).isoformat()
            event = {
                "id": n + 1,
                "channel": catalogue.JOB_UPDATES,
                "type": catalogue.JOB_UPDATED,
                "data": data,
                "ts": ts,
            }
            text = json.dumps({**event, "subscriptions": ["job_updates.job_board"]})
            sent = time.time()
            await client.publish(channel, text)
            records.append({"title": title, "commit": sent})
    finally:
        await client.aclose()
    return records


async def bench(args: argparse.Namespace, env: dict[str, str], seed: dict[str, Any], tmp: Path) -> None:
    load_start = load_average()
    servers = start_servers(env, args.servers)
    try:
        pids = [process.pid for _, process in servers]
        await asyncio.sleep(1.0)
        rss_before = sum(rss_kib(pid) for pid in pids)
        sockets = [Socket(i, servers[i % len(servers)][0], spec) for i, spec in enumerate(seed["sockets"])]

        # connect -------------------------------------------------------------------------------
        gate = asyncio.Semaphore(args.concurrency)

        async def open_one(sock: Socket) -> float:
            async with gate:
                return await sock.open()

        began = time.perf_counter()
        connect_times = await asyncio.gather(*(open_one(s) for s in sockets))
        connect_total = time.perf_counter() - began
        readers = [asyncio.create_task(s.read()) for s in sockets]
        await asyncio.sleep(2.0)
        rss_after = sum(rss_kib(pid) for pid in pids)
        print(
            f"connect+subscribe: {len(sockets)} sockets in {connect_total:.2f} s "
            f"({len(sockets) / connect_total:.0f}/s, {args.concurrency} at a time); per socket "
            f"p50 {pct(connect_times, 0.5) * 1000:.1f} ms, p95 {pct(connect_times, 0.95) * 1000:.1f} ms, "
            f"max {max(connect_times) * 1000:.1f} ms"
        )
        print(
            f"server memory: {rss_before / 1024:.1f} MiB before, {rss_after / 1024:.1f} MiB after "
            f"({len(pids)} process(es)): {(rss_after - rss_before) / len(sockets):.1f} KiB per connection"
        )

        # small groups, paced -------------------------------------------------------------------
        items: list[list[dict[str, Any]]] = [[] for _ in range(args.publishers)]
        expected: dict[int, set[tuple[str, Any, Any]]] = {}
        for k in range(args.events):
            i = k % len(sockets)
            spec = sockets[i].spec
            # The organization audiences are only group names (no socket follows them): spreading
            # the events over --organizations of them spreads the per-group advisory lock too.
            organization_id = seed["organization_id"] + 1_000_000 * (i % args.organizations)
            item = {
                "at": k / args.rate,
                "application_id": spec["application_id"],
                "user_id": spec["user_id"],
                "organization_id": organization_id,
                "stage": f"e{k}",
            }
            items[i % args.publishers].append(item)
            expected.setdefault(i, set()).add((catalogue.APPLICATION_STAGE_CHANGED, spec["application_id"], f"e{k}"))
        start = time.time() + 4.0
        plans = [{"start": start, "items": chunk} for chunk in items if chunk]
        records = await run_plans(env, "events", plans, tmp)
        await drain(sockets, expected)
        small = small_groups_figures(sockets, records, expected)

        # saturate: one organization's commit rate ----------------------------------------------
        saturated = {}
        moves_done = [0] * len(sockets)
        half = len(sockets) // 2
        for publishers, chosen in ((1, range(half)), (args.publishers, range(half, 2 * half))):
            plans, expected_sat = moves_plan(sockets, moves_done, list(chosen), 0, publishers, seed)
            records_sat = await run_plans(env, "publish", plans, tmp)
            await drain(sockets, expected_sat)
            saturated[publishers] = small_groups_figures(sockets, records_sat, expected_sat)

        # broadcast -----------------------------------------------------------------------------
        for s in sockets:
            assert s.ws is not None
            await s.ws.send(
                json.dumps({"action": "subscribe", "channel": catalogue.JOB_UPDATES, "params": {"scope": "board"}})
            )
        deadline = time.monotonic() + 60
        while any(s.acks < 2 for s in sockets) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        floor_channel = f"bench-rt-floor-{os.getpid()}"
        floor_server = start_servers({**env, "FLOOR_CHANNEL": floor_channel}, 1, "bench.realtime.floor:app")
        servers += floor_server
        floor_sockets = [Socket(i, floor_server[0][0], spec) for i, spec in enumerate(seed["sockets"])]
        await asyncio.gather(*(open_one(s) for s in floor_sockets))
        readers += [asyncio.create_task(s.read()) for s in floor_sockets]
        titles = [f"Broadcast {os.getpid()}-{n}" for n in range(args.broadcasts)]
        floor_titles = [f"Floor {os.getpid()}-{n}" for n in range(args.broadcasts)]
        start = time.time() + 4.0
        plan = {
            "start": start,
            "recruiter_id": seed["recruiter_id"],
            "job_id": seed["job_id"],
            "items": [{"at": n * args.broadcast_interval, "title": title} for n, title in enumerate(titles)],
        }
        # Half an interval after each job edit, the floor relays an event of the same shape.
        records_b, records_f = await asyncio.gather(
            run_plans(env, "broadcast", [plan], tmp),
            floor_broadcasts(
                args.redis_url,
                floor_channel,
                seed["job_id"],
                floor_titles,
                start + args.broadcast_interval / 2,
                args.broadcast_interval,
            ),
        )
        expected_b = {s.index: {(catalogue.JOB_UPDATED, seed["job_id"], t) for t in titles} for s in sockets}
        expected_f = {
            s.index: {(catalogue.JOB_UPDATED, seed["job_id"], t) for t in floor_titles} for s in floor_sockets
        }
        await drain(sockets, expected_b)
        await drain(floor_sockets, expected_f)
        broadcast = broadcast_figures(sockets, records_b, seed["job_id"])
        floor = broadcast_figures(floor_sockets, records_f, seed["job_id"])

        for reader in readers:
            reader.cancel()
        await asyncio.gather(
            *(s.ws.close() for s in sockets + floor_sockets if s.ws is not None), return_exceptions=True
        )
    finally:
        for _, process in servers:
            process.terminate()
        for _, process in servers:
            process.wait(timeout=30)

    duplicates = sum(s.duplicates for s in sockets)
    errors = [e for s in sockets for e in s.errors]
    print()
    print(
        f"small groups: {small['events']} events at a target {args.rate:.0f}/s, {args.publishers} publisher process(es), "
        f"{args.organizations} organization(s); saturate: real moves, all in one organization"
    )
    header = f"{'phase':<22} {'events':>7} {'lost':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'deliv/s':>8} {'commit/s':>9} {'svc p50':>8} {'svc p95':>8}"
    print(header)
    rows = [("paced", small)] + [(f"saturate, {p} publisher(s)", f) for p, f in saturated.items()]
    for name, f in rows:
        print(
            f"{name:<22} {f['events']:>7} {f['lost']:>5} {f['p50_ms']:>8.1f} {f['p95_ms']:>8.1f} {f['p99_ms']:>8.1f} "
            f"{f['max_ms']:>8.1f} {f['delivered_per_s']:>8.0f} {f['commits_per_s']:>9.0f} {f['service_p50_ms']:>8.1f} {f['service_p95_ms']:>8.1f}"
        )
    print("(svc: time inside the publishing service call, commit and push included)")
    print()
    print(
        f"broadcast to {len(sockets)} sockets, {args.broadcasts} events each, alternating "
        "(ms from commit, or publish, to the socket; median over events):"
    )
    print(f"{'':<44} {'first':>7} {'median':>7} {'last':>7} {'worst last':>11} {'lost':>5}")
    for name, f in (("job edit to /ws/ (job board)", broadcast), ("floor: bare ASGI relay of Redis Pub/Sub", floor)):
        print(
            f"{name:<44} {f['first_ms']:>7.0f} {f['median_ms']:>7.0f} {f['last_ms']:>7.0f} "
            f"{f['worst_last_ms']:>11.0f} {f['lost']:>5}"
        )
    print(
        f"{'ratio to the floor':<44} {ratio(broadcast, floor, 'first_ms'):>7} {ratio(broadcast, floor, 'median_ms'):>7} {ratio(broadcast, floor, 'last_ms'):>7}"
    )
    print(f"duplicates: {duplicates}; error frames: {len(errors)}{' e.g. ' + str(errors[0]) if errors else ''}")
    print(f"load average: {load_start} at the start, {load_average()} at the end ({os.cpu_count()} CPUs)")
    print()
    ok_b = broadcast["last_ms"] <= TARGET_BROADCAST_LAST_MS and broadcast["lost"] == 0
    print(
        f"target (one job-board event reaches the last of 1,000 sockets within {TARGET_BROADCAST_LAST_MS:.0f} ms, "
        f"median over events, nothing lost): {'MET' if ok_b and len(sockets) >= 1000 else 'NOT MET'} with "
        f"{len(sockets)} sockets: last {broadcast['last_ms']:.0f} ms (floor {floor['last_ms']:.0f} ms), "
        f"{broadcast['lost']} lost"
    )
    ok = small["p95_ms"] <= TARGET_P95_MS and small["lost"] == 0 and small["delivered_per_s"] >= TARGET_RATE * 0.95
    print(
        f"target (p95 <= {TARGET_P95_MS:.0f} ms at {TARGET_RATE:.0f} delivered msgs/s with 1,000 sockets, nothing lost): "
        f"{'MET' if ok and len(sockets) >= 1000 else 'NOT MET'} with {len(sockets)} sockets: "
        f"p95 {small['p95_ms']:.1f} ms, {small['delivered_per_s']:.0f} msgs/s, {small['lost']} lost"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/hotgigs_bench_realtime")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=TARGET_RATE, help="events per second in the paced burst")
    parser.add_argument("--events", type=int, default=2000, help="events in the paced burst")
    parser.add_argument("--servers", type=int, default=1, help="uvicorn processes; sockets are spread round robin")
    parser.add_argument("--publishers", type=int, default=4, help="publishing processes")
    parser.add_argument(
        "--organizations", type=int, default=10, help="organizations the paced events are spread over (1: all in one)"
    )
    parser.add_argument(
        "--layer",
        choices=("redis", "redis-pubsub"),
        default="redis-pubsub",
        help="CHANNEL_LAYER_BACKEND of every process",
    )
    parser.add_argument("--broadcasts", type=int, default=7, help="job-board events, and as many on the floor")
    parser.add_argument("--broadcast-interval", type=float, default=3.0)
    parser.add_argument("--concurrency", type=int, default=50, help="sockets opening at the same time")
    parser.add_argument("--abuse", action="store_true", help="run the abuse phase (bench/realtime/abuse.py) instead")
    parser.add_argument("--churn", type=int, default=500, help="abuse: sockets that subscribe and drop")
    parser.add_argument("--slow", type=int, default=20, help="abuse: slow readers")
    parser.add_argument("--normal", type=int, default=20, help="abuse: normal sockets beside the slow readers")
    parser.add_argument("--abuse-events", type=int, default=2000, help="abuse: board events during the slow phase")
    parser.add_argument("--storm", type=int, default=200, help="abuse: sockets of the reconnect storm")
    parser.add_argument(
        "--tracemalloc", action="store_true", help="abuse: trace the server's allocations (slow; memory only)"
    )
    parser.add_argument("--recruiters", type=int, default=100, help="abuse: recruiter sockets of the fan-in")
    parser.add_argument("--topics", type=int, default=50, help="abuse: subscribes per recruiter socket")
    parser.add_argument(
        "--phases", default="churn,slow,storm,fan-in", help="abuse: which phases, comma-separated, in this order"
    )
    args = parser.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # servers inherit it too
    if hard < 2 * args.sockets + 200:
        raise SystemExit(f"open-file limit {hard} is too low for {args.sockets} sockets and as many on the floor")

    env = harness.prepared_env(
        args.database_url,
        args.redis_url,
        CHANNEL_LAYER_PREFIX=f"bench-rt-{os.getpid()}",
        CHANNEL_LAYER_BACKEND=args.layer,
        CACHE_KEY_PREFIX=f"bench-rt-{os.getpid()}",
        REALTIME_HEARTBEAT_SECONDS="0",
        RATE_LIMIT_ENABLED="false",
        CELERY_TASK_ALWAYS_EAGER="true",
        # The moves' emails are built and sent in-process (eager tasks); keep them off stdout.
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    harness.ensure_database(args.database_url)
    harness.manage(env, "migrate", "-v0")
    with tempfile.TemporaryDirectory() as directory:
        tmp = Path(directory)
        began = time.perf_counter()
        subprocess.run(
            [sys.executable, str(HERE / "django_side.py"), "seed", str(args.sockets), str(tmp / "seed.json")],
            env=env,
            cwd=harness.ROOT,
            check=True,
        )
        seed = json.loads((tmp / "seed.json").read_text())
        print(
            f"seeded {args.sockets} candidates with an application and a token in {time.perf_counter() - began:.1f} s"
        )
        asyncio.run(run_abuse(args, env, seed) if args.abuse else bench(args, env, seed, tmp))


async def run_abuse(args: argparse.Namespace, env: dict[str, str], seed: dict[str, Any]) -> None:
    import abuse

    ((base, process),) = start_servers(
        {**env, "BENCH_TRACEMALLOC": "1" if args.tracemalloc else "0"}, 1, "bench.realtime.probe:application"
    )
    try:
        await abuse.abuse(args, env, seed, base, process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)


if __name__ == "__main__":
    main()
