"""Two checkouts of HotGigs side by side: the same seeded database, the same server shape, turns.

A change's effect on a shared, noisy machine only shows when the old and the new code run
under the same load of the moment. This script seeds one database (fresh), then, for
``--repeat`` rounds, starts the baseline checkout's server and this checkout's server in
turn (``python -m hotgigs.serve``, default ``wsgi:3x4``, as compose runs ``web``) and runs
the same scenarios on each:

    floor      GET /health/live           the trivial view
    jobs-max   GET /api/v1/jobs           page of 20, recruiter token, as fast as it goes
    apply-max  POST /api/v1/applications  a fresh candidate-job pair per request, flat out
    apply-50   POST /api/v1/applications  paced towards 50 requests/s (8 connections)

Printed: per side, the medians of the rounds (req/s, the server's CPU ms per request, p50,
p95, errors), each scenario's ratio to that side's floor, and new/old per scenario.

The baseline checkout is any directory holding another version of the project (for
example ``git archive <commit> | tar -x -C <dir>``); both run with this interpreter, so the
two must share their dependencies. Both sides apply to pairs of the same seeded database,
each from its own slice, so no POST repeats a pair; the pairs are shuffled, so concurrent
POSTs come from different candidates (bench/api/run.py sends one candidate's in a row).

Both sides serve as the application's role (``--rls on``, the default: row-level security
holds it, as deployed) or as the database URL's own user (``--rls off``).

Usage:
    .venv/bin/python bench/api/compare.py --baseline-root DIR [--servers wsgi:3x4]
        [--duration 8] [--repeat 3] [--scenarios floor,apply-max] [--keep-database]
        [--database-url URL] [--redis-url URL] [--rls on|off]
"""

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import harness
from run import application_pairs, as_role, open_every_job

SCENARIOS = ("floor", "jobs-max", "apply-max", "apply-50")
PACED_RATE = 50
PACED_CONNECTIONS = 8


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline-root", type=Path, required=True, help="the other checkout (the old code)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hotgigs_bench_compare"),
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"))
    parser.add_argument("--servers", default="wsgi:3x4", help="one server configuration (asgi:N, wsgi:N, wsgi:NxT)")
    parser.add_argument(
        "--baseline-servers",
        default="",
        help="the baseline's server configuration, when it should differ (default: --servers); with "
        "--baseline-root . this compares two configurations of one checkout",
    )
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help="a comma-separated subset")
    parser.add_argument("--rls", choices=("on", "off"), default="on", help="serve as the app role (on) or the owner")
    parser.add_argument("--app-role", default="hotgigs_app", help="the application's role for --rls on")
    parser.add_argument(
        "--keep-database",
        action="store_true",
        help="reuse the database a previous run seeded (analyzed again; only pairs nobody applied with are used)",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    scenarios = [name for name in args.scenarios.split(",") if name]
    unknown = set(scenarios) - set(SCENARIOS)
    if unknown:
        raise SystemExit(f"unknown scenarios: {sorted(unknown)}")

    metrics_dir = tempfile.mkdtemp(prefix="hotgigs-metrics-")
    env = harness.prepared_env(
        args.database_url,
        args.redis_url,
        LOG_LEVEL="INFO",
        PROMETHEUS_MULTIPROC_DIR=metrics_dir,
        RATE_LIMIT_KEY_PREFIX="bench-compare-rl:",
        **harness.unlimited_rate_limits(),
    )
    if args.keep_database:
        harness.analyze(args.database_url)
    else:
        harness.seed(env, fresh=True)
    token = harness.recruiter_token(env)
    # Both sides serve as deployed: as the application's role, which row-level security holds
    # (the owner seeds; see bench/api/run.py).
    owner_env = env
    if args.rls == "on":
        env = {
            **owner_env,
            "DATABASE_URL": as_role(args.database_url, args.app_role),
            "DATABASE_OWNER_URL": args.database_url,
        }
        harness.manage(env, "app_role")
    print(f"serving as {'the application role ' + args.app_role + ' (RLS on)' if args.rls == 'on' else 'the owner'}")
    sides = {"old": args.baseline_root.resolve(), "new": harness.ROOT}
    config = harness.ServerConfig.parse(args.servers)
    configs = {"old": harness.ServerConfig.parse(args.baseline_servers or args.servers), "new": config}

    # Every POST needs a pair nobody applied with yet: one slice per side, round and scenario.
    # The demo opens about a third of its jobs, too few pairs for several rounds of both sides:
    # open them all (this database only) and analyze again.
    open_every_job(args.database_url)
    tmp = Path(tempfile.mkdtemp(prefix="hotgigs-compare-"))
    # Pairs only for the POST scenarios of this run: a budget for one not run shrank the others'.
    budgets = {
        name: budget
        for name, budget in {
            "apply-max": 400 * args.duration,
            "apply-50": int(1.2 * PACED_RATE * args.duration),
        }.items()
        if name in scenarios
    }
    slices = [(side, round_, name) for side in sides for round_ in range(args.repeat) for name in budgets]
    application_pairs(owner_env, sum(budgets.values()) * len(sides) * args.repeat, tmp / "pairs.txt")
    all_pairs = [line for line in (tmp / "pairs.txt").read_text().splitlines() if line]
    # In the order they are found, consecutive pairs are one candidate's applications to every
    # job, so the 16 connections would mostly be one candidate applying 16 times at once and
    # queueing on that candidate's event group. Many people applying is the load to measure.
    random.Random(12).shuffle(all_pairs)
    files: dict[tuple[str, int, str], Path] = {}
    offset = 0
    share = len(all_pairs) / max(sum(budgets.values()) * len(sides) * args.repeat, 1)
    for side, round_, name in slices:
        size = max(1, int(budgets[name] * share))
        path = tmp / f"pairs-{side}-{round_}-{name}.txt"
        path.write_text("\n".join(all_pairs[offset : offset + size]) + "\n")
        files[(side, round_, name)] = path
        offset += size

    jobs = "/api/v1/jobs?page_size=20"
    results: dict[str, dict[str, list[dict[str, float]]]] = {side: {n: [] for n in scenarios} for side in sides}
    try:
        for round_ in range(args.repeat):
            # Alternate which side goes first, so neither always meets the same moment.
            order = list(sides) if round_ % 2 == 0 else list(reversed(sides))
            for side in order:
                with harness.server(env, configs[side], root=sides[side]) as running:
                    harness.wrk(
                        running.base, jobs, duration=2, connections=args.connections, env={"BENCH_TOKEN": token}
                    )
                    for name in scenarios:
                        results[side][name].append(run(running, name, args, token, files.get((side, round_, name))))
                        print(
                            f"round {round_ + 1} {side} {name}: {results[side][name][-1]['rps']:.0f} req/s, "
                            f"cpu {results[side][name][-1]['cpu_ms']:.2f} ms, "
                            f"p95 {results[side][name][-1]['p95_ms']:.1f} ms",
                            flush=True,
                        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(metrics_dir, ignore_errors=True)

    print()
    print(f"{args.connections} connections, {args.duration}s x {args.repeat} rounds, medians")
    print(f"old: {sides['old']} on {configs['old'].label}\nnew: {sides['new']} on {configs['new'].label}")
    print(
        f"{'scenario':<10} {'side':<4} {'req/s':>8} {'x floor':>8} {'cpu ms':>7} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'errors':>7} {'new/old req/s':>14} {'old/new cpu':>12}"
    )
    for name in scenarios:
        medians = {side: harness.median_of(results[side][name]) for side in sides}
        for side in sides:
            m = medians[side]
            floor = statistics.median(r["rps"] for r in results[side]["floor"]) if "floor" in scenarios else 0.0
            ratio = f"{m['rps'] / floor:>8.2f}" if floor else f"{'-':>8}"
            tail = ""
            if side == "new":
                tail = f" {m['rps'] / medians['old']['rps']:>14.2f} {medians['old']['cpu_ms'] / m['cpu_ms']:>12.2f}"
            print(
                f"{name:<10} {side:<4} {m['rps']:>8.0f} {ratio} {m['cpu_ms']:>7.2f} {m['p50_ms']:>8.1f} "
                f"{m['p95_ms']:>8.1f} {m['error_rate']:>7.2%}{tail}"
            )
    if "floor" in scenarios:
        print_per_round_ratios(results, scenarios)


def print_per_round_ratios(results: dict[str, dict[str, list[dict[str, float]]]], scenarios: list[str]) -> None:
    """Each scenario against the floor of the same side and round, medians over the rounds.

    A shared machine's speed can drift by half between rounds (the same floor at 0.7 and at
    1.2 ms of CPU); a ratio to the floor measured a few seconds before, on the same server,
    cancels a slow drift, where the medians above mix fast and slow rounds. It does not help
    when another load competes second by second (a test suite alongside): then neither is
    more than a rough figure."""
    print("per round, against that round's floor (medians of the rounds):")
    print(f"{'scenario':<10} {'side':<4} {'x floor':>8} {'cpu / floor cpu':>16}")
    for name in scenarios:
        if name == "floor":
            continue
        for side in ("old", "new"):
            pairs = list(zip(results[side]["floor"], results[side][name], strict=True))
            throughput = statistics.median(run["rps"] / floor["rps"] for floor, run in pairs)
            cpu = statistics.median(run["cpu_ms"] / floor["cpu_ms"] for floor, run in pairs)
            print(f"{name:<10} {side:<4} {throughput:>8.3f} {cpu:>16.2f}")


def run(
    running: harness.Running, name: str, args: argparse.Namespace, token: str, pairs: Path | None
) -> dict[str, float]:
    if name == "floor":
        return harness.measured(running, "/health/live", duration=args.duration, connections=args.connections)
    if name == "jobs-max":
        return harness.measured(
            running,
            "/api/v1/jobs?page_size=20",
            duration=args.duration,
            connections=args.connections,
            env={"BENCH_TOKEN": token},
        )
    assert pairs is not None
    apply_env = {"BENCH_PAIRS_FILE": str(pairs), "BENCH_THREADS": "2"}
    if name == "apply-max":
        return harness.measured(
            running,
            "/api/v1/applications",
            duration=args.duration,
            connections=args.connections,
            script="apply.lua",
            env=apply_env,
        )
    # Paced: each of 8 connections thinks (uniform jitter around the mean), then sends; the
    # mean think time is the cycle that makes 50/s together, less a typical response time.
    delay_ms = max(1, int(PACED_CONNECTIONS * 1000 / PACED_RATE) - 10)
    return harness.measured(
        running,
        "/api/v1/applications",
        duration=args.duration,
        connections=PACED_CONNECTIONS,
        script="apply.lua",
        env={**apply_env, "BENCH_DELAY_MS": str(delay_ms)},
    )


if __name__ == "__main__":
    main()
