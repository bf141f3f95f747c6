"""hotgigs/database.py: which limits a process gets, and which database errors are a 503."""

import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from django.db import IntegrityError, ProgrammingError, connection, transaction
from django.db.utils import OperationalError
from psycopg_pool import ConnectionPool, PoolTimeout

from hotgigs.database import RELEASED_AT, is_unavailable, pool_check, process_kind, session_options
from tests import servers
from tests.conftest import require_service


@pytest.mark.parametrize(
    ("argv", "kind"),
    [
        (["/srv/.venv/bin/uvicorn", "hotgigs.asgi:application", "--port", "8000"], "web"),
        (["/srv/.venv/lib/python3.11/site-packages/uvicorn/__main__.py", "hotgigs.asgi:application"], "web"),
        (["/srv/.venv/bin/gunicorn", "hotgigs.wsgi"], "web"),
        (["manage.py", "runserver"], "web"),
        (["/srv/.venv/bin/pytest", "tests"], "web"),
        (["-c"], "web"),
        ([], "web"),
        (["/srv/.venv/bin/celery", "-A", "hotgigs", "worker"], "worker"),
        (["/srv/.venv/lib/python3.11/site-packages/celery/__main__.py", "-A", "hotgigs", "beat"], "worker"),
        (["manage.py", "migrate", "--no-input"], "command"),
        (["/app/manage.py", "seed_demo"], "command"),
        (["manage.py"], "command"),
        (["/srv/.venv/bin/django-admin", "migrate"], "command"),
        (["/srv/.venv/lib/python3.11/site-packages/django/__main__.py", "migrate"], "command"),
    ],
)
def test_process_kind_follows_the_command_line(argv, kind):
    assert process_kind(argv) == kind


def test_session_options_are_whole_milliseconds():
    assert session_options(statement_timeout=5, lock_timeout=2) == "-c statement_timeout=5000 -c lock_timeout=2000"
    assert session_options(statement_timeout=0, lock_timeout=0.25) == "-c statement_timeout=0 -c lock_timeout=250"


def test_options_already_in_the_url_come_last_so_they_win():
    options = session_options(statement_timeout=5, lock_timeout=2, existing="-c statement_timeout=9000")

    assert options == "-c statement_timeout=5000 -c lock_timeout=2000 -c statement_timeout=9000"


def test_a_negative_timeout_is_refused():
    with pytest.raises(ValueError, match="lock_timeout"):
        session_options(statement_timeout=5, lock_timeout=-1)


@pytest.fixture
def postgres(db) -> None:  # type: ignore[no-untyped-def]
    require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")


def run_sql(*statements: str) -> None:
    """Run ``statements`` in one transaction on the default connection."""
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _python(argv: list[str], env: dict[str, str], *, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """This interpreter with ``argv`` in the project's root."""
    return subprocess.run(  # noqa: S603
        [sys.executable, *argv],
        input=stdin,
        cwd=servers.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


SHOW_LIMITS = """from django.db import connection
cursor = connection.cursor()
cursor.execute("SHOW statement_timeout")
statement = cursor.fetchone()[0]
cursor.execute("SHOW lock_timeout")
print("LIMITS", statement, cursor.fetchone()[0])
"""


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("argv", "stdin", "limits"),
    [
        pytest.param(["-c", "import django\ndjango.setup()\n" + SHOW_LIMITS], None, ("5s", "2s"), id="web"),
        pytest.param(["manage.py", "shell", "-c", SHOW_LIMITS], None, ("0", "0"), id="manage.py"),
        pytest.param(["-m", "celery", "-A", "hotgigs", "shell", "--python"], SHOW_LIMITS, ("1min", "0"), id="celery"),
    ],
)
def test_each_kind_of_process_connects_with_its_own_limits(postgres, argv, stdin, limits):
    run = _python(argv, servers.process_env(os.environ.get("REDIS_URL", "")), stdin=stdin)

    found = re.search(r"LIMITS (\S+) (\S+)", run.stdout)
    assert found, run.stdout + run.stderr
    assert found.groups() == limits


@pytest.mark.postgres
def test_a_statement_timeout_is_unavailable(postgres):
    with pytest.raises(OperationalError) as raised:
        run_sql("SET LOCAL statement_timeout = 20", "SELECT pg_sleep(1)")

    assert isinstance(raised.value.__cause__, psycopg.errors.QueryCanceled)
    assert is_unavailable(raised.value)


@pytest.mark.postgres
def test_a_pool_that_gives_up_waiting_is_unavailable(postgres):
    with ConnectionPool(servers.test_database_url(), min_size=1, max_size=1, timeout=0.1) as pool:
        held = pool.getconn()
        try:
            with pytest.raises(PoolTimeout) as raised:
                pool.getconn()
        finally:
            pool.putconn(held)

    assert is_unavailable(raised.value)


def _backend_pid(pool: ConnectionPool) -> int:
    """The server process of the connection ``pool`` hands out next (asked over it)."""
    connection_ = pool.getconn()
    try:
        row = connection_.execute("SELECT pg_backend_pid()").fetchone()
    finally:
        pool.putconn(connection_)
    assert row is not None
    return int(row[0])


def _kill(pool_connection: psycopg.Connection) -> None:  # type: ignore[type-arg]
    """Terminate ``pool_connection``'s server process from another session, as a restart would."""
    with psycopg.connect(servers.test_database_url(), autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pool_connection.info.backend_pid])


@pytest.mark.postgres
def test_the_pool_replaces_a_dead_connection_that_has_been_idle_before_handing_it_out(postgres):
    with ConnectionPool(servers.test_database_url(), min_size=1, max_size=1, check=pool_check(0.5)) as pool:
        first = pool.getconn()
        before = first.info.backend_pid
        setattr(first, RELEASED_AT, time.monotonic() - 1.0)  # back in the pool a second ago
        pool.putconn(first)
        _kill(first)

        again = _backend_pid(pool)

    assert again != before  # the check found it dead and the pool connected anew


@pytest.mark.postgres
def test_a_connection_used_a_moment_ago_is_handed_out_unchecked_and_a_dead_one_is_then_discarded(postgres):
    with ConnectionPool(servers.test_database_url(), min_size=1, max_size=1, check=pool_check(0.5)) as pool:
        first = pool.getconn()
        before = first.info.backend_pid
        setattr(first, RELEASED_AT, time.monotonic())
        pool.putconn(first)
        _kill(first)

        unchecked = pool.getconn()
        try:
            # No round trip first: the request's own statement meets the dead connection (a 503).
            with pytest.raises(psycopg.OperationalError) as raised:
                unchecked.execute("SELECT 1")
        finally:
            pool.putconn(unchecked)
        assert is_unavailable(raised.value)

        # The pool discarded it on return: the next checkout is a new, working connection.
        after = _backend_pid(pool)

    assert unchecked is first
    assert after != before


def test_the_bypass_window_zero_checks_every_checkout():
    calls = []

    class Recorder:
        autocommit = True

        def execute(self, query: str) -> None:
            calls.append(query)

    connection_ = Recorder()
    setattr(connection_, RELEASED_AT, time.monotonic())
    pool_check(0.0)(connection_)  # type: ignore[arg-type]
    pool_check(60.0)(connection_)  # type: ignore[arg-type]

    assert calls == [""]


def _take_idle(pool: ConnectionPool) -> list[psycopg.Connection]:  # type: ignore[type-arg]
    """Every connection the pool has idle (and one more if it has none)."""
    taken = [pool.getconn()]
    while pool.get_stats().get("pool_available", 0):
        taken.append(pool.getconn())
    return taken


@pytest.mark.postgres
def test_djangos_pool_checks_only_connections_idle_past_the_bypass(postgres, settings):
    from django.db import connections

    pool = connections["default"].pool
    require_service("the PostgreSQL connection pool", pool is not None)
    assert settings.DATABASE_POOL_ALIVE_BYPASS == 0.5

    # Just used, then killed: handed out as it is, and the request's statement meets the loss.
    taken = _take_idle(pool)
    for each in taken:
        pool.putconn(each)
        setattr(each, RELEASED_AT, time.monotonic())
    for each in taken:
        _kill(each)
    unchecked = pool.getconn()
    try:
        with pytest.raises(psycopg.OperationalError):
            unchecked.execute("SELECT 1")
    finally:
        pool.putconn(unchecked)

    # Idle for a minute, then killed: the check finds it dead and the pool connects anew.
    taken = _take_idle(pool)
    pids = {each.info.backend_pid for each in taken}
    for each in taken:
        pool.putconn(each)
        setattr(each, RELEASED_AT, time.monotonic() - 60)
    for each in taken:
        _kill(each)
    fresh = _backend_pid(pool)

    assert unchecked in taken or unchecked.closed
    assert fresh not in pids


@pytest.mark.postgres
def test_the_backend_stamps_a_pooled_connection_as_it_goes_back(postgres):
    from django.db import connections

    wrapper = connections["default"]
    require_service("the PostgreSQL connection pool", wrapper.pool is not None)
    held = wrapper.connection
    assert held is not None
    wrapper.close()  # outside atomic blocks the test's connection goes back to the pool here

    assert time.monotonic() - getattr(held, RELEASED_AT) < 5


@pytest.mark.postgres
@pytest.mark.parametrize("value", ["-1", "nan", "half a second"])
def test_a_bypass_window_that_is_not_a_duration_is_refused_at_start(postgres, value):
    env = {**servers.process_env(os.environ.get("REDIS_URL", "")), "DATABASE_POOL_ALIVE_BYPASS": value}

    run = _python(["-c", "import django; django.setup()"], env)

    assert run.returncode != 0
    assert f"DATABASE_POOL_ALIVE_BYPASS must be 0 or more seconds, not {value!r}." in run.stderr


def test_a_refused_connection_is_unavailable():
    with pytest.raises(psycopg.OperationalError) as raised:
        psycopg.connect("host=127.0.0.1 port=1 dbname=nothing connect_timeout=2")

    assert is_unavailable(raised.value)


@pytest.mark.postgres
def test_bugs_in_sql_are_not_unavailable(postgres):
    with pytest.raises(ProgrammingError) as syntax:
        run_sql("SELECT FROM WHERE")
    with pytest.raises(IntegrityError) as constraint:
        run_sql("CREATE TEMP TABLE t (x int NOT NULL)", "INSERT INTO t VALUES (NULL)")

    assert not is_unavailable(syntax.value)
    assert not is_unavailable(constraint.value)
    assert not is_unavailable(RuntimeError("not a database error"))
    assert not is_unavailable(None)


def test_a_locked_sqlite_database_is_unavailable_but_a_missing_table_is_not(tmp_path: Path):
    path = tmp_path / "db.sqlite3"
    writer = sqlite3.connect(path, isolation_level=None)
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        writer.execute("CREATE TABLE t (x int)")
        writer.execute("BEGIN EXCLUSIVE")
        with pytest.raises(sqlite3.OperationalError) as locked:
            other.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(sqlite3.OperationalError) as missing:
            writer.execute("SELECT * FROM no_such_table")
    finally:
        writer.close()
        other.close()

    assert is_unavailable(locked.value)
    assert not is_unavailable(missing.value)
