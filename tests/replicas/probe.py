"""Run in a process of its own by tests/replicas/test_streaming_replica.py: a deployment with
``DATABASE_URL`` on a primary and ``DATABASE_REPLICA_URLS`` on its standby (or on a port where
nothing answers), exercised through the API. Prints what it saw as one JSON object; the
test decides what is right.

``python -m tests.replicas.probe routing`` or ``... fallback``.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any, cast

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connections, transaction  # noqa: E402
from django.test import override_settings  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from hotgigs import replicas  # noqa: E402
from hotgigs.accounts.tokens import token_issue  # noqa: E402
from hotgigs.api.caching import ENTRY_PREFIX  # noqa: E402
from jobs.models import Job  # noqa: E402
from tests.factories import JobFactory, MembershipFactory, OrganizationFactory, UserFactory  # noqa: E402
from tests.factories.accounts import PASSWORD  # noqa: E402

JOBS = "/api/v1/jobs/"


@contextmanager
def aliases_used(table: str = "") -> Iterator[list[str]]:
    """The database alias of every query run inside (naming ``table``, when given), in order."""
    used: list[str] = []

    def recorder(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        if not table or f'"{table}"' in sql:
            used.append(context["connection"].alias)
        if os.environ.get("PROBE_TRACE"):
            sys.stderr.write(f"{context['connection'].alias} {sql[:150]}\n")
        return execute(sql, params, many, context)

    with ExitStack() as stack:
        for alias in connections:
            stack.enter_context(connections[alias].execute_wrapper(recorder))
        yield used


def server(alias: str) -> dict[str, Any]:
    with connections[alias].cursor() as cursor:
        cursor.execute("select pg_is_in_recovery(), current_setting('port')::int")
        in_recovery, port = cursor.fetchone()
    return {"in_recovery": in_recovery, "port": port}


def replica_sql(sql: str) -> Any:
    with connections[settings.DATABASE_REPLICAS[0]].cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def wait_for_replay(timeout: float = 30) -> None:
    """Until the standby has replayed everything the primary has written so far."""
    with connections["default"].cursor() as cursor:
        cursor.execute("select pg_current_wal_lsn()::text")
        target = cursor.fetchone()[0]
    deadline = time.monotonic() + timeout
    while replica_sql(f"select pg_last_wal_replay_lsn() >= '{target}'::pg_lsn") is not True:
        if time.monotonic() > deadline:
            raise SystemExit(f"the standby did not replay up to {target}")
        time.sleep(0.05)


def get_titles(client: APIClient, path: str = JOBS) -> tuple[int, list[str], list[str]]:
    """Status, the servers that answered the jobs' rows, the titles listed.

    The caller's authentication and memberships are read before the handler, on the primary.
    """
    with aliases_used("jobs_job") as used:
        response = client.get(path)
    titles = sorted(row["title"] for row in response.json().get("results", [])) if response.status_code == 200 else []
    return response.status_code, sorted(set(used)), titles


def client_for(user: Any) -> APIClient:
    """A client sending ``user``'s bearer token, as the API's clients do."""
    pair = token_issue(email=user.email, password=PASSWORD, scope=None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair.access_token}")
    return client


def routing() -> dict[str, Any]:
    facts: dict[str, Any] = {"primary": server("default"), "replica": server(settings.DATABASE_REPLICAS[0])}
    org = OrganizationFactory.create(name="Routing")
    alice, bob = UserFactory.create(email="alice@routing.test"), UserFactory.create(email="bob@routing.test")
    MembershipFactory.create(user=alice, organization=org)
    MembershipFactory.create(user=bob, organization=org)
    job = JobFactory.create(organization=org, title="Replicated")
    wait_for_replay()
    as_alice, as_bob = client_for(alice), client_for(bob)

    # A replica-ok list goes to the replica; a detail, never.
    facts["list"] = get_titles(as_alice)
    with aliases_used("jobs_job") as used:
        facts["detail_status"] = as_alice.get(f"{JOBS}{job.pk}/").status_code
    facts["detail_aliases"] = sorted(set(used))

    # The standby stops replaying: from now on it is behind the primary.
    replica_sql("select pg_wal_replay_pause()")
    while replica_sql("select pg_get_wal_replay_pause_state()") != "paused":
        time.sleep(0.05)
    with aliases_used() as used:
        created = as_alice.post(JOBS, {"title": "Written", "description": "Just now."}, format="json")
    facts["create_status"] = created.status_code
    facts["create_aliases"] = sorted(set(used))
    # The writer reads the primary and sees the write; a colleague reads the lagging replica.
    facts["writer_list"] = get_titles(as_alice)
    facts["colleague_list"] = get_titles(as_bob)
    key = f"{replicas.RECENT_WRITE_PREFIX}{alice.pk}"
    facts["mark_ttl"] = cache.ttl(key) if hasattr(cache, "ttl") else None

    replica_sql("select pg_wal_replay_resume()")
    wait_for_replay()
    facts["colleague_after_replay"] = get_titles(as_bob)

    # The window over (its key expired), the writer reads the replica again.
    cache.delete(key)
    facts["writer_after_window"] = get_titles(as_alice)

    # A response cached from a replica lives no longer than the read-your-writes window.
    with override_settings(API_CACHE_ENABLED=True):
        facts["cached_status"] = as_bob.get(JOBS).status_code
    redis_cache = cast(Any, cache)  # django-redis: ttl, iter_keys
    facts["cached_ttls"] = [redis_cache.ttl(key) for key in redis_cache.iter_keys(f"{ENTRY_PREFIX}*")]

    # Inside a transaction, and after a write in the scope, reads go to the primary.
    with replicas.replica_reads(bob), aliases_used("jobs_job") as used:
        with transaction.atomic():
            Job.objects.filter(organization=org).count()
        facts["atomic_aliases"] = sorted(set(used))
        used.clear()
        Job.objects.filter(pk=job.pk).update(title="Renamed")
        Job.objects.filter(organization=org).count()
        facts["after_write_aliases"] = sorted(set(used))
    return facts


def fallback() -> dict[str, Any]:
    org = OrganizationFactory.create(name="Fallback")
    alice = UserFactory.create(email="alice@fallback.test")
    MembershipFactory.create(user=alice, organization=org)
    JobFactory.create(organization=org, title="On the primary")
    as_alice = client_for(alice)
    facts: dict[str, Any] = {"first": get_titles(as_alice), "second": get_titles(as_alice)}
    facts["fallbacks"] = replicas.REPLICA_FALLBACKS._value.get()
    facts["unavailable"] = replicas.REPLICA_UNAVAILABLE.labels(settings.DATABASE_REPLICAS[0])._value.get()
    return facts


if __name__ == "__main__":
    mode = sys.argv[1]
    result = routing() if mode == "routing" else fallback()
    sys.stdout.write("PROBE " + json.dumps(result) + "\n")
