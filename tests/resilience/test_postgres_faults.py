"""Fault drills on PostgreSQL: a table lock held by another session, a pool taken by blocked requests.

A real ``uvicorn hotgigs.asgi:application`` (started as ``make run`` starts it) serves the test
database while a second session (psycopg, a transaction left open) holds ``LOCK TABLE … IN
ACCESS EXCLUSIVE MODE``. Requests that need the table must answer 503 ``SERVICE_UNAVAILABLE``
with ``Retry-After`` once the lock timeout passes, requests waiting for a pooled connection
once the pool timeout passes, and never a 500 after 10 s; once the lock goes, everything
answers again and nothing a refused request began is left behind.

Latency bounds here are the point of the feature (an answer within the configured timeouts)
and are generous: each timeout plus ``MARGIN`` seconds for a loaded machine.
"""

import contextlib
import json
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from django.db import connection
from django.test import Client
from psycopg import sql

from hotgigs.accounts.tokens import token_issue_for_user
from hotgigs.events.models import OutboxEvent
from jobs.models import Job
from tests import servers
from tests.conftest import require_service
from tests.factories import JobFactory
from tests.servers import ROOT, process_env, uvicorn_servers

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.redis, pytest.mark.postgres]

# The defaults of hotgigs/settings.py the drills rely on.
LOCK_TIMEOUT = 2.0
POOL_TIMEOUT = 2.0
POOL_MAX_SIZE = 8
HEALTH_CHECK_TIMEOUT = 2.0
# Seconds of slack on a loaded machine (bounds, not timings).
MARGIN = 3.0
# How long a client waits for any answer: longer than the old 10 s pool timeout, so the
# broken behaviour shows as a slow answer rather than a client-side timeout.
CLIENT_TIMEOUT = 15.0
# More blocked requests than the pool has connections.
BLOCKED = POOL_MAX_SIZE + 4


@dataclass(frozen=True)
class Answer:
    """One HTTP exchange as the client saw it (status 0: no answer within CLIENT_TIMEOUT;
    header names in lower case)."""

    status: int
    body: Any
    headers: dict[str, str]
    seconds: float


def call(
    method: str,
    url: str,
    token: str | None = None,
    body: dict[str, Any] | None = None,
    *,
    cookie: str | None = None,
) -> Answer:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if cookie:
        headers["Cookie"] = cookie
    request = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310 (loopback only)
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=CLIENT_TIMEOUT) as response:  # noqa: S310 (loopback only)
            status, raw, got = response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        status, raw, got = error.code, error.read(), error.headers
    except TimeoutError:
        return Answer(0, None, {}, time.perf_counter() - start)
    seconds = time.perf_counter() - start
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = raw.decode(errors="replace")
    return Answer(status, parsed, {name.lower(): value for name, value in got.items()}, seconds)


def summary(name: str, answers: list[Answer]) -> str:
    """Status counts and p50 / max latency, printed for the record (pytest -s)."""
    statuses: dict[int, int] = {}
    for answer in answers:
        statuses[answer.status] = statuses.get(answer.status, 0) + 1
    seconds = [answer.seconds for answer in answers]
    line = f"{name}: {statuses} p50 {statistics.median(seconds):.2f} s max {max(seconds):.2f} s"
    print(line)  # noqa: T201 - the drill's figures
    return line


def assert_unavailable(answer: Answer) -> None:
    """A 503 in the envelope with SERVICE_UNAVAILABLE and a whole number of seconds in Retry-After."""
    assert answer.status == 503, answer
    assert set(answer.body) == {"code", "message", "details"}, answer
    assert answer.body["code"] == "SERVICE_UNAVAILABLE", answer
    assert int(answer.headers["retry-after"]) >= 1, answer


@contextlib.contextmanager
def table_locked(table: str) -> Iterator[psycopg.Connection[Any]]:
    """Another session holds ``table`` in ACCESS EXCLUSIVE mode until the block ends."""
    holder = psycopg.connect(servers.test_database_url(), autocommit=False)
    try:
        holder.execute(sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(sql.Identifier(table)))
        yield holder
    finally:
        holder.rollback()
        holder.close()


def wait_for_lock_waiters(count: int, seconds: float = 20) -> None:
    """Wait until ``count`` sessions of the test database wait on a lock (the server's requests)."""
    deadline = time.monotonic() + seconds
    with psycopg.connect(servers.test_database_url(), autocommit=True) as observer:
        while True:
            # pg_locks, not pg_stat_activity: the latter hides other roles' wait events from a role
            # without pg_read_all_stats, such as the application's (a child `migrate` runs as the owner).
            row = observer.execute(
                "SELECT count(DISTINCT l.pid) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                " WHERE NOT l.granted AND a.datname = current_database()"
            ).fetchone()
            if row and row[0] >= count:
                return
            if time.monotonic() >= deadline:
                raise AssertionError(f"{count} sessions did not start waiting on the lock within {seconds} s")
            time.sleep(0.05)


def results(futures: list[Future[Answer]]) -> list[Answer]:
    return [future.result() for future in futures]


@pytest.fixture
def postgres() -> None:
    require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")


@pytest.fixture
def start_server(redis_url: str, postgres: None, transactional_db: None) -> Iterator[Callable[..., str]]:
    """``start_server(**env)``: one uvicorn process on the test database; returns its base URL.

    Reads are not cached (every request reaches the database) and tasks run in the server
    process (nothing is left on the shared broker).
    """
    stack = contextlib.ExitStack()

    def start(**overrides: str) -> str:
        prefix = f"hotgigs-test-{uuid.uuid4().hex[:12]}"
        env = process_env(
            redis_url,
            CACHE_KEY_PREFIX=prefix,
            CHANNEL_LAYER_PREFIX=prefix,
            API_CACHE_ENABLED="false",
            CELERY_TASK_ALWAYS_EAGER="true",
            REALTIME_HEARTBEAT_SECONDS="0",
            **overrides,
        )
        (base,) = stack.enter_context(uvicorn_servers(env, count=1))
        return base

    # Stopped before pytest-django flushes the tables, so the server holds no connection then.
    with stack:
        yield start


@pytest.fixture
def hiring(recruiter, org) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A recruiter's token and two jobs of their organization (committed)."""
    JobFactory.create_batch(2, organization=org, created_by=recruiter)
    return {"token": token_issue_for_user(user=recruiter).access_token, "org": org}


@pytest.fixture
def staff_session(staff, settings) -> str:  # type: ignore[no-untyped-def]
    """The Cookie header of a logged-in back-office session of a staff user (stored in the database)."""
    client = Client()
    client.force_login(staff)
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}"


def test_reads_of_a_locked_table_answer_503_within_the_lock_timeout(start_server, hiring, staff_session):
    base = start_server()
    token = hiring["token"]

    with table_locked("jobs_job"), ThreadPoolExecutor(BLOCKED + 4) as pool:
        blocked = [pool.submit(call, "GET", f"{base}/api/v1/jobs", token) for _ in range(BLOCKED)]
        wait_for_lock_waiters(1)
        unrelated = [pool.submit(call, "GET", f"{base}/api/v1/auth/me", token) for _ in range(4)]
        locked_answers, unrelated_answers = results(blocked), results(unrelated)
        # A plain Django view (the admin's job list): Django's 500 handler tells the timeout apart.
        admin = call("GET", f"{base}/admin/jobs/job/", cookie=staff_session)
    after = [
        call("GET", f"{base}/api/v1/jobs", token),
        call("GET", f"{base}/api/v1/auth/me", token),
        call("GET", f"{base}/admin/jobs/job/", cookie=staff_session),
    ]

    summary("locked jobs_job, GET /api/v1/jobs", locked_answers)
    summary("locked jobs_job, GET /api/v1/auth/me", unrelated_answers)
    for answer in locked_answers:
        assert_unavailable(answer)
    # A blocked request waits for a connection (at most the pool timeout), then for the lock.
    assert max(a.seconds for a in locked_answers) < POOL_TIMEOUT + LOCK_TIMEOUT + MARGIN
    # An unrelated request gets a connection (200) or gives up waiting for one (503), quickly.
    assert {a.status for a in unrelated_answers} <= {200, 503}, unrelated_answers
    for answer in unrelated_answers:
        if answer.status == 503:
            assert_unavailable(answer)
    assert max(a.seconds for a in unrelated_answers) < POOL_TIMEOUT + MARGIN
    summary("locked jobs_job, GET /admin/jobs/job/", [admin])
    assert admin.status == 503, admin
    assert "Service unavailable" in admin.body
    assert int(admin.headers["retry-after"]) >= 1
    assert admin.seconds < LOCK_TIMEOUT + MARGIN
    assert [a.status for a in after] == [200, 200, 200]
    assert len(after[0].body["results"]) == 2


def test_a_pool_held_by_blocked_requests_answers_503_within_the_pool_timeout(start_server, hiring):
    # No lock timeout and a long statement timeout: the blocked requests keep every pooled
    # connection until the lock goes, which is what a slow database does to the pool.
    base = start_server(DATABASE_LOCK_TIMEOUT="0", DATABASE_STATEMENT_TIMEOUT="30")
    token = hiring["token"]

    with ThreadPoolExecutor(BLOCKED + 4) as pool:
        with table_locked("jobs_job"):
            blocked = [pool.submit(call, "GET", f"{base}/api/v1/jobs", token) for _ in range(BLOCKED)]
            wait_for_lock_waiters(POOL_MAX_SIZE)
            unrelated = results([pool.submit(call, "GET", f"{base}/api/v1/auth/me", token) for _ in range(4)])
            ready = call("GET", f"{base}/health/ready")
        # The lock is gone: the requests that held the pool finish normally.
        released = results(blocked)
    after = [call("GET", f"{base}/api/v1/auth/me", token), call("GET", f"{base}/health/ready")]

    summary("pool held, GET /api/v1/auth/me", unrelated)
    summary("pool held, GET /health/ready", [ready])
    summary("pool held, GET /api/v1/jobs after the lock went", released)
    for answer in unrelated:
        assert_unavailable(answer)
    assert max(a.seconds for a in unrelated) < POOL_TIMEOUT + MARGIN
    assert_unavailable(ready)
    assert "database" in ready.body["details"]["failing"]
    assert ready.seconds < HEALTH_CHECK_TIMEOUT + MARGIN
    # Those that waited for a connection past the pool timeout gave up; the rest answer now.
    assert {a.status for a in released} <= {200, 503}
    assert sum(a.status == 200 for a in released) >= POOL_MAX_SIZE
    assert [a.status for a in after] == [200, 200]


def test_a_write_refused_on_a_lock_leaves_nothing_behind(start_server, hiring):
    base = start_server()
    token, org = hiring["token"], hiring["org"]
    jobs_before, events_before = Job.objects.count(), OutboxEvent.objects.count()
    new_job = {"title": "Locked out", "description": "Written while the outbox is locked."}

    # The job row is inserted first; the outbox row of its event then waits on the lock.
    with table_locked(OutboxEvent._meta.db_table), ThreadPoolExecutor(3) as pool:
        refused = results([pool.submit(call, "POST", f"{base}/api/v1/jobs", token, new_job) for _ in range(3)])
    created = call("POST", f"{base}/api/v1/jobs", token, {**new_job, "title": "After the lock"})

    summary("locked outbox, POST /api/v1/jobs", refused)
    for answer in refused:
        assert_unavailable(answer)
    # The lock timeout bounds each wait: a request may queue behind another's row lock first.
    assert max(a.seconds for a in refused) < 2 * LOCK_TIMEOUT + MARGIN
    assert created.status == 201, created
    assert Job.objects.count() == jobs_before + 1
    assert list(Job.objects.filter(organization=org, title="Locked out")) == []
    assert OutboxEvent.objects.count() == events_before + 1


@pytest.mark.parametrize(
    ("kind", "succeeds"),
    [
        pytest.param(None, True, id="manage.py-has-no-lock-timeout"),
        pytest.param("web", False, id="forced-web-limits-give-up"),
    ],
)
def test_migrate_waits_for_a_lock_longer_than_the_web_lock_timeout(redis_url, postgres, kind, succeeds):
    env = process_env(redis_url)
    if kind:
        env["HOTGIGS_PROCESS_KIND"] = kind

    with table_locked("django_migrations"):
        migrate = subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", "migrate", "--no-input"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        wait_for_lock_waiters(1, seconds=60)
        # Keep the lock well past the web lock timeout, then let migrate through.
        time.sleep(LOCK_TIMEOUT + 1.5)
    _, err = migrate.communicate(timeout=120)

    if succeeds:
        assert migrate.returncode == 0, err
    else:
        assert migrate.returncode != 0
        assert "lock timeout" in err
