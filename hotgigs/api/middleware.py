"""Request id and body-size guard, applied before any view runs."""

import contextvars
import re
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from hotgigs.api.errors import error_response

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def current_request_id() -> str:
    """The id of the request being handled ("-" outside a request)."""
    return _request_id.get()


class RequestIdMiddleware:
    """Give every request an id (the caller's ``X-Request-ID`` if well-formed) and echo it.

    Log records and 500 responses carry the same id, so a user's report can be matched
    to the server log.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


class ApiBodySizeMiddleware:
    """Refuse API request bodies above ``API_MAX_BODY_BYTES`` with 413, before parsing.

    DRF's parsers read the raw stream and would not apply Django's upload limit. A route
    that takes files raises its own limit: its view is built with ``max_body_bytes``, a
    callable returning the largest body it accepts (e.g. the resume upload, whose limit is
    ``RESUME_MAX_BYTES`` plus room for the multipart envelope). The check runs once the URL
    is resolved and before the view reads anything.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if not request.path.startswith("/api/"):
            return None
        limit = settings.API_MAX_BODY_BYTES
        allowance = (getattr(view_func, "initkwargs", None) or {}).get("max_body_bytes")
        if callable(allowance):
            limit = max(limit, int(allowance()))
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return error_response("VALIDATION_ERROR", "Content-Length is not a number.")
        if length > limit:
            return error_response(
                "VALIDATION_ERROR",
                f"The request body is larger than {limit} bytes.",
                {"max_bytes": limit},
                status=413,
            )
        return None
