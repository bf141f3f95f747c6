"""Every non-2xx answer under /api/ is the envelope {code, message, details} (issue 3, item 4)."""

import json

import pytest

from hotgigs.accounts.models import TokenFamily
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token"


def _assert_envelope(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    assert isinstance(body["message"], str)
    assert body["message"]
    assert body["details"] is None or isinstance(body["details"], dict)
    return body


@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/nope/deeper", "/api/v9/jobs", "/api/v1/auth/token/extra"])
@pytest.mark.parametrize("debug", [False, True])
def test_unknown_urls_under_api(client, settings, path, debug):
    settings.DEBUG = debug

    _assert_envelope(client.get(path), 404, "NOT_FOUND")


def test_unknown_url_outside_api_is_a_page(client):
    response = client.get("/definitely-not-here")

    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


def test_method_not_allowed(client):
    body = _assert_envelope(client.get(TOKEN_URL), 405, "METHOD_NOT_ALLOWED")

    assert body["details"] is None


def test_malformed_json(client):
    _assert_envelope(client.post(TOKEN_URL, data="{not json", content_type="application/json"), 400, "VALIDATION_ERROR")


def test_json_that_is_not_an_object(client):
    _assert_envelope(client.post(TOKEN_URL, data="[1, 2]", content_type="application/json"), 400, "VALIDATION_ERROR")


def test_wrong_content_type(client):
    body = _assert_envelope(
        client.post(TOKEN_URL, data="email=a&password=b", content_type="application/x-www-form-urlencoded"),
        415,
        "VALIDATION_ERROR",
    )

    assert body["details"] == {"supported": ["application/json"]}


def test_oversized_body_is_refused_before_parsing(client, settings, recruiter):
    settings.API_MAX_BODY_BYTES = 1024
    payload = json.dumps({"email": recruiter.email, "password": PASSWORD, "device_id": "x" * 2000})

    body = _assert_envelope(
        client.post(TOKEN_URL, data=payload, content_type="application/json"), 413, "VALIDATION_ERROR"
    )

    assert body["details"] == {"max_bytes": 1024}
    assert not TokenFamily.objects.exists()


def test_validation_errors_list_fields(client):
    body = _assert_envelope(client.post(TOKEN_URL, data={}, content_type="application/json"), 400, "VALIDATION_ERROR")

    assert set(body["details"]) == {"email", "password"}
    assert all(isinstance(messages, list) for messages in body["details"].values())


@pytest.mark.urls("tests.api.urls_for_errors")
def test_unhandled_exception_in_api_view(settings, caplog):
    from rest_framework.test import APIClient

    client = APIClient(raise_request_exception=False)
    response = client.get("/api/v1/test/explode", HTTP_X_REQUEST_ID="req-123")

    body = _assert_envelope(response, 500, "INTERNAL_ERROR")
    assert "secret internal detail" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert response["X-Request-ID"] == "req-123"
    assert "req-123" in body["message"]
    assert any(getattr(r, "request_id", None) == "req-123" for r in caplog.records)


@pytest.mark.urls("tests.api.urls_for_errors")
def test_unhandled_exception_outside_drf():
    from django.test import Client

    response = Client(raise_request_exception=False).get("/api/v1/test/explode-plain")

    _assert_envelope(response, 500, "INTERNAL_ERROR")
    assert "secret internal detail" not in response.content.decode()
    assert response["X-Request-ID"]


@pytest.mark.urls("tests.api.urls_for_errors")
def test_view_without_declared_scope_is_refused(login, recruiter):
    response = login(recruiter).get("/api/v1/test/undeclared")

    _assert_envelope(response, 403, "FORBIDDEN")


def test_request_id_is_generated_when_absent_or_malformed(client):
    generated = client.get("/api/v1/nope")
    malformed = client.get("/api/v1/nope", HTTP_X_REQUEST_ID="bad id with spaces\n")

    assert len(generated["X-Request-ID"]) == 32
    assert malformed["X-Request-ID"] != "bad id with spaces\n"
    assert len(malformed["X-Request-ID"]) == 32


def test_post_to_unknown_api_url_is_not_found_not_csrf(client):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(
        "/api/v1/applications/%C2%84/move/", data="{}", content_type="application/json"
    )

    _assert_envelope(response, 404, "NOT_FOUND")
