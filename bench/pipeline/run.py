"""Pipeline benchmark: one application submitted through the API, three deliveries measured.

For each of --applications candidates (paced at --rate per second), the client POSTs
/api/v1/applications to the servers as deployed (HTTP on gunicorn, WebSockets on uvicorn, as
nginx routes them in docker/compose.yaml; ``--http asgi:2`` serves both from uvicorn) and then
waits for the three things the submission sets off, each received by a real peer in this process:

  email     the candidate's "application received" email, accepted by an SMTP server on
            loopback (aiosmtpd), sent by a real Celery worker on Redis
  webhook   the ``application.submitted`` webhook, POSTed by the worker to a receiver on
            loopback that verifies its Standard Webhooks signature (the ``standardwebhooks``
            package) and rejects anything unsigned
  realtime  the ``application.submitted`` event on a recruiter's WebSocket subscribed to the
            organization's ``application_status``

Latency runs from the moment the client sends the POST to the receipt, on this process's
clock. Printed: p50/p95/p99/max per path and end to end (the slowest of the three per
application), lost (never received within --drain seconds of the last submission) and
duplicated (the same email Message-ID, webhook-id or event id received twice). The
recruiter's "new application" emails are counted too (lost and duplicated). Target
(issue 7): p95 end to end under 2 s, nothing lost, nothing duplicated.

The server, the worker and the database are fresh for every run; rate limits are off.

Usage (PostgreSQL and Redis must be reachable):
    .venv/bin/python bench/pipeline/run.py [--applications 200] [--rate 20] [--http wsgi:2]
        [--concurrency 2] [--matching-concurrency 1]

The workers run as docker/compose.yaml runs them: the default queue with 2 processes, the
matching queue with 1 at niceness 10 (``--matching-niceness``); prefetch is 1 (CELERY_WORKER_PREFETCH_MULTIPLIER), so a process
never holds tasks another one could start.
"""

import argparse
import asyncio
import contextlib
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import harness
from aiosmtpd.controller import Controller
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from websockets.asyncio.client import connect

from hotgigs.events import catalogue

HERE = Path(__file__).resolve().parent
TARGET_P95_S = 2.0
PATHS = ("email", "webhook", "realtime")


def pct(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1) of a non-empty sequence."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1))]


class Receipts:
    """What the three peers received, with this process's clock (thread-safe)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.first: dict[str, dict[Any, float]] = {path: {} for path in PATHS}
        self.seen: dict[str, Counter[Any]] = {path: Counter() for path in PATHS}
        self.recruiter_emails: Counter[str] = Counter()
        self.refused_webhooks = 0

    def record(self, path: str, key: Any, message_key: Any) -> None:
        now = time.time()
        with self.lock:
            self.seen[path][message_key] += 1
            self.first[path].setdefault(key, now)


class SmtpHandler:
    """aiosmtpd handler: the candidate's confirmation by recipient, the recruiter's by Message-ID."""

    def __init__(self, receipts: Receipts, recruiter_email: str) -> None:
        self.receipts = receipts
        self.recruiter_email = recruiter_email

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content)
        message_id = message["Message-ID"]
        kind = message["X-HotGigs-Kind"]
        for recipient in envelope.rcpt_tos:
            if kind == catalogue.APPLICATION_RECEIVED:
                self.receipts.record("email", recipient, message_id)
            elif recipient == self.recruiter_email:
                with self.receipts.lock:
                    self.receipts.recruiter_emails[message_id] += 1
        return "250 Message accepted for delivery"


def webhook_server(receipts: Receipts, secret: list[str]) -> ThreadingHTTPServer:
    """A receiver that verifies every delivery and answers 204, or 401 when it does not verify."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            try:
                payload = Webhook(secret[0]).verify(body, {k.lower(): v for k, v in self.headers.items()})
            except (WebhookVerificationError, IndexError):
                with receipts.lock:
                    receipts.refused_webhooks += 1
                self.send_response(401)
                self.end_headers()
                return
            if payload.get("type") == catalogue.APPLICATION_SUBMITTED:
                receipts.record("webhook", payload["data"]["id"], self.headers["webhook-id"])
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", harness.free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def api(method: str, url: str, token: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 - loopback only
        url, data=data, method=method, headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback only
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


TASK_DONE = re.compile(r"Task (?P<name>[\w.]+)\[[^\]]+\] succeeded in (?P<seconds>[0-9.e-]+)s")


def task_times(log: Path) -> dict[str, list[float]]:
    """Run time of every task the worker finished, by task name, from its INFO log."""
    times: dict[str, list[float]] = defaultdict(list)
    for line in log.read_text(errors="replace").splitlines():
        match = TASK_DONE.search(line)
        if match:
            times[match["name"]].append(float(match["seconds"]))
    return times


def start_worker(
    env: dict[str, str], queue: str, concurrency: int, log: Path, *, niceness: int = 0
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "hotgigs",
            "worker",
            "--queues",
            queue,
            "--concurrency",
            str(concurrency),
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "INFO",
        ],
        env={**env, "LOG_LEVEL": "INFO", "WORKER_NICENESS": str(niceness)},
        cwd=harness.ROOT,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


async def listen(base: str, token: str, organization_id: int, receipts: Receipts, ready: asyncio.Event) -> None:
    url = base.replace("http://", "ws://") + f"/ws/?token={token}"
    async with connect(url, origin="http://localhost") as socket:  # type: ignore[arg-type]
        await socket.send(
            json.dumps(
                {
                    "action": "subscribe",
                    "channel": "application_status",
                    "params": {"scope": "organization", "organization_id": organization_id},
                }
            )
        )
        ack = json.loads(await socket.recv())
        if ack.get("type") != "ack":
            raise SystemExit(f"subscription refused: {ack}")
        ready.set()
        async for raw in socket:
            message = json.loads(raw)
            if message.get("type") == catalogue.APPLICATION_SUBMITTED:
                receipts.record("realtime", message["data"]["id"], message["id"])


async def submit_all(
    base: str, applicants: list[dict[str, Any]], rate: float
) -> tuple[dict[int, float], dict[int, str], list[tuple[int, Any]]]:
    """POST every application at its paced time; returns send time and email by application id."""
    sent: dict[int, float] = {}
    emails: dict[int, str] = {}
    failures: list[tuple[int, Any]] = []
    start = time.time() + 0.5

    async def one(index: int, applicant: dict[str, Any]) -> None:
        await asyncio.sleep(max(0.0, start + index / rate - time.time()))
        began = time.time()
        status, body = await asyncio.to_thread(
            api, "POST", f"{base}/api/v1/applications", applicant["token"], {"job_id": applicant["job_id"]}
        )
        if status != 201:
            failures.append((status, body))
            return
        sent[body["id"]] = began
        emails[body["id"]] = applicant["email"]

    await asyncio.gather(*(one(i, applicant) for i, applicant in enumerate(applicants)))
    return sent, emails, failures


def summarise(label: str, latencies: list[float]) -> str:
    if not latencies:
        return f"{label:<22}{'-':>8}"
    ms = [1000 * value for value in latencies]
    return f"{label:<22}{len(ms):>8}{pct(ms, 0.50):>10.0f}{pct(ms, 0.95):>10.0f}{pct(ms, 0.99):>10.0f}{max(ms):>10.0f}"


async def bench(args: argparse.Namespace, env: dict[str, str], seed: dict[str, Any], receipts: Receipts) -> None:
    secret: list[str] = []
    hooks = webhook_server(receipts, secret)
    logs = Path(tempfile.mkdtemp(prefix="hotgigs-pipeline-worker-"))
    # One worker for emails and webhooks, one for matching (as docker/compose.yaml runs them).
    workers = [
        start_worker(env, env["CELERY_TASK_DEFAULT_QUEUE"], args.concurrency, logs / "default.log"),
        start_worker(
            env,
            env["CELERY_MATCHING_QUEUE"],
            args.matching_concurrency,
            logs / "matching.log",
            niceness=args.matching_niceness,
        ),
    ]
    try:
        http = harness.ServerConfig.parse(args.http)
        with contextlib.ExitStack() as servers:
            base = servers.enter_context(harness.server(env, http)).base
            # The sockets' server: the same one when HTTP is served by uvicorn too.
            ws_base = base if http.interface == "asgi" else servers.enter_context(harness.uvicorn(env, 1, quiet=True))
            status, endpoint = api(
                "POST",
                f"{base}/api/v1/webhooks/endpoints",
                seed["recruiter_token"],
                {
                    "url": f"http://127.0.0.1:{hooks.server_address[1]}/hook",
                    "event_types": [catalogue.APPLICATION_SUBMITTED],
                },
            )
            if status != 201:
                raise SystemExit(f"webhook endpoint not registered: {status} {endpoint}")
            secret.append(endpoint["secret"])
            ready = asyncio.Event()
            listener = asyncio.create_task(
                listen(ws_base, seed["recruiter_token"], seed["organization_id"], receipts, ready)
            )
            await asyncio.wait_for(ready.wait(), 30)

            # The workers' CPU time (all their processes), steadier than task run times on a
            # shared machine: a task's run time also counts waiting for a core.
            meters = {
                queue: harness.Running("", worker.pid)
                for queue, worker in zip(("default", "matching"), workers, strict=True)
            }
            cpu_before = {queue: meter.cpu_seconds() for queue, meter in meters.items()}
            began = time.perf_counter()
            sent, emails, failures = await submit_all(base, seed["applicants"], args.rate)
            submit_seconds = time.perf_counter() - began
            deadline = time.time() + args.drain
            while time.time() < deadline:
                if all(len(receipts.first[path]) >= len(sent) for path in PATHS):
                    break
                await asyncio.sleep(0.2)
            await asyncio.sleep(1.0)  # a late duplicate would show up here
            cpu_ms = {q: (m.cpu_seconds() - cpu_before[q]) * 1000 / max(len(sent), 1) for q, m in meters.items()}
            listener.cancel()
            report(args, env, receipts, sent, emails, failures, submit_seconds)
            print(
                f"\nworker CPU per application (all processes, submission to drain): default queue "
                f"{cpu_ms['default']:.1f} ms, matching queue {cpu_ms['matching']:.1f} ms; "
                f"load average {os.getloadavg()[0]:.2f}"
            )
            print(f"\n{'worker task':<40}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'total s':>9}")
            times_by_task = {**task_times(logs / "default.log"), **task_times(logs / "matching.log")}
            for name, times in sorted(times_by_task.items()):
                ms = [1000 * t for t in times]
                print(f"{name:<40}{len(ms):>6}{pct(ms, 0.5):>9.1f}{pct(ms, 0.95):>9.1f}{sum(times):>9.1f}")
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
        hooks.shutdown()


def report(
    args: argparse.Namespace,
    env: dict[str, str],
    receipts: Receipts,
    sent: dict[int, float],
    emails: dict[int, str],
    failures: list[tuple[int, Any]],
    submit_seconds: float,
) -> None:
    key_of: dict[str, dict[int, Any]] = {
        "email": emails,
        "webhook": {i: i for i in sent},
        "realtime": {i: i for i in sent},
    }
    latency: dict[str, list[float]] = defaultdict(list)
    lost: dict[str, int] = {}
    end_to_end: list[float] = []
    for path in PATHS:
        lost[path] = 0
        for application, at in sent.items():
            received = receipts.first[path].get(key_of[path][application])
            if received is None:
                lost[path] += 1
            else:
                latency[path].append(received - at)
    for application, at in sent.items():
        times = [receipts.first[path].get(key_of[path][application]) for path in PATHS]
        arrived = [t for t in times if t is not None]
        if len(arrived) == len(PATHS):
            end_to_end.append(max(arrived) - at)
    duplicated = {path: sum(n - 1 for n in receipts.seen[path].values() if n > 1) for path in PATHS}
    recruiter_dupes = sum(n - 1 for n in receipts.recruiter_emails.values() if n > 1)
    recruiter_lost = len(sent) - len(receipts.recruiter_emails)

    print(
        f"\n{len(sent)} applications submitted in {submit_seconds:.1f} s "
        f"(target {args.rate:g}/s, {len(failures)} refused); HTTP {harness.ServerConfig.parse(args.http).label}, "
        f"Celery: default queue {args.concurrency} process(es), matching queue {args.matching_concurrency}"
    )
    for status, body in failures[:3]:
        print(f"  refused: {status} {body}")
    print(f"\n{'from POST to':<22}{'n':>8}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    print(summarise("email accepted (SMTP)", latency["email"]))
    print(summarise("webhook verified", latency["webhook"]))
    print(summarise("realtime event", latency["realtime"]))
    print(summarise("all three (end to end)", end_to_end))
    print(
        f"\nlost: email {lost['email']}, webhook {lost['webhook']}, realtime {lost['realtime']}, "
        f"recruiter email {recruiter_lost}"
    )
    print(
        f"duplicated: email {duplicated['email']}, webhook {duplicated['webhook']}, realtime {duplicated['realtime']}, "
        f"recruiter email {recruiter_dupes}; webhook deliveries refused by the receiver: {receipts.refused_webhooks}"
    )
    with tempfile.TemporaryDirectory() as directory:
        out = Path(directory) / "report.json"
        subprocess.run(
            [sys.executable, str(HERE / "django_side.py"), "report", str(out)], env=env, cwd=harness.ROOT, check=True
        )
        rows = json.loads(out.read_text())
    emails_by = Counter((row["kind"], row["status"]) for row in rows["emails"])
    hooks_by = Counter(row["status"] for row in rows["webhooks"])
    retried = sum(1 for row in rows["emails"] + rows["webhooks"] if row["attempts"] > 1)
    print(
        f"delivery log: emails {dict(sorted(emails_by.items()))}; webhooks {dict(hooks_by)}; "
        f"{retried} rows needed more than one attempt"
    )
    total_lost = sum(lost.values()) + recruiter_lost
    total_dupes = sum(duplicated.values()) + recruiter_dupes
    if end_to_end:
        p95 = pct(end_to_end, 0.95)
        verdict = "meets" if p95 < TARGET_P95_S and not total_lost and not total_dupes and not failures else "misses"
        print(
            f"\nend to end p95 {p95 * 1000:.0f} ms, {total_lost} lost, {total_dupes} duplicated: {verdict} the target "
            f"(p95 < {TARGET_P95_S:g} s, nothing lost, nothing duplicated)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/hotgigs_bench_pipeline")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12"))
    parser.add_argument("--applications", type=int, default=200)
    parser.add_argument("--rate", type=float, default=20.0, help="submissions per second")
    parser.add_argument(
        "--matching-niceness", type=int, default=10, help="WORKER_NICENESS of the matching worker (compose: 10)"
    )
    parser.add_argument(
        "--http",
        default="wsgi:2",
        help="the HTTP server: wsgi:N (gunicorn, N sync workers; WebSockets on one uvicorn) or asgi:N (uvicorn for both)",
    )
    parser.add_argument(
        "--concurrency", type=int, default=2, help="processes of the emails-and-webhooks worker (compose: 2)"
    )
    parser.add_argument("--matching-concurrency", type=int, default=1, help="processes of the matching worker")
    parser.add_argument("--drain", type=float, default=30.0, help="seconds to wait for stragglers")
    args = parser.parse_args()

    receipts = Receipts()
    seed_path = Path(tempfile.mkdtemp(prefix="hotgigs-pipeline-")) / "seed.json"
    smtp_port = harness.free_port()
    smtp = Controller(SmtpHandler(receipts, "bench-pipe-recruiter@example.test"), hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    try:
        run_id = uuid.uuid4().hex[:10]
        env = harness.prepared_env(
            args.database_url,
            args.redis_url,
            CELERY_TASK_ALWAYS_EAGER="false",
            CELERY_TASK_DEFAULT_QUEUE=f"bench-pipe-{run_id}",
            CELERY_MATCHING_QUEUE=f"bench-pipe-{run_id}-matching",
            CHANNEL_LAYER_PREFIX=f"bench-pipe-{run_id}",
            CACHE_KEY_PREFIX=f"bench-pipe-{run_id}",
            # Breaker state is keyed by endpoint id: a fresh database reuses the ids of earlier runs.
            CIRCUIT_BREAKER_KEY_PREFIX=f"bench-pipe-{run_id}:cb",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(smtp_port),
            WEBHOOKS_ALLOW_PRIVATE_TARGETS="true",
            RATE_LIMIT_ENABLED="false",
            REALTIME_HEARTBEAT_SECONDS="0",
            HOTGIGS_WARM_UP="false",
        )
        harness.ensure_database(args.database_url, fresh=True)
        harness.manage(env, "migrate", "-v0")
        began = time.perf_counter()
        subprocess.run(
            [sys.executable, str(HERE / "django_side.py"), "seed", str(args.applications), str(seed_path)],
            env=env,
            cwd=harness.ROOT,
            check=True,
        )
        seed = json.loads(seed_path.read_text())
        harness.analyze(args.database_url)
        print(f"seeded {args.applications} candidates, 10 open jobs in {time.perf_counter() - began:.1f} s")
        asyncio.run(bench(args, env, seed, receipts))
    finally:
        smtp.stop()


if __name__ == "__main__":
    main()
