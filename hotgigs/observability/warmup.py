"""Warm-up at process start, so the first request does not pay for it.

``hotgigs/asgi.py`` and ``hotgigs/wsgi.py`` call :func:`warm_up` right after building the
application, and each Celery prefork child calls it after the fork. It imports the whole
URLConf (every view, serializer and selector module) and every app's Celery tasks, opens the database connection pool
(psycopg pool on PostgreSQL: ``min_size`` connections are opened) and touches the cache.
A failing step is logged and skipped: a process must start even while a dependency is down;
``/health/ready`` reports that.

Heavy libraries (openai, numpy, document parsers) are not imported here on purpose: they are
imported inside the functions that use them, so only the processes that need them pay.

Set ``HOTGIGS_WARM_UP=false`` to skip it, and do so under ``gunicorn --preload``: a pool opened
in the master before the fork must not be shared by the workers.
"""

import asyncio
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.urls import get_resolver
from django.utils.module_loading import module_has_submodule

from hotgigs.observability import metrics

logger = logging.getLogger(__name__)


def warm_up(process_type: str) -> float:
    """Warm this process up; returns the seconds it took (0.0 when disabled)."""
    metrics.set_process_type(process_type)
    if not settings.HOTGIGS_WARM_UP:
        metrics.mark_ready()
        return 0.0
    start = time.perf_counter()
    steps = (
        ("urlconf", _load_urlconf),
        ("tasks", _register_tasks),
        ("database", _open_database),
        ("cache", _touch_cache),
    )
    for step, action in steps:
        try:
            _outside_event_loop(action)
        except Exception as exc:  # a dependency may be down at start; readiness will say so
            logger.warning("warm-up step %s failed: %s", step, type(exc).__name__, extra={"step": step})
    seconds = time.perf_counter() - start
    metrics.WARM_UP_SECONDS.labels(process_type).observe(seconds)
    metrics.mark_ready()
    logger.info("warm-up done", extra={"process_type": process_type, "duration_ms": round(seconds * 1000, 3)})
    return seconds


def _outside_event_loop(action: Callable[[], None]) -> None:
    """Run ``action`` here, or in a helper thread when an event loop runs in this thread.

    uvicorn imports the ASGI application inside its running loop, where Django refuses
    database calls (SynchronousOnlyOperation). The connection pool is shared by the
    process's threads, so opening it from a helper thread still warms it.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        action()
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="warm-up") as pool:
        pool.submit(action).result()


def _load_urlconf() -> None:
    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018  (imports every view module)
    resolver.reverse_dict  # noqa: B018  (builds the reverse lookup tables once)


def _register_tasks() -> None:
    # Every app's Celery tasks, which the first task queued would otherwise import through
    # Celery's loader (0.1 s of a first submission here, most of it Celery's Django fixup
    # setting Django up again and running the system checks). Importing the modules is all
    # registration takes.
    for config in apps.get_app_configs():
        if module_has_submodule(config.module, "tasks"):
            import_module(f"{config.name}.tasks")


def _open_database() -> None:
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    # Back to the pool (PostgreSQL) rather than held by the importing thread.
    connection.close()


def _touch_cache() -> None:
    cache.get("warm-up")
