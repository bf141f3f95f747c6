"""Analytics v2 benchmark: the report from the daily snapshots over a million applications.

One run:

1. **Data.** A fresh database (``--database-url``, dropped and created), migrated, then
   ``--organizations`` organizations (an org admin each, and one staff user), ``--jobs`` jobs
   spread over them (opened over the last ``--days`` days, ten departments) and enough
   candidates, created through the models; then ``--applications`` applications (default
   1,000,000) and their stage history written by PostgreSQL itself from ``generate_series``
   (a few seconds per million): each submitted some days after its job opened, then moved
   along the funnel (about 35 % stop at applied, 30 % at screening, 20 % at interview, 10 % at
   offer, 5 % are hired), and most of those that stop are rejected or withdraw, one to seven
   days between moves. ANALYZE afterwards.
2. **The snapshot job.** ``manage.py analytics_snapshot`` over the whole history (the backfill,
   one transaction), timed; then the same for the last two days (what beat runs every ten
   minutes), timed. The rows written are printed.
3. **The reads.** A real server (``python -m hotgigs.serve``, ``--server``, default gunicorn
   ``wsgi:2``) with the response cache off (every request computes its figures from the
   snapshots) and the rate limits out of reach, loaded by wrk (``--connections``, ``--duration``,
   ``--repeat`` rounds, interleaved), scenario by scenario:
     floor        GET /health/live                       the cheapest view on the same stack
     org-90d      GET /api/v1/analytics/report           an org admin, the default 90 days
     org-365d     ... ?from=<a year ago>                 an org admin, a year
     org-job      ... ?job=<id>&from=<a year ago>        one job of theirs
     org-dept     ... ?department=Department 0&from=...   one department (per-job facts)
     staff-365d   ... ?from=<a year ago>                 staff, every organization
   Medians of p50/p95/p99 and req/s are printed with each scenario's ratio to the floor, and
   the target (p95 under 200 ms per request from the snapshots) marked met or not.

The server connects as the database URL's user (by default the ``postgres`` superuser, which
row-level security does not hold): the policies on the snapshot tables add one
``organization_id = ANY(...)`` test per row; bench/api measures the cost of RLS on a list.

Usage (PostgreSQL and Redis must be reachable; needs wrk):
    .venv/bin/python bench/analytics/run.py [--applications 1000000] [--organizations 20]
        [--jobs 2000] [--days 365] [--duration 10] [--repeat 3] [--connections 4]
        [--server wsgi:2] [--database-url URL] [--redis-url URL]
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import harness

TARGET_P95_MS = 200.0

SETUP = """
import django, sys
django.setup()
from datetime import timedelta
from django.utils import timezone
from candidates.models import Candidate
from hotgigs import tenancy
from hotgigs.accounts.models import Membership, Organization, User
from hotgigs.accounts.tokens import token_issue_for_user
from jobs.models import Job

organizations, jobs, candidates, days = (int(value) for value in sys.argv[1:5])
now = timezone.now()
with tenancy.system("bench: analytics data"):
    orgs = Organization.objects.bulk_create(
        Organization(name=f"Bench {i}", slug=f"bench-{i}") for i in range(organizations)
    )
    admins = User.objects.bulk_create(
        User(email=f"admin{i}@bench.hotgigs.test", password="!", full_name=f"Admin {i}") for i in range(organizations)
    )
    Membership.objects.bulk_create(
        Membership(user=user, organization=org, role="org_admin") for user, org in zip(admins, orgs)
    )
    staff = User.objects.create(email="staff@bench.hotgigs.test", password="!", is_staff=True, full_name="Staff")
    created = Job.objects.bulk_create(
        Job(
            organization=orgs[i % organizations],
            title=f"Job {i}",
            description="A job of the analytics benchmark.",
            department=f"Department {i % 10}",
            status="open",
            created_by=admins[i % organizations],
            opened_at=now - timedelta(days=100 + (days - 100) * i / max(jobs - 1, 1)),
        )
        for i in range(jobs)
    )
    Candidate.objects.bulk_create(
        Candidate(full_name=f"Candidate {i}", email=f"candidate{i}@bench.hotgigs.test") for i in range(candidates)
    )
    job = next(j for j in created if j.organization_id == orgs[0].pk)
    print("ORG_TOKEN", token_issue_for_user(user=admins[0], device_id="bench").access_token)
    print("STAFF_TOKEN", token_issue_for_user(user=staff, device_id="bench").access_token)
    print("JOB", job.pk)
"""

# The applications and their history, written by PostgreSQL. plan: one row per application,
# its job (n % jobs) and candidate (n / jobs), so (job, candidate) pairs never repeat.
GENERATE = """
SELECT setseed(0.42);
CREATE TEMP TABLE bench_jobs AS
    SELECT row_number() OVER (ORDER BY id) - 1 AS idx, id, opened_at FROM jobs_job;
CREATE TEMP TABLE bench_candidates AS
    SELECT row_number() OVER (ORDER BY id) - 1 AS idx, id FROM candidates_candidate;
CREATE TEMP TABLE bench_plan AS
SELECT n, j.id AS job_id, c.id AS candidate_id,
       j.opened_at + (random() * 60) * interval '1 day' AS t0,
       (1 + random() * 6) * interval '1 day' AS gap,
       width_bucket(random(), ARRAY[0.35, 0.65, 0.85, 0.95]::float8[]) AS k,
       random() AS r,
       (ARRAY['career_site', 'job_board', 'referral', 'linkedin', 'agency', 'sourced', 'other'])
           [1 + floor(random() * 7)::int] AS source
FROM generate_series(0, %(applications)s - 1) AS n
JOIN bench_jobs j ON j.idx = n %% %(jobs)s
JOIN bench_candidates c ON c.idx = n / %(jobs)s;
-- Stopped short of hire: 60 %% rejected, 10 %% withdrawn, the rest still in their stage.
ALTER TABLE bench_plan ADD COLUMN ending text;
UPDATE bench_plan SET ending = CASE WHEN k = 4 THEN NULL WHEN r < 0.6 THEN 'rejected'
                                    WHEN r < 0.7 THEN 'withdrawn' ELSE NULL END;
CREATE TEMP TABLE bench_stages (i int, stage text);
INSERT INTO bench_stages VALUES (0, 'applied'), (1, 'screening'), (2, 'interview'), (3, 'offer'), (4, 'hired');
INSERT INTO applications_application
    (id, job_id, candidate_id, stage, source, cover_letter, created_at, updated_at, stage_changed_at)
SELECT (SELECT coalesce(max(id), 0) FROM applications_application) + 1 + n, job_id, candidate_id,
       coalesce(ending, (SELECT stage FROM bench_stages WHERE i = k)), source, '',
       t0, t0, t0 + gap * (k + (ending IS NOT NULL)::int)
FROM bench_plan;
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hotgigs_bench_analytics"),
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"))
    parser.add_argument("--applications", type=int, default=1_000_000)
    parser.add_argument("--organizations", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2_000)
    parser.add_argument("--days", type=int, default=365, help="Jobs opened over this many days.")
    parser.add_argument("--server", default="wsgi:2")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    if args.days <= 100:
        raise SystemExit("--days must exceed 100 (the youngest job opened 100 days ago)")

    env = harness.prepared_env(
        args.database_url,
        args.redis_url,
        DATABASE_OWNER_URL=args.database_url,
        API_CACHE_ENABLED="false",
        RATE_LIMIT_KEY_PREFIX="rl:bench-analytics:",
        CACHE_KEY_PREFIX="bench-analytics",
        # The tokens are issued before the data and the backfill, which on a loaded machine
        # outlast the default 15 minutes (every read then fails with 401).
        JWT_ACCESS_TOKEN_LIFETIME="86400",  # noqa: S106  (a lifetime in seconds, not a secret)
        **harness.unlimited_rate_limits(),
    )
    harness.ensure_database(args.database_url, fresh=True)
    harness.manage(env, "migrate", "-v0")
    candidates = -(-args.applications // args.jobs)

    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", SETUP, str(args.organizations), str(args.jobs), str(candidates), str(args.days)],
        env=env,
        cwd=harness.ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    values = dict(
        line.split(" ", 1) for line in out.splitlines() if line.startswith(("ORG_TOKEN", "STAFF_TOKEN", "JOB"))
    )
    generate(args)
    harness.analyze(args.database_url)
    print(
        f"data: {args.applications:,} applications, {args.jobs:,} jobs, {args.organizations} organizations, "
        f"{candidates:,} candidates in {time.perf_counter() - started:.1f} s"
    )

    yesterday = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 86_400))
    for label, since in (("whole history (the backfill)", []), ("last two days (beat's run)", ["--since", yesterday])):
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, str(harness.ROOT / "manage.py"), "analytics_snapshot", *since],
            env=env,
            cwd=harness.ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        print(f"snapshot job, {label}: {time.perf_counter() - started:.2f} s with the command's start-up; {result}")
    harness.analyze(args.database_url)

    year_ago = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 364 * 86_400))
    report = "/api/v1/analytics/report"
    scenarios = {
        "floor": ("/health/live", ""),
        "org-90d": (report, values["ORG_TOKEN"]),
        "org-365d": (f"{report}?from={year_ago}", values["ORG_TOKEN"]),
        "org-job": (f"{report}?job={values['JOB'].strip()}&from={year_ago}", values["ORG_TOKEN"]),
        "org-dept": (f"{report}?department=Department%200&from={year_ago}", values["ORG_TOKEN"]),
        "staff-365d": (f"{report}?from={year_ago}", values["STAFF_TOKEN"]),
    }
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in scenarios}
    with harness.server(env, harness.ServerConfig.parse(args.server)) as running:
        for path, token in scenarios.values():
            harness.wrk(
                running.base, path, duration=2, connections=args.connections, env={"BENCH_TOKEN": token.strip()}
            )
        for _ in range(args.repeat):
            for name, (path, token) in scenarios.items():
                result = harness.measured(
                    running,
                    path,
                    duration=args.duration,
                    connections=args.connections,
                    env={"BENCH_TOKEN": token.strip()},
                )
                runs[name].append(result)
    medians = {name: harness.median_of(results) for name, results in runs.items()}
    print(
        f"\nreads on {harness.ServerConfig.parse(args.server).label}, {args.connections} connections, "
        f"{args.repeat} x {args.duration} s, response cache off (medians):"
    )
    print(harness.table(medians, ratio_to=medians["floor"]["rps"]))
    worst = max(m["p95_ms"] for name, m in medians.items() if name != "floor")
    verdict = "met" if worst < TARGET_P95_MS else "NOT met"
    print(f"\ntarget: p95 under {TARGET_P95_MS:.0f} ms per report request — worst p95 {worst:.1f} ms: {verdict}")
    errors = statistics.fmean(m["error_rate"] for m in medians.values())
    if errors:
        print(f"errors: {errors:.2%} of requests (non-2xx/3xx or socket errors)")


def generate(args: argparse.Namespace) -> None:
    """The applications and their history, by PostgreSQL (psql runs the script)."""
    sql = GENERATE % {"applications": args.applications, "jobs": args.jobs} + HISTORY
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", args.database_url], input=sql, text=True, check=True)


# Every application's history: the submission, k moves along the funnel, and its ending.
HISTORY = """
INSERT INTO applications_stagechange (application_id, from_stage, to_stage, reason, kind, changed_at)
SELECT a.id, '', 'applied', '', 'move', a.created_at FROM applications_application a;
INSERT INTO applications_stagechange (application_id, from_stage, to_stage, reason, kind, changed_at)
SELECT a.id, f.stage, t.stage, '', 'move', p.t0 + p.gap * s
FROM bench_plan p
JOIN applications_application a ON a.job_id = p.job_id AND a.candidate_id = p.candidate_id
CROSS JOIN LATERAL generate_series(1, p.k) AS s
JOIN bench_stages f ON f.i = s - 1
JOIN bench_stages t ON t.i = s;
INSERT INTO applications_stagechange (application_id, from_stage, to_stage, reason, kind, changed_at)
SELECT a.id, f.stage, p.ending, '', 'move', p.t0 + p.gap * (p.k + 1)
FROM bench_plan p
JOIN applications_application a ON a.job_id = p.job_id AND a.candidate_id = p.candidate_id
JOIN bench_stages f ON f.i = p.k
WHERE p.ending IS NOT NULL;
SELECT setval(pg_get_serial_sequence('applications_application', 'id'), (SELECT max(id) FROM applications_application));
"""


if __name__ == "__main__":
    main()
