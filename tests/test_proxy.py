"""The production topology with real processes: nginx in front, HTTP to WSGI, /ws/ to ASGI.

nginx runs the repository's configuration (``docker/nginx/hotgigs.conf.template``) on a free
loopback port, in front of ``python -m hotgigs.serve --interface wsgi`` (gunicorn) and
``python -m hotgigs.serve`` (uvicorn), as compose runs them. The application trusts
``X-Forwarded-For`` from the proxy's address (127.0.0.1) only; clients connect from other
loopback addresses (127.0.0.2, 127.0.0.3), so the address the proxy passes on can be told
apart from the proxy's own.

Under CI=true a missing nginx fails (``.ci/run`` installs it); elsewhere these tests skip.
"""

import asyncio
import http.client
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from websockets.asyncio.client import connect

from tests.conftest import require_service
from tests.factories import ApplicationFactory, CandidateFactory, JobFactory, MembershipFactory
from tests.realtime.conftest import token_for
from tests.servers import nginx_binary, nginx_proxy, process_env, serve_command, server_process, wsgi_serve_command

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.redis, pytest.mark.postgres, pytest.mark.ratelimit]

ORIGIN = "http://localhost"
PROXY_ADDRESS = "127.0.0.1"
BURST = 5
REQUESTS = 3 * BURST  # more than twice the limit: a window edge inside the run still leaves refusals
# Bound on waiting for another process, not a timing assertion.
EVENT_SECONDS = 10


def _request(
    base: str,
    method: str,
    path: str,
    *,
    source: str = "127.0.0.2",
    headers: dict[str, str] | None = None,
    body: dict[str, Any] | None = None,
) -> tuple[int, dict[str, str], Any]:
    """One request to ``base`` from the loopback address ``source``: status, headers, JSON body."""
    host, port = base.removeprefix("http://").rsplit(":", 1)
    client = http.client.HTTPConnection(host, int(port), timeout=10, source_address=(source, 0))
    try:
        payload = json.dumps(body).encode() if body is not None else None
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        client.request(method, path, body=payload, headers=all_headers)
        response = client.getresponse()
        raw = response.read()
        return response.status, dict(response.getheaders()), json.loads(raw) if raw else None
    finally:
        client.close()


def _access_lines(log: Path, path: str) -> list[dict[str, Any]]:
    """The application's access-log lines (JSON) for ``path`` in a server's output."""
    lines = []
    for line in log.read_text(errors="replace").splitlines():
        if not line.startswith("{"):
            continue
        record = json.loads(line)
        if record.get("logger") == "hotgigs.access" and record.get("path") == path:
            lines.append(record)
    return lines


@pytest.fixture
def stack(redis_url: str, transactional_db: None, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """nginx → gunicorn (HTTP) and uvicorn (/ws/), on the test database and one Redis."""
    require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")
    require_service("nginx (apt-get install nginx)", nginx_binary() is not None)
    prefix = f"hotgigs-test-{uuid.uuid4().hex[:12]}"
    env = process_env(
        redis_url,
        CHANNEL_LAYER_PREFIX=prefix,
        CACHE_KEY_PREFIX=prefix,
        REALTIME_HEARTBEAT_SECONDS="0",
        # Side tasks run in the server process: nothing is left queued on the shared broker.
        CELERY_TASK_ALWAYS_EAGER="true",
        RATE_LIMIT_ENABLED="true",
        RATE_LIMIT_BURST=f"{BURST}/m",
        RATE_LIMIT_KEY_PREFIX=f"rl:{prefix}:",
        RATE_LIMIT_TRUSTED_PROXY_HEADER="HTTP_X_FORWARDED_FOR",
        RATE_LIMIT_TRUSTED_PROXIES=PROXY_ADDRESS,
        # The access log then names the client address the rate limiter counted.
        HOTGIGS_DEBUG_VERBOSE="true",
        LOG_LEVEL="INFO",
        LOG_FORMAT="json",
        WEB_CONCURRENCY="1",
    )
    logs = {"web": tmp_path / "web.log", "realtime": tmp_path / "realtime.log"}
    # Stopped before pytest-django flushes the tables, so no server holds a connection then.
    with (
        server_process(wsgi_serve_command, env, output=logs["web"]) as web,
        server_process(serve_command, env, output=logs["realtime"]) as realtime,
        nginx_proxy(web, realtime) as proxy,
    ):
        yield {"proxy": proxy, "web": web, "realtime": realtime, "logs": logs}


def test_the_proxy_answers_its_health_check_and_passes_the_application_s(stack):
    own = _request(stack["proxy"], "GET", "/health/proxy")
    application = _request(stack["proxy"], "GET", "/health/live")

    assert own[0] == 200
    assert own[2] == {"status": "ok"}
    assert application[0] == 200
    assert _access_lines(stack["logs"]["web"], "/health/live"), "the application's probe reached the WSGI server"


def test_http_goes_to_wsgi_and_a_websocket_to_asgi_which_receives_the_event_of_an_http_write(stack, org):
    recruiter = MembershipFactory(organization=org).user
    applicant = CandidateFactory()
    application = ApplicationFactory(job=JobFactory(organization=org, created_by=recruiter), candidate=applicant)
    recruiter_token, applicant_token = token_for(recruiter), token_for(applicant.user)
    ws_url = stack["proxy"].replace("http://", "ws://") + f"/ws/?token={applicant_token}"

    async def scenario() -> tuple[dict[str, Any], tuple[int, dict[str, str], Any], dict[str, Any]]:
        async with connect(ws_url, origin=ORIGIN) as socket:  # type: ignore[arg-type]
            await socket.send(
                json.dumps({"action": "subscribe", "channel": "application_status", "params": {"scope": "mine"}})
            )
            ack = json.loads(await asyncio.wait_for(socket.recv(), EVENT_SECONDS))
            moved = await asyncio.to_thread(
                _request,
                stack["proxy"],
                "POST",
                f"/api/v1/applications/{application.pk}/move",
                headers={"Authorization": f"Bearer {recruiter_token}"},
                body={"stage": "screening"},
            )
            event = json.loads(await asyncio.wait_for(socket.recv(), EVENT_SECONDS))
            return ack, moved, event

    ack, (status, _, body), event = asyncio.run(scenario())
    me = _request(stack["proxy"], "GET", "/api/v1/auth/me", headers={"Authorization": f"Bearer {recruiter_token}"})

    assert ack["type"] == "ack"
    assert status == 200, body
    assert event["channel"] == "application_status"
    assert event["type"] == "application.stage_changed"
    assert event["data"]["id"] == application.pk
    assert me[0] == 200
    assert me[2]["email"] == recruiter.email
    move_path = f"/api/v1/applications/{application.pk}/move"
    assert _access_lines(stack["logs"]["web"], move_path), "HTTP reached the WSGI server"
    assert not _access_lines(stack["logs"]["realtime"], move_path), "HTTP never reaches the ASGI server"


def test_the_rate_limiter_counts_the_address_the_proxy_passes_and_ignores_a_client_s_own_header(stack):
    path = "/api/v1/auth/me"  # unauthenticated: 401 from DRF, no database query; counts like any path
    # A client that writes a new X-Forwarded-For on every request, through the proxy.
    spoofing = [
        _request(stack["proxy"], "GET", path, source="127.0.0.2", headers={"X-Forwarded-For": f"203.0.113.{n}"})
        for n in range(REQUESTS)
    ]
    # Another client behind the same proxy: a counter of its own, not the proxy's.
    other = _request(stack["proxy"], "GET", path, source="127.0.0.3")

    statuses = [status for status, _, _ in spoofing]
    assert set(statuses) == {401, 429}
    assert statuses.count(429) >= REQUESTS - 2 * BURST, statuses
    assert other[0] == 401
    assert other[1]["X-RateLimit-Remaining"] == str(BURST - 1)
    seen = {line["client_ip"] for line in _access_lines(stack["logs"]["web"], path)}
    assert seen == {"127.0.0.2", "127.0.0.3"}
