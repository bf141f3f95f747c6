"""Read replicas against a real streaming standby (hotgigs/replicas.py).

A primary and its standby are made for the test (tests/replicas/cluster.py); a process of the
application runs with ``DATABASE_URL`` on the primary and ``DATABASE_REPLICA_URLS`` on the
standby (tests/replicas/probe.py) and reports which server answered what. Under CI=true a
cluster that cannot be made is a failure, never a skip.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from tests import servers
from tests.conftest import IN_CI
from tests.replicas.cluster import ClusterError, ReplicaCluster, binaries_dir, free_port

pytestmark = pytest.mark.django_db


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"a streaming replica is required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def cluster(django_db_setup: None, django_db_blocker: Any) -> Iterator[ReplicaCluster]:
    if connection.vendor != "postgresql":
        _unavailable("read replicas need PostgreSQL (set DATABASE_URL)")
    with django_db_blocker.unblock():
        # The copy is made as the owner: the application's role would see (and dump) only the
        # rows row-level security shows it.
        source_url = servers.test_database_owner_url()
        with connection.cursor() as cursor:
            cursor.execute("show server_version_num")
            major = int(cursor.fetchone()[0]) // 10000
    bindir = binaries_dir(major)
    if bindir is None:
        _unavailable(f"no PostgreSQL {major} server binaries (initdb, pg_basebackup); set PG_BINDIR")
    assert bindir is not None
    made = ReplicaCluster(bindir)
    try:
        made.start(source_url=source_url)
    except ClusterError as exc:
        logs = made.logs()
        made.stop()
        _unavailable(f"{exc}\n{logs}")
    yield made
    made.stop()


def _probe(mode: str, *, primary: str, replicas: str) -> dict[str, Any]:
    env = servers.process_env(
        settings.REDIS_URL,
        DATABASE_URL=primary,
        DATABASE_REPLICA_URLS=replicas,
        DATABASE_READ_YOUR_WRITES_SECONDS="5",
        API_CACHE_ENABLED="false",
        CACHE_KEY_PREFIX=f"replica-test-{uuid.uuid4().hex[:12]}",
        HOTGIGS_FAST_PASSWORD_HASHER="true",
    )
    done = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "tests.replicas.probe", mode],
        cwd=servers.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    sys.stderr.write(done.stderr[-20000:])  # shown with a failure
    lines = [line for line in done.stdout.splitlines() if line.startswith("PROBE ")]
    assert done.returncode == 0, f"probe exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    assert lines, done.stdout[-3000:]
    return json.loads(lines[-1].removeprefix("PROBE "))  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def routing(cluster: ReplicaCluster) -> dict[str, Any]:
    return _probe("routing", primary=cluster.url(cluster.primary_port), replicas=cluster.url(cluster.standby_port))


def test_the_replica_is_a_streaming_standby_of_the_primary(cluster, routing):
    assert routing["primary"] == {"in_recovery": False, "port": cluster.primary_port}
    assert routing["replica"] == {"in_recovery": True, "port": cluster.standby_port}


def test_a_replica_ok_list_is_read_from_the_replica_and_a_detail_from_the_primary(routing):
    assert routing["list"] == [200, ["replica_1"], ["Replicated"]]
    assert routing["detail_status"] == 200
    assert routing["detail_aliases"] == ["default"]


def test_the_writer_reads_the_primary_right_after_a_write_and_others_the_lagging_replica(routing):
    assert routing["create_status"] == 201
    assert routing["create_aliases"] == ["default"]
    # Replay is paused on the standby: only the primary has the new job.
    assert routing["writer_list"] == [200, ["default"], ["Replicated", "Written"]]
    assert routing["colleague_list"] == [200, ["replica_1"], ["Replicated"]]
    assert routing["mark_ttl"] is None or 0 < routing["mark_ttl"] <= 5
    # Replay resumed, the replica catches up; and once the window is over the writer reads it.
    assert routing["colleague_after_replay"] == [200, ["replica_1"], ["Replicated", "Written"]]
    assert routing["writer_after_window"] == [200, ["replica_1"], ["Replicated", "Written"]]


def test_a_response_cached_from_the_replica_expires_with_the_read_your_writes_window(routing):
    # The generations were read before the replica's rows: kept for the API cache's 15
    # minutes, a lagging replica's answer would outlive the write that bumped them.
    assert routing["cached_status"] == 200
    assert len(routing["cached_ttls"]) == 1
    assert 0 < routing["cached_ttls"][0] <= 5


def test_reads_in_a_transaction_or_after_a_write_go_to_the_primary(routing):
    assert routing["atomic_aliases"] == ["default"]
    assert routing["after_write_aliases"] == ["default"]


def test_an_unreachable_replica_falls_back_to_the_primary_and_is_counted(cluster):
    nothing_there = f"postgres://postgres@127.0.0.1:{free_port()}/hotgigs"
    facts = _probe("fallback", primary=cluster.url(cluster.primary_port), replicas=nothing_there)
    assert facts["first"] == [200, ["default"], ["On the primary"]]
    assert facts["second"] == [200, ["default"], ["On the primary"]]
    # Both reads fell back; the replica was tried once, then left out of the rotation.
    assert facts["fallbacks"] == 2
    assert facts["unavailable"] == 1
