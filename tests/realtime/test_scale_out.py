"""Scale-out: two real ASGI servers on channels-redis deliver each other's events.

Each test starts two ``uvicorn hotgigs.asgi:application`` processes on the test database
(PostgreSQL, committed data: the servers cannot see a test transaction) and on Redis with a
channel-layer prefix of its own, so parallel xdist workers never hear each other. A real
WebSocket client connects to one server; a change made through the REST API of the other
must reach it, and nobody else.
"""

import asyncio
import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from websockets.asyncio.client import ClientConnection, connect

from tests.conftest import require_service
from tests.factories import ApplicationFactory, CandidateFactory, JobFactory, MembershipFactory
from tests.realtime.conftest import token_for
from tests.servers import process_env, uvicorn_servers

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.redis, pytest.mark.postgres]

ORIGIN = "http://localhost"
# Bounds on waiting for a real process, not timing assertions.
EVENT_SECONDS = 10
QUIET_SECONDS = 1


def _server_env(redis_url: str) -> dict[str, str]:
    prefix = f"hotgigs-test-{uuid.uuid4().hex[:12]}"
    return process_env(
        redis_url,
        CHANNEL_LAYER_PREFIX=prefix,
        CACHE_KEY_PREFIX=prefix,
        REALTIME_HEARTBEAT_SECONDS="0",
        # Side tasks run in the server process: nothing is left queued on the shared broker.
        CELERY_TASK_ALWAYS_EAGER="true",
    )


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


@pytest.fixture
def postgres() -> None:
    require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")


@pytest.fixture
def servers(redis_url: str, postgres: None, transactional_db: None) -> Iterator[dict[str, str]]:
    """Two uvicorn processes on the test database and one Redis channel layer: ``{"a": url, "b": url}``."""
    # Stopped before pytest-django flushes the tables, so no server holds a connection then.
    with uvicorn_servers(_server_env(redis_url), count=2) as (a, b):
        yield {"a": a, "b": b}


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
