"""OpenAPI hooks: one copy of each path, and the error envelope on every operation."""

from typing import Any

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
