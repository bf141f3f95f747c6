"""Shared pieces of the HTTP benchmarks: a seeded PostgreSQL database, real uvicorn
servers, and wrk as the load generator (its Lua scripts print one RESULT line)."""

import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

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


def recruiter_token(env: dict[str, str]) -> str:
    """An access token of the first organization admin, issued without hashing a password."""
    code = (
        "import django; django.setup();"
        "from hotgigs.accounts.models import Membership;"
        "from hotgigs.accounts.tokens import token_issue_for_user;"
        "m = Membership.objects.filter(role='org_admin').select_related('user').order_by('id').first();"
        "print(token_issue_for_user(user=m.user, device_id='bench').access_token)"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


def table(medians: dict[str, dict[str, float]]) -> str:
    lines = [f"{'scenario':<16} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>8}"]
    for name, m in medians.items():
        lines.append(
            f"{name:<16} {m['rps']:>8.0f} {m['p50_ms']:>8.1f} {m['p95_ms']:>8.1f} {m['p99_ms']:>8.1f} {m['error_rate']:>8.2%}"
        )
    return "\n".join(lines)
