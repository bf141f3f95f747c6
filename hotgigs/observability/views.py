"""Health endpoints for load balancers and orchestrators, and the Prometheus scrape endpoint.

``GET /health/live``: 200 ``{"status": "ok"}`` while the process answers.

``GET /health/ready``: 200 ``{"status": "ok", "checked_at", "checks": {component: {ok,
latency_ms[, mode]}}, "failing": []}`` when the database, cache, channel layer and broker
all answer; otherwise 503 with ``Retry-After`` and the envelope ``{code: "SERVICE_UNAVAILABLE",
message: "Not ready: <components>.", details: {same body, "failing": [<components>]}}``.

``GET /metrics``: the Prometheus text format, only with ``Authorization: Bearer
<METRICS_TOKEN>``: 401 UNAUTHORIZED without it or with a wrong one, 404 NOT_FOUND while
``METRICS_TOKEN`` is unset (the endpoint is off). Never public.

Other methods answer 405 METHOD_NOT_ALLOWED in the envelope.
"""

import hmac
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from hotgigs.api.errors import error_response, retry_after_seconds
from hotgigs.observability import health, metrics

View = Callable[[HttpRequest], HttpResponse]


def _get_only(view: View) -> View:
    # No session, no form: CSRF does not apply, and a POST must get 405, not a CSRF 403 page.
    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            response = error_response("METHOD_NOT_ALLOWED", f"Method {request.method} is not allowed here.")
            response["Allow"] = "GET, HEAD"
            return response
        return view(request)

    return wrapper


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


@_get_only
def live(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers HTTP. Touches nothing else, so it is also the
    cheapest JSON view on the server (the benchmarks' framework floor)."""
    return JsonResponse({"status": "ok"})


@_get_only
def ready(request: HttpRequest) -> HttpResponse:
    """Readiness: every component this process needs answers; 503 names the ones that do not."""
    result = health.readiness()
    health.record_gauges(result)
    body = result.as_dict()
    if result.ok:
        return _no_store(JsonResponse(body))
    failing = ", ".join(result.failing)
    response = error_response("SERVICE_UNAVAILABLE", f"Not ready: {failing}.", body)
    response["Retry-After"] = str(retry_after_seconds())
    return _no_store(response)


@_get_only
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus exposition of every ``hotgigs_*`` metric (all processes in multiprocess mode)."""
    token = str(settings.METRICS_TOKEN or "")
    if not token:
        return error_response("NOT_FOUND", "Not found.")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        response = error_response("UNAUTHORIZED", "A valid metrics token is required.")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return _no_store(HttpResponse(generate_latest(metrics.registry()), content_type=CONTENT_TYPE_LATEST))
