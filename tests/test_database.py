"""hotgigs/database.py: which limits a process gets, and which database errors are a 503."""

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.db import IntegrityError, ProgrammingError, connection, transaction
from django.db.utils import OperationalError
from psycopg_pool import ConnectionPool, PoolTimeout

from hotgigs.database import is_unavailable, process_kind, session_options
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
    env = servers.process_env(os.environ.get("REDIS_URL", ""))

    run = subprocess.run(  # noqa: S603
        [sys.executable, *argv],
        input=stdin,
        cwd=servers.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

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
