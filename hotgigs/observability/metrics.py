"""Prometheus metrics: the seed's execution_time, memory_usage, error_rate and cold_starts.

Every HTTP endpoint and every Celery task is measured under two labels, ``kind`` ("http" or
"task") and ``name``: for HTTP the resolved URL pattern's view name (``v1:job-detail``,
``health-ready``; the route pattern when the pattern is unnamed; ``unmatched`` when nothing
resolved), never the raw path, so a scan of random URLs cannot grow the series; for tasks the
task's registered name.

Metrics
    ``hotgigs_execution_time_seconds{kind,name,method}`` (histogram): wall time of the call.
    ``method`` is the HTTP method (``other`` for unknown verbs) or ``task``.

    ``hotgigs_requests_total{kind,name,outcome}`` (counter): finished calls, by outcome.
    ``ok``: 1xx-3xx / task succeeded; ``client_error``: 4xx (the caller's fault, not ours, so
    not in the error rate); ``error``: 5xx or an exception / task failed; ``retry``: the task
    asked to be retried.

    ``hotgigs_memory_usage_bytes{kind,name}`` (histogram): resident set size (RSS) of the
    process when the call ended. ``hotgigs_memory_growth_bytes_total{kind,name}`` (counter):
    sum of RSS growth observed during calls (shrinkage counts as 0), which points at the
    endpoints that make a process grow.

    ``hotgigs_cold_starts_total{process_type}`` (counter) and
    ``hotgigs_cold_start_seconds{process_type}`` (histogram): one per process, at the end of
    its first request or task, observing what a caller arriving as the process started would
    have waited: the process age when it was ready to serve (interpreter start, Django setup,
    warm-up) plus the first call's own duration; idle time before that call is left out. A
    forked child that ran no warm-up falls back to its age when the first call began.
    ``process_type`` is ``asgi``, ``wsgi``,
    ``worker`` (set by the warm-up), or ``web`` / ``worker`` from the kind of the first call.
    ``hotgigs_warm_up_seconds{process_type}`` (histogram): duration of the start-up warm-up.

    ``hotgigs_component_up{component}`` and ``hotgigs_component_latency_seconds{component}``
    (gauges): the last readiness check (database, cache, channel_layer, broker).

    ``hotgigs_db_replica_fallbacks_total`` (counter): replica-ok reads that went to the
    primary because no replica could be reached; ``hotgigs_db_replica_unavailable_total{alias}``
    (counter): times a replica was found unreachable and left out for a while
    (defined in ``hotgigs/replicas.py``, which the kernel's other packages import).

PromQL
    error rate per endpoint::

        sum by (name) (rate(hotgigs_requests_total{kind="http",outcome="error"}[5m]))
          / sum by (name) (rate(hotgigs_requests_total{kind="http"}[5m]))

    p95 execution time::

        histogram_quantile(0.95, sum by (le, name) (rate(hotgigs_execution_time_seconds_bucket[5m])))

    cold starts per hour: ``sum by (process_type) (increase(hotgigs_cold_starts_total[1h]))``;
    mean cold-start time: ``rate(hotgigs_cold_start_seconds_sum[1h]) / rate(hotgigs_cold_start_seconds_count[1h])``.

Several processes
    Set the environment variable ``PROMETHEUS_MULTIPROC_DIR`` to a directory shared by every
    process on the host (uvicorn / gunicorn workers, Celery workers) and empty it before the
    server starts (prometheus_client's multiprocess mode). prometheus_client reads the variable
    when it is imported, so it must be in the environment, not only in a ``.env`` file read
    later. Every process then writes its samples to memory-mapped files there and ``/metrics``
    in any process aggregates all of them (counters and histograms summed, gauges: most recent
    value). Without the variable, the process's default registry is exported, which is right
    for a single process only.
"""

import os
import threading
import time
from typing import Final

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, multiprocess

MULTIPROC_ENV: Final = "PROMETHEUS_MULTIPROC_DIR"
HTTP_METHODS: Final = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def multiprocess_dir() -> str:
    """The shared directory of multiprocess mode, or "" in single-process mode."""
    return os.environ.get(MULTIPROC_ENV, "")


if multiprocess_dir():
    # prometheus_client writes its files there from the first sample on.
    os.makedirs(multiprocess_dir(), exist_ok=True)

_TIME_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)
_MIB = 1024 * 1024
_MEMORY_BUCKETS = tuple(float(n * _MIB) for n in (64, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048, 4096))
_COLD_BUCKETS = (0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0)

EXECUTION_TIME = Histogram(
    "hotgigs_execution_time_seconds",
    "Wall time of an HTTP request or a Celery task.",
    ["kind", "name", "method"],
    buckets=_TIME_BUCKETS,
)
REQUESTS = Counter(
    "hotgigs_requests",
    "Finished HTTP requests and Celery tasks by outcome (ok, client_error, error, retry).",
    ["kind", "name", "outcome"],
)
MEMORY_USAGE = Histogram(
    "hotgigs_memory_usage_bytes",
    "Resident set size of the process when an HTTP request or a Celery task ended.",
    ["kind", "name"],
    buckets=_MEMORY_BUCKETS,
)
MEMORY_GROWTH = Counter(
    "hotgigs_memory_growth_bytes",
    "Resident set size growth observed during HTTP requests and Celery tasks (shrinkage counts as 0).",
    ["kind", "name"],
)
COLD_STARTS = Counter(
    "hotgigs_cold_starts",
    "Processes that served their first HTTP request or Celery task.",
    ["process_type"],
)
COLD_START_SECONDS = Histogram(
    "hotgigs_cold_start_seconds",
    "Process age when its first HTTP request or Celery task ended.",
    ["process_type"],
    buckets=_COLD_BUCKETS,
)
WARM_UP_SECONDS = Histogram(
    "hotgigs_warm_up_seconds",
    "Duration of the warm-up at process start.",
    ["process_type"],
    buckets=_COLD_BUCKETS,
)
COMPONENT_UP = Gauge(
    "hotgigs_component_up",
    "1 when the last readiness check reached the component, else 0.",
    ["component"],
    multiprocess_mode="mostrecent",
)
COMPONENT_LATENCY = Gauge(
    "hotgigs_component_latency_seconds",
    "Latency of the last readiness check of the component.",
    ["component"],
    multiprocess_mode="mostrecent",
)


def registry() -> CollectorRegistry:
    """The registry to export: every process's samples in multiprocess mode, else this process's."""
    if multiprocess_dir():
        collected = CollectorRegistry()
        multiprocess.MultiProcessCollector(collected)  # type: ignore[no-untyped-call]
        return collected
    return REGISTRY


_PAGE_SIZE: Final = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def rss_bytes() -> int:
    """Current resident set size of this process (0 where /proc is not available)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE_SIZE
    except (OSError, ValueError, IndexError):
        return 0


def method_label(method: str | None) -> str:
    """The HTTP method, or "other" so arbitrary verbs cannot add series."""
    return method if method in HTTP_METHODS else "other"


def http_outcome(status: int) -> str:
    if status >= 500:
        return "error"
    if status >= 400:
        return "client_error"
    return "ok"


def record_call(*, kind: str, name: str, method: str, seconds: float, outcome: str, rss_before: int) -> None:
    """Record one finished request or task, and the process's cold start if it was its first."""
    EXECUTION_TIME.labels(kind, name, method).observe(seconds)
    REQUESTS.labels(kind, name, outcome).inc()
    rss_after = rss_bytes()
    if rss_after:
        MEMORY_USAGE.labels(kind, name).observe(rss_after)
        MEMORY_GROWTH.labels(kind, name).inc(max(0, rss_after - rss_before))
    record_cold_start(kind, seconds)


# Cold starts ------------------------------------------------------------------------------

_imported_at = time.monotonic()
_process_type: str | None = None
_ready: tuple[int, float] | None = None  # (pid, process age when ready to serve)
_cold_pid: int | None = None
_cold_lock = threading.Lock()


def mark_ready() -> None:
    """Remember how old this process was when it became ready to serve (Django loaded, warmed up)."""
    global _ready
    _ready = (os.getpid(), process_age_seconds())


def set_process_type(process_type: str) -> None:
    global _process_type
    _process_type = process_type


def process_age_seconds() -> float:
    """Seconds since this process started (exec or fork), from /proc when available."""
    try:
        with open("/proc/self/stat", "rb") as stat:
            # Fields after the command name, which may itself contain spaces and parentheses.
            fields = stat.read().rsplit(b")", 1)[1].split()
        with open("/proc/uptime", "rb") as uptime:
            system_up = float(uptime.read().split()[0])
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")
        return max(0.0, system_up - started)
    except (OSError, ValueError, IndexError):
        return max(0.0, time.monotonic() - _imported_at)


def record_cold_start(kind: str, seconds: float) -> bool:
    """Count the first call of this process (once per pid, so forked children count too)."""
    global _cold_pid
    pid = os.getpid()
    if _cold_pid == pid:
        return False
    with _cold_lock:
        if _cold_pid == pid:
            return False
        _cold_pid = pid
    process_type = _process_type or ("web" if kind == "http" else "worker")
    COLD_STARTS.labels(process_type).inc()
    ready_age = _ready[1] if _ready and _ready[0] == pid else max(0.0, process_age_seconds() - seconds)
    COLD_START_SECONDS.labels(process_type).observe(ready_age + seconds)
    return True
