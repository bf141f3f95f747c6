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


# Issue 11: bad input answers 4xx in the envelope, never 500, never a silent default.


def _bad_param(response, name: str) -> None:
    body = _assert_envelope(response, 400, "VALIDATION_ERROR")
    assert name in body["details"]


@pytest.mark.ratelimit
@pytest.mark.parametrize("header", ["Bearer ", "Bearer a b", "Bearer a b c", "Bearer \t "])
def test_a_malformed_bearer_header_is_unauthorized_while_rate_limits_count(client, header):
    response = client.get("/api/v1/jobs", HTTP_AUTHORIZATION=header)

    _assert_envelope(response, 401, "UNAUTHORIZED")
    assert response["WWW-Authenticate"].startswith("Bearer")


def _nested_arrays(depth: int) -> str:
    return "[" * depth + "]" * depth


def _nested_objects(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


@pytest.mark.parametrize(
    "body",
    [
        _nested_arrays(1000),
        _nested_objects(1000),
        '{"email": "a@b.test", "password": "x", "device_id": ' + _nested_arrays(40) + "}",
        "[" * 100_000,
    ],
    ids=["arrays", "objects", "field", "unclosed"],
)
def test_json_nested_too_deep_is_refused_before_parsing(client, settings, body):
    settings.API_MAX_JSON_DEPTH = 32

    response = client.post(TOKEN_URL, data=body, content_type="application/json")

    body = _assert_envelope(response, 400, "VALIDATION_ERROR")
    assert body["details"] == {"max_depth": 32}
    assert not TokenFamily.objects.exists()


def test_json_at_the_depth_limit_is_parsed(client, settings):
    settings.API_MAX_JSON_DEPTH = 3
    body = json.dumps({"email": "a@b.test", "password": "x", "device_id": [["[[[[[[[[{{{{"]]})

    response = client.post(TOKEN_URL, data=body, content_type="application/json")

    # Past the parser: the serializer refuses a list where it wants text.
    body = _assert_envelope(response, 400, "VALIDATION_ERROR")
    assert set(body["details"]) == {"device_id"}


DATE_FILTERS = [
    ("/api/v1/applications", "created_after"),
    ("/api/v1/applications", "created_before"),
    ("/api/v1/interviews", "starts_after"),
    ("/api/v1/interviews", "starts_before"),
]


@pytest.mark.parametrize(
    "value",
    [
        "2030-01-01T00:00:00+16:00",
        "2030-01-01T00:00:00-16:00",
        "2030-01-01T00:00:00+23:59",
        "0001-01-01T00:00:00+05:00",
        "9999-12-31T23:59:59-15:00",
    ],
)
@pytest.mark.parametrize(("url", "name"), DATE_FILTERS)
def test_any_rfc3339_offset_in_a_date_filter_is_answered(login, org_admin, url, name, value):
    # PostgreSQL refuses offsets of 16 h or more (they answered 500); RFC 3339 and the schema allow ±23:59.
    response = login(org_admin).get(url, {name: value})

    assert response.status_code == 200


@pytest.fixture
def application_at_2030(open_job):  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from applications.models import Application
    from tests.factories import ApplicationFactory

    application = ApplicationFactory(job=open_job)
    Application.objects.filter(pk=application.pk).update(created_at=datetime(2030, 1, 1, tzinfo=UTC))
    return application


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ({"created_after": "2030-01-01T20:00:00+20:00"}, True),
        ({"created_after": "2030-01-01T20:00:00.000001+20:00"}, False),
        ({"created_before": "2029-12-31T04:00:00.000001-20:00"}, True),
        ({"created_before": "2029-12-31T04:00:00-20:00"}, False),
        ({"created_after": "0001-01-01T00:00:00+05:00"}, True),
        ({"created_before": "0001-01-01T00:00:00+05:00"}, False),
        ({"created_after": "9999-12-31T23:59:59-15:00"}, False),
        ({"created_before": "9999-12-31T23:59:59-15:00"}, True),
    ],
)
def test_a_date_filter_compares_the_instant_in_utc(login, recruiter, application_at_2030, query, found):
    rows = login(recruiter).get("/api/v1/applications", query).json()["results"]

    assert [row["id"] for row in rows] == ([application_at_2030.pk] if found else [])


@pytest.mark.parametrize("value", ["2030-01-01T00:00:00", "2030-01-01T00:00:00+24:00", "tomorrow", "2030-13-01T00:00Z"])
@pytest.mark.parametrize(("url", "name"), DATE_FILTERS)
def test_a_date_filter_without_an_offset_or_malformed_is_refused(login, org_admin, url, name, value):
    _bad_param(login(org_admin).get(url, {name: value}), name)


LISTS = [
    "/api/v1/jobs",
    "/api/v1/candidates",
    "/api/v1/applications",
    "/api/v1/interviews",
    "/api/v1/notifications",
    "/api/v1/webhooks/endpoints",
    "/api/jobs",
]


@pytest.mark.parametrize("value", ["abc", "0", "-1", "1.5", "1e2", " 5", "٣", ""])
@pytest.mark.parametrize("url", LISTS)
def test_a_bad_page_size_is_refused(login, org_admin, url, value):
    _bad_param(login(org_admin).get(url, {"page_size": value}), "page_size")


@pytest.mark.parametrize("value", ["bogus", "-", ""])
@pytest.mark.parametrize("url", LISTS)
def test_an_unknown_ordering_is_refused(login, org_admin, url, value):
    _bad_param(login(org_admin).get(url, {"ordering": value}), "ordering")


def _encoded(querystring: str) -> str:
    import base64

    return base64.b64encode(querystring.encode()).decode()


# Cursors the server never made: garbage, an empty query, positions of the wrong type or out
# of PostgreSQL's range, an offset past the cutoff.
FORGED_CURSORS = [
    "",
    "garbage",
    "AAAA",
    _encoded("p=foo"),
    _encoded("p=2030-01-01 00:00:00+16:00"),
    _encoded("p=99999999999999999999999"),
    _encoded("o=5&x=1"),
    _encoded("r=2"),
]


@pytest.mark.parametrize("cursor", FORGED_CURSORS)
@pytest.mark.parametrize(("url", "ordering"), [*((url, None) for url in LISTS), ("/api/v1/jobs", "-salary_max")])
def test_a_cursor_the_server_did_not_make_is_refused(login, org_admin, url, ordering, cursor):
    query = {"cursor": cursor, **({"ordering": ordering} if ordering else {})}

    _bad_param(login(org_admin).get(url, query), "cursor")


def test_a_cursor_only_works_with_the_ordering_it_was_made_for(login, recruiter, org):
    from tests.factories import JobFactory

    JobFactory.create_batch(3, organization=org)
    client = login(recruiter)
    next_link = client.get("/api/v1/jobs", {"page_size": 1, "ordering": "title"}).json()["next"]
    cursor = next_link.split("cursor=")[1].split("&")[0]

    _bad_param(client.get("/api/v1/jobs", {"page_size": 1, "ordering": "-salary_max", "cursor": cursor}), "cursor")


BAD_FILTERS = [
    ("/api/v1/jobs", "remote", "maybe"),
    ("/api/v1/jobs", "organization", "abc"),
    ("/api/v1/jobs", "organization", "0"),
    ("/api/v1/jobs", "salary_min", "-5"),
    ("/api/v1/jobs", "status", "bogus"),
    ("/api/v1/candidates", "open_to_remote", "maybe"),
    ("/api/v1/candidates", "min_years_experience", "x"),
    ("/api/v1/applications", "job", "abc"),
    ("/api/v1/applications", "candidate", "1.5"),
    ("/api/v1/applications", "stage", "bogus"),
    ("/api/v1/interviews", "application", "x"),
    ("/api/v1/interviews", "interviewer", "-1"),
    ("/api/v1/interviews", "status", "bogus"),
    ("/api/v1/notifications", "unread", "maybe"),
    ("/api/v1/analytics", "organization", "abc"),
]


@pytest.mark.parametrize(("url", "name", "value"), BAD_FILTERS, ids=[f"{u}?{n}={v}" for u, n, v in BAD_FILTERS])
def test_a_known_filter_with_a_bad_value_is_refused(login, org_admin, url, name, value):
    _bad_param(login(org_admin).get(url, {name: value}), name)


@pytest.mark.parametrize("value", ["true", "false", "True", "FALSE"])
def test_boolean_filters_take_the_usual_spellings(login, org_admin, value):
    assert login(org_admin).get("/api/v1/jobs", {"remote": value}).status_code == 200
    assert login(org_admin).get("/api/v1/candidates", {"open_to_remote": value}).status_code == 200


# Unsupported methods: 405 METHOD_NOT_ALLOWED with Allow, whoever asks, on every API route.

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "TRACE", "PURGE")


def _concrete(pattern: object) -> str:
    """A path that a URL pattern matches, every parameter replaced by 1."""
    import re

    text = str(pattern)
    text = re.sub(r"\(\?P<\w+>[^)]*\)", "1", text)
    text = re.sub(r"<[^>]+>", "1", text)
    return text.replace("^", "").replace("$", "").replace("/?", "")


def _api_routes() -> list[tuple[str, set[str]]]:
    """Every routed /api/v1/ path, with the methods its view declares (plus HEAD and OPTIONS)."""
    from django.urls import URLResolver, get_resolver

    routes: list[tuple[str, set[str]]] = []

    def walk(patterns, prefix):  # type: ignore[no-untyped-def]
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + _concrete(pattern.pattern))
                continue
            path = prefix + _concrete(pattern.pattern)
            callback = pattern.callback
            if not path.startswith("/api/v1/") or not hasattr(callback, "cls"):
                continue
            actions = getattr(callback, "actions", None)
            if actions is not None:
                declared = {method.upper() for method in actions}
            else:
                declared = {m.upper() for m in ("get", "post", "put", "patch", "delete") if hasattr(callback.cls, m)}
            routes.append((path, declared | {"OPTIONS"} | ({"HEAD"} if "GET" in declared else set())))

    walk(get_resolver().url_patterns, "/")
    return routes


def test_the_route_walk_sees_every_api_route():
    paths = {path for path, _ in _api_routes()}

    assert len(paths) >= 40
    assert {"/api/v1/jobs", "/api/v1/jobs/1", "/api/v1/auth/token", "/api/v1/schema/", "/api/v1/docs/"} <= paths


@pytest.mark.parametrize("who", ["anonymous", "org_admin"])
def test_every_api_route_answers_405_with_allow_for_a_method_it_does_not_take(request, login, who):
    from django.test import Client

    client = Client(enforce_csrf_checks=True) if who == "anonymous" else login(request.getfixturevalue(who))
    wrong = []
    for path, allowed in _api_routes():
        for method in METHODS:
            if method in allowed:
                continue
            response = client.generic(method, path)
            try:
                _assert_envelope(response, 405, "METHOD_NOT_ALLOWED")
                assert set(response["Allow"].split(", ")) == allowed
            except (AssertionError, KeyError, ValueError):
                wrong.append(f"{method} {path} → {response.status_code} {response.content[:80]!r}")

    assert wrong == []


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/api/v1/jobs", "GET, POST, HEAD, OPTIONS"),
        ("DELETE", "/api/jobs/1", "GET, PUT, PATCH, HEAD, OPTIONS"),
        ("TRACE", "/api/v1/applications", "GET, POST, HEAD, OPTIONS"),
        ("POST", "/api/v1/analytics", "GET, HEAD, OPTIONS"),
        ("DELETE", "/api/v1/docs/", "GET, HEAD, OPTIONS"),
    ],
)
def test_an_unsupported_method_is_405_not_403(login, recruiter, method, path, allow):
    response = login(recruiter).generic(method, path)

    body = _assert_envelope(response, 405, "METHOD_NOT_ALLOWED")
    assert response["Allow"] == allow
    assert "ViewSet" not in body["message"]
    assert "View" not in body["message"]


@pytest.mark.urls("tests.api.urls_for_errors")
def test_a_view_without_a_declared_scope_does_not_name_its_class(login, recruiter):
    body = _assert_envelope(login(recruiter).get("/api/v1/test/undeclared"), 403, "FORBIDDEN")

    assert "UndeclaredScopeView" not in body["message"]


# Every error under /api/, /ws/, /health/ and /metrics is the envelope (404, 405, 400, 401, 403, 500).

PREFIXES = ("/api/v1", "/api", "/ws", "/health", "/metrics")


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/nope",
        "/api/nope",
        "/ws/nope",
        "/ws/x/y",
        "/health/",
        "/health/nope",
        "/health/live/extra",
        "/metrics/nope",
    ],
)
def test_an_unknown_path_under_every_prefix_is_404_in_the_envelope(settings, path, debug):
    from django.test import Client

    settings.DEBUG = debug

    _assert_envelope(Client(enforce_csrf_checks=True).get(path), 404, "NOT_FOUND")


@pytest.mark.parametrize("debug", [False, True])
def test_the_websocket_endpoint_over_plain_http_asks_for_an_upgrade(settings, debug):
    from django.test import Client

    settings.DEBUG = debug

    response = Client().get("/ws/", {"token": "x"})

    _assert_envelope(response, 426, "VALIDATION_ERROR")
    assert response["Upgrade"] == "websocket"


@pytest.mark.parametrize(
    ("path", "allow"),
    [
        ("/health/live", "GET, HEAD"),
        ("/health/ready", "GET, HEAD"),
        ("/metrics", "GET, HEAD"),
        ("/ws/", "GET"),
    ],
)
@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "TRACE", "PURGE"])
def test_a_bad_method_outside_the_api_is_405_in_the_envelope(settings, path, allow, method):
    from django.test import Client

    settings.METRICS_TOKEN = "metrics-secret"

    response = Client(enforce_csrf_checks=True).generic(method, path, data="{}", content_type="application/json")

    _assert_envelope(response, 405, "METHOD_NOT_ALLOWED")
    assert response["Allow"] == allow


def test_metrics_without_a_token_is_401_in_the_envelope(client, settings):
    settings.METRICS_TOKEN = "metrics-secret"

    _assert_envelope(client.get("/metrics"), 401, "UNAUTHORIZED")


@pytest.mark.urls("tests.api.urls_for_errors")
@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [("bad-request", 400, "VALIDATION_ERROR"), ("forbidden", 403, "FORBIDDEN"), ("explode", 500, "INTERNAL_ERROR")],
)
def test_errors_raised_outside_drf_under_every_prefix_are_the_envelope(prefix, kind, status, code):
    from django.test import Client

    response = Client(raise_request_exception=False).get(f"{prefix}/test/{kind}")

    _assert_envelope(response, status, code)
    assert "secret internal detail" not in response.content.decode()


@pytest.mark.parametrize("path", ["/api/v1/jobs", "/health/live", "/metrics", "/ws/"])
def test_a_disallowed_host_is_400_in_the_envelope(settings, path):
    from django.test import Client

    settings.METRICS_TOKEN = "metrics-secret"

    response = Client(raise_request_exception=False).get(path, HTTP_HOST="evil.example")

    _assert_envelope(response, 400, "VALIDATION_ERROR")
