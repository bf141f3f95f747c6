"""Scope enforcement: every API view declares the scope each action needs.

An unsupported method is refused first, by :class:`MethodAllowed`: 405 METHOD_NOT_ALLOWED
(DRF adds ``Allow``) whoever asks, instead of a 401 or a scope check's 403 for a method no
action answers.

A view sets ``required_scopes``, a mapping from viewset action (``list``, ``create``,
``close``…) or HTTP method (``GET``) to a scope, or ``read_scope`` / ``write_scope`` for
safe / unsafe methods. A view that declares nothing is a programming error, refused
(fail closed) rather than left open.
"""

import logging
from typing import Any

from rest_framework.exceptions import MethodNotAllowed
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from hotgigs.accounts.scopes import parse_scope
from hotgigs.errors import Forbidden

logger = logging.getLogger(__name__)


class MissingScope(Forbidden):
    default_message = "The token does not carry the scope this endpoint needs."


def required_scope(view: Any, request: Request) -> str | None:
    """The scope ``view`` needs for this request, or None when it opts out (``scope_exempt``)."""
    if getattr(view, "scope_exempt", False):
        return None
    mapping: dict[str, str] = getattr(view, "required_scopes", {}) or {}
    action = getattr(view, "action", None)
    if action and action in mapping:
        return mapping[action]
    if request.method in mapping:
        return mapping[request.method]  # type: ignore[index]
    attr = "read_scope" if request.method in SAFE_METHODS else "write_scope"
    scope = getattr(view, attr, None)
    if scope:
        return str(scope)
    # A programming error: the log names the view, the client only learns it is refused.
    logger.error("api.scope_undeclared", extra={"view": type(view).__name__, "action": action or request.method})
    raise MissingScope("This endpoint declares no scope for this action.")


def token_scopes(request: Request) -> tuple[str, ...]:
    """Scopes of the request's access token (none without one)."""
    token = request.auth
    if token is None or not hasattr(token, "get"):
        return ()
    return parse_scope(str(token.get("scope", "")))


def handles_method(view: Any, request: Request) -> bool:
    """Whether ``view`` has a handler for the request's method (DRF's own dispatch rule)."""
    method = str(request.method).lower()
    return method in view.http_method_names and hasattr(view, method)


class MethodAllowed(BasePermission):
    """Refuses a method the view does not handle with 405, before any other permission."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not handles_method(view, request):
            raise MethodNotAllowed(str(request.method))
        return True


class HasScope(BasePermission):
    """Refuses with 403 FORBIDDEN (details.required_scope) when the token lacks the scope."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method == "OPTIONS":
            return True
        scope = required_scope(view, request)
        if scope is None or scope in token_scopes(request):
            return True
        raise MissingScope(details={"required_scope": scope})
