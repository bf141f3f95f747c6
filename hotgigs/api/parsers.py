"""JSON with a depth limit, for request bodies and WebSocket messages.

Python's ``json`` decoder recurses once per nested array or object: about a thousand levels
(a few kilobytes of ``[``) exhaust the interpreter's recursion limit and the request fails
with a 500, or the WebSocket consumer dies. :func:`json_depth` measures the nesting of a
document without parsing it, so anything deeper than ``API_MAX_JSON_DEPTH`` (default 32) is
refused with ``VALIDATION_ERROR`` and ``details = {"max_depth": <limit>}`` before the decoder
runs. Brackets inside strings do not count.
"""

import codecs
import json
import re
from itertools import accumulate
from typing import IO, Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json as drf_json

from hotgigs.errors import ValidationFailed

# A JSON string, escapes included (an unterminated one is left alone: the decoder refuses it).
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class JSONTooDeep(ValidationFailed):
    """A JSON document nests arrays and objects deeper than allowed."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"The JSON is nested deeper than {limit} levels.", details={"max_depth": limit})


def max_json_depth() -> int:
    """The deepest nesting of arrays and objects accepted (``API_MAX_JSON_DEPTH``)."""
    return int(settings.API_MAX_JSON_DEPTH)


def json_depth(text: str) -> int:
    """How deeply ``text`` nests arrays and objects (``[]`` is 1), counted without parsing.

    Linear in the length of ``text``; for malformed JSON an upper bound of what a decoder
    would try to descend.
    """
    if "[" not in text and "{" not in text:
        return 0
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def check_json_depth(text: str, limit: int | None = None) -> None:
    """Raise :class:`JSONTooDeep` when ``text`` nests deeper than ``limit`` (default: the setting)."""
    limit = max_json_depth() if limit is None else limit
    # No document nests deeper than it has opening brackets: most skip the scan.
    if text.count("[") + text.count("{") <= limit:
        return
    if json_depth(text) > limit:
        raise JSONTooDeep(limit)


def loads(text: str, **kwargs: Any) -> Any:
    """``json.loads`` that refuses documents deeper than ``API_MAX_JSON_DEPTH`` first."""
    check_json_depth(text)
    return json.loads(text, **kwargs)


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with the depth limit (the project's only body parser besides uploads)."""

    def parse(self, stream: IO[Any], media_type: str | None = None, parser_context: Any = None) -> Any:
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
        check_json_depth(text)
        try:
            return json.loads(text, parse_constant=drf_json.strict_constant if self.strict else None)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
