"""OpenAPI hooks: one copy of each path, the error envelope and the response headers on every
operation, integer path ids, and request strings as DRF really parses them."""

from typing import Any

from django.core.validators import RegexValidator
from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

# Every path id of the API: 1 to 18 digits (longer cannot name a row, and would overflow
# SQLite's integers). The schema says so as an integer from 1 to PATH_ID_MAX.
PATH_ID_PATTERN = r"[0-9]{1,18}"
PATH_ID_MAX = 10**18 - 1
PATH_ID_SCHEMA: dict[str, Any] = {"type": "integer", "format": "int64", "minimum": 1, "maximum": PATH_ID_MAX}

# Ids above the largest 64-bit integer cannot name a row; refusing them up front (in bodies and
# query strings) keeps databases that cannot even compare such numbers (SQLite) from failing.
MAX_ID = 2**63 - 1

ERROR_SCHEMA = {
    "type": "object",
    "required": ["code", "message", "details"],
    "properties": {
        "code": {
            "type": "string",
            "enum": [
                "VALIDATION_ERROR",
                "UNAUTHORIZED",
                "FORBIDDEN",
                "NOT_FOUND",
                "METHOD_NOT_ALLOWED",
                "CONFLICT",
                "RATE_LIMITED",
                "INTERNAL_ERROR",
                "SERVICE_UNAVAILABLE",
            ],
        },
        "message": {"type": "string"},
        "details": {"type": "object", "nullable": True, "additionalProperties": True},
    },
}

_COMMON = {
    "400": "Invalid input (VALIDATION_ERROR); details maps fields to messages.",
    "401": "Missing, expired, revoked or malformed token (UNAUTHORIZED).",
    "403": "Authenticated but not allowed, or the token lacks the scope (FORBIDDEN).",
    "404": "No such resource, or not visible to the caller (NOT_FOUND).",
    "405": "Method not allowed (METHOD_NOT_ALLOWED).",
    "409": "Conflicts with the current state (CONFLICT).",
    "413": "Request body too large (VALIDATION_ERROR).",
    "415": "Unsupported content type (VALIDATION_ERROR).",
    "429": "Rate limit exceeded (RATE_LIMITED); see Retry-After.",
    "500": "Internal error (INTERNAL_ERROR); quote the X-Request-ID header.",
    "503": "The database did not answer in time (SERVICE_UNAVAILABLE); retry after Retry-After seconds.",
}


def only_versioned_paths(endpoints: list[tuple[Any, ...]], **kwargs: Any) -> list[tuple[Any, ...]]:
    """The seed's unversioned /api/… aliases are the same operations; document /api/v1/ once."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]


def add_error_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Give every operation the envelope for each error status it can answer."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["ErrorEnvelope"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/ErrorEnvelope"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            statuses = ["400", "404", "405", "413", "415", "429", "500", "503"]
            if operation.get("security") != [{}] and operation.get("security") != []:
                statuses += ["401", "403"]
            if method in ("post", "put", "patch", "delete"):
                statuses.append("409")
            for status in statuses:
                operation["responses"].setdefault(
                    status, {"description": _COMMON[status], "content": {"application/json": {"schema": ref}}}
                )
    return result


def close_request_bodies(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Input serializers refuse unknown keys (StrictInputSerializer); say so in the schema."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request") and component.get("type") == "object":
            component["additionalProperties"] = False
    return result


def integer_path_ids(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Every path parameter of the API is a row id matched by PATH_ID_PATTERN: say integer, 1 and up.

    The routers match ids with a regular expression, which drf-spectacular can only render as a
    string; ids given as ``OpenApiParameter(..., int)`` lacked the bounds.
    """
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path":
                    parameter["schema"] = dict(PATH_ID_SCHEMA)
    return result


# --- response headers -------------------------------------------------------------------------

_INTEGER = {"type": "integer", "minimum": 0}

# Headers any response of the API may carry (hotgigs/api/middleware.py, ratelimit.py, versioning.py).
RESPONSE_HEADERS: dict[str, dict[str, Any]] = {
    "X-Request-ID": {
        "description": "The request's id (the caller's own X-Request-ID when well-formed); quote it when "
        "reporting a problem.",
        "required": True,
        "schema": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$"},
    },
    "X-RateLimit-Limit": {
        "description": "Requests allowed in the tightest window that applies. Absent when rate limiting is "
        "off or its counters cannot be reached (fail open).",
        "schema": _INTEGER,
    },
    "X-RateLimit-Remaining": {"description": "Requests left in that window.", "schema": _INTEGER},
    "X-RateLimit-Reset": {"description": "Seconds until that window ends.", "schema": _INTEGER},
    "API-Version": {"description": "The API version that answered.", "schema": {"type": "string"}},
    "Deprecation": {
        "description": "Only when this version is deprecated: `@<unix seconds>` of the deprecation date (RFC 9745).",
        "schema": {"type": "string", "pattern": "^@[0-9]+$"},
    },
    "Sunset": {
        "description": "Only when this version is deprecated: the HTTP date it stops answering (RFC 8594).",
        "schema": {"type": "string"},
    },
    "Link": {
        "description": 'Only when this version is deprecated: `<guide>; rel="deprecation"` (RFC 9745).',
        "schema": {"type": "string"},
    },
}
RETRY_AFTER = {
    "description": "Seconds to wait before trying again.",
    "required": True,
    "schema": {"type": "integer", "minimum": 1},
}
WWW_AUTHENTICATE = {"description": "The authentication scheme (`Bearer`).", "schema": {"type": "string"}}

# Cached reads (hotgigs/api/caching.py): the conditional request and its answers.
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="An ETag from an earlier answer (or `*`): 304 with no body when the representation is unchanged.",
)
NOT_MODIFIED = OpenApiResponse(description="Not modified: the ETag still matches; no body.")
CONDITIONAL_READ: dict[str, Any] = {"parameters": [IF_NONE_MATCH]}
CACHE_HEADERS: dict[str, dict[str, Any]] = {
    "ETag": {
        "description": "Strong validator of this representation; send it back in If-None-Match.",
        "required": True,
        "schema": {"type": "string", "pattern": '^"[0-9a-f]{64}"$'},
    },
    "Cache-Control": {
        "description": "`private, max-age=0, must-revalidate`.",
        "required": True,
        "schema": {"type": "string"},
    },
    "X-Cache": {
        "description": "Whether the server's response cache answered.",
        "schema": {"type": "string", "enum": ["hit", "miss", "bypass"]},
    },
}


def _has_conditional_read(operation: dict[str, Any]) -> bool:
    return any(p.get("in") == "header" and p.get("name") == "If-None-Match" for p in operation.get("parameters", []))


def add_response_headers(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Document the headers the middleware puts on every response, Retry-After on 429,
    WWW-Authenticate on 401, and ETag & co. on the 200 and 304 answers of cached reads."""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            cached = _has_conditional_read(operation)
            for status, response in operation["responses"].items():
                headers = response.setdefault("headers", {})
                for name, header in RESPONSE_HEADERS.items():
                    headers.setdefault(name, header)
                if status == "429":
                    headers.setdefault("Retry-After", RETRY_AFTER)
                if status == "401":
                    headers.setdefault("WWW-Authenticate", WWW_AUTHENTICATE)
                if cached and status in ("200", "304"):
                    for name, header in CACHE_HEADERS.items():
                        headers.setdefault(name, header)
    return result


# --- request strings as DRF parses them ----------------------------------------------------------

# DRF's CharField refuses NUL characters; a trimmed, non-blank one also needs something besides
# whitespace (it strips the value before checking it is not blank).
NO_NUL_PATTERN = r"^[^\x00]*$"
NOT_BLANK_PATTERN = r"^[^\x00]*[^\s\x00][^\x00]*$"


class AutoSchema(BaseAutoSchema):
    """drf-spectacular's AutoSchema, with the patterns DRF's string fields enforce on input."""

    def _map_serializer_field(self, field: Any, direction: Any, bypass_extensions: bool = False) -> Any:
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if (
            direction == "request"
            and isinstance(field, serializers.CharField)
            and isinstance(schema, dict)
            and schema.get("type") == "string"
            and not {"pattern", "format", "enum"} & set(schema)
            # A field with its own pattern has it stated by drf-spectacular from the validator.
            and not any(isinstance(v, RegexValidator) for v in field.validators)
        ):
            trimmed_non_blank = field.trim_whitespace and not field.allow_blank
            schema["pattern"] = NOT_BLANK_PATTERN if trimmed_non_blank else NO_NUL_PATTERN
        return schema
