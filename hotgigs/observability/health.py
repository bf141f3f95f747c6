"""Readiness: can this process reach the database, the cache, the channel layer and the broker?

Each check runs in its own daemon thread and all run at once, so :func:`readiness` returns
within ``HEALTH_CHECK_TIMEOUT`` seconds (default 2) whatever hangs; a check that has not
answered by then fails with ``error: "timeout"``. Errors are reported by exception class only:
``/health/ready`` is unauthenticated and messages may name hosts.

- database: ``SELECT 1`` on the default connection (from the pool on PostgreSQL).
- cache: set then get a random value under ``health:probe``.
- channel_layer: send a message to a new channel and receive it.
- broker: connect to the Celery broker (one attempt). An in-memory broker (``memory://``, the
  embedded default where tasks run eagerly) is reported ok with ``mode: "eager"``.

Used by the ``/health/ready`` view and by the beat task ``observability.record_readiness``,
which also stores the last result in the cache (:data:`LAST_RESULT_KEY`).
"""

import asyncio
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from hotgigs import redis_clients
from hotgigs.observability import metrics

logger = logging.getLogger(__name__)

LAST_RESULT_KEY: Final = "health:last"
LAST_RESULT_TTL: Final = 300


@dataclass(frozen=True)
class CheckResult:
    """One component's answer: reached or not, how long it took, why not."""

    ok: bool
    latency_ms: float
    error: str | None = None
    mode: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ok": self.ok, "latency_ms": self.latency_ms}
        if self.error is not None:
            out["error"] = self.error
        if self.mode is not None:
            out["mode"] = self.mode
        return out


@dataclass(frozen=True)
class Readiness:
    """Every component's result; ready when all are ok."""

    checks: dict[str, CheckResult]
    checked_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks.values())

    @property
    def failing(self) -> list[str]:
        return [name for name, check in self.checks.items() if not check.ok]

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": "ok" if self.ok else "unavailable",
            "checked_at": self.checked_at.isoformat(),
            "checks": {name: check.as_dict() for name, check in self.checks.items()},
            "failing": self.failing,
        }


def check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        # Each check thread has its own connection: give it back (to the pool on PostgreSQL).
        connection.close()
    return None


def check_cache() -> str | None:
    token = secrets.token_hex(8)
    with redis_clients.probe():
        cache.set("health:probe", token, timeout=30)
        if cache.get("health:probe") != token:
            raise RuntimeError("cache did not return the value just written")
    return None


def check_channel_layer() -> str | None:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")

    async def round_trip() -> None:
        channel = await layer.new_channel()
        await layer.send(channel, {"type": "health.probe"})
        message = await layer.receive(channel)
        if message.get("type") != "health.probe":
            raise RuntimeError("channel layer returned another message")

    with redis_clients.probe():
        asyncio.run(round_trip())
    return None


def check_broker() -> str | None:
    from hotgigs.celery import app

    with app.connection_for_write() as conn:
        if conn.transport.driver_type == "memory":  # type: ignore[attr-defined]
            return "eager" if app.conf.task_always_eager else "memory"
        # One attempt: the broker's socket timeouts bound it (a silent Redis fails in about
        # REDIS_SOCKET_TIMEOUT instead of the whole readiness timeout).
        conn.ensure_connection(
            max_retries=0,
            interval_start=0,
            interval_step=0,
            timeout=timeout_seconds(),  # type: ignore[arg-type]  # kombu takes float seconds
        )
    return None


# Each check returns an optional mode ("eager") or raises.
CHECKS: dict[str, Callable[[], str | None]] = {
    "database": check_database,
    "cache": check_cache,
    "channel_layer": check_channel_layer,
    "broker": check_broker,
}


def timeout_seconds() -> float:
    return float(settings.HEALTH_CHECK_TIMEOUT)


def _run(check: Callable[[], str | None], results: dict[str, Any], name: str) -> None:
    start = time.perf_counter()
    try:
        mode = check()
    except Exception as exc:  # any failure means "not reachable"; the class names it
        results[name] = CheckResult(False, _ms_since(start), error=type(exc).__name__)
    else:
        results[name] = CheckResult(True, _ms_since(start), mode=mode)


def _ms_since(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 3)


def readiness() -> Readiness:
    """Run every check at once; never takes much longer than ``HEALTH_CHECK_TIMEOUT``."""
    results: dict[str, CheckResult] = {}
    start = time.perf_counter()
    deadline = start + timeout_seconds()
    threads = [
        threading.Thread(target=_run, args=(check, results, name), name=f"health-{name}", daemon=True)
        for name, check in CHECKS.items()
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline - time.perf_counter()))
    checks = {name: results.get(name) or CheckResult(False, _ms_since(start), error="timeout") for name in CHECKS}
    return Readiness(checks=checks)


def record_gauges(result: Readiness) -> None:
    for name, check in result.checks.items():
        metrics.COMPONENT_UP.labels(name).set(1 if check.ok else 0)
        metrics.COMPONENT_LATENCY.labels(name).set(check.latency_ms / 1000)


def record(result: Readiness) -> None:
    """Keep the result: gauges, the cache entry ``health:last``, a warning per failing component."""
    record_gauges(result)
    for name in result.failing:
        logger.warning("component %s is not ready", name, extra={"component": name, **result.checks[name].as_dict()})
    try:
        cache.set(LAST_RESULT_KEY, result.as_dict(), timeout=LAST_RESULT_TTL)
    except Exception as exc:  # the cache may be the failing component
        logger.warning("could not store the readiness result: %s", type(exc).__name__)
