"""``Idempotency-Key`` on POST: a retried request gets the first answer and writes nothing twice.

A view action opts in with one line, :func:`idempotent`, which also documents the header in
the OpenAPI schema::

    @extend_schema(summary="Create a draft job", ...)
    @idempotent
    def create(self, request): ...

(For an ``@action``, put ``@idempotent`` above ``@action``.)

What a request with the header gets, per authenticated user and endpoint (``POST job-list``):

* the first request with a key runs; its key row is inserted *before* the view runs and its
  answer (status, rendered body, the headers the view set) is stored on that row, all in one
  transaction with the view's writes. A committed key therefore always has its write and its
  answer; a request that fails with a 5xx rolls back whole, key included, so the client can
  retry. 2xx and 4xx answers are stored and replayed;
* a retry with the same key and the same canonical request (method, operation, path
  parameters, query, body as parsed JSON with sorted keys) gets the stored answer byte for
  byte, plus ``Idempotent-Replayed: true``, and writes nothing;
* the same key with a different request: 409 ``CONFLICT``, nothing written;
* while a request with the key is still running, a retry waits (the database's unique index
  makes it wait for the first transaction) up to ``IDEMPOTENCY_KEY_WAIT_SECONDS`` and then
  replays the first answer, or, if the first is still running, gets 409 ``CONFLICT`` with
  ``Retry-After: 1``. Two requests with one key never both run the view;
* a key that is empty, longer than 255 characters or not printable ASCII: 400
  ``VALIDATION_ERROR``, nothing written;
* keys live ``IDEMPOTENCY_KEY_TTL`` (24 h); an expired key counts as new, and the beat task
  ``api.purge_idempotency_keys`` deletes expired rows.

Without the header, the action runs exactly as before.
"""

import functools
import hashlib
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.http import HttpResponse, HttpResponseBase
from django.template.response import SimpleTemplateResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hotgigs.api.models import IdempotencyKey
from hotgigs.errors import Conflict, ValidationFailed

logger = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
# Headers of the first answer that a replay must not copy: Django and the middleware set them
# afresh on every response (the replay's own request id, rate-limit counters, ...).
_NOT_STORED = frozenset({"content-type", "content-length"})
# PostgreSQL's SQLSTATE for lock_not_available (lock_timeout expired).
_LOCK_NOT_AVAILABLE = "55P03"

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    name=HEADER,
    type={"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": r"^[!-~]([ -~]*[!-~])?$"},
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Makes the request safe to retry: 1–255 printable ASCII characters, unique per request "
        "(e.g. a UUID). A retry with the same key and the same request within 24 hours gets the first "
        "answer again (same status and body, header `Idempotent-Replayed: true`) and writes nothing; "
        "the same key with a different request answers 409 CONFLICT; while the first request is still "
        "running, a retry waits briefly, then answers 409 CONFLICT with `Retry-After`."
    ),
)

ViewMethod = TypeVar("ViewMethod", bound=Callable[..., HttpResponseBase])


class IdempotencyKeyReused(Conflict):
    """The key was already used, on this endpoint, for a different request."""

    default_message = "This Idempotency-Key was already used with a different request; use a new key."


class IdempotencyKeyInProgress(exceptions.APIException):
    """A request with the same key is still running after the wait (409 with ``Retry-After``)."""

    status_code = 409
    default_detail = "A request with this Idempotency-Key is still in progress; retry shortly."
    default_code = "conflict"

    def __init__(self) -> None:
        super().__init__()
        self.wait = 1  # read by the exception handler for Retry-After


def idempotency_key(request: Request) -> str | None:
    """The request's ``Idempotency-Key``, or None without the header.

    Raises ValidationFailed (400) for an empty key, one longer than 255 characters or one
    with a character outside printable ASCII.
    """
    raw = request.headers.get(HEADER)
    if raw is None:
        return None
    key = raw.strip()
    problem = None
    if not key:
        problem = "Must not be empty."
    elif len(key) > MAX_KEY_LENGTH:
        problem = f"Must be at most {MAX_KEY_LENGTH} characters."
    elif not all(" " <= char <= "~" for char in key):
        problem = "Must contain only printable ASCII characters."
    if problem:
        raise ValidationFailed(f"The {HEADER} header is not valid.", details={HEADER: [problem]})
    return key


def _canonical_body(request: Request) -> str:
    media_type = (request.content_type or "").split(";")[0].strip().lower()
    if media_type == "application/json" or media_type.endswith("+json"):
        # ASCII escapes: a lone surrogate in a string must not make hashing fail.
        return json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(request.body).hexdigest()


def request_fingerprint(request: Request, *, endpoint: str, path_params: dict[str, Any]) -> str:
    """SHA-256 of the canonical request: method and operation, path parameters, query, body.

    JSON bodies are compared as parsed JSON with sorted keys (whitespace and key order do not
    matter); any other body byte for byte. Parsing errors propagate (400, nothing stored).
    """
    canonical = json.dumps(
        {
            "endpoint": endpoint,
            "path": sorted((str(k), str(v)) for k, v in path_params.items()),
            "query": sorted((k, sorted(v)) for k, v in request.query_params.lists()),
            "body": _canonical_body(request),
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def _endpoint(request: Request, view_method: Callable[..., Any]) -> str:
    match = getattr(request, "resolver_match", None)
    name = match.url_name if match is not None and match.url_name else view_method.__qualname__
    return f"{request.method} {name}"[:100]


def _is_lock_timeout(exc: OperationalError) -> bool:
    return getattr(exc.__cause__, "sqlstate", None) == _LOCK_NOT_AVAILABLE


@contextmanager
def _lock_wait(seconds: float) -> Iterator[None]:
    """Bound how long the next statements wait for a row another transaction holds.

    PostgreSQL makes an insert that collides with an uncommitted row wait for that
    transaction; ``lock_timeout`` ends the wait. The previous value is restored afterwards
    (and by the savepoint's rollback if the wait ran out). SQLite serialises writers itself.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('lock_timeout')")
        previous = cursor.fetchone()[0]
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{max(1, int(seconds * 1000))}ms"])
    yield
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [previous])


def _claim(*, user_id: int, key: str, endpoint: str, fingerprint: str) -> tuple[IdempotencyKey, bool]:
    """Insert this request's key row, or find the committed one; inside the caller's transaction.

    Returns ``(row, True)`` when this request holds the key and runs, ``(row, False)`` when a
    first request with the key committed and its answer is to be replayed. Raises
    IdempotencyKeyReused for a different request under the key, IdempotencyKeyInProgress
    when the first request is still running after ``IDEMPOTENCY_KEY_WAIT_SECONDS``.
    """
    now = timezone.now()
    scope = IdempotencyKey.objects.filter(user_id=user_id, key=key, endpoint=endpoint)
    for _ in range(2):
        # An expired key is free again, whether or not the purge has run yet.
        scope.filter(expires_at__lte=now).delete()
        try:
            with transaction.atomic(), _lock_wait(settings.IDEMPOTENCY_KEY_WAIT_SECONDS):
                row = IdempotencyKey.objects.create(
                    user_id=user_id,
                    key=key,
                    endpoint=endpoint,
                    fingerprint=fingerprint,
                    created_at=now,
                    expires_at=now + settings.IDEMPOTENCY_KEY_TTL,
                )
            return row, True
        except IntegrityError:
            pass  # a first request with this key committed
        except OperationalError as exc:
            if _is_lock_timeout(exc):
                raise IdempotencyKeyInProgress() from None
            raise
        first = scope.filter(expires_at__gt=now).first()
        if first is None:
            continue  # it expired or was purged in between: claim again
        if first.fingerprint != fingerprint:
            raise IdempotencyKeyReused(details={HEADER: ["Already used with a different request."]})
        if first.status_code is None:  # cannot be committed so; be safe
            raise IdempotencyKeyInProgress()
        return first, False
    raise IdempotencyKeyInProgress()


def _replay(row: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(bytes(row.body), status=row.status_code, content_type=row.content_type or None)
    for name, value in row.headers:
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


def _record(row: IdempotencyKey, response: HttpResponseBase) -> None:
    row.status_code = response.status_code
    row.body = bytes(getattr(response, "content", b""))
    row.content_type = response.get("Content-Type", "")[:100]
    row.headers = [[name, value] for name, value in response.items() if name.lower() not in _NOT_STORED]
    row.save(update_fields=["status_code", "body", "content_type", "headers"])


def idempotent(view_method: ViewMethod) -> ViewMethod:
    """Honour ``Idempotency-Key`` on this view action (see the module docstring)."""

    @functools.wraps(view_method)
    def wrapper(self: APIView, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        key = idempotency_key(request)
        user = request.user
        if key is None or not user.is_authenticated:
            return view_method(self, request, *args, **kwargs)
        endpoint = _endpoint(request, view_method)
        fingerprint = request_fingerprint(request, endpoint=endpoint, path_params=kwargs)
        with transaction.atomic():
            row, fresh = _claim(user_id=user.pk, key=key, endpoint=endpoint, fingerprint=fingerprint)
            if not fresh:
                logger.info("api.idempotency.replayed", extra={"endpoint": endpoint, "user_id": user.pk})
                return _replay(row)
            try:
                with transaction.atomic():  # an error undoes the view's writes, not the key row
                    response = view_method(self, request, *args, **kwargs)
            except Exception as exc:
                response = self.handle_exception(exc)
            if response.status_code >= 500:
                transaction.set_rollback(True)  # no key kept: the client may retry
                return response
            # Rendered here, as the client will get it, so the replay is byte for byte the same.
            response = self.finalize_response(request, cast(Response, response), *args, **kwargs)
            if isinstance(response, SimpleTemplateResponse):
                response.render()
            _record(row, response)
        return response

    return cast(ViewMethod, extend_schema(parameters=[IDEMPOTENCY_KEY_PARAMETER])(wrapper))


def idempotency_key_purge(*, batch_size: int = 5000) -> int:
    """Delete keys past their ``expires_at``, in batches of short transactions; returns how many.

    Safe to run twice or concurrently; an expired key is ignored by requests either way.
    """
    deleted = 0
    while True:
        ids = list(
            IdempotencyKey.objects.filter(expires_at__lte=timezone.now())
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return deleted
        count, _ = IdempotencyKey.objects.filter(pk__in=ids).delete()
        deleted += count
