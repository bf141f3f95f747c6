"""Structured logs: one JSON object per line, each carrying the request id.

``LOGGING`` in settings uses :func:`json_formatter` (``LOG_FORMAT=json``, the default) or a
plain line format (``LOG_FORMAT=plain``), and :class:`RequestIdFilter` on the console handler.
The access log (logger ``hotgigs.access``) adds ``user_id``, ``method``, ``endpoint``, ``path``,
``status`` and ``duration_ms``; see :mod:`hotgigs.observability.middleware`.
"""

import logging

from pythonjsonlogger.json import JsonFormatter

from hotgigs.api.middleware import current_request_id


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


def json_formatter() -> logging.Formatter:
    """``{"ts", "level", "logger", "message", "request_id", ...extra fields}`` per record."""
    return JsonFormatter(
        "%(levelname)s %(name)s %(message)s %(request_id)s",
        rename_fields={"levelname": "level", "name": "logger"},
        timestamp="ts",
    )
