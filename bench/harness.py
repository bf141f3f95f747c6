"""Shared pieces of the HTTP benchmarks: a seeded PostgreSQL database, real uvicorn and
gunicorn servers, and wrk as the load generator (its Lua scripts print one RESULT line)."""

import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
LUA = ROOT / "bench" / "api"


UNLIMITED = "1000000000/m"


def unlimited_rate_limits() -> dict[str, str]:
    """Every rate limit raised out of reach: one load generator on one address is not what they are for."""
    names = ("BURST", "DEFAULT", "JOBS", "CANDIDATES", "APPLICATIONS", "INTERVIEWS", "ANALYTICS", "AUTH")
    return {f"RATE_LIMIT_{name}": UNLIMITED for name in names}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ensure_database(url: str, *, fresh: bool = False) -> None:
    """Create the benchmark database if it does not exist (``fresh``: drop it first)."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, check=True, cwd=ROOT)


def prepared_env(database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    """Environment of a benchmark server: PostgreSQL, optional Redis, quiet logs."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hotgigs.settings",
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
        "DJANGO_DEBUG": "false",
        **extra,
    }
    if redis_url:
        env["REDIS_URL"] = redis_url
    else:
        env.pop("REDIS_URL", None)
    owner = env.get("DATABASE_OWNER_URL")
    if owner:
        # Migrations connect as the owner: to the benchmark's database, not the shell's.
        database = urllib.parse.urlsplit(database_url).path
        env["DATABASE_OWNER_URL"] = urllib.parse.urlsplit(owner)._replace(path=database).geturl()
    use_local_secret_key(env)
    return env


def use_local_secret_key(env: dict[str, str] | os._Environ[str]) -> None:
    """Sign with this checkout's key (var/secret-key, as ``make run`` does) unless one is set:
    with DEBUG off the settings refuse to start without a key."""
    (ROOT / "var").mkdir(exist_ok=True)
    env.setdefault("DJANGO_SECRET_KEY_FILE", str(ROOT / "var" / "secret-key"))


def seed(env: dict[str, str], *, fresh: bool = False) -> None:
    ensure_database(env["DATABASE_URL"], fresh=fresh)
    manage(env, "migrate", "-v0")
    manage(env, "seed_demo", "--quiet")
    analyze(env["DATABASE_URL"])


def autovacuum_on(url: str) -> bool:
    """Whether the server refreshes planner statistics by itself (``autovacuum``, on by default)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SHOW autovacuum").fetchone()
    return bool(row and row[0] == "on")


def analyze(url: str) -> None:
    """Refresh the planner's statistics, as autovacuum does on a server that runs it.

    Some shared machines run PostgreSQL with autovacuum off; without statistics the planner
    guesses one row per table and picks plans hundreds of times slower than production's
    (measured here: the time-in-stage query at 745 ms instead of 11 ms after 6,000
    applications). Every benchmark analyzes after seeding; long ones also while they run."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE")


def wait_ready(base: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/health/live", timeout=2) as r:  # noqa: S310
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server at {base} did not come up")


@dataclass(frozen=True)
class ServerConfig:
    """One way of serving HTTP, as ``python -m hotgigs.serve`` starts it."""

    interface: str  # "asgi" (uvicorn) or "wsgi" (gunicorn)
    workers: int
    threads: int = 1

    @property
    def label(self) -> str:
        if self.interface == "asgi":
            return f"uvicorn x{self.workers}"
        kind = f"gthread x{self.workers}x{self.threads}" if self.threads > 1 else f"sync x{self.workers}"
        return f"gunicorn {kind}"

    @classmethod
    def parse(cls, text: str) -> "ServerConfig":
        """``asgi:2``, ``wsgi:3`` (sync workers) or ``wsgi:2x4`` (gthread: workers x threads)."""
        interface, _, size = text.partition(":")
        if interface not in ("asgi", "wsgi") or not size:
            raise ValueError(f"not a server configuration: {text!r} (asgi:N, wsgi:N or wsgi:NxT)")
        workers, _, threads = size.partition("x")
        return cls(interface, int(workers), int(threads or 1))


def wait_idle(running: "Running", *, workers: int, timeout: float = 60) -> None:
    """Wait until every worker process is up and the server has gone quiet.

    The first worker to answer is not the last to finish its warm-up. wrk opens its
    connections once, at the start, and keeps them: connections opened while one worker still
    imports go to the others and stay there for the whole run. 16 connections on one gthread
    worker served the floor at about 850 req/s and 1.3 ms of CPU each, against about 2,850 and
    0.65 ms spread over two, depending only on how fast the second worker started.
    """
    deadline = time.monotonic() + timeout
    last = running.cpu_seconds()
    while time.monotonic() < deadline:
        time.sleep(0.3)
        now = running.cpu_seconds()
        # The master and its workers all started, and less than 3 % of a CPU used meanwhile.
        if len(_process_tree(running.pid)) >= workers + 1 and now - last < 0.01:
            return
        last = now
    raise SystemExit(f"server at {running.base} did not go quiet within {timeout:.0f} s")


@dataclass(frozen=True)
class Running:
    """A server started by :func:`server`: its base URL and the process that started it."""

    base: str
    pid: int

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the server and all its worker processes.

        On a shared, loaded machine throughput moves with whatever else runs; the CPU a
        request costs the server moves much less, so the benchmarks print both."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for pid in _process_tree(self.pid):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
        return total


def _process_tree(pid: int) -> list[int]:
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            found += _process_tree(int(child))
    return found


@contextlib.contextmanager
def server(env: dict[str, str], config: ServerConfig, *, root: Path = ROOT) -> Iterator[Running]:
    """Run ``python -m hotgigs.serve`` as ``config`` says (quiet) from the checkout ``root``."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "hotgigs.serve", "--interface", config.interface, "--port", str(port)]
    command += ["--workers", str(config.workers)]
    if config.interface == "wsgi":
        command += ["--threads", str(config.threads)]
    # The project's access log (one JSON line per request) stays on, as deployed; its output
    # goes to /dev/null, as a log shipper would take it off the box.
    process = subprocess.Popen(command, env=env, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_ready(base)
        running = Running(base, process.pid)
        wait_idle(running, workers=config.workers)
        yield running
    finally:
        process.terminate()
        process.wait(timeout=30)


def measured(running: Running, path: str, *, base: str | None = None, **options: Any) -> dict[str, float]:
    """:func:`wrk` on ``running`` (or on ``base``, a proxy in front of it), with the server's CPU
    milliseconds per request added (the server's processes only, not the proxy's)."""
    before = running.cpu_seconds()
    result = wrk(base or running.base, path, **options)
    result["cpu_ms"] = (running.cpu_seconds() - before) * 1000 / max(result["requests"], 1)
    return result


@contextlib.contextmanager
def uvicorn(env: dict[str, str], workers: int, *, quiet: bool = False) -> Iterator[str]:
    """Run ``uvicorn hotgigs.asgi:application`` with ``workers`` processes; yield its base URL.

    ``quiet`` sends the server's output (e.g. one JSON access-log line per request) to
    /dev/null, as a log shipper would take it off the box."""
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
            str(workers),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL if quiet else None,
        stderr=subprocess.DEVNULL if quiet else None,
    )
    try:
        wait_ready(base)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def wrk(
    base: str,
    path: str,
    *,
    duration: int,
    connections: int,
    threads: int = 2,
    script: str = "jobs_list.lua",
    env: dict[str, str] | None = None,
) -> dict[str, float]:
    """One wrk run; returns req/s, p50/p95/p99 in ms and the error rate (non-2xx/3xx or socket errors)."""
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "5s",
        "-s",
        str(LUA / script),
        base + path,
    ]
    out = subprocess.run(
        cmd, env={**os.environ, "BENCH_PATH": path, **(env or {})}, capture_output=True, text=True, check=True
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


# A benchmark on a loaded machine runs for longer than an access token's default 15 minutes:
# past it, every request would be a quick 401 measured as if it were the endpoint.
BENCH_TOKEN_LIFETIME_SECONDS = 6 * 3600


def recruiter_token(env: dict[str, str]) -> str:
    """An access token of the first organization admin, issued without hashing a password,
    valid for :data:`BENCH_TOKEN_LIFETIME_SECONDS` (the servers check the token's own expiry)."""
    code = (
        "import django; django.setup();"
        "from hotgigs.accounts.models import Membership;"
        "from hotgigs.accounts.tokens import token_issue_for_user;"
        "m = Membership.objects.filter(role='org_admin').select_related('user').order_by('id').first();"
        "print(token_issue_for_user(user=m.user, device_id='bench').access_token)"
    )
    env = {**env, "JWT_ACCESS_TOKEN_LIFETIME": str(BENCH_TOKEN_LIFETIME_SECONDS)}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


def table(medians: dict[str, dict[str, float]], *, ratio_to: float | None = None) -> str:
    """One line per scenario; with ``ratio_to`` (the floor's req/s) a column of throughput ratios,
    and the server's CPU milliseconds per request when the runs measured it (:func:`measured`)."""
    ratio_head = f" {'x floor':>8}" if ratio_to else ""
    cpu = all("cpu_ms" in m for m in medians.values())
    cpu_head = f" {'cpu ms':>7}" if cpu else ""
    lines = [
        f"{'scenario':<16} {'req/s':>8}{ratio_head}{cpu_head} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>8}"
    ]
    for name, m in medians.items():
        ratio = f" {m['rps'] / ratio_to:>8.2f}" if ratio_to else ""
        cpu_ms = f" {m['cpu_ms']:>7.2f}" if cpu else ""
        lines.append(
            f"{name:<16} {m['rps']:>8.0f}{ratio}{cpu_ms} {m['p50_ms']:>8.1f} {m['p95_ms']:>8.1f} {m['p99_ms']:>8.1f} {m['error_rate']:>8.2%}"
        )
    return "\n".join(lines)
