"""REST API benchmark: real servers with worker processes on PostgreSQL, loaded by wrk.

Two parts, in one run:

1. **Which server.** Each configuration of ``--servers`` (default: uvicorn as ``make run``
   and the ``realtime`` service run it, gunicorn sync and gthread workers as the ``web``
   service may) is started through ``python -m hotgigs.serve``, and its floor and jobs list
   are measured, interleaved, ``--repeat`` rounds. The configuration with the highest median
   floor is "the best server configuration", and the output names it.
2. **The scenarios, on that configuration:**
     floor      GET /health/live        the cheapest JSON view on the same server and stack
     jobs-max   GET /api/v1/jobs        page of 20, recruiter token, as fast as it goes
     jobs-100   GET /api/v1/jobs        paced towards 100 requests/s (the issue's target load)
     apply-max  POST /api/v1/applications  a different candidate and job on every request
     apply-50   POST /api/v1/applications  paced towards 50 requests/s (--apply-rate), for its p95
   The two paced runs also run through nginx with the repository's configuration
   (docker/nginx/hotgigs.conf.template), as deployed, when nginx is installed (``-proxy``).

Each scenario runs --repeat times, interleaved; medians are printed side by side with the
jobs list's and the POST's throughput as ratios to the floor's. The server runs the deployed
stack: rate limits are counted in Redis but raised out of reach (one load generator on one
IP is not what they are for), metrics and JSON access logs are on. ``--cache off`` makes
every jobs request compute its page; ``--cache on`` (the default, as deployed) serves
repeats from the response cache. bench/overhead isolates the cost of each part.

Usage (PostgreSQL must be reachable; the database is created and seeded if missing):
    .venv/bin/python bench/api/run.py [--database-url URL] [--servers asgi:2,wsgi:3,wsgi:2x4]
                                      [--duration 10] [--repeat 3]
``--rls on`` (the default) serves as the application's role (``--app-role``, created if
missing), which PostgreSQL's row-level security holds, as deployed; ``--rls off`` as the
database URL's own user (the owner, which the policies do not hold). Either way a last part
measures the jobs list with RLS on and off on the best configuration, interleaved, and prints
the cost (``--no-rls-cost`` skips it).
Server configurations: ``asgi:N`` (uvicorn, N workers), ``wsgi:N`` (gunicorn, N sync
workers), ``wsgi:NxT`` (gunicorn, N gthread workers of T threads).
Needs `wrk` (Debian package wrk).
"""

import argparse
import contextlib
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import harness

from tests.servers import nginx_binary, nginx_proxy

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


def open_every_job(url: str) -> None:
    """Open every job of every organization of the benchmark's database, for more fresh pairs."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("UPDATE accounts_organization SET is_active = true")
        conn.execute("UPDATE jobs_job SET status = 'open'")
    harness.analyze(url)


def as_role(url: str, role: str) -> str:
    """``url`` with ``role`` as its user and no password (local trust authentication)."""
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, f"{role}@{host}", parts.path, parts.query, parts.fragment))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hotgigs_bench"),
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"))
    parser.add_argument("--cache", choices=("on", "off"), default="on")
    parser.add_argument(
        "--servers",
        default="asgi:2,wsgi:2,wsgi:3,wsgi:2x4,wsgi:3x4",
        help="comma-separated server configurations to compare (asgi:N, wsgi:N, wsgi:NxT)",
    )
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rate", type=int, default=100, help="target requests/s of the paced jobs run")
    parser.add_argument("--apply-rate", type=int, default=50, help="target POSTs/s of the paced apply run")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rls", choices=("on", "off"), default="on", help="serve as the app role (on) or the owner")
    parser.add_argument("--app-role", default="hotgigs_app", help="the application's role for --rls on")
    parser.add_argument("--no-rls-cost", action="store_true", help="skip the RLS on/off comparison")
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
    # A fresh database each run: every POST must be a new candidate–job pair. The owner
    # migrates and seeds; the application's role gets the tables (row-level security holds it).
    owner_env = env
    harness.seed(owner_env, fresh=True)
    app_env = {
        **owner_env,
        "DATABASE_URL": as_role(args.database_url, args.app_role),
        "DATABASE_OWNER_URL": args.database_url,
    }
    harness.manage(app_env, "app_role")
    # The demo opens about a third of its jobs: too few fresh pairs for every POST of the rounds
    # (a repeated pair answers a cheap 409, counted as an error). Open them all, this database only.
    open_every_job(args.database_url)
    env = app_env if args.rls == "on" else owner_env
    print(
        f"serving as {'the application role ' + args.app_role + ' (RLS on)' if args.rls == 'on' else 'the owner (RLS off)'}"
    )
    token = harness.recruiter_token(owner_env)
    tmp = Path(tempfile.mkdtemp(prefix="hotgigs-bench-"))
    pairs = tmp / "pairs.txt"
    per_round = 400 * args.duration
    paced_per_round = 2 * args.apply_rate * args.duration
    probe_pairs = 3 * 2 * args.apply_rate
    # The paced POST runs twice a round: straight to the server and through the proxy.
    paced_total = 2 * paced_per_round * args.repeat
    application_pairs(owner_env, per_round * args.repeat + paced_total + probe_pairs, pairs)
    # Each round gets its own slice: wrk restarts its scripts, and a repeated pair answers 409.
    all_pairs = [line for line in pairs.read_text().splitlines() if line]
    # Found in order, consecutive pairs are one candidate applying to every job; shuffled, the
    # connections are many people applying at once (as in bench/api/compare.py).
    random.Random(12).shuffle(all_pairs)
    # The paced POST's pairs come off the end, so the flat-out rounds keep theirs.
    paced_pairs, all_pairs = all_pairs[-paced_total:], all_pairs[:-paced_total]
    per_round = max(1, min(per_round, (len(all_pairs) - probe_pairs) // args.repeat))
    round_files: list[Path] = []
    paced_files: list[Path] = []
    proxied_files: list[Path] = []
    for number in range(args.repeat):
        round_file = tmp / f"pairs-{number}.txt"
        round_file.write_text("\n".join(all_pairs[number * per_round : (number + 1) * per_round]) + "\n")
        round_files.append(round_file)
        for kind, files, start in (("paced", paced_files, number), ("proxied", proxied_files, args.repeat + number)):
            paced_file = tmp / f"{kind}-{number}.txt"
            paced_file.write_text(
                "\n".join(paced_pairs[start * paced_per_round : (start + 1) * paced_per_round]) + "\n"
            )
            files.append(paced_file)
    current = {"round": 0}

    configs = [harness.ServerConfig.parse(text) for text in args.servers.split(",") if text]
    jobs = "/api/v1/jobs?page_size=20"
    common = {"BENCH_TOKEN": token}
    sweep: dict[str, dict[str, list[dict[str, float]]]] = {c.label: {"floor": [], "jobs-max": []} for c in configs}
    results: dict[str, list[dict[str, float]]] = {}
    try:
        # 1. Which server: floor and jobs list per configuration, interleaved rounds.
        for round_ in range(args.repeat):
            for config in configs:
                with harness.server(env, config) as running:
                    base = running.base
                    harness.wrk(base, jobs, duration=2, connections=args.connections, env=common)  # warm every worker
                    floor = harness.measured(
                        running, "/health/live", duration=args.duration, connections=args.connections
                    )
                    listed = harness.measured(
                        running, jobs, duration=args.duration, connections=args.connections, env=common
                    )
                sweep[config.label]["floor"].append(floor)
                sweep[config.label]["jobs-max"].append(listed)
                print(
                    f"round {round_ + 1} {config.label}: floor {floor['rps']:.0f} req/s, jobs {listed['rps']:.0f} req/s",
                    flush=True,
                )
        best = max(configs, key=lambda c: harness.median_of(sweep[c.label]["floor"])["rps"])

        # 2. The scenarios on the best configuration; the paced ones also through the
        # repository's nginx configuration, as deployed (docker/nginx), when nginx is installed.
        with contextlib.ExitStack() as stack:
            running = stack.enter_context(harness.server(env, best))
            base = running.base
            proxied = stack.enter_context(nginx_proxy(base, base)) if nginx_binary() else None
            if proxied is None:
                print("nginx is not installed: the paced runs are measured without the proxy only")
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
                "floor": lambda: harness.measured(
                    running, "/health/live", duration=args.duration, connections=args.connections
                ),
                "jobs-max": lambda: harness.measured(
                    running, jobs, duration=args.duration, connections=args.connections, env=common
                ),
                f"jobs-{args.rate}": lambda: harness.measured(
                    running,
                    jobs,
                    duration=args.duration,
                    connections=paced_connections,
                    env={**common, "BENCH_DELAY_MS": str(delay_ms)},
                ),
                "apply-max": lambda: harness.measured(
                    running,
                    "/api/v1/applications",
                    duration=args.duration,
                    connections=args.connections,
                    script="apply.lua",
                    env={"BENCH_PAIRS_FILE": str(round_files[current["round"]]), "BENCH_THREADS": "2"},
                ),
            }
            # The POST paced towards --apply-rate, calibrated the same way (issue 12: p95 < 100 ms at 50/s).
            apply_cycle_ms = paced_connections * 1000 / args.apply_rate
            apply_probe_delay = max(1, int(apply_cycle_ms) - 20)
            probe_file = tmp / "pairs-probe.txt"
            probe_file.write_text("\n".join(all_pairs[per_round * args.repeat :]) + "\n")
            apply_delay_ms = apply_probe_delay
            if len(all_pairs) > per_round * args.repeat:
                apply_probe = harness.wrk(
                    base,
                    "/api/v1/applications",
                    duration=3,
                    connections=paced_connections,
                    script="apply.lua",
                    env={
                        "BENCH_PAIRS_FILE": str(probe_file),
                        "BENCH_THREADS": "2",
                        "BENCH_DELAY_MS": str(apply_probe_delay),
                    },
                )
                apply_response_ms = max(
                    0.0, paced_connections * 1000 / max(apply_probe["rps"], 1.0) - apply_probe_delay
                )
                apply_delay_ms = max(1, int(apply_cycle_ms - apply_response_ms))
            print(f"paced POST: {paced_connections} connections, think time {apply_delay_ms} ms", flush=True)

            def paced_apply(files: list[Path], through: str | None = None) -> Callable[[], dict[str, float]]:
                """The paced POST with this round's pairs of ``files``, straight or ``through`` the proxy."""
                return lambda: harness.measured(
                    running,
                    "/api/v1/applications",
                    base=through,
                    duration=args.duration,
                    connections=paced_connections,
                    script="apply.lua",
                    env={
                        "BENCH_PAIRS_FILE": str(files[current["round"]]),
                        "BENCH_THREADS": "2",
                        "BENCH_DELAY_MS": str(apply_delay_ms),
                    },
                )

            scenarios[f"apply-{args.apply_rate}"] = paced_apply(paced_files)
            if proxied is not None:
                scenarios[f"jobs-{args.rate}-proxy"] = lambda: harness.measured(
                    running,
                    jobs,
                    base=proxied,
                    duration=args.duration,
                    connections=paced_connections,
                    env={**common, "BENCH_DELAY_MS": str(delay_ms)},
                )
                scenarios[f"apply-{args.apply_rate}-proxy"] = paced_apply(proxied_files, proxied)
            results = {name: [] for name in scenarios}
            for round_ in range(args.repeat):
                current["round"] = round_
                for name, run in scenarios.items():
                    results[name].append(run())
                    print(f"round {round_ + 1} {best.label} {name}: {results[name][-1]['rps']:.0f} req/s", flush=True)
        # 3. What row-level security costs the jobs list: the same server with RLS on and off.
        rls_runs: dict[str, list[dict[str, float]]] = {"on": [], "off": []}
        # Each server's own floor too: the machine's speed drifts between minutes, and a ratio to
        # a floor measured seconds before on the same server cancels most of it.
        rls_floors: dict[str, list[dict[str, float]]] = {"on": [], "off": []}
        if not args.no_rls_cost:
            for round_ in range(args.repeat):
                for label, served in (("on", app_env), ("off", owner_env)):
                    with harness.server(served, best) as running:
                        harness.wrk(running.base, jobs, duration=2, connections=args.connections, env=common)
                        rls_floors[label].append(
                            harness.measured(
                                running, "/health/live", duration=args.duration, connections=args.connections
                            )
                        )
                        rls_runs[label].append(
                            harness.measured(
                                running, jobs, duration=args.duration, connections=args.connections, env=common
                            )
                        )
                    print(f"round {round_ + 1} {best.label} jobs RLS {label}: {rls_runs[label][-1]['rps']:.0f} req/s")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(metrics_dir, ignore_errors=True)

    print()
    print(
        f"Servers (python -m hotgigs.serve), PostgreSQL + Redis, cache {args.cache}, {args.connections} connections, "
        f"{args.duration}s x {args.repeat} rounds, medians"
    )
    print(
        f"{'server':<24} {'floor req/s':>12} {'floor range':>12} {'jobs req/s':>12} {'jobs/floor':>11} "
        f"{'floor cpu ms':>13} {'jobs cpu ms':>12}"
    )
    uneven = []
    for config in configs:
        floor = harness.median_of(sweep[config.label]["floor"])
        listed = harness.median_of(sweep[config.label]["jobs-max"])
        rounds = [run["rps"] for run in sweep[config.label]["floor"]]
        spread = f"{min(rounds):.0f}-{max(rounds):.0f}"
        if max(rounds) > 1.5 * min(rounds):
            uneven.append(config.label)
        mark = "  <- best floor" if config == best else ""
        print(
            f"{config.label:<24} {floor['rps']:>12.0f} {spread:>12} {listed['rps']:>12.0f} "
            f"{listed['rps'] / floor['rps']:>11.2f} {floor['cpu_ms']:>13.2f} {listed['cpu_ms']:>12.2f}{mark}"
        )
    if uneven:
        # gthread workers share one listening socket: when one worker accepts all of wrk's
        # connections, it serves them alone on one core (bench/README.md, "Uneven workers").
        print(f"uneven rounds (best floor over 1.5x the worst) on: {', '.join(uneven)}")

    medians = {name: harness.median_of(runs) for name, runs in results.items()}
    floor_rps = medians["floor"]["rps"]
    print()
    print(f"On the best server configuration: {best.label} (paced run: 8 connections)")
    print(harness.table(medians, ratio_to=floor_rps))
    paced = medians[f"jobs-{args.rate}"]
    print()
    # Rounds are interleaved, so each round's ratio compares runs that shared the machine's
    # load of the moment; their median moves less than the ratio of the medians.
    per_round = per_round_ratio(results["floor"], results["jobs-max"])
    print(
        f"jobs list / floor throughput: {medians['jobs-max']['rps'] / floor_rps:.2f} "
        f"(median of the rounds' ratios {per_round:.2f}; target >= 0.40) on {best.label}"
    )
    print(
        "jobs list / floor by server CPU per request: "
        f"{medians['floor']['cpu_ms'] / medians['jobs-max']['cpu_ms']:.2f} "
        "(the throughput ratio the server's own cost allows; steadier on a shared machine)"
    )
    print(
        f"jobs list at {paced['rps']:.0f} req/s: p95 {paced['p95_ms']:.1f} ms (target < 100 ms), "
        f"errors {paced['error_rate']:.2%}"
    )
    print_proxied(medians, f"jobs-{args.rate}", "jobs list")
    apply_per_round = per_round_ratio(results["floor"], results["apply-max"])
    print(
        f"apply / floor throughput: {medians['apply-max']['rps'] / floor_rps:.3f} "
        f"(median of the rounds' ratios {apply_per_round:.3f}; target >= 0.10) on {best.label}"
    )
    apply_paced = medians[f"apply-{args.apply_rate}"]
    print(
        f"apply at {apply_paced['rps']:.0f} req/s: p95 {apply_paced['p95_ms']:.1f} ms (target < 100 ms at 50/s), "
        f"errors {apply_paced['error_rate']:.2%}"
    )
    print_proxied(medians, f"apply-{args.apply_rate}", "apply")
    if rls_runs["on"]:
        on, off = harness.median_of(rls_runs["on"]), harness.median_of(rls_runs["off"])
        print(
            f"jobs list with RLS on {on['rps']:.0f} req/s ({on['cpu_ms']:.2f} cpu ms, errors {on['error_rate']:.2%}), "
            f"off {off['rps']:.0f} req/s ({off['cpu_ms']:.2f} cpu ms, errors {off['error_rate']:.2%}): "
            f"RLS costs {(1 - on['rps'] / off['rps']):.1%} of throughput "
            f"(target < 10%); RLS-on jobs / floor {on['rps'] / floor_rps:.2f} (target >= 0.50)"
        )
        on_per_round = per_round_ratio(rls_floors["on"], rls_runs["on"])
        off_per_round = per_round_ratio(rls_floors["off"], rls_runs["off"])
        print(
            "against each server's own floor, medians of the rounds: RLS-on jobs / floor "
            f"{on_per_round:.2f} (target >= 0.50), RLS-off {off_per_round:.2f}: RLS costs "
            f"{1 - on_per_round / off_per_round:.1%}"
        )


def print_proxied(medians: dict[str, dict[str, float]], scenario: str, what: str) -> None:
    """The paced run through the proxy beside the direct one. wrk opens its next connection as soon
    as a response ends and writes the request only after its think time; a sync worker that
    accepts that connection waits for the request, and the others queue behind it. nginx reads
    a whole request before it hands it on, as in the deployment (docker/nginx)."""
    proxied = medians.get(f"{scenario}-proxy")
    if proxied is None:
        return
    print(
        f"{what} through nginx at {proxied['rps']:.0f} req/s: p95 {proxied['p95_ms']:.1f} ms, "
        f"errors {proxied['error_rate']:.2%} (as deployed: the proxy buffers each request)"
    )


def per_round_ratio(floors: list[dict[str, float]], runs: list[dict[str, float]]) -> float:
    """The median over the rounds of each run's throughput against the floor of its round."""
    return statistics.median(run["rps"] / floor["rps"] for floor, run in zip(floors, runs, strict=True))


if __name__ == "__main__":
    main()
