"""Shared fixtures. In CI (CI=true) a missing service is an error, never a skip."""

import contextlib
import os
import uuid

import pytest
from django.conf import settings

from tests.factories import (
    CandidateFactory,
    JobFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
)

IN_CI = os.environ.get("CI", "").lower() == "true"
POSTGRESQL = "hotgigs.tenancy.postgresql"


def pytest_sessionstart(session: pytest.Session) -> None:
    # CI must prove the suite on the real services, so refuse to run on the embedded defaults.
    if IN_CI:
        engine = settings.DATABASES["default"]["ENGINE"]
        if engine != POSTGRESQL:
            raise pytest.UsageError(f"CI=true but the database is {engine}; set DATABASE_URL to PostgreSQL.")
        if not os.environ.get("REDIS_URL"):
            raise pytest.UsageError("CI=true but REDIS_URL is not set.")


def require_service(name: str, available: bool) -> None:
    """Skip locally when a service is not configured; fail under CI=true."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{name} is required in CI but is not configured.")
    pytest.skip(f"{name} not configured (set it to run this test)")


@pytest.fixture(scope="session", autouse=True)
def _breakers_of_this_test_process() -> None:
    """Circuit-breaker state in Redis gets a key prefix of this test process's own.

    xdist workers share one Redis: without it, a test opening ``email.smtp`` (or
    ``webhook:1``, ids repeat across the workers' databases) on one worker opens it for a
    test running on the other. Within a process, tests reset the circuits they use.
    """
    from hotgigs.resilience import breaker

    settings.CIRCUIT_BREAKER_KEY_PREFIX = f"hotgigs:cb:test:{uuid.uuid4().hex[:12]}"
    breaker._store = None
    breaker._breakers.clear()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """This process gets a management command's database time limits (none by default).

    Guessed from its command line, a test process would get a web process's (5 s per
    statement): it creates, migrates and drops databases, which take longer than that on a
    loaded machine. The servers and workers tests start get the limits of their own kind;
    tests of the limits set them on their own sessions.
    """
    from hotgigs.database import session_options

    database = settings.DATABASES["default"]
    if database["ENGINE"] == POSTGRESQL:
        statement, lock = settings.DATABASE_TIMEOUTS["command"]
        database["OPTIONS"]["options"] = session_options(statement_timeout=statement, lock_timeout=lock)
        if getattr(settings, "DATABASE_OWNER_URL", ""):
            # The owner creates and migrates the test database (django_db_setup).
            _connect_as(_credentials(settings.DATABASE_OWNER_URL))


def _connect_as(credentials: dict[str, str]) -> None:
    from django.db import connections

    connection = connections["default"]
    connection.close()
    if hasattr(connection, "close_pool"):
        connection.close_pool()
    connection.settings_dict.update(credentials)
    settings.DATABASES["default"].update(credentials)


def _credentials(url: str | None = None) -> dict[str, str]:
    """USER, PASSWORD, HOST and PORT of ``url``, or of DATABASE_URL (the application's role)."""
    import environ

    config = environ.Env.db_url_config(url) if url else environ.Env.db_url_config(os.environ["DATABASE_URL"])
    return {key: str(config.get(key) or "") for key in ("USER", "PASSWORD", "HOST", "PORT")}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The test database is created and migrated by the owner (``DATABASE_OWNER_URL``, see
    ``django_db_modify_db_settings``), as ``migrate`` is in a deployment; the tests then run as
    the application's role (``DATABASE_URL``), which the row-level security policies hold.
    The owner drops the database at the end. Without DATABASE_OWNER_URL everything runs as
    DATABASE_URL's user."""
    owner_url = getattr(settings, "DATABASE_OWNER_URL", "")
    if not owner_url:
        yield
        return
    from django.db import connection

    from hotgigs.tenancy import roles

    role = settings.DATABASE_APP_ROLE
    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            roles.create_app_role(cursor, role)
        roles.grant_app_role(connection)
        with connection.cursor() as cursor:
            # Transactional tests empty the tables between tests with TRUNCATE, which row-level
            # security does not filter: the test database's role may, a deployment's must not.
            cursor.execute(f'GRANT TRUNCATE ON ALL TABLES IN SCHEMA public TO "{role}"')
    _connect_as(_credentials())
    yield
    _connect_as(_credentials(owner_url))


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    require_service("REDIS_URL", bool(url))
    return url


@pytest.fixture(autouse=True)
def _fast_hashing(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _rate_limits(request, settings):  # type: ignore[no-untyped-def]
    """Rate limits count only in tests marked ``ratelimit``, each under its own key prefix.

    The prefix keeps tests (and xdist workers sharing one Redis) from seeing each other's
    counters without flushing a cache other workers are using.
    """
    if request.node.get_closest_marker("ratelimit") is None:
        settings.RATE_LIMIT_ENABLED = False
        return
    settings.RATE_LIMIT_ENABLED = True
    settings.RATELIMIT_CACHE_PREFIX = f"rl:test:{uuid.uuid4().hex}:"


@pytest.fixture
def org(db):  # type: ignore[no-untyped-def]
    return OrganizationFactory(name="Acme Robotics")


@pytest.fixture
def other_org(db):  # type: ignore[no-untyped-def]
    return OrganizationFactory(name="Globex")


@pytest.fixture
def recruiter(org):  # type: ignore[no-untyped-def]
    return MembershipFactory(organization=org).user


@pytest.fixture
def org_admin(org):  # type: ignore[no-untyped-def]
    return MembershipFactory(organization=org, role="org_admin").user


@pytest.fixture
def other_recruiter(other_org):  # type: ignore[no-untyped-def]
    return MembershipFactory(organization=other_org).user


@pytest.fixture
def staff(db):  # type: ignore[no-untyped-def]
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def candidate(db):  # type: ignore[no-untyped-def]
    return CandidateFactory()


@pytest.fixture
def other_candidate(db):  # type: ignore[no-untyped-def]
    return CandidateFactory()


@pytest.fixture
def open_job(org, recruiter):  # type: ignore[no-untyped-def]
    return JobFactory(organization=org, created_by=recruiter)


@pytest.fixture
def other_open_job(other_org, other_recruiter):  # type: ignore[no-untyped-def]
    return JobFactory(organization=other_org, created_by=other_recruiter)


@pytest.fixture(autouse=True)
def _celery_in_process(request, settings):  # type: ignore[no-untyped-def]
    """Tasks run inline, as in the embedded default, even when REDIS_URL names a broker.

    Unit tests prove what a task does, not that a broker delivers it; queuing to CI's Redis
    would leave messages no worker ever takes. Tests marked ``celery_worker`` use a real
    worker and broker instead. (Celery reads its ``CELERY_*`` settings from Django's on
    every lookup, so overriding the Django setting is what takes effect.)
    """
    if request.node.get_closest_marker("celery_worker") is None:
        settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def live_worker_factory(request, settings, redis_url, transactional_db):  # type: ignore[no-untyped-def]
    """Start one real Celery worker for a ``celery_worker`` test: ``live_worker_factory(**env)``.

    The worker runs on the test database and Redis with ``env`` on top (settings the worker
    reads from its environment, e.g. an SMTP port), on a queue of its own; this process's
    tasks are sent there instead of running in-process. Needs PostgreSQL (a worker cannot
    see SQLite's in-memory test database) and Redis; committed data only (transactional tests).
    """
    from django.db import connection

    from tests.servers import celery_worker, process_env

    if request.node.get_closest_marker("celery_worker") is None:
        raise pytest.UsageError("live_worker needs @pytest.mark.celery_worker on the test")
    require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")
    stack = contextlib.ExitStack()
    started = []

    def start(**env: str):  # type: ignore[no-untyped-def]
        if started:
            raise pytest.UsageError("one live worker per test")
        prefixes = {
            "CACHE_KEY_PREFIX": settings.CACHES["default"].get("KEY_PREFIX", ""),
            "CHANNEL_LAYER_PREFIX": settings.CHANNEL_LAYERS["default"].get("CONFIG", {}).get("prefix", ""),
            "CIRCUIT_BREAKER_KEY_PREFIX": settings.CIRCUIT_BREAKER_KEY_PREFIX,
        }
        worker = stack.enter_context(celery_worker(process_env(redis_url, **{**prefixes, **env})))
        settings.CELERY_TASK_ALWAYS_EAGER = False
        settings.CELERY_TASK_DEFAULT_QUEUE = worker.queue
        settings.CELERY_MATCHING_QUEUE = f"{worker.queue}-matching"
        started.append(worker)
        return worker

    # Stopped before pytest-django flushes the tables, so the worker holds no connection then.
    with stack:
        yield start


@pytest.fixture
def live_worker(live_worker_factory):  # type: ignore[no-untyped-def]
    """A real Celery worker with the default settings (see ``live_worker_factory``)."""
    return live_worker_factory()


def clear_cache() -> None:
    """Empty this test process's cache and circuit-breaker state, and only them.

    django-redis' ``cache.clear()`` flushes the whole Redis database, taking other xdist
    workers' rate-limit counters, cached identities and circuits with it; here the cache is
    emptied under this process's key prefix (tests/settings.py) and the circuits under its
    breaker prefix (``_breakers_of_this_test_process``).
    """
    from django.core.cache import cache

    from hotgigs.resilience import breaker

    if not hasattr(cache, "delete_pattern"):
        cache.clear()
        breaker._store = None
        breaker._breakers.clear()
        return
    cache.delete_pattern("*")
    from django_redis import get_redis_connection

    connection = get_redis_connection("default")
    for key in connection.scan_iter(match=f"{settings.CIRCUIT_BREAKER_KEY_PREFIX}*"):
        connection.delete(key)


@pytest.fixture(autouse=True)
def _system_identity():  # type: ignore[no-untyped-def]
    """Test bodies and factories act as the system, declared: they build and inspect every
    organization's rows. Requests, sockets and worker tasks in a test act as their own users
    (the middleware, the API's authentication, the consumer, the task's message); tests/tenancy
    proves the policies under users' identities."""
    from hotgigs import tenancy

    with tenancy.system("test setup and assertions"):
        yield
