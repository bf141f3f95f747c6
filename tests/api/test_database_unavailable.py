"""A database that cannot serve a request in time answers 503 SERVICE_UNAVAILABLE, not 500.

Real PostgreSQL errors: a statement cancelled by ``statement_timeout`` and a lock wait ended
by ``lock_timeout`` while another session holds the table. Each layer renders them: DRF's
exception handler (the API) and ``handler500`` (plain views, the admin, /health/, errors
raised by middleware). A real bug in SQL stays a 500.
"""

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.db import connection, transaction
from django.db.utils import OperationalError
from django.test import Client
from psycopg import sql
from rest_framework.test import APIClient

from hotgigs.api.views import handler500
from tests import servers
from tests.conftest import require_service

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture(autouse=True)
def _postgres() -> None:
    require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")


@pytest.fixture
def hold_lock() -> Iterator[Any]:
    """``hold_lock(table)``: another session takes ``table`` in ACCESS EXCLUSIVE mode until the test ends."""
    holder = psycopg.connect(servers.test_database_url(), autocommit=False)

    def lock(table: str) -> None:
        holder.execute(sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(sql.Identifier(table)))

    try:
        yield lock
    finally:
        holder.rollback()
        holder.close()


def short_lock_timeout() -> None:
    """This test's transaction gives up on a lock after 200 ms (the web default is 2 s)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL lock_timeout = 200")


def assert_unavailable_envelope(response: Any) -> dict[str, Any]:
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == "SERVICE_UNAVAILABLE"
    assert int(response["Retry-After"]) == body["details"]["retry_after"] >= 1
    assert "pg_sleep" not in body["message"]
    assert "Traceback" not in response.content.decode()
    return body


def test_an_api_read_of_a_locked_table_answers_503(login, recruiter, settings, hold_lock):
    settings.API_CACHE_ENABLED = False
    settings.SERVICE_UNAVAILABLE_RETRY_AFTER = 7
    client = login(recruiter)
    hold_lock("jobs_job")
    short_lock_timeout()

    response = client.get("/api/v1/jobs")

    body = assert_unavailable_envelope(response)
    assert response["Retry-After"] == "7"
    assert response["X-Request-ID"]
    assert body["details"] == {"retry_after": 7}


@pytest.mark.urls("tests.api.urls_for_errors")
@pytest.mark.parametrize(
    "path", ["/api/v1/test/slow-query", "/api/v1/test/slow-query-plain", "/health/slow-query"], ids=str
)
def test_a_statement_timeout_answers_503_in_the_envelope(path, caplog):
    response = APIClient(raise_request_exception=False).get(path)

    assert_unavailable_envelope(response)
    assert not [r for r in caplog.records if r.getMessage() == "api.unhandled_exception"]


@pytest.mark.urls("tests.api.urls_for_errors")
def test_a_statement_timeout_outside_the_api_answers_a_503_page():
    response = Client(raise_request_exception=False).get("/back-office/slow-query")

    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert int(response["Retry-After"]) >= 1
    assert b"Service unavailable" in response.content


def test_an_admin_page_on_a_locked_table_answers_a_503_page(staff, hold_lock):
    client = Client(raise_request_exception=False)
    client.force_login(staff)
    hold_lock("jobs_job")
    short_lock_timeout()

    response = client.get("/admin/jobs/job/")

    assert response.status_code == 503
    assert int(response["Retry-After"]) >= 1
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(("path", "json"), [("/api/v1/jobs", True), ("/metrics", True), ("/admin/", False)])
def test_handler500_answers_503_for_a_database_timeout(rf, path, json):
    # Django calls handler500 while the exception is being handled, as here.
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 50")
            cursor.execute("SELECT pg_sleep(2)")
    except OperationalError:
        response = handler500(rf.get(path))

    assert response.status_code == 503
    assert int(response["Retry-After"]) >= 1
    assert response["Content-Type"].startswith("application/json") is json


@pytest.mark.urls("tests.api.urls_for_errors")
def test_a_bug_in_sql_is_still_an_internal_error():
    response = APIClient(raise_request_exception=False).get("/api/v1/test/bad-query")

    assert response.status_code == 500
    assert response.json()["code"] == "INTERNAL_ERROR"
    assert "no_such_table" not in response.content.decode()
