"""Scale-out: two real ASGI servers on channels-redis deliver each other's events.

Each test starts two ``uvicorn hotgigs.asgi:application`` processes on the test database
(PostgreSQL, committed data: the servers cannot see a test transaction) and on Redis with a
channel-layer prefix of its own, so parallel xdist workers never hear each other. A real
WebSocket client connects to one server; a change made through the REST API of the other
must reach it, and nobody else.
"""

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection
from websockets.asyncio.client import ClientConnection, connect

from tests.conftest import require_service
from tests.factories import ApplicationFactory, CandidateFactory, JobFactory, MembershipFactory
from tests.realtime.conftest import token_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.redis, pytest.mark.postgres]

ROOT = Path(__file__).resolve().parents[2]
ORIGIN = "http://localhost"
# Bounds on waiting for a real process, not timing assertions.
STARTUP_SECONDS = 60
EVENT_SECONDS = 10
QUIET_SECONDS = 1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _database_url() -> str:
    """The URL of the test database pytest-django created, for the server processes."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = f"{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{host}/{db['NAME']}"


def _server_env(redis_url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "PROMETHEUS_MULTIPROC_DIR"}
    prefix = f"hotgigs-test-{uuid.uuid4().hex[:12]}"
    env.update(
        DJANGO_SETTINGS_MODULE="hotgigs.settings",
        DATABASE_URL=_database_url(),
        DATABASE_POOL_MIN_SIZE="1",
        REDIS_URL=redis_url,
        CHANNEL_LAYER_PREFIX=prefix,
        CACHE_KEY_PREFIX=prefix,
        HOTGIGS_WARM_UP="false",
        REALTIME_HEARTBEAT_SECONDS="0",
        RATE_LIMIT_ENABLED="false",
        # Side tasks run in the server process: nothing is left queued on the shared broker.
        CELERY_TASK_ALWAYS_EAGER="true",
        LOG_LEVEL="WARNING",
    )
    return env


def _request(method: str, url: str, token: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 (loopback only)
        url,
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback only)
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def _wait_until_up(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            stderr = process.stderr.read().decode() if process.stderr else ""
            raise AssertionError(f"server {base} exited with {process.returncode}:\n{stderr}")
        try:
            with urllib.request.urlopen(f"{base}/health/live", timeout=2) as response:  # noqa: S310 (loopback only)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{base} did not start within {STARTUP_SECONDS} s")


@pytest.fixture
def postgres() -> None:
    require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")


@pytest.fixture
def servers(redis_url: str, postgres: None, transactional_db: None) -> Iterator[dict[str, str]]:
    """Two uvicorn processes on the test database and one Redis channel layer: ``{"a": url, "b": url}``."""
    env = _server_env(redis_url)
    processes: dict[str, tuple[str, subprocess.Popen[bytes]]] = {}
    try:
        for name in ("a", "b"):
            port = _free_port()
            process = subprocess.Popen(  # noqa: S603
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "hotgigs.asgi:application",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            processes[name] = (f"http://127.0.0.1:{port}", process)
        for base, process in processes.values():
            _wait_until_up(base, process)
        yield {name: base for name, (base, _) in processes.items()}
    finally:
        # Stopped before pytest-django flushes the tables, so no server holds a connection then.
        for _, process in processes.values():
            process.terminate()
        for _, process in processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def _subscribed(base: str, token: str, channel: str, **params: Any) -> tuple[ClientConnection, dict[str, Any]]:
    """A socket on ``base`` subscribed to ``channel``; returns it with the ack."""
    url = base.replace("http://", "ws://") + f"/ws/?token={token}"
    client = await connect(url, origin=ORIGIN)  # type: ignore[arg-type]
    await client.send(json.dumps({"action": "subscribe", "channel": channel, "params": params}))
    ack = json.loads(await asyncio.wait_for(client.recv(), EVENT_SECONDS))
    return client, ack


async def _next_event(client: ClientConnection, timeout: float) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(client.recv(), timeout))


@pytest.fixture
def hiring(org):
    """A recruiter of ``org``, two candidates who applied to its job, and a token for each."""
    recruiter = MembershipFactory(organization=org).user
    job = JobFactory(organization=org, created_by=recruiter)
    applicant, bystander = CandidateFactory(), CandidateFactory()
    application = ApplicationFactory(job=job, candidate=applicant)
    ApplicationFactory(job=job, candidate=bystander)
    return {
        "application": application,
        "recruiter": token_for(recruiter),
        "applicant": token_for(applicant.user),
        "bystander": token_for(bystander.user),
    }


@pytest.mark.parametrize(("listen_on", "change_on"), [("a", "b"), ("b", "a")])
def test_a_change_made_on_one_server_reaches_a_socket_on_the_other(servers, hiring, listen_on, change_on):
    application = hiring["application"]

    async def scenario() -> tuple[dict[str, Any], int, dict[str, Any], dict[str, Any], bool]:
        applicant, ack = await _subscribed(servers[listen_on], hiring["applicant"], "application_status", scope="mine")
        bystander, _ = await _subscribed(servers[change_on], hiring["bystander"], "application_status", scope="mine")
        try:
            status, body = await asyncio.to_thread(
                _request,
                "POST",
                f"{servers[change_on]}/api/v1/applications/{application.pk}/move",
                hiring["recruiter"],
                {"stage": "screening"},
            )
            event = await _next_event(applicant, EVENT_SECONDS)
            try:
                await _next_event(bystander, QUIET_SECONDS)
                bystander_heard = True
            except TimeoutError:
                bystander_heard = False
        finally:
            await applicant.close()
            await bystander.close()
        return ack, status, body, event, bystander_heard

    ack, status, body, event, bystander_heard = asyncio.run(scenario())

    assert ack["type"] == "ack"
    assert status == 200, body
    assert set(event) == {"id", "channel", "type", "data", "ts", "subscriptions"}
    assert event["channel"] == "application_status"
    assert event["type"] == "application.stage_changed"
    assert event["data"]["id"] == application.pk
    assert event["data"]["stage"] == "screening"
    assert event["subscriptions"] == [ack["subscription"]]
    assert not bystander_heard
