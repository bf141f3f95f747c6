"""DRF exception handler rendering every error as ``{code, message, details}``.

Domain errors (``hotgigs.errors``) carry their own code; DRF and Django exceptions are
mapped by type. A database that could not serve the request in time (statement or lock
timeout, no free pooled connection) is a 503 SERVICE_UNAVAILABLE with ``Retry-After``.
Anything unexpected becomes a 500 INTERNAL_ERROR without internals, logged with the
request id that the response also carries. The envelope is always JSON, also from views
that render something else (the docs page's HTML, the schema's YAML).
"""

import logging
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import set_rollback

from hotgigs import database
from hotgigs.api.errors import STATUS_FOR_CODE, database_unavailable, envelope
from hotgigs.api.middleware import current_request_id
from hotgigs.errors import DomainError

logger = logging.getLogger(__name__)


class EnvelopeResponse(Response):
    """An error response rendered as JSON whatever renderer the view negotiated."""

    @property
    def rendered_content(self) -> Any:
        self.accepted_renderer = JSONRenderer()
        self.accepted_media_type = JSONRenderer.media_type
        return super().rendered_content


def _validation_details(detail: Any) -> dict[str, Any]:
    if isinstance(detail, dict):
        return {key: _validation_details_value(value) for key, value in detail.items()}
    return {"non_field_errors": _validation_details_value(detail)}


def _validation_details_value(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _validation_details_value(v) for key, v in value.items()}
    if isinstance(value, list):
        return [_validation_details_value(v) for v in value]
    return str(value)


def _api_exception(exc: exceptions.APIException) -> tuple[str, str, dict[str, Any] | None]:
    if isinstance(exc, exceptions.ValidationError):
        return "VALIDATION_ERROR", "The input is not valid.", _validation_details(exc.detail)
    message = str(exc.detail) if not isinstance(exc.detail, (list, dict)) else "Request failed."
    if isinstance(exc, exceptions.ParseError):
        return "VALIDATION_ERROR", message, None
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return "VALIDATION_ERROR", message, {"supported": ["application/json"]}
    if isinstance(exc, exceptions.NotAcceptable):
        return "VALIDATION_ERROR", message, None
    if isinstance(exc, exceptions.MethodNotAllowed):
        return "METHOD_NOT_ALLOWED", message, None
    if isinstance(exc, exceptions.Throttled):
        return "RATE_LIMITED", message, {"retry_after": exc.wait}  # type: ignore[attr-defined]
    by_status = {401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 409: "CONFLICT"}
    if exc.status_code in by_status:
        return by_status[exc.status_code], message, None
    if exc.status_code >= 500:
        return "INTERNAL_ERROR", "An internal error occurred.", None
    return "VALIDATION_ERROR", message, None


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """Map any exception raised in a DRF view to the envelope (never returns None)."""
    headers: dict[str, str] = {}
    status: int
    if isinstance(exc, DomainError):
        code, message, details = exc.code, exc.message, exc.details
        status = STATUS_FOR_CODE.get(code, 400)
        if isinstance(details, dict) and isinstance(details.get("retry_after"), int):
            headers["Retry-After"] = str(details["retry_after"])
    elif isinstance(exc, (Http404, ObjectDoesNotExist)):
        code, message, details, status = "NOT_FOUND", "Not found.", None, 404
    elif isinstance(exc, DjangoPermissionDenied):
        code, message, details, status = "FORBIDDEN", "You do not have permission to perform this action.", None, 403
    elif isinstance(exc, DjangoValidationError):
        raw = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        code, message, details, status = "VALIDATION_ERROR", "The input is not valid.", raw, 400
    elif isinstance(exc, exceptions.APIException):
        code, message, details = _api_exception(exc)
        status = exc.status_code
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
        if getattr(exc, "wait", None) is not None:
            headers["Retry-After"] = str(int(exc.wait))  # type: ignore[attr-defined]
    elif database.is_unavailable(exc):
        request = context.get("request")
        message, details = database_unavailable(exc, getattr(request, "path", ""))
        code, status = "SERVICE_UNAVAILABLE", 503
        headers["Retry-After"] = str(details["retry_after"])
    else:
        request = context.get("request")
        logger.exception(
            "api.unhandled_exception",
            extra={"request_id": current_request_id(), "path": getattr(request, "path", None)},
        )
        code, message, details, status = "INTERNAL_ERROR", "An internal error occurred.", None, 500
        message = f"{message} Quote request id {current_request_id()} when reporting it."
    set_rollback()
    return EnvelopeResponse(envelope(code, message, details), status=status, headers=headers)
