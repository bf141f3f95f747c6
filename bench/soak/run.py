"""Soak benchmark: a steady mixed load for a long time, watching every process for growth.

A real deployment-shaped stack on PostgreSQL and Redis and a Celery worker on both queues
(matching, emails and the rest). --http picks the HTTP server as ``python -m hotgigs.serve``
starts it: ``asgi:2`` (uvicorn, two workers, serving the WebSockets too: ``make run``'s shape
with more workers) or ``wsgi:3x4`` (gunicorn gthread, 3 workers x 4 threads, as compose's
``web`` runs it) beside one uvicorn process for the WebSockets (compose's ``realtime``). For --duration seconds (default
20 minutes) this script sends --rate requests per second, open loop (a request leaves on
schedule whether or not earlier ones answered), mixed as a frontend would:

  40 %  GET  /api/v1/jobs                 recruiter, page of 20
  20 %  GET  /api/v1/applications         recruiter
  10 %  GET  /api/v1/analytics            recruiter
  10 %  GET  /api/v1/auth/me              a candidate
  20 %  POST /api/v1/applications         a candidate applies to a job (a fresh pair each time)

while --sockets WebSocket clients (candidates) stay subscribed to their applications. Every
--sample seconds it records each process' resident memory (uvicorn master and workers, the
Celery worker's processes), the database's connections, the Redis database's keys and the
window's p95 and errors. After --warmup seconds the memory of each process is fitted with a
straight line: the slope, in MiB per 10 minutes, is the growth (target: under 10). Then the
load stops and, 30 s later, memory is sampled once more (does it stay or come back down?).

The baseline measured in the same run is the first post-warm-up sample of each process: the
figures are its growth from there, and p95 is compared with the 100 ms target at this rate.

Usage (PostgreSQL and Redis must be reachable; the database is dropped, created and seeded):
    .venv/bin/python bench/soak/run.py [--duration 1200] [--rate 30] [--sockets 200]
        [--warmup 180] [--sample 30] [--http asgi:2|wsgi:3x4] [--ws-workers 1]
"""

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
from websockets.asyncio.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import harness

HERE = Path(__file__).resolve().parent
TARGET_GROWTH_MIB_PER_10_MIN = 10.0
TARGET_P95_MS = 100.0
MIX = (("jobs", 4), ("applications", 2), ("analytics", 1), ("me", 1), ("apply", 2))


def pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[max(0, min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1))]


def rss_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


@dataclass
class Stack:
    servers: dict[str, int]  # label -> pid of the server's master process
    worker: subprocess.Popen  # type: ignore[type-arg]
    base: str
    ws_base: str

    def processes(self) -> dict[str, int]:
        named = {}
        for label, pid in self.servers.items():
            named[f"{label} master"] = pid
            for n, child in enumerate(sorted(children(pid))):
                named[f"{label} {n + 1}"] = child
        named["celery master"] = self.worker.pid
        for n, pid in enumerate(sorted(children(self.worker.pid))):
            named[f"celery child {n + 1}"] = pid
        return named


@contextlib.contextmanager
def stack(env: dict[str, str], http: harness.ServerConfig, ws_workers: int, queue: str) -> Iterator[Stack]:
    worker = subprocess.Popen(
        [
            *(sys.executable, "-m", "celery", "-A", "hotgigs", "worker", "--queues", f"{queue},{queue}-matching"),
            *("--concurrency", "2", "--loglevel", "WARNING", "--without-gossip", "--without-mingle"),
        ],
        env=env,
        cwd=harness.ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with contextlib.ExitStack() as servers:
            web = servers.enter_context(harness.server(env, http))
            named = {http.label: web.pid}
            ws_base = web.base
            if http.interface == "wsgi":
                ws = servers.enter_context(harness.server(env, harness.ServerConfig("asgi", ws_workers)))
                named[f"ws uvicorn x{ws_workers}"] = ws.pid
                ws_base = ws.base
            yield Stack(servers=named, worker=worker, base=web.base, ws_base=ws_base)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()


@dataclass
class Window:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    requests: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


class Load:
    """Open-loop requests at a fixed rate and subscribed sockets; results per sampling window."""

    def __init__(self, base: str, ws_base: str, plan: dict[str, Any], rate: float) -> None:
        self.base = base
        self.ws_base = ws_base
        self.plan = plan
        self.rate = rate
        self.window = Window()
        self.total = Window()
        self.events = 0
        self.socket_errors = 0
        self.pairs = iter(plan["pairs"])
        kinds = [kind for kind, weight in MIX for _ in range(weight)]
        random.Random(7).shuffle(kinds)
        self.kinds = kinds
        self.stopped = asyncio.Event()

    def take_window(self) -> Window:
        window, self.window = self.window, Window()
        return window

    async def _one(self, client: httpx2.AsyncClient, kind: str) -> None:
        recruiter = {"Authorization": f"Bearer {self.plan['recruiter']}"}
        started = time.perf_counter()
        try:
            if kind == "jobs":
                response = await client.get("/api/v1/jobs?page_size=20", headers=recruiter)
            elif kind == "applications":
                response = await client.get("/api/v1/applications?page_size=20", headers=recruiter)
            elif kind == "analytics":
                response = await client.get("/api/v1/analytics", headers=recruiter)
            elif kind == "me":
                token = random.choice(self.plan["sockets"])
                response = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
            else:
                token, job_id = next(self.pairs)
                response = await client.post(
                    "/api/v1/applications",
                    json={"job_id": job_id, "source": "job_board"},
                    headers={"Authorization": f"Bearer {token}"},
                )
            status = str(response.status_code)
            ok = response.status_code < 400
        except (httpx2.HTTPError, StopIteration) as exc:
            status, ok = type(exc).__name__, False
        elapsed = (time.perf_counter() - started) * 1000
        for window in (self.window, self.total):
            window.requests += 1
            window.latencies.append(elapsed)
            window.by_status[f"{kind} {status}"] = window.by_status.get(f"{kind} {status}", 0) + 1
            if not ok:
                window.errors += 1

    async def requests(self, seconds: float) -> None:
        limits = httpx2.Limits(max_connections=64, max_keepalive_connections=32)
        async with httpx2.AsyncClient(base_url=self.base, timeout=10.0, limits=limits) as client:
            tasks: set[asyncio.Task[None]] = set()
            start = time.perf_counter()
            n = 0
            while (now := time.perf_counter() - start) < seconds:
                due = n / self.rate
                if due > now:
                    await asyncio.sleep(due - now)
                task = asyncio.create_task(self._one(client, self.kinds[n % len(self.kinds)]))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
                n += 1
            if tasks:
                await asyncio.wait(tasks, timeout=15)
        self.stopped.set()

    async def socket(self, token: str) -> None:
        url = self.ws_base.replace("http", "ws", 1) + f"/ws/?token={token}"
        try:
            async with connect(url, origin="http://localhost", open_timeout=60, ping_interval=None) as ws:  # type: ignore[arg-type]
                await ws.send(
                    json.dumps({"action": "subscribe", "channel": "application_status", "params": {"scope": "mine"}})
                )
                while not self.stopped.is_set():
                    try:
                        message = json.loads(await asyncio.wait_for(ws.recv(), timeout=1.0))
                    except TimeoutError:
                        continue
                    if message.get("type") not in ("ack", "heartbeat", "pong"):
                        self.events += 1
        except Exception:
            self.socket_errors += 1


def redis_figures(url: str) -> tuple[int, float]:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=2)
    memory: dict[str, Any] = client.info("memory")  # type: ignore[assignment]
    return int(client.dbsize()), int(memory["used_memory"]) / 2**20  # type: ignore[arg-type]


def db_connections(url: str) -> int:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (name,)).fetchone()
    return int(row[0]) if row else 0


def slope_per_10_min(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, MiB) points, in MiB per 10 minutes."""
    if len(points) < 2:
        return float("nan")
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    var = sum((x - mx) ** 2 for x in xs)
    return 600 * sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var if var else float("nan")


async def soak(args: argparse.Namespace, run: Stack, plan: dict[str, Any], env: dict[str, str]) -> None:
    load = Load(run.base, run.ws_base, plan, args.rate)
    sockets = [asyncio.create_task(load.socket(token)) for token in plan["sockets"]]
    await asyncio.sleep(5)
    requests = asyncio.create_task(load.requests(args.duration))
    memory: dict[str, list[tuple[float, float]]] = {}
    rows = []
    start = time.perf_counter()
    print(
        f"{'t s':>6} {'req':>6} {'p95 ms':>8} {'errors':>6} {'events':>7} {'db conns':>8} {'redis keys':>10}  RSS MiB"
    )
    refresh_statistics = not harness.autovacuum_on(args.database_url)
    if refresh_statistics:
        print("this server runs PostgreSQL without autovacuum: the soak analyzes the database every sample instead")
    while not requests.done():
        await asyncio.wait({requests}, timeout=args.sample)
        if refresh_statistics:
            await asyncio.to_thread(harness.analyze, args.database_url)
        t = time.perf_counter() - start
        window = load.take_window()
        keys, _ = redis_figures(args.redis_url)
        conns = db_connections(args.database_url)
        rss = {name: rss_mib(pid) for name, pid in run.processes().items()}
        for name, value in rss.items():
            if value is not None:
                memory.setdefault(name, []).append((t, value))
        rows.append({"t": t, "p95": pct(window.latencies, 0.95), "errors": window.errors, "keys": keys, "conns": conns})
        rss_text = " ".join(f"{value:.0f}" for value in rss.values() if value is not None)
        print(
            f"{t:>6.0f} {window.requests:>6} {rows[-1]['p95']:>8.1f} {window.errors:>6} {load.events:>7} {conns:>8} {keys:>10}  {rss_text}",
            flush=True,
        )
    await requests
    await asyncio.gather(*sockets)
    await asyncio.sleep(30)
    after = {name: rss_mib(pid) for name, pid in run.processes().items()}

    total = load.total
    steady = [p for p in rows if p["t"] >= args.warmup]
    print()
    print(
        f"{' + '.join(run.servers)} + Celery worker, PostgreSQL + Redis; {args.rate} req/s for {args.duration} s, "
        f"{len(plan['sockets'])} WebSockets; warm-up {args.warmup} s excluded from the fits"
    )
    print(f"{'process':<26} {'first MiB':>10} {'last MiB':>9} {'30 s after':>10} {'growth MiB/10 min':>18}")
    worst = 0.0
    for name, points in memory.items():
        fitted = [p for p in points if p[0] >= args.warmup]
        growth = slope_per_10_min(fitted)
        if not math.isnan(growth):
            worst = max(worst, growth)
        first = fitted[0][1] if fitted else float("nan")
        print(
            f"{name:<26} {first:>10.1f} {points[-1][1]:>9.1f} {after.get(name) or float('nan'):>10.1f} {growth:>18.2f}"
        )
    p95 = pct(total.latencies, 0.95)
    print()
    print(
        f"requests {total.requests}, errors {total.errors} ({total.errors / max(total.requests, 1):.2%}), p50 {pct(total.latencies, 0.5):.1f} ms, p95 {p95:.1f} ms, p99 {pct(total.latencies, 0.99):.1f} ms"
    )
    print(f"answers: {json.dumps(dict(sorted(total.by_status.items())))}")
    print(f"events received on {len(plan['sockets'])} sockets: {load.events}; socket failures: {load.socket_errors}")
    if steady:
        print(
            f"after warm-up: database connections {min(p['conns'] for p in steady)}-{max(p['conns'] for p in steady)}, "
            f"Redis keys {min(p['keys'] for p in steady)}-{max(p['keys'] for p in steady)}"
        )
    print()
    print(
        f"worst growth {worst:.2f} MiB/10 min (target < {TARGET_GROWTH_MIB_PER_10_MIN:.0f}); errors {total.errors} (target 0); p95 {p95:.1f} ms at {args.rate} req/s (target < {TARGET_P95_MS:.0f} ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hotgigs_soak"),
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"))
    parser.add_argument("--duration", type=float, default=1200.0)
    parser.add_argument("--warmup", type=float, default=180.0)
    parser.add_argument("--rate", type=float, default=30.0)
    parser.add_argument("--sockets", type=int, default=200)
    parser.add_argument("--sample", type=float, default=30.0)
    parser.add_argument(
        "--http",
        type=harness.ServerConfig.parse,
        default=harness.ServerConfig("asgi", 2),
        help="asgi:N (uvicorn serves HTTP and WebSockets) or wsgi:NxT (gunicorn gthread beside a uvicorn)",
    )
    parser.add_argument("--ws-workers", type=int, default=1, help="uvicorn workers for the WebSockets with --http wsgi")
    args = parser.parse_args()

    limits = harness.unlimited_rate_limits()
    metrics_dir = tempfile.mkdtemp(prefix="hotgigs-metrics-")
    queue = f"soak-{os.getpid()}"
    env = harness.prepared_env(
        args.database_url,
        args.redis_url,
        PROMETHEUS_MULTIPROC_DIR=metrics_dir,
        JWT_ACCESS_TOKEN_LIFETIME=str(int(args.duration) + 3600),
        CACHE_KEY_PREFIX="soak",
        CHANNEL_LAYER_PREFIX=f"soak{os.getpid()}",
        RATE_LIMIT_KEY_PREFIX="soak-rl:",
        CELERY_TASK_DEFAULT_QUEUE=queue,
        CELERY_MATCHING_QUEUE=f"{queue}-matching",
        **limits,
    )
    harness.seed(env, fresh=True)
    applies = int(args.rate * args.duration * dict(MIX)["apply"] / sum(w for _, w in MIX)) + 100
    with tempfile.TemporaryDirectory(prefix="hotgigs-soak-") as tmp:
        out = Path(tmp) / "plan.json"
        subprocess.run(
            [sys.executable, str(HERE / "django_side.py"), str(applies), str(args.sockets), str(out)],
            env=env,
            cwd=harness.ROOT,
            check=True,
        )
        plan = json.loads(out.read_text())
    if len(plan["pairs"]) < applies:
        print(
            f"note: only {len(plan['pairs'])} fresh candidate-job pairs for {applies} applications; the rest count as errors"
        )
    try:
        with stack(env, args.http, args.ws_workers, queue) as run:
            asyncio.run(soak(args, run, plan, env))
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
