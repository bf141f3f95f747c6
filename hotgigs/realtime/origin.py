"""Which web pages may open ``/ws/``: the ``Origin`` check in front of the consumer.

A browser sends the page's origin with every WebSocket handshake and lets any page open a
socket to any site, so the server decides. The token in the query string, not a cookie,
says who the user is, so a foreign page cannot borrow a visitor's login; the check keeps
other sites' pages (and a stolen token used from one) off the socket all the same:

* no ``Origin`` header: allowed. Non-browser clients (mobile apps, services, scripts) send
  none; the consumer still requires a valid token.
* an origin in ``CORS_ALLOWED_ORIGINS`` (the frontend, ``FRONTEND_URL`` by default): allowed;
* an ``http``/``https`` origin whose host is one of this site's own ``ALLOWED_HOSTS`` (the
  back office, the docs page): allowed. A wildcard ``*`` there does not allow every origin;
* anything else (another site, ``null`` from a sandboxed frame or a file): the socket is
  accepted only to send ``{"type": "error", "code": "FORBIDDEN", "message", "details":
  {"origin"}}`` and close with code **4403**, reason ``origin not allowed``, before the
  consumer runs. (Refusing the handshake itself would give the page a bare HTTP 403 that a
  browser reports only as close code 1006.)

Channels' ``AllowedHostsOriginValidator`` refused handshakes without an ``Origin`` and
answered every refusal with that bare 403.
"""

import json
import logging
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http.request import split_domain_port, validate_host

logger = logging.getLogger(__name__)

CLOSE_FORBIDDEN_ORIGIN = 4403
CLOSE_REASON = "origin not allowed"
MESSAGE = "This origin may not open the WebSocket."


def origin_allowed(origin: str) -> bool:
    """Whether a page of ``origin`` may open the socket (see the module docstring)."""
    try:
        parts = urlsplit(origin)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return False
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.path or parts.query:
        return False
    normalized = f"{parts.scheme}://{parts.netloc}".lower()
    if normalized in {entry.rstrip("/").lower() for entry in settings.CORS_ALLOWED_ORIGINS}:
        return True
    domain, _port = split_domain_port(parts.netloc.lower())
    own_hosts = [host for host in settings.ALLOWED_HOSTS if host != "*"]
    return bool(domain) and validate_host(domain, own_hosts)


def _origin_header(scope: dict[str, Any]) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"origin":
            return bytes(value).decode("latin-1")
    return None


class OriginValidator:
    """ASGI middleware: refuse WebSockets from origins that are not allowed, with 4403."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope["type"] == "websocket":
            origin = _origin_header(scope)
            if origin is not None and not origin_allowed(origin):
                await self._refuse(origin, receive, send)
                return None
        return await self.application(scope, receive, send)

    @staticmethod
    async def _refuse(origin: str, receive: Any, send: Any) -> None:
        logger.info("realtime.origin_refused", extra={"origin": origin})
        message = await receive()
        if message["type"] != "websocket.connect":
            return
        error = {"type": "error", "code": "FORBIDDEN", "message": MESSAGE, "details": {"origin": origin}}
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.send", "text": json.dumps(error)})
        await send({"type": "websocket.close", "code": CLOSE_FORBIDDEN_ORIGIN, "reason": CLOSE_REASON})
