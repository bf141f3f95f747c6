"""Idempotency-Key on the creates: a retry replays the first answer and writes nothing twice."""

import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from rest_framework.test import APIClient

from applications.models import Application
from candidates.models import Candidate
from hotgigs.accounts.models import Organization
from hotgigs.accounts.tokens import token_issue
from hotgigs.api.models import IdempotencyKey
from hotgigs.api.tasks import purge_idempotency_keys
from hotgigs.celery import app as celery_app
from interviews.models import Interview
from jobs.models import Job
from tests import servers
from tests.conftest import require_service
from tests.factories import ApplicationFactory
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db

JOBS = "/api/v1/jobs"
CANDIDATES = "/api/v1/candidates"
APPLICATIONS = "/api/v1/applications"
INTERVIEWS = "/api/v1/interviews"
JOB = {"title": "Backend Engineer", "description": "Build the matching service."}
KEY = "HTTP_IDEMPOTENCY_KEY"


@dataclass
class Case:
    """One create endpoint: who calls it, with what, and the rows it writes."""

    client: APIClient
    url: str
    body: dict[str, Any]
    rows: QuerySet[Any]


@pytest.fixture
def jobs_case(login, recruiter):
    return Case(login(recruiter), JOBS, JOB, Job.objects.filter(title=JOB["title"]))


@pytest.fixture
def candidates_case(login, recruiter):
    body = {"full_name": "Ada Sourced", "email": "ada@example.test"}
    return Case(login(recruiter), CANDIDATES, body, Candidate.objects.filter(email="ada@example.test"))


@pytest.fixture
def applications_case(login, candidate, open_job):
    rows = Application.objects.filter(job=open_job, candidate=candidate)
    return Case(login(candidate.user), APPLICATIONS, {"job_id": open_job.pk}, rows)


@pytest.fixture
def interviews_case(login, recruiter, open_job, candidate):
    application = ApplicationFactory(job=open_job, candidate=candidate, stage="screening")
    starts = (timezone.now() + timedelta(days=1)).replace(microsecond=0)
    body = {
        "application_id": application.pk,
        "kind": "video",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=1)).isoformat(),
        "interviewer_ids": [recruiter.pk],
        "meeting_url": "https://meet.example.test/xyz",
    }
    return Case(login(recruiter), INTERVIEWS, body, Interview.objects.filter(application=application))


CASES = ["jobs_case", "candidates_case", "applications_case", "interviews_case"]


# --- replay -----------------------------------------------------------------------------------


@pytest.mark.parametrize("case_name", CASES)
def test_a_retry_gets_the_first_answer_and_writes_nothing(request, case_name):
    case = request.getfixturevalue(case_name)

    first = case.client.post(case.url, case.body, format="json", **{KEY: "retry-1"})
    retry = case.client.post(case.url, case.body, format="json", **{KEY: "retry-1"})

    assert first.status_code == 201
    assert retry.status_code == 201
    assert retry.content == first.content
    assert retry["Content-Type"] == first["Content-Type"]
    assert retry["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert case.rows.count() == 1
    assert case.rows.get().pk == first.json()["id"]
    key = IdempotencyKey.objects.get()
    assert (key.key, key.status_code, bytes(key.body)) == ("retry-1", 201, first.content)


def test_key_order_and_whitespace_of_the_body_do_not_matter(jobs_case):
    first = jobs_case.client.post(JOBS, json.dumps(JOB), content_type="application/json", **{KEY: "k"})
    reordered = json.dumps(dict(reversed(list(JOB.items()))), indent=2)
    retry = jobs_case.client.post(JOBS, reordered, content_type="application/json", **{KEY: "k"})

    assert retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.content == first.content
    assert jobs_case.rows.count() == 1


def test_without_the_header_each_request_writes(jobs_case):
    first = jobs_case.client.post(JOBS, JOB, format="json")
    second = jobs_case.client.post(JOBS, JOB, format="json")

    assert (first.status_code, second.status_code) == (201, 201)
    assert jobs_case.rows.count() == 2
    assert not IdempotencyKey.objects.exists()


def test_the_same_key_with_another_body_is_a_conflict_and_writes_nothing(jobs_case):
    first = jobs_case.client.post(JOBS, JOB, format="json", **{KEY: "k"})
    other = jobs_case.client.post(JOBS, {**JOB, "title": "Frontend Engineer"}, format="json", **{KEY: "k"})

    assert first.status_code == 201
    assert other.status_code == 409
    assert other.json()["code"] == "CONFLICT"
    assert set(other.json()["details"]) == {"Idempotency-Key"}
    assert list(Job.objects.values_list("title", flat=True)) == ["Backend Engineer"]
    key = IdempotencyKey.objects.get()
    assert (key.status_code, bytes(key.body)) == (201, first.content)


@pytest.mark.parametrize(
    "key",
    ["", "   ", "x" * 256, "bad\x01key", "tab\tinside", "caf\u00e9"],
    ids=["empty", "blank", "256-chars", "control", "tab", "non-ascii"],
)
def test_an_invalid_key_is_refused_and_nothing_is_written(jobs_case, key):
    response = jobs_case.client.post(JOBS, JOB, format="json", **{KEY: key})

    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert set(response.json()["details"]) == {"Idempotency-Key"}
    assert not Job.objects.exists()
    assert not IdempotencyKey.objects.exists()


def test_a_key_of_255_printable_characters_is_taken(jobs_case):
    key = ("A-z0~ !" * 40)[:254] + "#"

    response = jobs_case.client.post(JOBS, JOB, format="json", **{KEY: key})

    assert response.status_code == 201
    assert IdempotencyKey.objects.get().key == key


# --- scope: per user, per endpoint --------------------------------------------------------------


def test_another_user_with_the_same_key_is_independent(login, recruiter, other_recruiter):
    mine = login(recruiter).post(JOBS, JOB, format="json", **{KEY: "shared"})
    theirs = login(other_recruiter).post(JOBS, {**JOB, "title": "Other"}, format="json", **{KEY: "shared"})

    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert not theirs.has_header("Idempotent-Replayed")
    assert sorted(Job.objects.values_list("title", flat=True)) == ["Backend Engineer", "Other"]
    assert set(IdempotencyKey.objects.values_list("user_id", "key")) == {
        (recruiter.pk, "shared"),
        (other_recruiter.pk, "shared"),
    }


def test_the_same_key_on_another_endpoint_is_independent(jobs_case, candidates_case):
    job = jobs_case.client.post(JOBS, JOB, format="json", **{KEY: "shared"})
    candidate = candidates_case.client.post(CANDIDATES, candidates_case.body, format="json", **{KEY: "shared"})

    assert (job.status_code, candidate.status_code) == (201, 201)
    assert jobs_case.rows.count() == 1
    assert candidates_case.rows.count() == 1
    assert set(IdempotencyKey.objects.values_list("endpoint", flat=True)) == {"POST job-list", "POST candidate-list"}


def test_a_candidate_applying_twice_with_two_keys_gets_the_duplicate_error(applications_case):
    client, body = applications_case.client, applications_case.body
    first = client.post(APPLICATIONS, body, format="json", **{KEY: "first"})
    second = client.post(APPLICATIONS, body, format="json", **{KEY: "second"})
    second_retried = client.post(APPLICATIONS, body, format="json", **{KEY: "second"})

    assert first.status_code == 201
    assert second.status_code == 409
    assert second.json()["code"] == "CONFLICT"
    assert not second.has_header("Idempotent-Replayed")
    # The 4xx answer is kept and replayed too.
    assert second_retried.status_code == 409
    assert second_retried.content == second.content
    assert second_retried["Idempotent-Replayed"] == "true"
    assert applications_case.rows.count() == 1
    assert dict(IdempotencyKey.objects.values_list("key", "status_code")) == {"first": 201, "second": 409}


@pytest.mark.urls("tests.api.urls_for_idempotency")
def test_a_server_error_keeps_no_key_and_no_write_so_the_retry_runs(login, recruiter, settings):
    url = "/api/v1/test/create-then-fail"
    client = login(recruiter)
    client.raise_request_exception = False
    settings.TEST_CREATE_FAILS = True

    failed = client.post(url, {"name": "Flaky Ltd"}, format="json", **{KEY: "k"})

    assert failed.status_code == 500
    assert failed.json()["code"] == "INTERNAL_ERROR"
    assert not Organization.objects.filter(name="Flaky Ltd").exists()
    assert not IdempotencyKey.objects.exists()

    settings.TEST_CREATE_FAILS = False
    retried = client.post(url, {"name": "Flaky Ltd"}, format="json", **{KEY: "k"})

    assert retried.status_code == 201
    assert not retried.has_header("Idempotent-Replayed")
    assert Organization.objects.filter(name="Flaky Ltd").count() == 1
    assert IdempotencyKey.objects.get().status_code == 201


# --- expiry -----------------------------------------------------------------------------------


def test_a_key_is_kept_for_the_ttl_and_runs_again_once_expired(jobs_case, settings):
    first = jobs_case.client.post(JOBS, JOB, format="json", **{KEY: "k"})
    key = IdempotencyKey.objects.get()
    assert timedelta(hours=24) == settings.IDEMPOTENCY_KEY_TTL
    assert key.expires_at - key.created_at == timedelta(hours=24)

    # 24 hours later (the purge has not run yet):
    IdempotencyKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    again = jobs_case.client.post(JOBS, JOB, format="json", **{KEY: "k"})

    assert again.status_code == 201
    assert not again.has_header("Idempotent-Replayed")
    assert again.json()["id"] != first.json()["id"]
    assert jobs_case.rows.count() == 2
    renewed = IdempotencyKey.objects.get()
    assert renewed.expires_at > timezone.now() + timedelta(hours=23)
    assert bytes(renewed.body) == again.content


def test_the_ttl_is_a_setting(jobs_case, settings):
    settings.IDEMPOTENCY_KEY_TTL = timedelta(minutes=5)

    jobs_case.client.post(JOBS, JOB, format="json", **{KEY: "k"})

    key = IdempotencyKey.objects.get()
    assert key.expires_at - key.created_at == timedelta(minutes=5)


def test_the_beat_task_purges_expired_keys_only(jobs_case):
    jobs_case.client.post(JOBS, JOB, format="json", **{KEY: "old"})
    jobs_case.client.post(JOBS, {**JOB, "title": "Second"}, format="json", **{KEY: "live"})
    IdempotencyKey.objects.filter(key="old").update(expires_at=timezone.now() - timedelta(seconds=1))

    purged = purge_idempotency_keys()

    assert purged == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["live"]
    assert Job.objects.count() == 2  # the writes stay; only the keys go
    schedule = celery_app.conf.beat_schedule["api.purge_idempotency_keys"]
    assert schedule["task"] == purge_idempotency_keys.name


# --- schema -----------------------------------------------------------------------------------


def test_the_schema_documents_the_header_on_the_creates(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    for path in ("/api/v1/jobs/", "/api/v1/candidates/", "/api/v1/applications/", "/api/v1/interviews/"):
        params = {p["name"]: p for p in schema["paths"][path]["post"].get("parameters", [])}
        header = params["Idempotency-Key"]
        assert header["in"] == "header"
        assert header.get("required", False) is False
        assert header["schema"]["maxLength"] == 255
        assert header["schema"]["minLength"] == 1
    assert "Idempotency-Key" not in {p["name"] for p in schema["paths"]["/api/v1/jobs/"]["get"].get("parameters", [])}


# --- concurrency: real servers, one key, two requests at once ---------------------------------------


def _post(base: str, token: str, key: str, body: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    """POST a job to a live server; (status, headers with lower-case names, body)."""
    request = urllib.request.Request(  # noqa: S310 - loopback only
        f"{base}{JOBS}",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Idempotency-Key": key},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


class Call(threading.Thread):
    """One POST in a thread of its own; ``result`` once it is done."""

    def __init__(self, base: str, token: str, key: str, body: dict[str, Any]) -> None:
        super().__init__(daemon=True)
        self.args_ = (base, token, key, body)
        self.result: tuple[int, dict[str, str], bytes] | None = None
        self.seconds = 0.0

    def run(self) -> None:
        started = time.monotonic()
        self.result = _post(*self.args_)
        self.seconds = time.monotonic() - started


def _wait_for_lock_waiters(count: int) -> None:
    """Until ``count`` sessions of the test database wait for a lock (bounded, not a timing check)."""
    deadline = time.monotonic() + 30
    with psycopg.connect(servers.test_database_url(), autocommit=True) as watcher:
        while time.monotonic() < deadline:
            waiting = watcher.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            ).fetchone()
            if waiting and waiting[0] >= count:
                return
            time.sleep(0.02)
    raise AssertionError(f"{count} requests never waited for the lock")


@pytest.fixture
def jobs_table_locked():
    """Hold a lock that stops every insert into the jobs table until ``release()``.

    A request that got as far as writing its job waits there, inside its transaction, as a
    slow request would.
    """
    holder = psycopg.connect(servers.test_database_url())
    holder.execute("LOCK TABLE jobs_job IN SHARE MODE")
    try:
        yield holder.commit
    finally:
        holder.close()


def _live_recruiter_token(recruiter) -> str:  # type: ignore[no-untyped-def]
    return token_issue(email=recruiter.email, password=PASSWORD, scope=None).access_token


@pytest.mark.django_db(transaction=True)
def test_two_requests_at_once_with_one_key_write_once(recruiter, redis_url, jobs_table_locked):
    require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")
    token = _live_recruiter_token(recruiter)
    env = servers.process_env(redis_url, IDEMPOTENCY_KEY_WAIT_SECONDS="30")
    # Two processes: one ASGI process runs its sync views one at a time.
    with servers.uvicorn_servers(env, count=2) as (one, two):
        first = Call(one, token, "same-key", JOB)
        first.start()
        _wait_for_lock_waiters(1)  # the first request is inside its transaction, writing
        second = Call(two, token, "same-key", JOB)
        second.start()
        _wait_for_lock_waiters(2)  # the second waits too (for the key, or for the table)
        jobs_table_locked()
        first.join(30)
        second.join(30)

    assert first.result is not None
    assert second.result is not None
    assert (first.result[0], second.result[0]) == (201, 201)
    assert second.result[2] == first.result[2]
    assert second.result[1].get("idempotent-replayed") == "true"
    assert Job.objects.filter(title=JOB["title"]).count() == 1
    assert IdempotencyKey.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_retry_while_the_first_still_runs_is_a_conflict_then_replays(recruiter, redis_url, jobs_table_locked):
    require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")
    token = _live_recruiter_token(recruiter)
    env = servers.process_env(redis_url, IDEMPOTENCY_KEY_WAIT_SECONDS="0.5")
    with servers.uvicorn_servers(env, count=2) as (one, two):
        first = Call(one, token, "slow-key", JOB)
        first.start()
        _wait_for_lock_waiters(1)
        early = Call(two, token, "slow-key", JOB)
        early.start()
        early.join(15)  # the first is still held: the retry must not wait for it
        early_done_while_first_ran = early.result is not None and first.is_alive()
        jobs_table_locked()
        first.join(30)
        later = _post(two, token, "slow-key", JOB)

    assert early_done_while_first_ran
    assert early.result is not None
    status, headers, body = early.result
    assert status == 409
    assert json.loads(body)["code"] == "CONFLICT"
    assert headers.get("retry-after") == "1"
    assert early.seconds < 5  # waited about IDEMPOTENCY_KEY_WAIT_SECONDS, not for the first request
    assert first.result is not None
    assert first.result[0] == 201
    assert later[0] == 201
    assert later[2] == first.result[2]
    assert later[1].get("idempotent-replayed") == "true"
    assert Job.objects.filter(title=JOB["title"]).count() == 1
