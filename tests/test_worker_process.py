"""A real Celery worker process: its PostgreSQL session, its scheduling priority.

Celery's Django fix-up closes every connection, and Django's pool with it, around each task;
hotgigs/celery.py and settings.py keep one connection per worker process instead (age- and
health-checked at each task start, as a web request's is). ``WORKER_NICENESS`` lowers a
worker's priority (compose runs the matching worker at 10).
"""

import os
from pathlib import Path

import pytest
from django.db import connection

from applications.services import application_submit
from hotgigs.notifications.models import EmailDelivery
from tests.factories import CandidateFactory, JobFactory, MembershipFactory

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True), pytest.mark.redis]


def _worker_sessions() -> set[tuple[int, str]]:
    """(pid, start) of the worker's sessions on this test database (settings name them)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, backend_start::text FROM pg_stat_activity"
            " WHERE datname = current_database() AND application_name = 'hotgigs-worker'"
        )
        return {(pid, start) for pid, start in cursor.fetchall()}


def test_the_worker_runs_task_after_task_on_one_database_session(live_worker, org):
    recruiter = MembershipFactory(organization=org).user
    job = JobFactory(organization=org, created_by=recruiter)
    sessions = []
    for number in (1, 2, 3):
        candidate = CandidateFactory()
        application_submit(actor=candidate.user, job=job, candidate=candidate)
        # Each submission runs events.dispatch, then notifications.send_emails (two emails).
        live_worker.wait_for(lambda n=number: EmailDelivery.objects.filter(status="sent").count() == 2 * n)
        sessions.append(_worker_sessions())
    # Six tasks later, the one session the first task opened is still the worker's only one.
    assert len(sessions[0]) == 1
    assert sessions[0] == sessions[1] == sessions[2]


def test_a_worker_whose_session_was_killed_reconnects_for_the_next_task(live_worker, org):
    recruiter = MembershipFactory(organization=org).user
    job = JobFactory(organization=org, created_by=recruiter)
    first = CandidateFactory()
    application_submit(actor=first.user, job=job, candidate=first)
    live_worker.wait_for(lambda: EmailDelivery.objects.filter(status="sent").count() == 2)
    (killed,) = _worker_sessions()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [killed[0]])

    second = CandidateFactory()
    application_submit(actor=second.user, job=job, candidate=second)
    # The health check at the next task start finds the session gone and opens a new one:
    # nothing is lost and nothing needs a retry.
    live_worker.wait_for(lambda: EmailDelivery.objects.filter(status="sent").count() == 4)
    assert killed not in _worker_sessions()
    assert not EmailDelivery.objects.filter(attempts__gt=1).exists()


def _niceness(pid: int) -> int:
    # /proc/<pid>/stat: the 19th field; the command name (2nd) may hold spaces, hence the split at ")".
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


def test_a_worker_started_with_a_niceness_runs_at_that_priority(live_worker_factory):
    mine = os.nice(0)
    worker = live_worker_factory(WORKER_NICENESS=str(mine + 7))
    assert _niceness(worker.process.pid) == mine + 7


def test_a_worker_keeps_its_priority_by_default(live_worker):
    assert _niceness(live_worker.process.pid) == os.nice(0)
