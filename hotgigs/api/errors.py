"""The error envelope ``{code, message, details}``, the status of each code, and the 503 every
layer answers when the database could not serve a request in time."""

import logging
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import format_html

logger = logging.getLogger(__name__)

STATUS_FOR_CODE: dict[str, int] = {
    "VALIDATION_ERROR": 400,
    "UNAUTHORIZED": 401,
    "FORBIDDEN": 403,
    "NOT_FOUND": 404,
    "METHOD_NOT_ALLOWED": 405,
    "CONFLICT": 409,
    "RATE_LIMITED": 429,
    "INTERNAL_ERROR": 500,
    "SERVICE_UNAVAILABLE": 503,
}

# Paths whose clients are programs: their errors are JSON envelopes; other paths (the admin)
# get pages. /ws/ is here for plain HTTP requests to the WebSocket endpoint.
ENVELOPE_PATH_PREFIXES = ("/api/", "/ws/", "/health/", "/metrics")


def envelope(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    """The body of every non-2xx API response."""
    return {"code": code, "message": message, "details": details}


def error_response(
    code: str, message: str, details: dict[str, Any] | None = None, *, status: int | None = None
) -> JsonResponse:
    """A plain Django response carrying the envelope, for layers outside DRF."""
    return JsonResponse(envelope(code, message, details), status=status or STATUS_FOR_CODE[code])


def retry_after_seconds() -> int:
    """``Retry-After`` of a 503 SERVICE_UNAVAILABLE (``SERVICE_UNAVAILABLE_RETRY_AFTER``)."""
    return max(1, int(settings.SERVICE_UNAVAILABLE_RETRY_AFTER))


def database_unavailable(exc: BaseException, path: str) -> tuple[str, dict[str, Any]]:
    """Log a request the database could not serve in time; its 503 message and details.

    Logged as a warning with the driver's error class and SQLSTATE (not its text: it may
    quote SQL), never as an unhandled exception: the cause is load or a lock, not a bug.
    """
    cause: BaseException | None = exc
    while cause is not None and cause.__cause__ is not None:
        cause = cause.__cause__
    logger.warning(
        "database unavailable: %s",
        type(cause).__name__,
        extra={"path": path, "error": type(cause).__name__, "sqlstate": getattr(cause, "sqlstate", None)},
    )
    seconds = retry_after_seconds()
    return f"The database is busy; retry in {seconds} seconds.", {"retry_after": seconds}


def database_unavailable_response(request: HttpRequest, exc: BaseException) -> HttpResponse:
    """503 with ``Retry-After`` for a request the database could not serve in time: the envelope
    (``SERVICE_UNAVAILABLE``) under ENVELOPE_PATH_PREFIXES, a short page elsewhere."""
    message, details = database_unavailable(exc, request.path)
    response: HttpResponse
    if request.path.startswith(ENVELOPE_PATH_PREFIXES):
        response = error_response("SERVICE_UNAVAILABLE", message, details)
    else:
        response = HttpResponse(
            format_html(
                "<!doctype html><title>Service unavailable</title><h1>Service unavailable</h1><p>{}</p>", message
            ),
            status=503,
        )
    response["Retry-After"] = str(details["retry_after"])
    return response
