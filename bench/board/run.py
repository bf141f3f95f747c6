"""The pipeline board of a job with many applications, rendered server-side.

Seeds one organization with a recruiter and two open jobs, one with 50 applications and one
with 500 (spread over the seven stages, scored, a third with an interview booked), analyzes
the database (``harness.analyze``), then renders through Django's test client, in process,
on PostgreSQL, alternating in each round:

  board       GET /admin/jobs/job/<id>/board/ (every application of the job on one page)
  baseline    GET /admin/applications/application/?job__id__exact=<id>: the admin's own
              changelist of the same job's applications (its first page: 100 rows)

Prints, per job size, the median server time of each (and their ratio) and the number of
queries of one request. Target: the board of 500 applications in under 300 ms, with the
same number of queries for 50 and 500.

    .venv/bin/python bench/board/run.py [--rounds 30] [--database-url postgres://…/hotgigs_bench]
Needs PostgreSQL; the database is dropped and created again.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import harness

SIZES = (50, 500)
STAGES = (
    "applied",
    "applied",
    "applied",
    "screening",
    "screening",
    "interview",
    "offer",
    "hired",
    "rejected",
    "withdrawn",
)
SOURCES = ("career_site", "job_board", "referral", "linkedin", "agency", "sourced", "other")


def seed() -> tuple[object, dict[int, int]]:
    """One recruiter and a job per size; returns the recruiter and {size: job id}."""
    from django.utils import timezone

    from applications.models import Application, StageChange
    from candidates.models import Candidate
    from hotgigs.accounts.models import Membership, Organization, User
    from interviews.models import Interview
    from jobs.models import Job

    now = timezone.now()
    org = Organization.objects.create(slug="bench-board", name="Bench Board")
    recruiter = User.objects.create(email="bench-board-recruiter@example.test", full_name="Bench Recruiter")
    Membership.objects.create(user=recruiter, organization=org, role="recruiter")
    jobs: dict[int, int] = {}
    for size in SIZES:
        job = Job.objects.create(
            organization=org,
            title=f"Board role ({size})",
            description="A role of the board benchmark.",
            created_by=recruiter,
            status="open",
            opened_at=now,
        )
        jobs[size] = job.pk
        candidates = Candidate.objects.bulk_create(
            [
                Candidate(full_name=f"Candidate {size}-{i}", email=f"bench-board-{size}-{i}@example.test")
                for i in range(size)
            ]
        )
        applications = Application.objects.bulk_create(
            [
                Application(
                    job=job,
                    candidate=candidate,
                    stage=STAGES[i % len(STAGES)],
                    source=SOURCES[i % len(SOURCES)],
                    match_score=None if i % 11 == 0 else Decimal(i * 37 % 100),
                    stage_changed_at=now - timedelta(days=i % 30),
                )
                for i, candidate in enumerate(candidates)
            ]
        )
        StageChange.objects.bulk_create(
            [
                StageChange(application=a, from_stage="", to_stage="applied", changed_at=now - timedelta(days=40))
                for a in applications
            ]
        )
        for i, application in enumerate(applications[::3]):
            interview = Interview.objects.create(
                application=application,
                starts_at=now + timedelta(days=1 + i % 6, hours=i % 8),
                ends_at=now + timedelta(days=1 + i % 6, hours=1 + i % 8),
                meeting_url="https://meet.example.test/bench",
            )
            interview.interviewers.set([recruiter])
    return recruiter, jobs


def timed(client: object, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)  # type: ignore[attr-defined]
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return elapsed


def queries(client: object, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)  # type: ignore[attr-defined]
    return len(captured.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hotgigs_bench"),
    )
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()

    env = harness.prepared_env(args.database_url, "", **harness.unlimited_rate_limits())
    harness.ensure_database(args.database_url, fresh=True)
    harness.manage(env, "migrate", "-v0")
    os.environ.clear()
    os.environ.update(env)
    import django

    django.setup()
    from django.test import Client
    from django.urls import reverse

    recruiter, jobs = seed()
    harness.analyze(args.database_url)
    client = Client()
    client.force_login(recruiter)  # type: ignore[arg-type]

    print(
        f"{'applications':>12}  {'board ms':>9}  {'baseline ms':>11}  {'ratio':>6}  {'board queries':>13}  {'baseline queries':>16}"
    )
    for size, job_id in jobs.items():
        board = reverse("admin:jobs_job_board", args=[job_id])
        baseline = reverse("admin:applications_application_changelist") + f"?job__id__exact={job_id}"
        for url in (board, baseline):  # warm up: templates, URL resolvers, connections
            for _ in range(3):
                timed(client, url)
        board_ms, baseline_ms = [], []
        for _ in range(args.rounds):
            board_ms.append(timed(client, board))
            baseline_ms.append(timed(client, baseline))
        b, base = statistics.median(board_ms), statistics.median(baseline_ms)
        print(
            f"{size:>12}  {b:>9.1f}  {base:>11.1f}  {b / base:>6.2f}  {queries(client, board):>13}  {queries(client, baseline):>16}"
        )
    print("board: every card of the job on one page; baseline: the admin changelist's first 100 rows of the same job")


if __name__ == "__main__":
    main()
