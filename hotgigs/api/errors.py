"""The error envelope ``{code, message, details}`` and the status of each code."""

from typing import Any

from django.http import JsonResponse

STATUS_FOR_CODE: dict[str, int] = {
    "VALIDATION_ERROR": 400,
    "UNAUTHORIZED": 401,
    "FORBIDDEN": 403,
    "NOT_FOUND": 404,
    "METHOD_NOT_ALLOWED": 405,
    "CONFLICT": 409,
    "RATE_LIMITED": 429,
    "INTERNAL_ERROR": 500,
}


def envelope(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    """The body of every non-2xx API response."""
    return {"code": code, "message": message, "details": details}


def error_response(
    code: str, message: str, details: dict[str, Any] | None = None, *, status: int | None = None
) -> JsonResponse:
    """A plain Django response carrying the envelope, for layers outside DRF."""
    return JsonResponse(envelope(code, message, details), status=status or STATUS_FOR_CODE[code])
