"""REST API benchmark: a real ASGI server with worker processes on PostgreSQL, loaded by wrk.

Measures, in one run and side by side:
  floor      GET /health/live        the cheapest JSON view on the same server and stack
  jobs-max   GET /api/v1/jobs        page of 20, recruiter token, as fast as it goes
  jobs-100   GET /api/v1/jobs        paced towards 100 requests/s (the issue's target load)
  apply-max  POST /api/v1/applications  a different candidate and job on every request

Each scenario runs --repeat times, interleaved, and the median of each figure is printed,
with the ratio of the jobs list's throughput to the floor's. The server runs the deployed
stack: rate limits are counted in Redis but raised out of reach (one load generator on one
IP is not what they are for), metrics and JSON access logs are on. ``--cache off`` makes
every jobs request compute its page; ``--cache on`` (the default, as deployed) serves
repeats from the response cache. bench/overhead isolates the cost of each part.

Usage (PostgreSQL must be reachable; the database is created and seeded if missing):
    .venv/bin/python bench/api/run.py [--database-url URL] [--workers 2] [--duration 10]
Needs `wrk` (Debian package wrk).
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import harness

CODE = """
import django, sys
django.setup()
from applications.models import Application
from candidates.models import Candidate
from hotgigs.accounts.tokens import token_issue_for_user
from jobs.models import Job
needed = int(sys.argv[1])
open_jobs = list(Job.objects.filter(status="open").values_list("id", flat=True).order_by("id"))
taken = set(Application.objects.values_list("candidate_id", "job_id"))
lines = []
for candidate in Candidate.objects.filter(user__isnull=False).select_related("user").order_by("id"):
    if len(lines) >= needed:
        break
    token = token_issue_for_user(user=candidate.user, device_id="bench").access_token
    for job_id in open_jobs:
        if (candidate.pk, job_id) not in taken:
            lines.append(f"{token} {job_id}")
            if len(lines) >= needed:
                break
print("\\n".join(lines))
"""


def application_pairs(env: dict[str, str], needed: int, path: Path) -> None:
    """Write "token job_id" lines for candidate–job pairs that have no application yet."""
    out = subprocess.run(
        [sys.executable, "-c", CODE, str(needed)], env=env, cwd=harness.ROOT, capture_output=True, text=True, check=True
    ).stdout
    lines = [line for line in out.splitlines() if line.count(" ") == 1]
    if len(lines) < needed:
        print(f"note: only {len(lines)} fresh candidate-job pairs; later POSTs repeat them and answer 409")
    path.write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hotgigs_bench"),
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"))
    parser.add_argument("--cache", choices=("on", "off"), default="on")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rate", type=int, default=100, help="target requests/s of the paced jobs run")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")

    limits = harness.unlimited_rate_limits()
    metrics_dir = tempfile.mkdtemp(prefix="hotgigs-metrics-")
    env = harness.prepared_env(
        args.database_url,
        args.redis_url,
        API_CACHE_ENABLED="true" if args.cache == "on" else "false",
        LOG_LEVEL="INFO",
        PROMETHEUS_MULTIPROC_DIR=metrics_dir,
        RATE_LIMIT_KEY_PREFIX="bench-api-rl:",
        **limits,
    )
    # A fresh database each run: every POST must be a new candidate–job pair.
    harness.seed(env, fresh=True)
    token = harness.recruiter_token(env)
    tmp = Path(tempfile.mkdtemp(prefix="hotgigs-bench-"))
    pairs = tmp / "pairs.txt"
    per_round = 300 * args.duration
    application_pairs(env, per_round * args.repeat, pairs)
    # Each round gets its own slice: wrk restarts its scripts, and a repeated pair answers 409.
    all_pairs = [line for line in pairs.read_text().splitlines() if line]
    per_round = max(1, min(per_round, len(all_pairs) // args.repeat))
    round_files = []
    for number in range(args.repeat):
        round_file = tmp / f"pairs-{number}.txt"
        round_file.write_text("\n".join(all_pairs[number * per_round : (number + 1) * per_round]) + "\n")
        round_files.append(round_file)
    current = {"round": 0}

    results: dict[str, list[dict[str, float]]] = {}
    try:
        with harness.uvicorn(env, args.workers, quiet=True) as base:
            jobs = "/api/v1/jobs?page_size=20"
            common = {"BENCH_TOKEN": token}
            harness.wrk(base, jobs, duration=3, connections=args.connections, env=common)  # warm every worker
            paced_connections = 8
            # Each connection waits its think time, then the response: calibrate the think
            # time on a short run so the connections together send the target rate.
            cycle_ms = paced_connections * 1000 / args.rate
            probe_delay = max(1, int(cycle_ms) - 8)
            probe = harness.wrk(
                base,
                jobs,
                duration=3,
                connections=paced_connections,
                env={**common, "BENCH_DELAY_MS": str(probe_delay)},
            )
            response_ms = max(0.0, paced_connections * 1000 / max(probe["rps"], 1.0) - probe_delay)
            delay_ms = max(1, int(cycle_ms - response_ms))
            print(f"paced run: {paced_connections} connections, think time {delay_ms} ms (calibrated)", flush=True)
            scenarios = {
                "floor": lambda: harness.wrk(
                    base, "/health/live", duration=args.duration, connections=args.connections
                ),
                "jobs-max": lambda: harness.wrk(
                    base, jobs, duration=args.duration, connections=args.connections, env=common
                ),
                f"jobs-{args.rate}": lambda: harness.wrk(
                    base,
                    jobs,
                    duration=args.duration,
                    connections=paced_connections,
                    env={**common, "BENCH_DELAY_MS": str(delay_ms)},
                ),
                "apply-max": lambda: harness.wrk(
                    base,
                    "/api/v1/applications",
                    duration=args.duration,
                    connections=args.connections,
                    script="apply.lua",
                    env={"BENCH_PAIRS_FILE": str(round_files[current["round"]]), "BENCH_THREADS": "2"},
                ),
            }
            results = {name: [] for name in scenarios}
            for round_ in range(args.repeat):
                current["round"] = round_
                for name, run in scenarios.items():
                    results[name].append(run())
                    print(f"round {round_ + 1} {name}: {results[name][-1]['rps']:.0f} req/s", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(metrics_dir, ignore_errors=True)

    medians = {name: harness.median_of(runs) for name, runs in results.items()}
    print()
    print(
        f"uvicorn --workers {args.workers}, PostgreSQL + Redis, cache {args.cache}, {args.connections} connections (paced run: 8), "
        f"{args.duration}s x {args.repeat} rounds, medians"
    )
    print(harness.table(medians))
    paced = medians[f"jobs-{args.rate}"]
    print()
    print(f"jobs list / floor throughput: {medians['jobs-max']['rps'] / medians['floor']['rps']:.2f} (target >= 0.50)")
    print(
        f"jobs list at {paced['rps']:.0f} req/s: p95 {paced['p95_ms']:.1f} ms (target < 100 ms), "
        f"errors {paced['error_rate']:.2%}"
    )
    print(f"apply / floor throughput: {medians['apply-max']['rps'] / medians['floor']['rps']:.2f}")


if __name__ == "__main__":
    main()
