"""Fault drills: a real server on a Redis of its own that is stopped or paused.

Each drill starts a ``redis-server`` on a free port (never the shared one), a real server
started as ``make run`` starts it (``python -m hotgigs.serve``) on the test database and
that Redis, with the rate limiter on and tasks going to that Redis as their broker. Then it
kills Redis (connections reset, new ones refused) or pauses it with SIGSTOP (the kernel
still accepts connections, nothing ever answers) and sends the requests a client sends
most: the jobs list, a login, an application, and the readiness probe.

What must hold (README "When Redis is slow or down"): Redis being down adds less than
:data:`BUDGET_SECONDS` to any answer — the limiter and the cache fail open, the write
answers 201 and is saved — readiness answers 503 naming the Redis components, and once
Redis is back what the application sets off (notifications, emails, its match score)
arrives through the beat sweeps (run here directly: no worker consumed the lost queue).
The budget is counted on top of the same request's time with Redis up, measured just
before: the suite's machine may be loaded.

Run with ``-s`` to see the figures of each drill.
"""

import json
import shutil
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from applications.models import Application
from hotgigs.events import catalogue
from hotgigs.events.dispatch import events_dispatch_sweep
from hotgigs.events.models import OutboxEvent
from hotgigs.notifications.choices import DeliveryStatus
from hotgigs.notifications.models import EmailDelivery
from hotgigs.notifications.services import email_delivery_requeue_stale
from tests.conftest import require_service
from tests.factories import CandidateFactory, JobFactory, MembershipFactory, OrganizationFactory
from tests.factories.accounts import PASSWORD
from tests.servers import RedisServer, process_env, redis_server, serve_command, server_process

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.redis, pytest.mark.postgres]

# With Redis stopped or paused a request pays at most one Redis timeout (0.5 s) before the
# process fails fast: measured 0.53-0.55 s on a quiet machine (README). The test allows
# 2.5 s over the healthy answer: a run of two suites side by side measured 1.19 s, and a
# request that waits on Redis instead hangs for the whole pause (cut off at CLIENT_TIMEOUT).
BUDGET_SECONDS = 2.5
# A client's patience: a request that hangs is cut off here and reported, not waited on.
CLIENT_TIMEOUT = 10.0
REDIS_COMPONENTS = {"cache", "channel_layer", "broker"}
# The server's REDIS_FAIL_FAST_SECONDS and Redis time limits (set below, the defaults).
FAIL_FAST_SECONDS = 2.0
REDIS_TIMEOUT_SECONDS = 0.5


@dataclass
class Answer:
    what: str
    status: int
    seconds: float
    body: Any


def call(method: str, url: str, *, token: str | None = None, body: dict[str, Any] | None = None) -> Answer:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(  # noqa: S310 (loopback only)
        url, data=json.dumps(body).encode() if body is not None else None, method=method, headers=headers
    )
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=CLIENT_TIMEOUT) as response:  # noqa: S310 (loopback only)
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    except TimeoutError:
        status, raw = 0, b"null"
    seconds = time.perf_counter() - start
    try:
        parsed = json.loads(raw or b"null")
    except ValueError:
        parsed = raw.decode(errors="replace")
    return Answer(f"{method} {url.split('/', 3)[-1]}", status, seconds, parsed)


@dataclass
class World:
    base: str
    redis: RedisServer
    recruiter_email: str
    candidate_email: str
    job_ids: list[int]

    def login(self, email: str) -> Answer:
        return call("POST", f"{self.base}/api/v1/auth/token", body={"email": email, "password": PASSWORD})

    def token(self, email: str) -> str:
        answer = self.login(email)
        assert answer.status == 200, answer
        return str(answer.body["access_token"])

    def client_requests(self, *, recruiter: str, candidate: str, job_id: int) -> list[Answer]:
        """What a client does most, in order: read the jobs, log in, apply; and the probe."""
        return [
            call("GET", f"{self.base}/api/v1/jobs", token=recruiter),
            self.login(self.candidate_email),
            call("POST", f"{self.base}/api/v1/applications", token=candidate, body={"job_id": job_id}),
            call("GET", f"{self.base}/health/ready"),
        ]


@pytest.fixture
def postgres() -> None:
    require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")


@pytest.fixture
def own_redis(redis_url: str) -> Iterator[RedisServer]:
    require_service("redis-server on PATH", shutil.which("redis-server") is not None)
    with redis_server() as server:
        yield server


@pytest.fixture
def world(own_redis: RedisServer, postgres: None, transactional_db: None, tmp_path: Path) -> Iterator[World]:
    org = OrganizationFactory()
    recruiter = MembershipFactory(organization=org).user
    candidate = CandidateFactory()
    jobs = JobFactory.create_batch(10, organization=org, created_by=recruiter)
    prefix = f"hotgigs-test-{uuid.uuid4().hex[:12]}"
    env = process_env(
        own_redis.url,
        CACHE_KEY_PREFIX=prefix,
        CHANNEL_LAYER_PREFIX=prefix,
        CIRCUIT_BREAKER_KEY_PREFIX=prefix,
        RATE_LIMIT_ENABLED="true",
        RATE_LIMIT_BURST="1000/m",
        RATE_LIMIT_KEY_PREFIX=f"rl:{prefix}:",
        # Tasks go to the drill's Redis, where no worker takes them: only the sweep scores.
        CELERY_TASK_ALWAYS_EAGER="false",
        HOTGIGS_FAST_PASSWORD_HASHER="true",
        REDIS_FAIL_FAST_SECONDS=str(FAIL_FAST_SECONDS),
        # The production time limits (the suite's own are longer: tests/settings.py).
        REDIS_SOCKET_TIMEOUT=str(REDIS_TIMEOUT_SECONDS),
        REDIS_SOCKET_CONNECT_TIMEOUT=str(REDIS_TIMEOUT_SECONDS),
        LOG_LEVEL="ERROR",
    )
    # Stopped before pytest-django flushes the tables, so the server holds no connection then.
    # Its log goes to a file: with Redis down it logs every failed call.
    with server_process(serve_command, env, output=tmp_path / "server.log") as base:
        yield World(base, own_redis, recruiter.email, candidate.user.email, [job.pk for job in jobs])  # type: ignore[attr-defined]


def report(title: str, answers: list[Answer]) -> None:
    print(f"\n{title}")  # noqa: T201 - the drill's figures, seen with -s
    for answer in answers:
        line = f"  {answer.what:<24} {answer.status:>3}  {answer.seconds * 1000:8.1f} ms"
        body = answer.body if isinstance(answer.body, dict) else {}
        checks = body.get("checks") or (body.get("details") or {}).get("checks") or {}
        if checks:
            line += "  " + ", ".join(
                f"{name} {check['latency_ms']:.0f} ms{'' if check['ok'] else ' ' + str(check.get('error'))}"
                for name, check in checks.items()
            )
        print(line)  # noqa: T201


def assert_answered_quickly(answers: list[Answer], healthy: list[list[Answer]]) -> None:
    jobs, login, apply, ready = answers
    assert jobs.status == 200, jobs
    assert login.status == 200, login
    assert apply.status == 201, apply
    assert ready.status == 503, ready
    assert ready.body["code"] == "SERVICE_UNAVAILABLE"
    assert set(ready.body["details"]["failing"]) == REDIS_COMPONENTS
    slow = [
        (answer.what, round(answer.seconds, 3), round(max(r[n].seconds for r in healthy), 3))
        for n, answer in enumerate(answers)
        if answer.seconds > BUDGET_SECONDS + max(r[n].seconds for r in healthy)
    ]
    assert not slow, f"more than {BUDGET_SECONDS} s slower with Redis down (request, down, up): {slow}"


def assert_nothing_lost(settings: Any, application_ids: list[int]) -> None:
    """Redis is back, empty: the beat sweeps (run here) do what no task ever reached.

    The submissions' ``events.dispatch`` never reached a worker, so nobody was told yet and
    nothing is scored; the outbox's sweep (``events.sweep``) dispatches them: notifications
    and emails, and the scoring request. The score and email sweeps
    (``applications.score_sweep``, ``notifications.requeue_stale``) stay as safety nets. The
    realtime events are in the outbox, for clients to replay.
    """
    from applications.tasks import score_sweep

    emails = EmailDelivery.objects.filter(
        event__key__in=[
            f"{kind}:{pk}"
            for pk in application_ids
            for kind in (catalogue.APPLICATION_RECEIVED, catalogue.APPLICATION_NEW)
        ]
    )
    unscored = Application.objects.filter(pk__in=application_ids, match_score__isnull=True)
    submitted = OutboxEvent.objects.filter(type=catalogue.APPLICATION_SUBMITTED, data__id__in=application_ids)
    assert submitted.count() == len(application_ids)
    assert submitted.filter(dispatch_due_at__isnull=False).count() == len(application_ids)
    assert unscored.count() == len(application_ids)
    assert not emails.exists()
    settings.EVENTS_DISPATCH_SWEEP_LAG = timedelta(0)
    settings.APPLICATIONS_SCORE_SWEEP_LAG_SECONDS = 0

    events_dispatch_sweep()
    score_sweep()
    email_delivery_requeue_stale(older_than=timedelta(0))

    assert not submitted.filter(dispatch_due_at__isnull=False).exists()
    assert not unscored.exists()
    assert emails.count() == 2 * len(application_ids)
    assert set(emails.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def drill(world: World, settings: Any, *, fault: str) -> None:
    recruiter = world.token(world.recruiter_email)
    candidate = world.token(world.candidate_email)
    jobs = iter(world.job_ids)
    world.client_requests(recruiter=recruiter, candidate=candidate, job_id=next(jobs))  # warm-up
    healthy = [world.client_requests(recruiter=recruiter, candidate=candidate, job_id=next(jobs)) for _ in range(2)]
    for answers in healthy:
        report("Redis up", answers)
        assert [a.status for a in answers] == [200, 200, 201, 200]

    if fault == "stopped":
        world.redis.stop()
    else:
        world.redis.pause()
    try:
        # The first requests after the fault meet the pooled connections and mark Redis down;
        # the next ones fail fast; after REDIS_FAIL_FAST_SECONDS one call tries Redis again.
        first = world.client_requests(recruiter=recruiter, candidate=candidate, job_id=next(jobs))
        second = world.client_requests(recruiter=recruiter, candidate=candidate, job_id=next(jobs))
        time.sleep(FAIL_FAST_SECONDS + 0.5)
        later = world.client_requests(recruiter=recruiter, candidate=candidate, job_id=next(jobs))
    finally:
        if fault == "stopped":
            world.redis.start()
        else:
            world.redis.resume()
    report(f"Redis {fault} (first requests)", first)
    report(f"Redis {fault} (again)", second)
    report(f"Redis {fault} (after the fail-fast window)", later)
    for answers in (first, second, later):
        assert_answered_quickly(answers, healthy)
    saved = [first[2].body["id"], second[2].body["id"], later[2].body["id"]]
    assert Application.objects.filter(pk__in=saved).count() == len(saved)

    back = world.client_requests(recruiter=recruiter, candidate=candidate, job_id=next(jobs))
    report("Redis back", back)
    assert [a.status for a in back] == [200, 200, 201, 200]
    assert_nothing_lost(settings, saved)


def test_with_redis_stopped_the_api_answers_at_once_and_scores_catch_up(world, settings):
    drill(world, settings, fault="stopped")


def test_with_redis_paused_the_api_answers_at_once_and_scores_catch_up(world, settings):
    drill(world, settings, fault="paused")
