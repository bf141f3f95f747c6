import io
import json
import logging

import pytest

from hotgigs.observability.logs import RequestIdFilter, json_formatter

pytestmark = pytest.mark.django_db


@pytest.fixture
def log_lines():
    """Lines written by a handler configured like the console handler of settings.LOGGING."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(json_formatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(old_level)


def test_each_request_writes_one_json_access_line(client, log_lines):
    client.get("/health/live", HTTP_X_REQUEST_ID="req-abc-123")

    access = [line for line in log_lines() if line["logger"] == "hotgigs.access"]
    assert len(access) == 1
    line = access[0]
    assert line["request_id"] == "req-abc-123"
    assert line["user_id"] is None
    assert line["method"] == "GET"
    assert line["endpoint"] == "health-live"
    assert line["path"] == "/health/live"
    assert line["status"] == 200
    assert line["duration_ms"] >= 0
    assert line["level"] == "INFO"
    assert "ts" in line


def test_the_access_line_names_the_authenticated_user(client, recruiter, log_lines):
    from hotgigs.accounts.tokens import token_issue_for_user

    token = token_issue_for_user(user=recruiter).access_token

    client.get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {token}")

    access = [line for line in log_lines() if line["logger"] == "hotgigs.access"]
    assert access[-1]["user_id"] == recruiter.pk
    assert access[-1]["endpoint"] == "v1:auth-me"
    assert access[-1]["status"] == 200


def test_other_log_records_carry_the_request_id_too(client, log_lines):
    client.get("/no-such-page", HTTP_X_REQUEST_ID="req-404")

    not_found = [line for line in log_lines() if line["logger"] == "django.request"]
    assert not_found
    assert not_found[0]["request_id"] == "req-404"


def test_verbose_and_trace_add_their_fields(client, settings, log_lines):
    settings.HOTGIGS_DEBUG_VERBOSE = True
    settings.HOTGIGS_TRACE = True

    client.get("/health/ready?probe=1")

    line = next(line for line in log_lines() if line["logger"] == "hotgigs.access")
    assert line["query_string"] == "probe=[redacted]"
    assert line["response_bytes"] > 0
    assert "db_queries" in line
    assert "db_ms" in line
