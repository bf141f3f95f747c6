"""No credential reaches a log line, however the server is started.

WebSocket access tokens travel in the query string (``/ws/?token=…``, browsers cannot set
headers on a WebSocket) and so do signed resume links (``resume-file?token=…``). The server's
own access log (``uvicorn.access``), its WebSocket lines (``uvicorn.error``), Django's request
warnings and our access log must keep the path and drop the values.
"""

import asyncio
import json
import logging
import sys
import urllib.error
import urllib.request
import uuid
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from django.db import connection
from websockets.asyncio.client import connect

from hotgigs.observability.logs import json_formatter, plain_formatter
from tests.conftest import require_service
from tests.factories import CandidateFactory
from tests.realtime.conftest import token_for
from tests.servers import plain_uvicorn_command, process_env, server_process

RESUME = b"Jane Doe\nBackend developer: Python, Django, PostgreSQL.\n"


def call(method: str, url: str, *, token: str | None = None, body: bytes | None = None, **headers: str) -> Any:
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=body, method=method, headers=headers)  # noqa: S310 (loopback only)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback only)
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def upload(base: str, candidate_id: int, token: str) -> int:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="cv.txt"\r\n'
            f"Content-Type: text/plain\r\n\r\n"
        ).encode()
        + RESUME
        + f"\r\n--{boundary}--\r\n".encode()
    )
    status, answer = call(
        "POST",
        f"{base}/api/v1/candidates/{candidate_id}/resume",
        token=token,
        body=body,
        **{"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert status == 201, answer
    return int(json.loads(answer)["id"])


async def websocket_round_trip(base: str, token: str) -> dict[str, Any]:
    url = base.replace("http://", "ws://") + f"/ws/?token={token}"
    async with connect(url, origin=base) as client:  # type: ignore[arg-type]
        await client.send(json.dumps({"action": "ping"}))
        return dict(json.loads(await asyncio.wait_for(client.recv(), 10)))


@pytest.fixture
def postgres() -> None:
    require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_a_plain_uvicorn_logs_no_websocket_token_and_no_signed_link(tmp_path, postgres, redis_url):
    candidate = CandidateFactory()
    token = token_for(candidate.user)
    log = tmp_path / "server.log"
    env = process_env(
        redis_url,
        HOTGIGS_VAR_DIR=str(tmp_path / "var"),
        CELERY_TASK_ALWAYS_EAGER="true",
        REALTIME_HEARTBEAT_SECONDS="0",
        # As much as the server will say: every level, the verbose access log, the trace.
        LOG_LEVEL="DEBUG",
        HOTGIGS_DEBUG_VERBOSE="true",
        HOTGIGS_TRACE="true",
    )

    with server_process(plain_uvicorn_command, env, output=log) as base:
        pong = asyncio.run(websocket_round_trip(base, token))
        resume_id = upload(base, candidate.pk, token)
        status, answer = call("GET", f"{base}/api/v1/candidates/{candidate.pk}/resumes/{resume_id}/link", token=token)
        assert status == 200, answer
        link = json.loads(answer)["url"]
        download, content = call("GET", link)
        link_token = parse_qs(urlsplit(link).query)["token"][0]
        signature = link_token.rsplit(":", 1)[1]
        # An altered link is refused, and Django logs the refusal as a warning.
        refused, _ = call("GET", link.replace(signature, signature[::-1]))
        # A token in the query string of an ordinary API request.
        me, _ = call("GET", f"{base}/api/v1/auth/me?token={token}", token=token)

    text = log.read_text(errors="replace")
    assert pong["type"] == "pong"
    assert (download, content) == (200, RESUME)
    assert (refused, me) == (403, 200)
    # The lines are there, with their paths...
    assert "/ws/" in text
    assert "resume-file" in text
    assert "/api/v1/auth/me" in text
    # ...and without a credential.
    leaks = [
        line
        for line in text.splitlines()
        if any(secret in line for secret in (token, link_token, quote(link_token), signature, signature[::-1]))
    ]
    assert leaks == []
    # Redacting kept every JSON line whole.
    assert [json.loads(line)["level"] for line in text.splitlines() if line.startswith("{")]


@pytest.mark.parametrize("formatter", [json_formatter, plain_formatter])
def test_the_console_formatters_redact_messages_fields_and_tracebacks(formatter):
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d', None, None)
    record.args = ("127.0.0.1:5000", "GET", "/ws/?token=abc.def.ghi&since=12", "1.1", 200)
    record.request_id = "-"
    record.url = "https://bucket.example/cv.pdf?X-Amz-Signature=f00d&X-Amz-Expires=300"
    try:
        raise ValueError("could not fetch /api/v1/resume-file?token=eyJy:1x:sig-value")
    except ValueError:
        record.exc_info = sys.exc_info()

    line = formatter().format(record)

    assert "/ws/?token=[redacted]&since=[redacted]" in line
    assert "resume-file?token=[redacted]" in line
    assert not any(secret in line for secret in ("abc.def.ghi", "sig-value", "eyJy"))
    if formatter is json_formatter:
        assert (
            json.loads(line)["url"]
            == "https://bucket.example/cv.pdf?X-Amz-Signature=[redacted]&X-Amz-Expires=[redacted]"
        )
