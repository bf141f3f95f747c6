"""Request id and body-size guard, applied before any view runs."""

import contextvars
import re
import uuid
from collections.abc import Callable

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

    DRF's parsers read the raw stream and would not apply Django's upload limit.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            limit = settings.API_MAX_BODY_BYTES
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
        return self.get_response(request)
