"""What the operational stack costs, and what the response cache buys, on the jobs list.

Three uvicorn servers on the same PostgreSQL and Redis, loaded in turn by wrk with the same
recruiter token on GET /api/v1/jobs?page_size=20, over several interleaved rounds:

  bare      bench/overhead/bare_settings.py: no rate limiting, no metrics, no access log,
            no response cache
  stack     the real settings with the cache off: rate limits counted in Redis (limits
            raised so none is reached), Prometheus metrics in multiprocess mode, one JSON
            access-log line per request (INFO), request ids, version headers
  cached    the real settings with the response cache on: after the first request every
            answer is a cache hit

Prints medians and two ratios: the stack's cost (1 - stack/bare throughput; target < 15%)
and cache hit vs miss (target >= 3x), both as the latency of one request at a time (one
connection) and as throughput under load.

    .venv/bin/python bench/overhead/run.py [--duration 10] [--repeat 3] [--workers 2]
Needs PostgreSQL, Redis and `wrk`.
"""

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import harness

HERE = Path(__file__).resolve().parent
JOBS = "/api/v1/jobs?page_size=20"
UNREACHABLE = "1000000000/m"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hotgigs_bench"),
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")

    base_env = harness.prepared_env(args.database_url, args.redis_url)
    harness.seed(base_env)
    token = harness.recruiter_token(base_env)
    metrics_dir = Path(tempfile.mkdtemp(prefix="hotgigs-metrics-"))
    limits = {
        f"RATE_LIMIT_{name}": UNREACHABLE
        for name in ("BURST", "DEFAULT", "JOBS", "CANDIDATES", "APPLICATIONS", "INTERVIEWS", "ANALYTICS", "AUTH")
    }
    stack_env = {
        **base_env,
        **limits,
        "RATE_LIMIT_ENABLED": "true",
        "API_CACHE_ENABLED": "false",
        "LOG_LEVEL": "INFO",
        "LOG_FORMAT": "json",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "RATE_LIMIT_KEY_PREFIX": "bench-rl:",
    }
    envs = {
        "bare": {
            **base_env,
            "DJANGO_SETTINGS_MODULE": "bare_settings",
            "PYTHONPATH": os.pathsep.join([str(HERE), str(harness.ROOT)]),
        },
        "stack": stack_env,
        "cached": {**stack_env, "API_CACHE_ENABLED": "true"},
    }
    results: dict[str, list[dict[str, float]]] = {}
    for name in envs:
        results[name] = []
        results[f"{name} 1-conn"] = []
    common = {"BENCH_TOKEN": token}
    try:
        for round_ in range(args.repeat):
            for name, env in envs.items():
                with harness.uvicorn(env, args.workers, quiet=True) as base:
                    harness.wrk(base, JOBS, duration=2, connections=args.connections, env=common)  # warm up
                    results[name].append(
                        harness.wrk(base, JOBS, duration=args.duration, connections=args.connections, env=common)
                    )
                    # One connection, one request at a time: the latency of a single request.
                    results[f"{name} 1-conn"].append(
                        harness.wrk(
                            base, JOBS, duration=max(3, args.duration // 2), connections=1, threads=1, env=common
                        )
                    )
                print(f"round {round_ + 1} {name}: {results[name][-1]['rps']:.0f} req/s", flush=True)
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)

    medians = {name: harness.median_of(runs) for name, runs in results.items()}
    print()
    print(
        f"GET {JOBS}, uvicorn --workers {args.workers}, PostgreSQL + Redis, {args.connections} connections, "
        f"{args.duration}s x {args.repeat} rounds, medians"
    )
    print(harness.table(medians))
    cost = 1 - medians["stack"]["rps"] / medians["bare"]["rps"]
    speedup = medians["cached"]["rps"] / medians["stack"]["rps"]
    print()
    print(f"stack cost: {cost:.1%} of throughput (target < 15%)")
    single = medians["stack 1-conn"]["p50_ms"] / medians["cached 1-conn"]["p50_ms"]
    print(
        f"cache hit vs miss, one request at a time: {single:.2f}x faster, p50 "
        f"{medians['stack 1-conn']['p50_ms']:.2f} -> {medians['cached 1-conn']['p50_ms']:.2f} ms (target >= 3x)"
    )
    print(f"cache hit vs miss under load ({args.connections} connections): {speedup:.2f}x throughput")


if __name__ == "__main__":
    main()
