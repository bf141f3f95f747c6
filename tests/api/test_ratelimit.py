"""Rate limits (README.md, "Operations"): burst, hourly default, per-endpoint groups, headers, client IP.

Every test here is marked ``ratelimit``: tests/conftest.py turns the limits on and gives each
test its own counter key prefix (so xdist workers sharing one Redis never meet).

Windows are fixed and each identity's ends at its own second of the minute or hour (see
hotgigs/api/ratelimit.py): a count starts again from zero at that second. A test that expects
its requests to add up must not let that second pass between them, however slowly a busy
machine runs it, so the clock (``time.time``, not the monotonic one) stands still in every
test here (:func:`_one_window`). Tests that count in server processes, whose clocks run on,
first wait until their window has room for them (:func:`wait_for_room`).
"""

import asyncio
import gc
import os
import time
import urllib.error
import urllib.request
import uuid
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.test import AsyncClient, Client, RequestFactory
from django_ratelimit import core
from rest_framework.test import APIClient

from hotgigs.api.ratelimit import RateLimitMiddleware, client_ip, endpoint_group, wait_in_words
from tests.servers import uvicorn_servers

pytestmark = pytest.mark.ratelimit

ROOT = Path(__file__).resolve().parents[2]
NOWHERE = "/api/v1/nope"


@pytest.fixture(autouse=True)
def _one_window(request):  # type: ignore[no-untyped-def]
    """Stop this process's wall clock for the test, so all its requests share every window."""
    if "two_servers_on_redis" in request.fixturenames:
        yield
        return
    with time_machine.travel(time.time(), tick=False):
        yield


def wait_for_room(identity: str, period: int, needed: float) -> None:
    """Sleep into ``identity``'s next window unless ``needed`` seconds are left in this one.

    A window ending at second ``w`` (django-ratelimit's ``_get_window``) still counts ``w``.
    """
    left = core._get_window(identity, period) + 1 - time.time()  # type: ignore[no-untyped-call]
    if left < needed:
        time.sleep(left + 0.1)


def send(client: Client, times: int, path: str = NOWHERE, **extra: Any) -> list[int]:
    return [client.get(path, **extra).status_code for _ in range(times)]


def assert_rate_limited(response, *, scope: str, limit: int, window: int) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "RATE_LIMITED"
    assert body["details"]["scope"] == scope
    assert body["details"]["limit"] == limit
    assert body["details"]["window"] == window
    assert 1 <= int(response["Retry-After"]) <= window
    assert response["X-RateLimit-Limit"] == str(limit)
    assert response["X-RateLimit-Remaining"] == "0"


def test_the_51st_request_in_a_minute_is_refused():
    client = APIClient()

    statuses = send(client, 50)
    response = client.get(NOWHERE)

    assert statuses == [404] * 50
    assert_rate_limited(response, scope="burst", limit=50, window=60)


def test_the_request_past_the_hourly_default_is_refused(settings):
    settings.RATE_LIMIT_DEFAULT = "5/h"
    client = APIClient()

    statuses = [*send(client, 4), client.get("/admin/login/").status_code]
    response = client.get(NOWHERE)

    assert statuses == [404] * 4 + [200]
    assert_rate_limited(response, scope="default", limit=5, window=3600)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/analytics", "/api/v1/analytics/report"])
def test_analytics_answered_not_modified_does_not_count_against_its_limit(settings, login, recruiter, path):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "analytics": "2/h"}
    client = login(recruiter)
    first = client.get(path)
    etag = first["ETag"]

    polls = send(client, 4, path, HTTP_IF_NONE_MATCH=etag)
    second = client.get(path)
    refused = client.get(path)
    polls_past_the_limit = send(client, 3, path, HTTP_IF_NONE_MATCH=etag)
    changed = client.get(path, HTTP_IF_NONE_MATCH='"another"')

    assert first.status_code == second.status_code == 200
    assert polls == [304] * 4
    assert polls_past_the_limit == [304] * 3
    assert_rate_limited(refused, scope="analytics", limit=2, window=3600)
    # A conditional request whose answer is not 304 counts, and past the limit is refused.
    assert_rate_limited(changed, scope="analytics", limit=2, window=3600)


@pytest.mark.django_db
def test_other_groups_count_their_conditional_requests(settings, login, recruiter):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "jobs": "2/h"}
    client = login(recruiter)
    etag = client.get("/api/v1/jobs")["ETag"]

    statuses = send(client, 2, "/api/v1/jobs", HTTP_IF_NONE_MATCH=etag)

    assert statuses[0] == 304
    assert_rate_limited(client.get("/api/v1/jobs", HTTP_IF_NONE_MATCH=etag), scope="jobs", limit=2, window=3600)


def test_the_request_past_an_endpoints_hourly_limit_is_refused(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "analytics": "3/h"}
    client = APIClient()

    statuses = send(client, 3, "/api/v1/analytics")
    response = client.get("/api/v1/analytics")
    elsewhere = client.get(NOWHERE)

    assert statuses == [401] * 3
    assert_rate_limited(response, scope="analytics", limit=3, window=3600)
    assert elsewhere.status_code == 404


def test_the_versioned_and_seed_paths_share_one_counter(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "jobs": "2/h"}
    client = APIClient()

    statuses = [client.get("/api/jobs").status_code, client.get("/api/v1/jobs/").status_code]
    response = client.get("/api/jobs/")

    assert statuses == [401, 401]
    assert_rate_limited(response, scope="jobs", limit=2, window=3600)


@pytest.mark.django_db
def test_two_users_are_counted_apart(settings, login, recruiter, other_recruiter):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "analytics": "2/h"}
    first, second = login(recruiter), login(other_recruiter)

    statuses = send(first, 2, "/api/v1/analytics")
    refused = first.get("/api/v1/analytics")
    other = second.get("/api/v1/analytics")

    assert statuses == [200, 200]
    assert refused.status_code == 429
    assert other.status_code == 200
    assert other["X-RateLimit-Remaining"] == "1"


@pytest.mark.django_db
def test_a_user_keeps_their_count_from_another_address(settings, login, recruiter):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "analytics": "1/h"}
    client = login(recruiter)

    first = client.get("/api/v1/analytics", REMOTE_ADDR="192.0.2.1")
    second = client.get("/api/v1/analytics", REMOTE_ADDR="192.0.2.2")

    assert first.status_code == 200
    assert second.status_code == 429


@pytest.mark.django_db
def test_a_users_count_starts_again_at_the_edge_of_their_window(settings, login, recruiter):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "analytics": "1/h"}
    # The user's hourly window ends at a second of the hour of its own (the per-key offset).
    last_second = core._get_window(f"user:{recruiter.pk}", 3600)  # type: ignore[no-untyped-call]

    with time_machine.travel(last_second, tick=False) as clock:
        client = login(recruiter)
        first = client.get("/api/v1/analytics", REMOTE_ADDR="192.0.2.1")
        clock.shift(1)
        second = client.get("/api/v1/analytics", REMOTE_ADDR="192.0.2.2")

    # Fixed windows: the request one second later is the first of the next window.
    assert first.status_code == 200
    assert first["X-RateLimit-Reset"] == "0"
    assert second.status_code == 200
    assert second["X-RateLimit-Remaining"] == "0"
    assert second["X-RateLimit-Reset"] == "3599"


def test_an_invalid_token_is_counted_by_address(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "analytics": "1/h"}
    client = APIClient()

    forged = client.get("/api/v1/analytics", HTTP_AUTHORIZATION="Bearer not.a.token")
    anonymous = client.get("/api/v1/analytics")

    assert forged.status_code == 401
    assert anonymous.status_code == 429


def test_two_addresses_are_counted_apart(settings):
    settings.RATE_LIMIT_BURST = "3/m"
    client = APIClient()

    statuses = send(client, 3, REMOTE_ADDR="192.0.2.1")
    refused = client.get(NOWHERE, REMOTE_ADDR="192.0.2.1")
    other = client.get(NOWHERE, REMOTE_ADDR="192.0.2.2")

    assert statuses == [404] * 3
    assert refused.status_code == 429
    assert other.status_code == 404
    assert other["X-RateLimit-Remaining"] == "2"


def test_ipv6_clients_are_counted_per_64(settings):
    settings.RATE_LIMIT_BURST = "1/m"
    client = APIClient()

    first = client.get(NOWHERE, REMOTE_ADDR="2001:db8:1:2::1")
    same_network = client.get(NOWHERE, REMOTE_ADDR="2001:db8:1:2::ffff")
    other_network = client.get(NOWHERE, REMOTE_ADDR="2001:db8:1:3::1")

    assert [first.status_code, same_network.status_code, other_network.status_code] == [404, 429, 404]


def test_forwarded_for_is_ignored_without_a_trusted_proxy(settings):
    settings.RATE_LIMIT_BURST = "2/m"
    client = APIClient()

    statuses = [
        client.get(NOWHERE, REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(3)
    ]

    assert statuses == [404, 404, 429]


def test_forwarded_for_is_ignored_from_an_untrusted_peer(settings):
    settings.RATE_LIMIT_BURST = "2/m"
    settings.RATE_LIMIT_TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.RATE_LIMIT_TRUSTED_PROXIES = ["10.0.0.0/8"]
    client = APIClient()

    statuses = [
        client.get(NOWHERE, REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(3)
    ]

    assert statuses == [404, 404, 429]


def test_a_trusted_proxy_names_the_client(settings):
    settings.RATE_LIMIT_BURST = "2/m"
    settings.RATE_LIMIT_TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.RATE_LIMIT_TRUSTED_PROXIES = ["10.0.0.0/8"]
    client = APIClient()

    # The client writes anything it likes on the left; the proxies append what they saw.
    spoofed = [
        client.get(NOWHERE, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 203.0.113.7, 10.1.1.1")
        for n in range(3)
    ]
    other_client = client.get(NOWHERE, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.8, 10.1.1.1")

    assert [response.status_code for response in spoofed] == [404, 404, 429]
    assert other_client.status_code == 404


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("10.0.0.2", "203.0.113.7", "203.0.113.7"),
        ("10.0.0.2", "1.2.3.4, 203.0.113.7", "203.0.113.7"),
        ("10.0.0.2", "203.0.113.7, 10.9.9.9, 10.8.8.8", "203.0.113.7"),
        ("10.0.0.2", "10.9.9.9, 10.8.8.8", "10.9.9.9"),
        ("10.0.0.2", "garbage, 10.8.8.8", "10.8.8.8"),
        ("10.0.0.2", "", "10.0.0.2"),
        ("192.0.2.1", "203.0.113.7", "192.0.2.1"),
        ("", "203.0.113.7", "203.0.113.7"),
        ("10.0.0.2", " 2001:db8::1 , 10.8.8.8", "2001:db8::1"),
    ],
)
def test_client_ip_is_the_right_most_untrusted_address(settings, remote, forwarded, expected):
    settings.RATE_LIMIT_TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.RATE_LIMIT_TRUSTED_PROXIES = ["10.0.0.0/8"]
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected


@pytest.mark.parametrize(
    ("path", "group"),
    [
        ("/api/jobs", "jobs"),
        ("/api/v1/jobs/12/close", "jobs"),
        ("/api/v2/candidates/", "candidates"),
        ("/api/analytics", "analytics"),
        ("/api/v1/auth/token", "auth"),
        ("/api/auth/register", "auth"),
        ("/api/v1/auth/me", None),
        ("/admin/", None),
    ],
)
def test_endpoint_groups(path, group):
    assert endpoint_group(path) == group


def test_headers_describe_the_tightest_limit_and_count_down():
    client = APIClient()

    responses = [client.get(NOWHERE) for _ in range(3)]

    assert [r["X-RateLimit-Limit"] for r in responses] == ["50"] * 3
    assert [r["X-RateLimit-Remaining"] for r in responses] == ["49", "48", "47"]
    assert all(0 <= int(r["X-RateLimit-Reset"]) < 60 for r in responses)


def test_headers_name_the_endpoint_limit_when_it_is_tighter(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "analytics": "3/h"}
    client = APIClient()

    response = client.get("/api/v1/analytics")

    assert response["X-RateLimit-Limit"] == "3"
    assert response["X-RateLimit-Remaining"] == "2"
    assert 0 <= int(response["X-RateLimit-Reset"]) < 3600


@pytest.mark.django_db
def test_login_attempts_are_limited_per_address(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "auth": "2/m"}
    client = APIClient()
    attempt = {"email": "nobody@example.com", "password": "wrong-password"}

    statuses = [client.post("/api/v1/auth/token", attempt, format="json").status_code for _ in range(2)]
    response = client.post("/api/auth/token", attempt, format="json")

    assert statuses == [401, 401]
    assert_rate_limited(response, scope="auth", limit=2, window=60)


def test_health_and_metrics_are_never_limited(settings):
    settings.RATE_LIMIT_BURST = "1/m"
    client = APIClient()

    statuses = send(client, 3, "/health/live") + send(client, 2, "/metrics")

    assert statuses == [200, 200, 200, 404, 404]


def test_switching_rate_limits_off(settings):
    settings.RATE_LIMIT_ENABLED = False
    settings.RATE_LIMIT_BURST = "1/m"
    client = APIClient()

    responses = [client.get(NOWHERE) for _ in range(3)]

    assert [r.status_code for r in responses] == [404] * 3
    assert "X-RateLimit-Limit" not in responses[-1]


def unreachable_cache(settings) -> None:  # type: ignore[no-untyped-def]
    settings.CACHES = {
        **settings.CACHES,
        "down": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
        },
    }
    settings.RATELIMIT_USE_CACHE = "down"


def test_an_unreachable_counter_cache_lets_requests_through(settings):
    unreachable_cache(settings)

    response = APIClient().get(NOWHERE)

    assert response.status_code == 404
    assert "X-RateLimit-Limit" not in response


def test_an_unreachable_counter_cache_refuses_when_failing_closed(settings):
    unreachable_cache(settings)
    settings.RATE_LIMIT_FAIL_OPEN = False

    response = APIClient().get(NOWHERE)

    assert response.status_code == 429
    assert response.json()["code"] == "RATE_LIMITED"
    assert response["Retry-After"] == "1"


def test_an_unreadable_rate_stops_the_server_starting(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "jobs": "lots"}

    with pytest.raises(ImproperlyConfigured, match="jobs"):
        RateLimitMiddleware(lambda request: None)  # type: ignore[arg-type,return-value]


# --- two real server processes sharing the counters in Redis ------------------------------


def get(url: str) -> tuple[int, Message]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback only)
            return response.status, response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.headers


@pytest.fixture
def two_servers_on_redis(tmp_path, redis_url):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "PROMETHEUS_MULTIPROC_DIR"}}
    env.update(
        DJANGO_SETTINGS_MODULE="hotgigs.settings",
        HOTGIGS_VAR_DIR=str(tmp_path / "var"),
        REDIS_URL=redis_url,
        # Hourly, so that waiting for room in the window (below) is rare.
        RATE_LIMIT_BURST="10/h",
        RATE_LIMIT_KEY_PREFIX=f"rl:test:{uuid.uuid4().hex}:",
    )
    with uvicorn_servers(env) as bases:
        yield bases


@pytest.mark.redis
def test_two_server_processes_share_the_counters(two_servers_on_redis):
    first, second = two_servers_on_redis
    # The servers' clocks run on: the 11 requests must not straddle the edge of the window.
    wait_for_room("ip:127.0.0.1", 3600, needed=60)

    answers = [get(f"{(first, second)[n % 2]}{NOWHERE}") for n in range(11)]

    assert [status for status, _ in answers] == [404] * 10 + [429]
    assert [headers["X-RateLimit-Remaining"] for _, headers in answers] == [str(9 - n) for n in range(10)] + ["0"]
    assert 1 <= int(answers[-1][1]["Retry-After"]) <= 3600


@pytest.mark.redis
def test_the_redis_script_keeps_django_ratelimits_counters_and_stops_at_the_first_exceeded(redis_url):
    from hotgigs.api.ratelimit import Rule, _redis_client, count_all

    assert _redis_client() is not None, "with REDIS_URL the counters must take the one-round-trip path"
    identity = f"ip:203.0.113.{uuid.uuid4().int % 250}"
    request = RequestFactory().get("/api/v1/jobs")
    rules = [Rule("burst", "2/m", identity), Rule("default", "100/h", identity)]

    counts = [[usage.count for usage in count_all(request, rules)] for _ in range(3)]

    # The third request exceeds the burst: it is not charged against the hourly limit.
    assert counts == [[1, 1], [2, 2], [3]]
    for scope, rate, expected in (("burst", "2/m", 3), ("default", "100/h", 2)):
        read = core.get_usage(request, group=f"hotgigs.{scope}", key=lambda *_: identity, rate=rate, increment=False)
        assert read is not None
        assert read["count"] == expected


@pytest.mark.redis
def test_reset_never_goes_negative_when_a_second_passes_during_the_round_trip(redis_url, monkeypatch):
    """The window's end is read before the Redis call and "now" after it (h7's finding)."""
    from hotgigs.api import ratelimit

    identity = f"ip:203.0.113.{uuid.uuid4().int % 250}"
    request = RequestFactory().get("/api/v1/jobs")
    later = time.time() + 7200  # as if the round trip had outlasted the window
    monkeypatch.setattr(ratelimit, "time", type("Clock", (), {"time": staticmethod(lambda: later)}))

    usages = ratelimit.count_all(request, [ratelimit.Rule("burst", "50/m", identity)])

    assert [usage.reset for usage in usages] == [0]


def _limiter_state() -> dict[str, int]:
    """The size of everything the rate-limit module keeps between requests."""
    from hotgigs.api import ratelimit

    sizes = {}
    for name, value in vars(ratelimit).items():
        if isinstance(value, dict | list | set):
            sizes[name] = len(value)
        elif hasattr(value, "cache_info"):
            sizes[name] = value.cache_info().currsize
    return sizes


def _live_redis_clients() -> int:
    import redis

    gc.collect()
    # type(), not isinstance(): the heap may hold dead weak proxies, which isinstance() dereferences.
    return sum(issubclass(type(thing), redis.Redis) for thing in gc.get_objects())


@pytest.mark.redis
def test_thousands_of_asgi_requests_leave_the_limiters_state_the_same_size(redis_url, settings):
    # Under ASGI every request gets its own cache object and Redis client (Django's caches
    # are per context, and the server runs each request in a task of its own, as here);
    # whatever the limiter keeps must not grow with them.
    settings.RATE_LIMIT_BURST = "100000/m"
    settings.RATE_LIMIT_DEFAULT = "100000/h"
    client = AsyncClient()

    async def send(times: int) -> list[int]:
        return [(await asyncio.create_task(client.get(NOWHERE))).status_code for _ in range(times)]

    warm_up = asyncio.run(send(50))
    state, clients = _limiter_state(), _live_redis_clients()

    statuses = asyncio.run(send(2000))

    assert set(warm_up) == set(statuses) == {404}
    assert _limiter_state() == state
    # A few may still belong to requests the collector has not reached; none is pinned.
    assert _live_redis_clients() <= clients + 5


@pytest.mark.parametrize("limits_on", [True, False])
def test_a_bearer_token_is_validated_once_per_request(settings, login, recruiter, monkeypatch, limits_on):
    from rest_framework_simplejwt.authentication import JWTAuthentication

    settings.RATE_LIMIT_ENABLED = limits_on
    client = login(recruiter)
    validations = []
    original = JWTAuthentication.get_validated_token

    def counted(self, raw):  # type: ignore[no-untyped-def]
        validations.append(raw)
        return original(self, raw)

    monkeypatch.setattr(JWTAuthentication, "get_validated_token", counted)

    response = client.get("/api/v1/jobs")

    assert response.status_code == 200
    assert len(validations) == 1


def test_a_revoked_family_is_refused_although_the_rate_limiter_validated_the_token(login, recruiter):
    from hotgigs.accounts.models import TokenFamily

    client = login(recruiter)
    TokenFamily.objects.filter(user=recruiter).update(revoked_at="2026-01-01T00:00:00Z")

    response = client.get("/api/v1/jobs")

    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHORIZED"


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)  # identities are cached only outside a transaction
def test_the_identity_read_with_the_counters_authenticates_until_the_family_is_revoked(
    redis_url, login, recruiter, monkeypatch
):
    from hotgigs.api import authentication

    client = login(recruiter)
    first = client.get("/api/v1/jobs")  # reads the user from the database and caches the identity

    def no_second_round_trip(family_id: str) -> None:
        pytest.fail("authentication asked the cache again for the identity the rate limiter read")

    with monkeypatch.context() as patched:
        patched.setattr(authentication, "identity_get", no_second_round_trip)
        second = client.get("/api/v1/jobs")
    revoked = client.post("/api/v1/auth/revoke")  # no per-user limit there: authenticates the usual way
    with monkeypatch.context() as patched:
        patched.setattr(authentication, "identity_get", no_second_round_trip)
        after = client.get("/api/v1/jobs")

    assert first.status_code == 200
    assert second.status_code == 200
    assert revoked.status_code in (200, 204)
    assert after.status_code == 401
    assert after.json()["code"] == "UNAUTHORIZED"


def _round_trips(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Every command sent to Redis from now on (one entry per round trip)."""
    import redis.connection

    sent: list[bytes] = []
    original = redis.connection.AbstractConnection.send_packed_command

    def counted(self, command, check_health=True):  # type: ignore[no-untyped-def]
        sent.append(command if isinstance(command, bytes) else b"".join(command))
        return original(self, command, check_health)

    monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counted)
    return sent


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)  # the response cache is used only outside a transaction
def test_a_repeated_cached_read_costs_one_round_trip_to_redis(redis_url, settings, login, recruiter, monkeypatch):
    from tests.factories import JobFactory

    settings.API_CACHE_ENABLED = True
    organization = recruiter.memberships.get().organization
    JobFactory.create_batch(2, organization=organization)
    client = login(recruiter)
    first = client.get("/api/v1/jobs")  # computes the page; learns which keys it reads
    second = client.get("/api/v1/jobs")

    sent = _round_trips(monkeypatch)
    third = client.get("/api/v1/jobs")

    assert [first["X-Cache"], second["X-Cache"], third["X-Cache"]] == ["miss", "hit", "hit"]
    assert third.content == second.content
    assert len(sent) == 1, "counters, identity and cached page are read in one script"
    assert int(third["X-RateLimit-Remaining"]) == int(second["X-RateLimit-Remaining"]) - 1


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_keys_read_ahead_for_a_former_audience_are_not_served(redis_url, settings, login, recruiter, other_org):
    from hotgigs.accounts.models import Membership
    from tests.factories import JobFactory

    settings.API_CACHE_ENABLED = True
    mine = JobFactory(organization=recruiter.memberships.get().organization, title="Ours")
    JobFactory(organization=other_org, title="Theirs")
    client = login(recruiter)
    client.get("/api/v1/jobs")
    assert client.get("/api/v1/jobs")["X-Cache"] == "hit"

    # The recruiter moves to the other organization: the last request's keys (their old
    # audience's page) are still read ahead, and must not answer.
    Membership.objects.filter(user=recruiter).update(organization=other_org)
    from hotgigs.accounts.identity import forget_families
    from hotgigs.accounts.models import TokenFamily

    forget_families([str(pk) for pk in TokenFamily.objects.filter(user=recruiter).values_list("pk", flat=True)])
    moved = client.get("/api/v1/jobs")
    again = client.get("/api/v1/jobs")

    assert moved.status_code == 200
    assert [row["title"] for row in moved.json()["results"]] == ["Theirs"]
    assert [row["title"] for row in again.json()["results"]] == ["Theirs"]
    assert again["X-Cache"] == "hit"
    assert mine.title not in moved.content.decode()


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_movers_own_analytics_are_not_served_from_counters_read_ahead_of_its_write(
    redis_url, settings, login, recruiter, monkeypatch
):
    from hotgigs import cache as generation_cache
    from hotgigs.linger import Linger
    from tests.factories import ApplicationFactory, JobFactory

    settings.API_CACHE_ENABLED = True
    # The analytics generations linger a minute: only this process's own read moves them.
    settings.ANALYTICS_INVALIDATION_LINGER_MS = 60_000
    monkeypatch.setattr(generation_cache, "_lingering", Linger("test-generations", generation_cache._bump_lingering))
    job = JobFactory(organization=recruiter.memberships.get().organization, status="open")
    application = ApplicationFactory(job=job, stage="applied")
    client = login(recruiter)
    client.get("/api/v1/analytics")
    assert client.get("/api/v1/analytics")["X-Cache"] == "hit"  # the next one's keys are read ahead

    client.post(f"/api/v1/applications/{application.pk}/move", {"stage": "screening"}, format="json")
    after = client.get("/api/v1/analytics")

    assert after["X-Cache"] == "miss"
    assert after.json()["applications_by_stage"]["screening"] == 1


# --- people, not addresses: per-user counters and the back office's 429 page --------------

OFFICE = "198.51.100.20"


@pytest.mark.django_db
def test_colleagues_behind_one_address_each_have_their_own_burst(settings, recruiter, other_recruiter):
    settings.RATE_LIMIT_BURST = "3/m"
    first, second = Client(REMOTE_ADDR=OFFICE), Client(REMOTE_ADDR=OFFICE)
    first.force_login(recruiter)
    second.force_login(other_recruiter)

    statuses = send(first, 3, "/admin/")
    refused = first.get("/admin/")
    colleague = [second.get("/admin/").status_code for _ in range(3)]

    assert statuses == [200] * 3
    assert refused.status_code == 429
    assert colleague == [200] * 3


@pytest.mark.django_db
def test_a_session_user_keeps_their_count_from_another_address(settings, client, recruiter):
    settings.RATE_LIMIT_BURST = "1/m"
    client.force_login(recruiter)

    first = client.get("/admin/", REMOTE_ADDR="192.0.2.1")
    second = client.get("/admin/", REMOTE_ADDR="192.0.2.2")

    assert first.status_code == 200
    assert second.status_code == 429


@pytest.mark.django_db
def test_bearer_users_behind_one_address_each_have_their_own_burst(settings, login, recruiter, other_recruiter):
    settings.RATE_LIMIT_BURST = "2/m"
    first, second = login(recruiter), login(other_recruiter)

    statuses = send(first, 2, "/api/v1/jobs", REMOTE_ADDR=OFFICE)
    refused = first.get("/api/v1/jobs", REMOTE_ADDR=OFFICE)
    colleague = second.get("/api/v1/jobs", REMOTE_ADDR=OFFICE)

    assert statuses == [200, 200]
    assert_rate_limited(refused, scope="burst", limit=2, window=60)
    assert colleague.status_code == 200
    assert colleague["X-RateLimit-Remaining"] == "1"


@pytest.mark.django_db
def test_anonymous_requests_share_their_addresss_counter(settings, recruiter):
    settings.RATE_LIMIT_BURST = "2/m"
    logged_in, anonymous, made_up = Client(REMOTE_ADDR=OFFICE), Client(REMOTE_ADDR=OFFICE), Client(REMOTE_ADDR=OFFICE)
    logged_in.force_login(recruiter)
    # A session key nobody issued names nobody: it is counted by address.
    made_up.cookies[settings.SESSION_COOKIE_NAME] = "x" * 32

    statuses = [anonymous.get("/admin/login/").status_code, made_up.get("/admin/login/").status_code]
    refused = anonymous.get("/admin/login/")
    person = logged_in.get("/admin/")

    assert statuses == [200, 200]
    assert refused.status_code == 429
    assert person.status_code == 200


@pytest.mark.django_db
def test_the_back_office_answers_429_with_a_page_that_says_when_to_retry(settings, client, recruiter):
    settings.RATE_LIMIT_BURST = "1/m"
    client.force_login(recruiter)
    client.get("/admin/")

    response = client.get("/admin/")

    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/html")
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= 60
    assert response["X-RateLimit-Limit"] == "1"
    assert response["X-RateLimit-Remaining"] == "0"
    page = response.content.decode()
    assert "RATE_LIMITED" not in page
    assert "<title>Too many requests | HotGigs</title>" in page
    assert "HotGigs back office" in page  # the admin's header
    assert "admin/css/base.css" in page  # and its look
    assert f"Try again in {wait_in_words(retry_after)}" in page


def test_the_api_keeps_its_envelope_for_a_429(settings):
    settings.RATE_LIMIT_BURST = "1/m"
    client = Client()
    client.get(NOWHERE)

    response = client.get(NOWHERE)

    assert_rate_limited(response, scope="burst", limit=1, window=60)  # type: ignore[arg-type]


def test_the_back_office_page_also_answers_when_the_counters_fail_closed(settings):
    unreachable_cache(settings)
    settings.RATE_LIMIT_FAIL_OPEN = False

    response = Client().get("/admin/login/")

    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/html")
    assert response["Retry-After"] == "1"
    assert "Try again in 1 second" in response.content.decode()


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (1, "1 second"),
        (45, "45 seconds"),
        (60, "1 minute"),
        (61, "1 minute and 1 second"),
        (808, "13 minutes and 28 seconds"),
        (3600, "60 minutes"),
    ],
)
def test_the_wait_reads_as_a_person_says_it(seconds, words):
    assert wait_in_words(seconds) == words
