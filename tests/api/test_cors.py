"""CORS: the browser frontend (``FRONTEND_URL``, or ``CORS_ALLOWED_ORIGINS``) may call the API.

A preflight is answered before authentication and the rate limiter, so a browser never sees
its own preflight refused with 401 or 429; the real answer, errors and 429s included, names
the origin and exposes the headers a client needs (request id, rate limits, ETag).
"""

import pytest
from rest_framework.test import APIClient

FRONTEND = "http://localhost:3000"
FOREIGN = "https://evil.example"
REQUEST_HEADERS = ("authorization", "content-type", "idempotency-key", "if-none-match")
EXPOSED = ("X-Request-ID", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After", "ETag")


def preflight(client: APIClient, path: str, origin: str = FRONTEND, method: str = "POST"):  # type: ignore[no-untyped-def]
    return client.options(
        path,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD=method,
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS=", ".join(REQUEST_HEADERS),
    )


def listed(value: str) -> set[str]:
    return {item.strip().lower() for item in value.split(",")}


@pytest.mark.ratelimit
@pytest.mark.parametrize("path", ["/api/v1/applications", "/api/v1/jobs", "/api/jobs", "/api/v1/auth/token"])
def test_a_preflight_from_the_frontend_is_allowed_without_a_token(path):
    response = preflight(APIClient(), path)

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == FRONTEND
    assert set(REQUEST_HEADERS) <= listed(response["Access-Control-Allow-Headers"])
    assert "post" in listed(response["Access-Control-Allow-Methods"])
    assert "Access-Control-Allow-Credentials" not in response
    assert int(response["Access-Control-Max-Age"]) > 0


@pytest.mark.ratelimit
def test_preflights_do_not_count_against_the_burst_limit(settings):
    settings.RATE_LIMIT_BURST = "3/m"
    client = APIClient()

    statuses = [preflight(client, "/api/v1/jobs").status_code for _ in range(10)]

    assert statuses == [200] * 10


@pytest.mark.django_db
def test_answers_to_the_frontend_name_it_and_expose_the_client_headers(login, recruiter):
    response = login(recruiter).get("/api/v1/jobs", HTTP_ORIGIN=FRONTEND)

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == FRONTEND
    assert {header.lower() for header in EXPOSED} <= listed(response["Access-Control-Expose-Headers"])
    assert "origin" in listed(response["Vary"])


def test_an_error_envelope_is_readable_by_the_frontend():
    response = APIClient().get("/api/v1/jobs", HTTP_ORIGIN=FRONTEND)

    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHORIZED"
    assert response["Access-Control-Allow-Origin"] == FRONTEND


@pytest.mark.ratelimit
def test_a_429_is_readable_by_the_frontend_with_its_retry_after(settings):
    settings.RATE_LIMIT_BURST = "2/m"
    client = APIClient()

    responses = [client.get("/api/v1/nope", HTTP_ORIGIN=FRONTEND) for _ in range(3)]

    assert [response.status_code for response in responses] == [404, 404, 429]
    assert responses[-1]["Access-Control-Allow-Origin"] == FRONTEND
    assert "retry-after" in listed(responses[-1]["Access-Control-Expose-Headers"])


def test_a_foreign_origin_gets_no_cors_headers():
    client = APIClient()

    answered = preflight(client, "/api/v1/jobs", origin=FOREIGN)
    response = client.get("/api/v1/jobs", HTTP_ORIGIN=FOREIGN)

    assert "Access-Control-Allow-Origin" not in answered
    assert "Access-Control-Allow-Origin" not in response


def test_the_admin_is_not_shared_with_other_origins():
    response = APIClient().get("/admin/login/", HTTP_ORIGIN=FRONTEND)

    assert "Access-Control-Allow-Origin" not in response


def test_allowed_origins_follow_the_setting(settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
    client = APIClient()

    allowed = preflight(client, "/api/v1/jobs", origin="https://app.example.com")
    former = preflight(client, "/api/v1/jobs", origin=FRONTEND)

    assert allowed["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert "Access-Control-Allow-Origin" not in former
