"""hotgigs/replicas.py without a standby: the settings, the router's rules, read-your-writes.

The suite runs with no replica; the routing against a real standby is
tests/replicas/test_streaming_replica.py.
"""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connection
from django.test import override_settings
from rest_framework.test import APIClient

from hotgigs import replicas
from hotgigs.database import replica_databases
from jobs.models import Job
from tests.factories.accounts import PASSWORD
from tests.test_settings import clean_env, python

POSTGRES = {
    "ENGINE": "django.db.backends.postgresql",
    "NAME": "hotgigs",
    "HOST": "primary.internal",
    "CONN_MAX_AGE": 0,
    "CONN_HEALTH_CHECKS": True,
    "OPTIONS": {"pool": {"min_size": 2, "max_size": 8}, "options": "-c statement_timeout=5000", "connect_timeout": 5},
}
REPLICA_URL = {"ENGINE": "django.db.backends.postgresql", "NAME": "hotgigs", "HOST": "replica.internal", "OPTIONS": {}}
# Settings under which replicas "exist" for the code that only asks whether there are any.
WITH_REPLICA = {"DATABASE_REPLICAS": ["replica_1"], "DATABASE_READ_YOUR_WRITES_SECONDS": 5.0}


def _bearer(user) -> APIClient:  # type: ignore[no-untyped-def]
    from hotgigs.accounts.tokens import token_issue

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_issue(email=user.email, password=PASSWORD).access_token}")
    return client


# -- settings ---------------------------------------------------------------------------------


def test_each_replica_url_becomes_an_alias_with_the_primarys_connection_settings():
    entries = replica_databases([REPLICA_URL, {**REPLICA_URL, "HOST": "replica-2.internal"}], POSTGRES)
    assert list(entries) == ["replica_1", "replica_2"]
    first = entries["replica_1"]
    assert first["HOST"] == "replica.internal"
    assert entries["replica_2"]["HOST"] == "replica-2.internal"
    assert first["OPTIONS"] == POSTGRES["OPTIONS"]
    assert first["OPTIONS"]["pool"] is not POSTGRES["OPTIONS"]["pool"]  # each alias its own pool
    assert (first["CONN_MAX_AGE"], first["CONN_HEALTH_CHECKS"]) == (0, True)
    assert first["TEST"] == {"MIRROR": "default"}


def test_a_replica_takes_the_primarys_backend_so_row_level_security_holds_its_reads_too():
    primary = {**POSTGRES, "ENGINE": "hotgigs.tenancy.postgresql"}
    assert replica_databases([REPLICA_URL], primary)["replica_1"]["ENGINE"] == "hotgigs.tenancy.postgresql"


def test_no_replica_url_means_no_replica():
    assert replica_databases([], POSTGRES) == {}


@pytest.mark.parametrize(
    ("replica", "primary"),
    [
        ({"ENGINE": "django.db.backends.sqlite3", "NAME": "x.sqlite3"}, POSTGRES),
        (REPLICA_URL, {"ENGINE": "django.db.backends.sqlite3", "NAME": "x.sqlite3"}),
    ],
    ids=["sqlite-replica", "sqlite-primary"],
)
def test_replicas_need_postgresql_on_both_sides(replica, primary):
    with pytest.raises(ValueError, match="needs PostgreSQL"):
        replica_databases([replica], primary)


def test_a_replica_url_on_the_embedded_database_stops_the_process(tmp_path):
    env = clean_env(tmp_path, DJANGO_DEBUG="true", DATABASE_REPLICA_URLS="postgres://postgres@127.0.0.1:5999/hotgigs")
    done = python("import django; django.setup()", env)
    assert done.returncode != 0
    assert "DATABASE_REPLICA_URLS needs PostgreSQL" in done.stderr


@pytest.mark.parametrize("variable", ["DATABASE_READ_YOUR_WRITES_SECONDS", "DATABASE_REPLICA_RETRY_SECONDS"])
def test_a_negative_window_stops_the_process(tmp_path, variable):
    done = python("import django; django.setup()", clean_env(tmp_path, DJANGO_DEBUG="true", **{variable: "-1"}))
    assert done.returncode != 0
    assert "must be 0 or more" in done.stderr


def test_the_settings_read_the_replica_urls(tmp_path):
    env = clean_env(
        tmp_path,
        DJANGO_DEBUG="true",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/hotgigs",
        DATABASE_REPLICA_URLS="postgres://postgres@10.0.0.2:5432/hotgigs, postgres://postgres@10.0.0.3:5432/hotgigs,",
    )
    code = (
        "import json; from django.conf import settings as s; print(json.dumps([s.DATABASE_REPLICAS, "
        "s.DATABASE_ROUTERS, [s.DATABASES[a]['HOST'] for a in s.DATABASE_REPLICAS], s.DATABASE_READ_YOUR_WRITES_SECONDS]))"
    )
    done = python(code, env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [
        ["replica_1", "replica_2"],
        ["hotgigs.replicas.ReplicaRouter"],
        ["10.0.0.2", "10.0.0.3"],
        5.0,
    ]


def test_without_replicas_no_router_is_installed(settings):
    assert settings.DATABASE_REPLICAS == []
    assert settings.DATABASE_ROUTERS == []
    with replicas.replica_reads() as may:
        assert may is False


# -- the router -------------------------------------------------------------------------------


def test_the_router_sends_writes_and_reads_outside_a_scope_to_the_primary():
    router = replicas.ReplicaRouter()
    assert router.db_for_write(Job) == DEFAULT_DB_ALIAS
    assert router.db_for_read(Job) == DEFAULT_DB_ALIAS
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "jobs") is True
    assert router.allow_migrate("replica_1", "jobs") is False


@pytest.mark.django_db
def test_in_a_scope_a_transaction_keeps_reads_on_the_primary():
    router = replicas.ReplicaRouter()
    with override_settings(**WITH_REPLICA), replicas.replica_reads() as may:
        assert may is True
        assert connection.in_atomic_block  # the test's own transaction
        assert router.db_for_read(Job) == DEFAULT_DB_ALIAS
        assert replicas.answered_by_replica() is False


@pytest.mark.django_db(transaction=True)
def test_with_no_replica_left_in_the_rotation_a_scope_reads_the_primary_and_counts_it():
    router = replicas.ReplicaRouter()
    before = replicas.REPLICA_FALLBACKS._value.get()
    # A replica alias the connections do not know is as unreachable as a replica can be.
    with override_settings(DATABASE_REPLICAS=[]), replicas.replica_reads():
        assert router.db_for_read(Job) == DEFAULT_DB_ALIAS
    with override_settings(**WITH_REPLICA):
        replicas._down_until["replica_1"] = float("inf")
        try:
            with replicas.replica_reads():
                assert router.db_for_read(Job) == DEFAULT_DB_ALIAS
                assert router.db_for_read(Job) == DEFAULT_DB_ALIAS  # chosen once per scope
        finally:
            replicas.forget_unavailable()
    assert replicas.REPLICA_FALLBACKS._value.get() == before + 1


@pytest.mark.django_db(transaction=True)
def test_a_write_in_a_scope_turns_the_rest_of_it_to_the_primary():
    router = replicas.ReplicaRouter()
    with override_settings(**WITH_REPLICA), replicas.replica_reads():
        scope = replicas._scope.get()
        assert scope is not None
        scope.alias = "replica_1"  # as if a replica had answered the first read
        assert router.db_for_read(Job) == "replica_1"
        assert replicas.answered_by_replica() is True
        assert router.db_for_write(Job) == DEFAULT_DB_ALIAS
        assert router.db_for_read(Job) == DEFAULT_DB_ALIAS
    assert replicas._scope.get() is None


# -- read-your-writes -------------------------------------------------------------------------


@pytest.fixture
def clean_marks():  # type: ignore[no-untyped-def]
    """The read-your-writes marks of this process's tests go with them."""
    yield
    if hasattr(cache, "delete_pattern"):
        cache.delete_pattern(f"{replicas.RECENT_WRITE_PREFIX}*")
    else:
        cache.clear()


@pytest.mark.django_db
def test_a_noted_write_keeps_that_user_on_the_primary_only(recruiter, other_recruiter, clean_marks):
    with override_settings(**WITH_REPLICA):
        replicas.note_write(recruiter.pk)
        assert replicas.wrote_recently(recruiter.pk) is True
        assert replicas.wrote_recently(other_recruiter.pk) is False
        with replicas.replica_reads(recruiter) as may:
            assert may is False
            assert replicas._scope.get() is None
        with replicas.replica_reads(other_recruiter) as may:
            assert may is True


@pytest.mark.django_db
def test_a_zero_window_turns_read_your_writes_off(recruiter, clean_marks):
    with override_settings(DATABASE_REPLICAS=["replica_1"], DATABASE_READ_YOUR_WRITES_SECONDS=0):
        replicas.note_write(recruiter.pk)
        assert replicas.wrote_recently(recruiter.pk) is False
    with override_settings(**WITH_REPLICA):
        assert replicas.wrote_recently(recruiter.pk) is False


def test_when_the_cache_cannot_tell_the_read_goes_to_the_primary():
    unreachable = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
        }
    }
    with override_settings(CACHES=unreachable, **WITH_REPLICA):
        assert replicas.wrote_recently(42) is True
        replicas.note_write(42)  # logged, not raised


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "noted"),
    [("post", True), ("get", False)],
)
def test_the_middleware_notes_a_signed_in_users_writes(recruiter, org, method, noted, clean_marks):
    client = _bearer(recruiter)
    with override_settings(**WITH_REPLICA):
        if method == "post":
            response = client.post("/api/v1/jobs/", {"title": "Noted", "description": "x"}, format="json")
            assert response.status_code == 201, response.content
        else:
            assert client.get("/api/v1/jobs/").status_code == 200
        assert replicas.wrote_recently(recruiter.pk) is noted


@pytest.mark.django_db
def test_without_replicas_the_middleware_notes_nothing(recruiter, org, clean_marks):
    response = _bearer(recruiter).post("/api/v1/jobs/", {"title": "Unnoted", "description": "x"}, format="json")
    assert response.status_code == 201
    with override_settings(**WITH_REPLICA):
        assert replicas.wrote_recently(recruiter.pk) is False


# -- which endpoints ---------------------------------------------------------------------------


def test_the_replica_ok_endpoints_are_the_lists_analytics_and_matches():
    from analytics.api.views import AnalyticsView
    from applications.api.views import ApplicationViewSet, MatchViewSet
    from candidates.api.views import CandidateViewSet
    from hotgigs.notifications.api.views import NotificationListView
    from interviews.api.views import InterviewViewSet
    from jobs.api.views import JobViewSet

    def marked(view: type, handler: str) -> bool:
        return getattr(getattr(view, handler), "replica_ok", False) is True

    assert marked(JobViewSet, "list")
    assert marked(CandidateViewSet, "list")
    assert marked(ApplicationViewSet, "list")
    assert marked(InterviewViewSet, "list")
    assert marked(AnalyticsView, "get")
    assert marked(MatchViewSet, "job_matches")
    assert marked(MatchViewSet, "candidate_matches")
    # Details, writes and notifications stay on the primary.
    assert not marked(JobViewSet, "retrieve")
    assert not marked(JobViewSet, "create")
    assert not marked(ApplicationViewSet, "retrieve")
    assert not marked(NotificationListView, "get")
    assert not marked(NotificationListView, "list")


def test_a_replica_ok_handler_runs_other_methods_outside_a_scope():
    seen: list[bool] = []

    class View:
        @replicas.replica_ok
        def handler(self, request):  # type: ignore[no-untyped-def]
            seen.append(replicas._scope.get() is not None)
            return "answered"

    class Request:
        def __init__(self, method: str) -> None:
            self.method = method
            self.user = None

    with override_settings(**WITH_REPLICA):
        assert View().handler(Request("GET")) == "answered"
        assert View().handler(Request("POST")) == "answered"
    assert seen == [True, False]
