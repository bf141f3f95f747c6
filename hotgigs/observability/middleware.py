"""Per-request metrics and the JSON access log.

Sits right after ``RequestIdMiddleware`` so every response, including those of later
middleware (413, CSRF, 404 pages), is measured and logged with the request id.

One access line per request on logger ``hotgigs.access``: ``request_id``, ``user_id`` (null when
anonymous or not authenticated by the time the response is built), ``method``, ``endpoint``
(the metric's ``name`` label), ``path`` (no query string: it may carry secrets), ``status``,
``duration_ms``. ``HOTGIGS_DEBUG_VERBOSE`` adds ``query_string`` (parameter names only, every
value ``[redacted]``: tokens and signed links travel there), ``client_ip`` (as the rate
limiter sees it: behind a trusted proxy, the address it forwarded),
``user_agent`` and ``response_bytes``; ``HOTGIGS_TRACE`` adds ``db_queries`` and ``db_ms``
and logs every SQL statement with its duration on ``hotgigs.observability.trace`` (DEBUG).
"""

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject, empty

from hotgigs.api.middleware import current_request_id
from hotgigs.api.ratelimit import client_ip
from hotgigs.observability import metrics
from hotgigs.observability.logs import redact_query_string

access_logger = logging.getLogger("hotgigs.access")
trace_logger = logging.getLogger("hotgigs.observability.trace")


def endpoint_name(request: HttpRequest) -> str:
    """The resolved URL pattern's view name (the route when unnamed), never the raw path."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    if match.url_name:
        return str(match.view_name)
    return "/" + str(match.route).lstrip("^")


def user_id(request: HttpRequest) -> int | str | None:
    """The authenticated user's id, without loading a user nobody has looked at yet."""
    user = request.__dict__.get("user")
    if user is None or (isinstance(user, SimpleLazyObject) and user._wrapped is empty):  # type: ignore[attr-defined]
        return None
    if not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "pk", None)


class _QueryTrace:
    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - start
            self.count += 1
            self.seconds += elapsed
            trace_logger.debug("sql", extra={"sql": sql, "sql_ms": round(elapsed * 1000, 3)})


@contextmanager
def _traced(trace: _QueryTrace) -> Iterator[None]:
    with connection.execute_wrapper(trace):
        yield


class ObservabilityMiddleware:
    """Record ``hotgigs_*`` metrics for the request and write its access log line."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        start = time.perf_counter()
        rss_before = metrics.rss_bytes()
        trace = _QueryTrace() if settings.HOTGIGS_TRACE else None
        status = 500
        try:
            with _traced(trace) if trace else nullcontext():
                response = self.get_response(request)
            status = response.status_code
        finally:
            seconds = time.perf_counter() - start
            name = endpoint_name(request)
            metrics.record_call(
                kind="http",
                name=name,
                method=metrics.method_label(request.method),
                seconds=seconds,
                outcome=metrics.http_outcome(status),
                rss_before=rss_before,
            )
        self._log(request, response, name, seconds, trace)
        return response

    @staticmethod
    def _log(
        request: HttpRequest, response: HttpResponse, name: str, seconds: float, trace: _QueryTrace | None
    ) -> None:
        fields: dict[str, Any] = {
            "request_id": current_request_id(),
            "user_id": user_id(request),
            "method": request.method,
            "endpoint": name,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round(seconds * 1000, 3),
        }
        if settings.HOTGIGS_DEBUG_VERBOSE:
            fields["query_string"] = redact_query_string(request.META.get("QUERY_STRING", ""))
            fields["client_ip"] = client_ip(request)
            fields["user_agent"] = request.META.get("HTTP_USER_AGENT", "")
            fields["response_bytes"] = None if response.streaming else len(response.content)
        if trace is not None:
            fields["db_queries"] = trace.count
            fields["db_ms"] = round(trace.seconds * 1000, 3)
        access_logger.info("%s %s %s", request.method, name, response.status_code, extra=fields)
