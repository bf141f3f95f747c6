"""REST API benchmark: a real ASGI server with worker processes on PostgreSQL, loaded by wrk.

Measures, in one run and side by side:
  floor      GET /health/live        the cheapest JSON view on the same server and stack
  jobs-max   GET /api/v1/jobs        page of 20, recruiter token, as fast as it goes
  jobs-100   GET /api/v1/jobs        paced towards 100 requests/s (the issue's target load)
  apply-max  POST /api/v1/applications  a different candidate and job on every request

Each scenario runs --repeat times, interleaved, and the median of each figure is printed,
with the ratio of the jobs list's throughput to the floor's.

Usage (PostgreSQL must be reachable; the database is created and seeded if missing):
    .venv/bin/python bench/api/run.py [--database-url URL] [--workers 2] [--duration 10]
Needs `wrk` (Debian package wrk).
"""

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, check=True, cwd=ROOT)


def prepare_tokens(env: dict[str, str], pairs_needed: int, pairs_path: Path) -> str:
    """Return a recruiter token; write "token job_id" lines for fresh candidate–job pairs."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from applications.models import Application
    from candidates.models import Candidate
    from hotgigs.accounts.models import Membership
    from hotgigs.accounts.tokens import token_issue_for_user
    from jobs.models import Job

    recruiter = Membership.objects.filter(role="org_admin").select_related("user").order_by("id").first()
    if recruiter is None:
        raise SystemExit("No organization admin in the database; did seed_demo run?")
    recruiter_token = token_issue_for_user(user=recruiter.user, device_id="bench").access_token

    open_jobs = list(Job.objects.filter(status="open").values_list("id", flat=True).order_by("id"))
    taken = set(Application.objects.values_list("candidate_id", "job_id"))
    lines: list[str] = []
    for candidate in Candidate.objects.filter(user__isnull=False).select_related("user").order_by("id"):
        if len(lines) >= pairs_needed:
            break
        assert candidate.user is not None
        token = token_issue_for_user(user=candidate.user, device_id="bench").access_token
        for job_id in open_jobs:
            if (candidate.pk, job_id) not in taken:
                lines.append(f"{token} {job_id}")
                if len(lines) >= pairs_needed:
                    break
    if len(lines) < pairs_needed:
        print(f"note: only {len(lines)} fresh candidate–job pairs exist; later POSTs will be duplicates (409)")
    pairs_path.write_text("\n".join(lines) + "\n")
    return recruiter_token


def wait_ready(base: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/health/live", timeout=2) as r:  # noqa: S310
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("server did not come up")


def wrk(
    base: str, script: str | None, path: str, duration: int, connections: int, threads: int, env: dict[str, str]
) -> dict[str, float]:
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "5s"]
    if script:
        cmd += ["-s", str(HERE / script)]
    else:
        cmd += ["-s", str(HERE / "jobs_list.lua")]
    cmd.append(base + path)
    out = subprocess.run(
        cmd, env={**os.environ, "BENCH_PATH": path, **env}, capture_output=True, text=True, check=True
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("RESULT "))
    raw = json.loads(line[len("RESULT ") :])
    seconds = raw["duration_us"] / 1e6
    errors = sum(raw[k] for k in raw if k.startswith("errors_"))
    return {
        "rps": raw["requests"] / seconds,
        "p50_ms": raw["p50_us"] / 1000,
        "p95_ms": raw["p95_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "error_rate": errors / max(raw["requests"], 1),
        "requests": raw["requests"],
    }


def median_of(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hotgigs_bench"),
    )
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", ""))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rate", type=int, default=100, help="target requests/s of the paced jobs run")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hotgigs.settings",
        "DATABASE_URL": args.database_url,
        "LOG_LEVEL": "WARNING",
        "DJANGO_DEBUG": "false",
    }
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    else:
        env.pop("REDIS_URL", None)
    ensure_database(args.database_url)
    manage(env, "migrate", "-v0")
    manage(env, "seed_demo", "--quiet")

    tmp = Path(tempfile.mkdtemp(prefix="hotgigs-bench-"))
    pairs = tmp / "pairs.txt"
    # Enough fresh pairs for the apply runs at up to ~300 requests/s.
    recruiter_token = prepare_tokens(env, 300 * args.duration * args.repeat, pairs)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "hotgigs.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        wait_ready(base)
        common = {"BENCH_TOKEN": recruiter_token}
        # Warm every worker: imports, connection pools, first queries.
        wrk(base, None, "/api/v1/jobs?page_size=20", 3, args.connections, 2, common)
        delay_ms = max(1, int(args.connections * 1000 / args.rate) - 10)
        scenarios = {
            "floor": lambda: wrk(base, None, "/health/live", args.duration, args.connections, 2, {"BENCH_TOKEN": ""}),
            "jobs-max": lambda: wrk(
                base, None, "/api/v1/jobs?page_size=20", args.duration, args.connections, 2, common
            ),
            f"jobs-{args.rate}": lambda: wrk(
                base,
                None,
                "/api/v1/jobs?page_size=20",
                args.duration,
                args.connections,
                2,
                {**common, "BENCH_DELAY_MS": str(delay_ms)},
            ),
            "apply-max": lambda: wrk(
                base,
                "apply.lua",
                "/api/v1/applications",
                args.duration,
                args.connections,
                2,
                {"BENCH_PAIRS_FILE": str(pairs), "BENCH_THREADS": "2"},
            ),
        }
        results: dict[str, list[dict[str, float]]] = {name: [] for name in scenarios}
        for round_ in range(args.repeat):
            for name, run in scenarios.items():
                results[name].append(run())
                print(f"round {round_ + 1} {name}: {results[name][-1]['rps']:.0f} req/s", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)

    medians = {name: median_of(runs) for name, runs in results.items()}
    print()
    print(
        f"uvicorn --workers {args.workers}, PostgreSQL, {args.connections} connections, {args.duration}s x {args.repeat} rounds, medians"
    )
    print(f"{'scenario':<12} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>8}")
    for name, m in medians.items():
        print(
            f"{name:<12} {m['rps']:>8.0f} {m['p50_ms']:>8.1f} {m['p95_ms']:>8.1f} {m['p99_ms']:>8.1f} {m['error_rate']:>8.2%}"
        )
    ratio = medians["jobs-max"]["rps"] / medians["floor"]["rps"]
    paced = medians[f"jobs-{args.rate}"]
    print()
    print(f"jobs list / floor throughput: {ratio:.2f} (target >= 0.50)")
    print(
        f"jobs list at {paced['rps']:.0f} req/s: p95 {paced['p95_ms']:.1f} ms (target < 100 ms), errors {paced['error_rate']:.2%}"
    )
    print(f"apply / floor throughput: {medians['apply-max']['rps'] / medians['floor']['rps']:.2f}")


if __name__ == "__main__":
    main()
