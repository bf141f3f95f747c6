"""Time limits of PostgreSQL sessions, chosen by the kind of process that opens them.

``settings.py`` reads these helpers (so they import nothing from Django). A web request
must answer within the edge's 10 s request timeout, so a web process gets short limits; a
Celery worker runs longer queries on nobody's clock but the task's; a management command
(``migrate`` above all) must never be cut short. Each kind has its own variables, and
``HOTGIGS_PROCESS_KIND`` overrides the guess made from the command line.

:func:`is_unavailable` tells a limit hit (or a database out of reach) from a bug, so the
API can answer 503 with ``Retry-After`` instead of 500.
"""

import sqlite3
import time
from collections.abc import Sequence
from pathlib import PurePath
from typing import Any, Final, Literal

import psycopg

ProcessKind = Literal["web", "worker", "command"]
PROCESS_KINDS: Final[tuple[ProcessKind, ...]] = ("web", "worker", "command")

# manage.py commands that serve HTTP are web processes.
_SERVING_COMMANDS: Final = frozenset({"runserver"})


def _program(argv: Sequence[str]) -> str:
    """The program's name: ``celery`` for ``.../bin/celery`` and ``.../celery/__main__.py`` alike."""
    if not argv or not argv[0]:
        return ""
    path = PurePath(argv[0])
    return path.parent.name if path.name == "__main__.py" else path.name


def process_kind(argv: Sequence[str]) -> ProcessKind:
    """Which kind of process ``argv`` (``sys.argv``) starts.

    ``"worker"``: the ``celery`` command (worker, beat). ``"command"``: ``manage.py``,
    ``django-admin`` or ``python -m django`` with any command but ``runserver``.
    ``"web"``: everything else (uvicorn, gunicorn, daphne, runserver), so an unknown server
    gets the strict limits rather than none.
    """
    program = _program(argv)
    if program == "celery":
        return "worker"
    if program in {"manage.py", "django-admin", "django"}:
        command = argv[1] if len(argv) > 1 else ""
        return "web" if command in _SERVING_COMMANDS else "command"
    return "web"


# manage.py commands that connect as the tables' owner (DATABASE_OWNER_URL) when it is set.
_OWNER_COMMANDS: Final = frozenset({"migrate", "app_role"})


def runs_as_owner(argv: Sequence[str]) -> bool:
    """Whether ``argv`` runs a command that changes the schema (``migrate``) or the roles
    (``app_role``): those connect as the owner; everything else as the application's role."""
    return _program(argv) in {"manage.py", "django-admin", "django"} and len(argv) > 1 and argv[1] in _OWNER_COMMANDS


def session_options(*, statement_timeout: float, lock_timeout: float, existing: str = "") -> str:
    """libpq ``options`` setting ``statement_timeout`` and ``lock_timeout`` for every session.

    Timeouts are in seconds (0: no limit), sent in whole milliseconds. ``existing`` (options
    already given, e.g. ``?options=…`` in ``DATABASE_URL``) comes last: PostgreSQL applies
    ``-c`` settings in order, so a limit set there explicitly wins.
    """
    limits = {"statement_timeout": statement_timeout, "lock_timeout": lock_timeout}
    for name, seconds in limits.items():
        if seconds < 0:
            raise ValueError(f"{name} must be 0 (no limit) or a positive number of seconds, not {seconds}")
    parts = [f"-c {name}={round(seconds * 1000)}" for name, seconds in limits.items()]
    if existing.strip():
        parts.append(existing.strip())
    return " ".join(parts)


# The backends a primary with replicas may use: PostgreSQL's own, or the row-level security one
# built on it (hotgigs/tenancy/postgresql.py).
_POSTGRESQL_ENGINES: Final = frozenset({"django.db.backends.postgresql", "hotgigs.tenancy.postgresql"})


def replica_databases(urls: Sequence[dict[str, Any]], primary: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``DATABASES`` entries of the read replicas (``replica_1``, …), from their parsed URLs.

    Each replica keeps its own address and takes the primary's connection settings (pool,
    session time limits, health checks); under test it mirrors the test database. Replicas
    need PostgreSQL, primary and replicas alike.
    """
    entries: dict[str, dict[str, Any]] = {}
    for index, url_config in enumerate(urls, start=1):
        if (
            url_config.get("ENGINE") != "django.db.backends.postgresql"
            or primary.get("ENGINE") not in _POSTGRESQL_ENGINES
        ):
            raise ValueError("DATABASE_REPLICA_URLS needs PostgreSQL, for DATABASE_URL and every replica")
        config = dict(url_config)
        # A replica's sessions take the primary's backend: under row-level security it is the one
        # that hands each connection the acting identity, so a read on a replica is held alike.
        config["ENGINE"] = primary["ENGINE"]
        for name in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS"):
            if name in primary:
                config[name] = primary[name]
        options = {
            key: dict(value) if isinstance(value, dict) else value for key, value in primary.get("OPTIONS", {}).items()
        }
        options.update(url_config.get("OPTIONS", {}))
        config["OPTIONS"] = options
        config["TEST"] = {"MIRROR": "default"}
        entries[f"replica_{index}"] = config
    return entries


# SQLSTATE classes (and codes) of failures that a later retry can cure: connection exceptions,
# transaction rollbacks (serialization failure, deadlock), insufficient resources (too many
# connections), operator intervention (query canceled: statement_timeout; admin shutdown,
# cannot connect now), and lock_not_available (lock_timeout).
_TRANSIENT_CLASSES: Final = frozenset({"08", "40", "53", "57"})
_TRANSIENT_CODES: Final = frozenset({"55P03"})


def is_unavailable(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or what it wraps) means the database could not serve the request in time.

    True for psycopg's ``QueryCanceled`` (statement timeout), ``LockNotAvailable`` (lock
    timeout), ``TransactionRollback`` (deadlock, serialization), a lost or refused connection,
    psycopg_pool's ``PoolTimeout`` (no free connection; it carries no SQLSTATE), and SQLite's
    "database is locked". Django re-raises driver errors as its own ``OperationalError`` with
    the driver's error as ``__cause__``, which is followed. Anything else (a syntax error, a
    constraint, a bug) is not: it stays a 500.
    """
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, psycopg.OperationalError):
            sqlstate = exc.sqlstate
            return sqlstate is None or sqlstate[:2] in _TRANSIENT_CLASSES or sqlstate in _TRANSIENT_CODES
        if isinstance(exc, sqlite3.OperationalError):
            return "locked" in str(exc)
        exc = exc.__cause__
        seen += 1
    return False


# -- the pool's check of a connection it hands out --------------------------------------------

RELEASED_AT: Final = "_hotgigs_released_at"
"""Attribute the backend stamps on a connection (``time.monotonic()``) as it goes back to the pool."""


def pool_check(alive_bypass: float) -> Any:
    """The pool's ``check``: a round trip (an empty query) before a connection is handed out,
    unless it came back to the pool less than ``alive_bypass`` seconds ago.

    Checking every checkout cost a round trip before each request's first query (about 1 % of
    the web process's CPU per submission in bench/api, and a wait on the network). A connection that was working a moment ago almost always still is; one that
    died in that moment (PostgreSQL restarted, the connection killed) fails its request with
    503 ``Retry-After`` and the pool discards it on return, as any connection lost mid-request
    is. A connection idle for longer is checked, and replaced when dead, before its request
    sees it. The same trade as HikariCP's ``aliveBypassWindowMs`` (500 ms there too).
    """
    from psycopg_pool import ConnectionPool

    def check(connection: psycopg.Connection[Any]) -> None:
        released = getattr(connection, RELEASED_AT, None)
        if released is not None and time.monotonic() - released < alive_bypass:
            return
        ConnectionPool.check_connection(connection)

    return check
