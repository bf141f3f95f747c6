"""Which pages may open /ws/: the Origin check in front of the consumer (hotgigs/realtime/origin.py).

Browsers always send ``Origin``; other clients need not. No ``Origin`` is allowed (the token
still decides who you are); an origin in ``CORS_ALLOWED_ORIGINS`` or on one of this site's
own hosts (``ALLOWED_HOSTS``) is allowed; any other is answered with a ``FORBIDDEN`` error
frame and close code 4403, before the consumer sees the token.
"""

import asyncio
import json
import logging

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.db import connection
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.conftest import require_service
from tests.factories import UserFactory
from tests.realtime.conftest import APPLICATION, closed_with, token_for
from tests.servers import process_env, serve_command, server_process

FRONTEND = "http://localhost:3000"
FOREIGN = "https://evil.example"


def communicator(token: str | None, origin: str | None) -> WebsocketCommunicator:
    headers = [(b"origin", origin.encode())] if origin is not None else []
    path = f"/ws/?token={token}" if token else "/ws/"
    return WebsocketCommunicator(APPLICATION, path, headers=headers)


async def ping(socket: WebsocketCommunicator) -> dict:
    connected, _ = await socket.connect()
    assert connected
    await socket.send_json_to({"action": "ping"})
    answer = await socket.receive_json_from()
    await socket.disconnect()
    return answer


async def refused(socket: WebsocketCommunicator) -> tuple[dict, int | None]:
    connected, _ = await socket.connect()
    assert connected  # accepted first, so the browser sees the close code and reason
    error = await socket.receive_json_from()
    code = await closed_with(socket)
    await socket.disconnect()
    return error, code


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "origin",
    [
        pytest.param(None, id="no-origin"),
        pytest.param(FRONTEND, id="frontend"),
        pytest.param("http://localhost", id="own-host"),
        pytest.param("http://127.0.0.1:8000", id="own-host-with-port"),
    ],
)
def test_these_origins_with_a_valid_token_connect(origin):
    token = token_for(UserFactory())

    answer = async_to_sync(ping)(communicator(token, origin))

    assert answer["type"] == "pong"


@pytest.mark.django_db(transaction=True)
def test_no_origin_still_needs_a_token():
    socket = communicator(None, None)

    async def scenario() -> tuple[dict, int | None]:
        connected, _ = await socket.connect()
        assert connected
        return await socket.receive_json_from(), await closed_with(socket)

    error, code = async_to_sync(scenario)()

    assert (error["code"], code) == ("UNAUTHORIZED", 4401)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("origin", [FOREIGN, "null", "http://localhost.evil.example", "http://localhost:3000.evil"])
def test_a_foreign_origin_is_refused_with_4403_even_with_a_valid_token(origin, caplog):
    token = token_for(UserFactory())
    caplog.set_level(logging.INFO, logger="hotgigs.realtime")

    error, code = async_to_sync(refused)(communicator(token, origin))

    assert code == 4403
    assert error == {
        "type": "error",
        "code": "FORBIDDEN",
        "message": "This origin may not open the WebSocket.",
        "details": {"origin": origin},
    }
    assert "realtime.connected" not in caplog.messages, "the consumer must never run"


@pytest.mark.django_db(transaction=True)
def test_a_wildcard_allowed_host_does_not_allow_every_origin(settings):
    settings.ALLOWED_HOSTS = ["*"]
    token = token_for(UserFactory())

    _, code = async_to_sync(refused)(communicator(token, FOREIGN))

    assert code == 4403


@pytest.mark.django_db(transaction=True)
def test_the_allowed_origins_follow_the_cors_setting(settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
    token = token_for(UserFactory())

    answer = async_to_sync(ping)(communicator(token, "https://app.example.com"))
    _, code = async_to_sync(refused)(communicator(token, "https://app.example.org"))

    assert answer["type"] == "pong"
    assert code == 4403


# --- through a real server started as `make run` starts it -----------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
@pytest.mark.redis
def test_a_real_server_tells_a_foreign_page_why_it_closed(redis_url):
    require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")
    token = token_for(UserFactory())
    env = process_env(redis_url, REALTIME_HEARTBEAT_SECONDS="0", CELERY_TASK_ALWAYS_EAGER="true")

    async def scenario(base: str) -> tuple[dict, dict, int, str]:
        url = base.replace("http://", "ws://") + f"/ws/?token={token}"
        async with connect(url) as client:  # no Origin: a non-browser client
            await client.send(json.dumps({"action": "ping"}))
            pong = json.loads(await asyncio.wait_for(client.recv(), 10))
        async with connect(url, origin=FOREIGN) as client:  # type: ignore[arg-type]
            error = json.loads(await asyncio.wait_for(client.recv(), 10))
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(client.recv(), 10)
        assert closed.value.rcvd is not None
        return pong, error, closed.value.rcvd.code, closed.value.rcvd.reason

    with server_process(serve_command, env) as base:
        pong, error, code, reason = asyncio.run(scenario(base))

    assert pong["type"] == "pong"
    assert error["code"] == "FORBIDDEN"
    assert (code, reason) == (4403, "origin not allowed")
