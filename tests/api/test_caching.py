"""Cached reads of jobs and analytics: hits, invalidation on writes, audiences, ETags.

The cache is neither read nor written inside a transaction, so these tests commit for real
(``transaction=True``); writes go through the API, whose services bump the generations on
commit. Most tests use a local-memory cache, emptied around each test; one runs on Redis.
"""

import os
import subprocess
import sys
import time
import uuid
from typing import Any

import pytest
import redis
import time_machine
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from applications.services import application_move
from hotgigs import cache as generation_cache
from hotgigs import redis_clients
from hotgigs.accounts.models import Membership
from hotgigs.api import caching
from hotgigs.linger import Linger
from jobs.models import Job
from tests.factories import ApplicationFactory, JobFactory
from tests.factories.jobs import JobSkillFactory
from tests.servers import redis_server

pytestmark = pytest.mark.django_db(transaction=True)

JOBS = "/api/v1/jobs"
ANALYTICS = "/api/v1/analytics"
LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "test-caching"}}


@pytest.fixture(autouse=True)
def _local_cache(settings):  # type: ignore[no-untyped-def]
    settings.CACHES = LOCMEM
    settings.API_CACHE_ENABLED = True
    cache.clear()
    caching.local_entries.clear()
    yield
    cache.clear()
    caching.local_entries.clear()


def detail(job: Job) -> str:
    return f"{JOBS}/{job.pk}"


def ids(response) -> list[int]:  # type: ignore[no-untyped-def]
    return sorted(row["id"] for row in response.json()["results"])


def titles(response) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(row["title"] for row in response.json()["results"])


@pytest.fixture
def draft_job(org, recruiter):  # type: ignore[no-untyped-def]
    return JobFactory.create(organization=org, created_by=recruiter, status="draft", opened_at=None)


@pytest.fixture
def client_for(request, login):  # type: ignore[no-untyped-def]
    """``client_for("recruiter")`` → a client logged in as that fixture's user."""

    def _client(who: str) -> Any:
        user = request.getfixturevalue(who)
        return login(getattr(user, "user", user))

    return _client


# --- hits ----------------------------------------------------------------------------------


def test_second_identical_get_is_a_hit_with_fewer_queries(login, recruiter, org, django_assert_max_num_queries):
    for job in JobFactory.create_batch(5, organization=org):
        JobSkillFactory.create(job=job, name="Python")
    client = login(recruiter)

    with CaptureQueriesContext(connection) as miss:
        first = client.get(f"{JOBS}?page_size=3")
    # A hit still authenticates (user, token family) and looks up the memberships.
    with django_assert_max_num_queries(3) as hit:
        second = client.get(f"{JOBS}?page_size=3")

    assert first["X-Cache"] == "miss"
    assert second["X-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"] == "application/json"
    assert len(hit.captured_queries) < len(miss.captured_queries)


def test_the_query_string_is_normalised_but_values_keep_their_order(login, recruiter, open_job):
    client = login(recruiter)
    client.get(f"{JOBS}?status=open&page_size=5")

    assert client.get(f"{JOBS}?page_size=5&status=open")["X-Cache"] == "hit"
    assert client.get(f"{JOBS}?page_size=5&status=open&page_size=6")["X-Cache"] == "miss"
    assert client.get(f"{JOBS}?page_size=6&status=open&page_size=5")["X-Cache"] == "miss"


def test_each_page_of_the_cursor_is_its_own_entry(login, recruiter, org):
    JobFactory.create_batch(3, organization=org)
    client = login(recruiter)
    first = client.get(f"{JOBS}?page_size=2").json()

    following = client.get(first["next"])

    assert following["X-Cache"] == "miss"
    assert len(following.json()["results"]) == 1
    assert client.get(first["next"])["X-Cache"] == "hit"


def test_detail_is_cached_too(login, recruiter, open_job):
    client = login(recruiter)

    assert client.get(detail(open_job))["X-Cache"] == "miss"
    assert client.get(detail(open_job))["X-Cache"] == "hit"


class RecordingCache:
    """The real cache, noting the timeout of every ``set``."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.timeouts: list[Any] = []

    def set(self, key: str, value: Any, timeout: Any = None) -> None:
        self.timeouts.append(timeout)
        self.real.set(key, value, timeout)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def test_entries_live_the_seeds_fifteen_minutes(login, recruiter, open_job, monkeypatch, settings):
    recording = RecordingCache(cache)
    monkeypatch.setattr(caching, "cache", recording)

    login(recruiter).get(JOBS)
    settings.API_CACHE_TTL = 60
    login(recruiter).get(f"{JOBS}?page_size=1")

    assert recording.timeouts == [900, 60]


def test_caching_switched_off_computes_every_read(login, recruiter, open_job, settings):
    settings.API_CACHE_ENABLED = False
    settings.AUTH_CACHE_SECONDS = 0  # compare the response cache alone
    client = login(recruiter)

    with CaptureQueriesContext(connection) as first_queries:
        first = client.get(JOBS)
    with CaptureQueriesContext(connection) as second_queries:
        second = client.get(JOBS)

    assert first["X-Cache"] == second["X-Cache"] == "bypass"
    assert len(second_queries.captured_queries) == len(first_queries.captured_queries)
    assert second["ETag"] == first["ETag"]


def test_nothing_is_cached_inside_a_transaction(login, recruiter, open_job):
    client = login(recruiter)

    with transaction.atomic():
        inside = [client.get(JOBS)["X-Cache"] for _ in range(2)]

    assert inside == ["bypass", "bypass"]
    assert client.get(JOBS)["X-Cache"] == "miss"


def test_a_hidden_job_is_not_found_and_never_cached(login, candidate, draft_job, recruiter):
    board = login(candidate.user)
    assert login(recruiter).get(detail(draft_job)).status_code == 200

    first, second = board.get(detail(draft_job)), board.get(detail(draft_job))

    assert first.status_code == second.status_code == 404
    assert "X-Cache" not in second
    assert "ETag" not in second


# --- the process's copies --------------------------------------------------------------------


def shared_entries() -> list[str]:
    """The keys of the response cache's shared entries, as the cache is asked for them."""
    stored = cache._cache  # type: ignore[attr-defined]  # LocMem's own dict: ":<version>:<key>"
    return [key.split(":", 2)[2] for key in stored if caching.ENTRY_PREFIX in key]


def test_a_hit_this_process_holds_needs_no_shared_entry_until_a_write(login, recruiter, open_job):
    client = login(recruiter)
    first = client.get(JOBS)
    assert first["X-Cache"] == "miss"
    assert len(shared_entries()) == 1
    cache.delete_many(shared_entries())

    held = client.get(JOBS)

    assert held["X-Cache"] == "hit"
    assert held.content == first.content
    assert shared_entries() == [], "the hit did not store anything again"
    edit = client.patch(detail(open_job), {"title": "Staff Engineer"}, format="json")
    assert edit.status_code == 200
    after = client.get(JOBS)
    assert after["X-Cache"] == "miss"
    assert titles(after) == ["Staff Engineer"]


def test_a_copy_from_the_shared_entry_is_kept_on_a_hit(login, recruiter, open_job):
    client = login(recruiter)
    first = client.get(JOBS)
    caching.local_entries.clear()  # as in another process: only the shared entry exists

    assert client.get(JOBS)["X-Cache"] == "hit"
    cache.delete_many(shared_entries())
    again = client.get(JOBS)

    assert again["X-Cache"] == "hit"
    assert again.content == first.content


def test_without_copies_every_hit_reads_the_shared_entry(login, recruiter, open_job, settings):
    settings.API_CACHE_LOCAL_BYTES = 0
    client = login(recruiter)
    client.get(JOBS)
    assert client.get(JOBS)["X-Cache"] == "hit"

    cache.delete_many(shared_entries())

    assert len(caching.local_entries) == 0
    assert client.get(JOBS)["X-Cache"] == "miss"


def test_a_copy_expires_with_its_shared_entry(login, recruiter, open_job, settings):
    settings.API_CACHE_TTL = 60
    client = login(recruiter)
    with time_machine.travel(time.time(), tick=False) as clock:
        assert client.get(JOBS)["X-Cache"] == "miss"
        clock.shift(59)
        assert client.get(JOBS)["X-Cache"] == "hit"
        clock.shift(2)
        assert client.get(JOBS)["X-Cache"] == "miss"


def entry(body: bytes, expires: float | None = None) -> tuple[Any, ...]:
    return (body, "application/json", '"tag"', ["g=1"], time.time() + 60 if expires is None else expires)


def test_copies_stay_under_their_byte_limit_least_recently_used_out_first():
    copies = caching.LocalEntries()
    copies.put("a", entry(b"x" * 40), limit=100)
    copies.put("b", entry(b"y" * 40), limit=100)
    assert copies.get("a") is not None  # "a" is now the most recently used

    copies.put("c", entry(b"z" * 40), limit=100)

    assert copies.get("b") is None
    assert copies.get("a") is not None
    assert copies.get("c") is not None
    copies.put("huge", entry(b"h" * 101), limit=100)
    assert copies.get("huge") is None, "a body over the whole limit is never kept"
    assert len(copies) == 2


@pytest.mark.parametrize("value", ["-1", "1.5", "16MB", ""])
def test_a_byte_limit_that_is_not_a_whole_number_stops_the_process_at_settings_load(value):
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="hotgigs.settings", API_CACHE_LOCAL_BYTES=value)
    code = "from django.conf import settings; print(settings.API_CACHE_LOCAL_BYTES)"

    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)  # noqa: S603

    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr
    assert "API_CACHE_LOCAL_BYTES" in done.stderr


def test_a_byte_limit_of_zero_or_more_is_taken():
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="hotgigs.settings", API_CACHE_LOCAL_BYTES=" 0 ")
    code = "from django.conf import settings; print(settings.API_CACHE_LOCAL_BYTES)"

    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)  # noqa: S603

    assert done.stdout.strip() == "0"


def test_an_expired_copy_is_dropped():
    copies = caching.LocalEntries()
    copies.put("old", entry(b"x", expires=time.time() - 1), limit=100)

    assert copies.get("old") is None
    assert len(copies) == 0


def test_an_entry_in_the_old_shape_is_never_served(login, recruiter, open_job):
    client = login(recruiter)
    client.get(JOBS)
    (key,) = shared_entries()
    cache.set(key, cache.get(key)[:4])  # v2's shape: no expiry
    caching.local_entries.clear()

    assert client.get(JOBS)["X-Cache"] == "miss"


# --- invalidation ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["recruiter", "candidate", "staff"])
def test_an_edit_shows_on_the_next_read(client_for, who, recruiter, open_job):
    reader = client_for(who)
    assert reader.get(JOBS)["X-Cache"] == "miss"
    assert reader.get(detail(open_job))["X-Cache"] == "miss"

    edit = client_for("recruiter").patch(detail(open_job), {"title": "Staff Engineer"}, format="json")

    assert edit.status_code == 200
    listed, shown = reader.get(JOBS), reader.get(detail(open_job))
    assert [row["title"] for row in listed.json()["results"] if row["id"] == open_job.pk] == ["Staff Engineer"]
    assert shown.json()["title"] == "Staff Engineer"
    assert listed["X-Cache"] == shown["X-Cache"] == "miss"


def test_closing_a_job_takes_it_off_the_board(login, candidate, recruiter, open_job):
    board = login(candidate.user)
    assert ids(board.get(JOBS)) == [open_job.pk]

    assert login(recruiter).post(f"{detail(open_job)}/close").status_code == 200

    assert ids(board.get(JOBS)) == []
    assert board.get(detail(open_job)).status_code == 404


def test_publishing_a_draft_puts_it_on_the_board(login, candidate, recruiter, draft_job):
    board = login(candidate.user)
    assert ids(board.get(JOBS)) == []

    assert login(recruiter).post(f"{detail(draft_job)}/open").status_code == 200

    assert ids(board.get(JOBS)) == [draft_job.pk]


def test_a_draft_edit_does_not_touch_the_board(login, candidate, recruiter, open_job, draft_job):
    board = login(candidate.user)
    board.get(JOBS)

    login(recruiter).patch(detail(draft_job), {"title": "Still a draft"}, format="json")

    assert board.get(JOBS)["X-Cache"] == "hit"


def test_organizations_never_share_entries(login, recruiter, other_recruiter, open_job, other_open_job, other_org):
    mine, theirs = login(recruiter), login(other_recruiter)
    mine_first = mine.get(JOBS)

    theirs_first = theirs.get(JOBS)
    created = theirs.post(
        JOBS, {"title": "Globex only", "description": "A new job.", "organization": other_org.pk}, format="json"
    )

    assert theirs_first["X-Cache"] == "miss"
    assert theirs_first.content != mine_first.content
    assert ids(mine_first) == [open_job.pk]
    assert ids(theirs_first) == [other_open_job.pk]
    assert created.status_code == 201
    mine_again, theirs_again = mine.get(JOBS), theirs.get(JOBS)
    assert mine_again["X-Cache"] == "hit"
    assert ids(mine_again) == [open_job.pk]
    assert theirs_again["X-Cache"] == "miss"
    assert ids(theirs_again) == sorted([other_open_job.pk, created.json()["id"]])


def test_recruiters_of_the_same_organization_share_entries(login, recruiter, org_admin, open_job, draft_job):
    first = login(recruiter).get(JOBS)

    second = login(org_admin).get(JOBS)

    assert second["X-Cache"] == "hit"
    assert second.content == first.content


def test_candidate_and_recruiter_never_share_entries(login, candidate, recruiter, open_job, draft_job):
    login(recruiter).get(JOBS)
    login(recruiter).get(detail(draft_job))

    listed = login(candidate.user).get(JOBS)

    assert listed["X-Cache"] == "miss"
    assert ids(listed) == [open_job.pk]
    assert login(candidate.user).get(detail(draft_job)).status_code == 404


def test_leaving_the_organization_loses_its_entries_at_once(login, recruiter, org, open_job, draft_job):
    client = login(recruiter)
    assert ids(client.get(JOBS)) == sorted([open_job.pk, draft_job.pk])

    Membership.objects.filter(user=recruiter, organization=org).delete()

    assert ids(client.get(JOBS)) == [open_job.pk]  # now the board, as for any candidate


def test_the_default_ttl_is_fifteen_minutes(settings):
    assert settings.API_CACHE_TTL == caching.cache_ttl() == 900


def test_a_write_bumps_on_commit_and_a_rolled_back_one_not_at_all(org):
    key = f"{generation_cache.GENERATION_PREFIX}jobs:org:{org.pk}"
    cache.set(key, 7, timeout=None)

    def failed_write() -> None:
        with transaction.atomic():
            caching.invalidate_on_commit(organization_id=org.pk, jobs=True)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        failed_write()
    assert cache.get(key) == 7
    with transaction.atomic():
        caching.invalidate_on_commit(organization_id=org.pk, jobs=True)
        assert cache.get(key) == 7
    assert cache.get(key) == 8


def test_analytics_change_after_an_application_move(login, recruiter, open_job):
    application = ApplicationFactory(job=open_job, stage="applied")
    client = login(recruiter)
    before = client.get(ANALYTICS)
    assert client.get(ANALYTICS)["X-Cache"] == "hit"

    moved = client.post(f"/api/v1/applications/{application.pk}/move", {"stage": "screening"}, format="json")

    after = client.get(ANALYTICS)
    assert moved.status_code == 200
    assert before.json()["applications_by_stage"]["applied"] == 1
    assert after["X-Cache"] == "miss"
    assert after.json()["applications_by_stage"]["applied"] == 0
    assert after.json()["applications_by_stage"]["screening"] == 1


def test_analytics_of_one_organization_are_not_shared_or_touched_by_another(
    login, recruiter, other_recruiter, staff, open_job, other_open_job
):
    application = ApplicationFactory(job=other_open_job, stage="applied")
    mine, theirs, everyone = login(recruiter), login(other_recruiter), login(staff)
    mine.get(ANALYTICS)
    everyone.get(ANALYTICS)
    assert theirs.get(ANALYTICS)["X-Cache"] == "miss"

    application_move(actor=other_recruiter, application=application, to_stage="screening")

    assert mine.get(ANALYTICS)["X-Cache"] == "hit"
    assert theirs.get(ANALYTICS)["X-Cache"] == "miss"
    assert everyone.get(ANALYTICS)["X-Cache"] == "miss"


# --- Lingering analytics generations ---------------------------------------------------------


def _raw(name: str) -> Any:
    """A generation as another process reads it: straight from the cache, nothing moved first."""
    return cache.get(generation_cache.GENERATION_PREFIX + name)


@pytest.fixture(autouse=True)
def _own_linger(monkeypatch):  # type: ignore[no-untyped-def]
    """Each test its own lingering generations (a thread asleep for another test's linger
    would not wake for this one's)."""
    linger = Linger("test-generations", generation_cache._bump_lingering)
    monkeypatch.setattr(generation_cache, "_lingering", linger)
    yield
    linger.pending.clear()  # (not moved at exit, into a cache of another test)


@pytest.fixture
def lingering(settings):  # type: ignore[no-untyped-def]
    """Analytics generations held for a minute: nothing but a read or a flush moves them."""
    settings.ANALYTICS_INVALIDATION_LINGER_MS = 60_000


def test_analytics_generations_linger_and_the_jobs_ones_move_at_once(lingering):
    names = ["jobs:org:7", "jobs:all", "analytics:org:7", "analytics:all"]
    generation_cache.generations(names)
    before = {name: _raw(name) for name in names}

    generation_cache.invalidate(organization_id=7, jobs=True, analytics=True)

    assert _raw("jobs:org:7") == before["jobs:org:7"] + 1
    assert _raw("jobs:all") == before["jobs:all"] + 1
    assert _raw("analytics:org:7") == before["analytics:org:7"]
    assert _raw("analytics:all") == before["analytics:all"]
    # A read in this process moves what it asks for first, and only that.
    [seen] = generation_cache.generations(["analytics:org:7"])
    assert seen.endswith(f"={before['analytics:org:7'] + 1}")
    assert _raw("analytics:all") == before["analytics:all"]
    assert generation_cache._lingering.flush() == 1
    assert _raw("analytics:all") == before["analytics:all"] + 1


def test_the_lingering_thread_moves_them_within_the_linger(settings):
    settings.ANALYTICS_INVALIDATION_LINGER_MS = 50
    generation_cache.generations(["analytics:org:8"])
    before = _raw("analytics:org:8")

    generation_cache.invalidate(organization_id=8, analytics=True)
    held = _raw("analytics:org:8")
    deadline = time.monotonic() + 5
    while _raw("analytics:org:8") == before and time.monotonic() < deadline:
        time.sleep(0.01)

    assert held == before
    assert _raw("analytics:org:8") == before + 1
    assert generation_cache._lingering.pending == {}


def test_without_a_linger_analytics_generations_move_at_commit(settings):
    settings.ANALYTICS_INVALIDATION_LINGER_MS = 0
    generation_cache.generations(["analytics:org:9"])
    before = _raw("analytics:org:9")

    generation_cache.invalidate(organization_id=9, analytics=True)

    assert _raw("analytics:org:9") == before + 1
    assert generation_cache._lingering.pending == {}


def test_a_move_shows_in_the_movers_analytics_at_once_while_it_lingers(lingering, login, recruiter, open_job):
    application = ApplicationFactory(job=open_job, stage="applied")
    client = login(recruiter)
    client.get(ANALYTICS)
    assert client.get(ANALYTICS)["X-Cache"] == "hit"

    client.post(f"/api/v1/applications/{application.pk}/move", {"stage": "screening"}, format="json")
    after = client.get(ANALYTICS)

    assert after["X-Cache"] == "miss"
    assert after.json()["applications_by_stage"]["screening"] == 1


@pytest.mark.parametrize(("kind", "linger"), [("web", "100.0"), ("worker", "0.0"), ("command", "0.0")])
def test_only_web_processes_linger_analytics_by_default(kind, linger):
    env = {key: value for key, value in os.environ.items() if key != "ANALYTICS_INVALIDATION_LINGER_MS"}
    done = subprocess.run(  # noqa: S603 - our own arguments
        [sys.executable, "-c", "from django.conf import settings; print(settings.ANALYTICS_INVALIDATION_LINGER_MS)"],
        env={**env, "HOTGIGS_PROCESS_KIND": kind, "DJANGO_SETTINGS_MODULE": "hotgigs.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == linger


@pytest.mark.parametrize("value", ["-1", "10001", "nan", "inf", "soon"])
def test_a_linger_out_of_range_stops_the_process_at_settings_load(value):
    done = subprocess.run(  # noqa: S603 - our own arguments
        [sys.executable, "-c", "from django.conf import settings; settings.ANALYTICS_INVALIDATION_LINGER_MS"],
        env={**os.environ, "ANALYTICS_INVALIDATION_LINGER_MS": value, "DJANGO_SETTINGS_MODULE": "hotgigs.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "ANALYTICS_INVALIDATION_LINGER_MS must be 0 to 10000 milliseconds" in done.stderr


# --- ETag and If-None-Match ----------------------------------------------------------------


def test_cached_reads_carry_a_strong_etag_and_private_revalidation(login, recruiter, open_job):
    response = login(recruiter).get(JOBS)

    assert response["ETag"].startswith('"')
    assert len(response["ETag"]) == 66
    assert response["Cache-Control"] == "private, max-age=0, must-revalidate"
    assert "Authorization" in response["Vary"]


@pytest.mark.parametrize(
    "header",
    ["{etag}", "W/{etag}", '"other", {etag}', "*"],
    ids=["same", "weak", "list", "star"],
)
@pytest.mark.parametrize("path", [JOBS, "detail", ANALYTICS])
def test_if_none_match_answers_304_without_a_body(login, recruiter, open_job, header, path):
    client = login(recruiter)
    url = detail(open_job) if path == "detail" else path
    etag = client.get(url)["ETag"]

    response = client.get(url, HTTP_IF_NONE_MATCH=header.format(etag=etag))

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert response["Cache-Control"] == "private, max-age=0, must-revalidate"


def test_a_different_etag_gets_the_full_body(login, recruiter, open_job):
    response = login(recruiter).get(JOBS, HTTP_IF_NONE_MATCH='"not-it"')

    assert response.status_code == 200
    assert ids(response) == [open_job.pk]


def test_after_an_edit_the_old_etag_gets_the_new_body(login, recruiter, open_job):
    client = login(recruiter)
    old = client.get(detail(open_job))["ETag"]

    client.patch(detail(open_job), {"title": "Principal Engineer"}, format="json")
    response = client.get(detail(open_job), HTTP_IF_NONE_MATCH=old)

    assert response.status_code == 200
    assert response.json()["title"] == "Principal Engineer"
    assert response["ETag"] != old


def test_etags_work_with_caching_switched_off(login, recruiter, open_job, settings):
    settings.API_CACHE_ENABLED = False
    client = login(recruiter)
    etag = client.get(JOBS)["ETag"]

    assert client.get(JOBS, HTTP_IF_NONE_MATCH=etag).status_code == 304


# --- Redis ---------------------------------------------------------------------------------


@pytest.fixture
def redis_cache(redis_url, settings):  # type: ignore[no-untyped-def]
    """The Django cache on Redis under a prefix of its own (xdist workers share the server)."""
    prefix = f"test-caching-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": prefix,
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
        }
    }
    yield prefix
    cache.delete_pattern("*")
    settings.CACHES = LOCMEM  # so the local fixture's clear() cannot flush the shared server


@pytest.mark.redis
def test_on_redis_an_invalidation_from_another_client_reaches_this_one(redis_cache, redis_url, login, recruiter, org):
    job = JobFactory(organization=org, title="Before")
    client = login(recruiter)
    assert client.get(JOBS)["X-Cache"] == "miss"
    assert client.get(JOBS)["X-Cache"] == "hit"
    other_process = redis.Redis.from_url(redis_url)
    generation = f"{redis_cache}:1:{generation_cache.GENERATION_PREFIX}jobs:org:{org.pk}"
    assert other_process.exists(generation)

    # Another process changes the row and bumps the generation, as a service does on commit.
    Job.objects.filter(pk=job.pk).update(title="After")
    other_process.incr(generation)

    response = client.get(JOBS)
    assert response["X-Cache"] == "miss"
    assert titles(response) == ["After"]
    before = int(other_process.get(generation) or 0)
    client.patch(detail(job), {"title": "Through the API"}, format="json")
    assert int(other_process.get(generation) or 0) == before + 1
    assert titles(client.get(JOBS)) == ["Through the API"]


@pytest.mark.redis
def test_on_redis_a_held_hit_reads_the_counters_but_not_the_body(
    redis_cache, redis_url, login, recruiter, open_job, monkeypatch
):
    client = login(recruiter)
    first = client.get(JOBS)
    other_process = redis.Redis.from_url(redis_url)
    (stored,) = other_process.keys(f"{redis_cache}:1:{caching.ENTRY_PREFIX}*")
    asked: list[list[str]] = []
    real_read = caching._read

    def recording_read(request: Any, keys: list[str]) -> dict[str, Any]:
        asked.append(list(keys))
        return real_read(request, keys)

    monkeypatch.setattr(caching, "_read", recording_read)
    other_process.delete(stored)
    held = client.get(JOBS)

    assert held["X-Cache"] == "hit"
    assert held.content == first.content
    assert len(asked) == 1
    assert asked[0]
    assert all(key.startswith(generation_cache.GENERATION_PREFIX) for key in asked[0])
    # Another process moves a generation: the copy no longer matches; the entry is computed anew.
    other_process.incr(f"{redis_cache}:1:{generation_cache.GENERATION_PREFIX}jobs:org:{open_job.organization_id}")
    assert client.get(JOBS)["X-Cache"] == "miss"


@pytest.mark.redis
def test_on_redis_one_bump_moves_every_generation_and_never_restarts_an_evicted_one(redis_cache, redis_url):
    """The generations of one write move together (one script): an existing one by exactly one;
    a missing one (evicted) gets a fresh random number, never INCR's 1, which an entry built
    before the eviction could carry."""
    other_process = redis.Redis.from_url(redis_url)
    kept, evicted = (f"{redis_cache}:1:{generation_cache.GENERATION_PREFIX}{name}" for name in ("t:kept", "t:evicted"))
    other_process.set(kept, 41)

    generation_cache.bump("t:kept", "t:evicted")

    assert int(other_process.get(kept) or 0) == 42
    fresh = int(other_process.get(evicted) or 0)
    assert fresh > 1_000_000, "a fresh random generation, not a counter restarted at 1"
    assert other_process.ttl(evicted) == -1, "generations never expire"
    assert generation_cache.generations(["t:kept", "t:evicted"]) == [
        f"{generation_cache.GENERATION_PREFIX}t:kept=42",
        f"{generation_cache.GENERATION_PREFIX}t:evicted={fresh}",
    ]


@pytest.mark.redis
def test_a_bump_on_a_redis_that_does_not_answer_is_logged_not_raised(settings, caplog):
    with redis_server() as server:
        settings.CACHES = {
            "default": {
                "BACKEND": "django_redis.cache.RedisCache",
                "LOCATION": server.url,
                "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
            }
        }
        server.stop()
        try:
            with caplog.at_level("ERROR", logger="hotgigs.cache"):
                generation_cache.bump("t:a", "t:b")
        finally:
            settings.CACHES = LOCMEM
            redis_clients.mark_up(redis_clients.url_address(server.url))
    assert [record.getMessage() for record in caplog.records if record.name == "hotgigs.cache"] == [
        "cache.invalidate_failed"
    ]
