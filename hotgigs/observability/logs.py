"""Structured logs: one JSON object per line, each carrying the request id, no credential.

``LOGGING`` in settings uses :func:`json_formatter` (``LOG_FORMAT=json``, the default) or
:func:`plain_formatter` (``LOG_FORMAT=plain``), and :class:`RequestIdFilter` on the console
handler. The access log (logger ``hotgigs.access``) adds ``user_id``, ``method``, ``endpoint``,
``path``, ``status`` and ``duration_ms``; see :mod:`hotgigs.observability.middleware`.

Query strings carry credentials: a browser's WebSocket sends its access token as
``/ws/?token=…`` and a signed resume link is ``…/resume-file?token=…``. Both formatters pass
the finished line through :func:`redact_urls`, and settings route the ASGI server's loggers
(``uvicorn.access``, ``uvicorn.error``) and Django's ``django.server`` to the same handler, so
whatever logs a URL, and however the server was started, the line keeps the path and the
parameter names and loses every value.
"""

import logging
import re
from typing import Any

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

from hotgigs.api.middleware import current_request_id

REDACTED = "[redacted]"
# A query string inside a finished log line: from "?" to whitespace, a double quote, an angle
# bracket or a fragment. A backslash goes with the character after it, so JSON escapes stay
# whole (\\, \u00e9) and the line's \" or \n ends the query: the JSON stays valid.
_QUERY = re.compile(r"\?(?P<query>(?:[^\s\"<>#\\]|\\[^\"nrt])+)")
# A parameter name longer than this is treated as a value (a bare token: "?eyJhbGciOi…").
_MAX_NAME = 40


def redact_query_string(query: str) -> str:
    """``a=1&token=x`` → ``a=[redacted]&token=[redacted]``: names stay, values go."""
    parts = []
    for part in re.split(r"([&;])", query):
        if part in {"&", ";", ""}:
            parts.append(part)
            continue
        name, equals, value = part.partition("=")
        if not equals or len(name) > _MAX_NAME:
            parts.append(REDACTED)
        else:
            parts.append(f"{name}={REDACTED}" if value else f"{name}=")
    return "".join(parts)


def redact_urls(text: str) -> str:
    """``text`` with the values of every URL query string in it replaced by ``[redacted]``."""
    if "?" not in text:
        return text
    return _QUERY.sub(lambda match: "?" + redact_query_string(match["query"]), text)


class RequestIdFilter(logging.Filter):
    """Stamp every record with the id of the request being handled ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            request_id = current_request_id()
            if request_id == "-":
                # django.request logs 4xx/5xx after the request id middleware has returned.
                request_id = getattr(getattr(record, "request", None), "request_id", "-")
            record.request_id = request_id
        return True


class _RedactingJsonFormatter(JsonFormatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact_urls(super().format(record))


class _RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact_urls(super().format(record))


def json_formatter() -> logging.Formatter:
    """``{"ts", "level", "logger", "message", "request_id", ...extra fields}`` per record."""
    return _RedactingJsonFormatter(
        "%(levelname)s %(name)s %(message)s %(request_id)s",
        rename_fields={"levelname": "level", "name": "logger"},
        timestamp="ts",
        # What Django and uvicorn attach to their records besides the message: objects (the
        # request id and the message say which request it was) and uvicorn's ANSI-coloured copy.
        reserved_attrs=[*RESERVED_ATTRS, "request", "websocket", "color_message"],
    )


def plain_formatter(**options: Any) -> logging.Formatter:
    """One text line per record: time, level, logger, request id, message."""
    return _RedactingFormatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s", **options)
