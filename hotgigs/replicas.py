"""Read replicas: which reads a replica may answer, which replica, and when not.

``DATABASE_REPLICA_URLS`` (comma-separated; empty, the default: none) adds one database
alias per replica (``replica_1``, ``replica_2``, …) and installs :class:`ReplicaRouter`.
With no replica nothing here runs: every query goes to ``default``, the primary.

**Which reads.** A replica is a few seconds behind at worst, so only reads that may be that
stale go there, and each one says so explicitly: a view's GET handler decorated with
:func:`replica_ok`, or code inside ``with replica_reads(user):``. Everything else, writes
and every read inside a transaction (``atomic``) go to the primary. ``docs/deployment.md``
lists the endpoints and what a lag of a few seconds means for each.

**Read-your-writes.** A signed-in user who has just written reads from the primary for
``DATABASE_READ_YOUR_WRITES_SECONDS`` (default 5): :class:`ReadYourWritesMiddleware` notes
every POST/PUT/PATCH/DELETE of a signed-in user in the cache (Redis in a deployment, so every
web process of the region sees it; the key is per user, so it works the same for the API's
bearer tokens and the back office's session) and a write made inside a replica scope turns
the rest of that scope to the primary. When the cache cannot be read, the read goes to the
primary: the safe side.

**Which replica.** Round-robin per process, chosen once per scope (a request's count and
page come from the same replica). A replica that cannot be reached is left out of the
rotation for ``DATABASE_REPLICA_RETRY_SECONDS`` (default 30) and the read goes to the next
one, or to the primary when none is left; each fallback to the primary is counted in
``hotgigs_db_replica_fallbacks_total``. A replica lost in the middle of a query fails that
query like the primary would (503 with ``Retry-After``).

Row-level security policies are part of the schema, so a replica enforces exactly the
primary's; the identity settings a request makes for its transaction apply to whichever
connection it uses.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, Any, Final, TypeVar

import psycopg
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db import Error as DjangoDatabaseError
from django.http import HttpRequest, HttpResponse
from prometheus_client import Counter

if TYPE_CHECKING:
    from django.db.models import Model

logger = logging.getLogger(__name__)

ALIAS_PREFIX: Final = "replica_"
RECENT_WRITE_PREFIX: Final = "db:wrote:"
SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})

F = TypeVar("F", bound=Callable[..., Any])

# Exported by /metrics with the rest (hotgigs/observability/metrics.py documents them).
REPLICA_FALLBACKS = Counter(
    "hotgigs_db_replica_fallbacks",
    "Reads a replica could have answered that went to the primary because no replica could be reached.",
)
REPLICA_UNAVAILABLE = Counter(
    "hotgigs_db_replica_unavailable",
    "Times a read replica could not be reached and was left out of the rotation for a while.",
    ["alias"],
)


def replica_aliases() -> tuple[str, ...]:
    """The replicas' database aliases, in the order of ``DATABASE_REPLICA_URLS``."""
    return tuple(getattr(settings, "DATABASE_REPLICAS", ()))


def read_your_writes_seconds() -> float:
    return float(getattr(settings, "DATABASE_READ_YOUR_WRITES_SECONDS", 5.0))


# ---------------------------------------------------------------------------------------------
# Which replica


_rotation = itertools.count()
_down_until: dict[str, float] = {}
_lock = threading.Lock()


def _mark_down(alias: str, exc: BaseException) -> None:
    retry = float(getattr(settings, "DATABASE_REPLICA_RETRY_SECONDS", 30.0))
    with _lock:
        _down_until[alias] = time.monotonic() + retry
    REPLICA_UNAVAILABLE.labels(alias).inc()
    logger.warning("db.replica_unavailable", extra={"alias": alias, "retry_seconds": retry, "error": str(exc)})


def _pick() -> str:
    """A replica that answers, in turn; the primary when none does."""
    aliases = replica_aliases()
    if not aliases:
        return DEFAULT_DB_ALIAS
    start = next(_rotation)
    now = time.monotonic()
    for step in range(len(aliases)):
        alias = aliases[(start + step) % len(aliases)]
        if _down_until.get(alias, 0.0) > now:
            continue
        try:
            connections[alias].ensure_connection()
        except (DjangoDatabaseError, psycopg.Error) as exc:
            _mark_down(alias, exc)
            continue
        return alias
    REPLICA_FALLBACKS.inc()
    return DEFAULT_DB_ALIAS


def forget_unavailable() -> None:
    """Put every replica back in the rotation (tests; an operator's shell after a repair)."""
    with _lock:
        _down_until.clear()


# ---------------------------------------------------------------------------------------------
# Which reads


@dataclass
class _Scope:
    alias: str | None = None  # chosen on the first read
    wrote: bool = False


_scope: ContextVar[_Scope | None] = ContextVar("hotgigs_replica_scope", default=None)


def _recent_write_key(user_id: object) -> str:
    return f"{RECENT_WRITE_PREFIX}{user_id}"


def note_write(user_id: object) -> None:
    """``user_id`` just wrote: their reads go to the primary for the read-your-writes window."""
    seconds = read_your_writes_seconds()
    if not replica_aliases() or seconds <= 0 or user_id is None:
        return
    try:
        cache.set(_recent_write_key(user_id), 1, timeout=seconds)
    except Exception:
        # Nothing to fall back on: the user may read a few seconds' stale rows. Logged.
        logger.exception("db.read_your_writes_note_failed", extra={"user_id": user_id})


def wrote_recently(user_id: object) -> bool:
    """Whether ``user_id`` wrote within the window (True when the cache cannot tell)."""
    if read_your_writes_seconds() <= 0:
        return False
    try:
        return cache.get(_recent_write_key(user_id)) is not None
    except Exception:
        logger.warning("db.read_your_writes_unknown", extra={"user_id": user_id})
        return True


def _user_id(user: Any) -> object | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "pk", None)


@contextmanager
def replica_reads(user: Any = None) -> Iterator[bool]:
    """Reads inside may be answered by a replica (yields whether they may).

    They may not when there is no replica, when ``user`` (the acting user, or None when
    anonymous) wrote within the read-your-writes window, or inside a transaction (decided
    per query by the router). Nested scopes share the outer one.
    """
    if not replica_aliases() or _scope.get() is not None:
        yield _scope.get() is not None
        return
    user_id = _user_id(user)
    if user_id is not None and wrote_recently(user_id):
        yield False
        return
    token = _scope.set(_Scope())
    try:
        yield True
    finally:
        _scope.reset(token)


def replica_ok(handler: F) -> F:
    """Mark a view's handler (``list``, ``get``, an ``@action``): its GETs may read a replica.

    Any other method runs on the primary. The handler's own name says which endpoint opted
    in; ``docs/deployment.md`` lists them.
    """

    @wraps(handler)
    def wrapper(view: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.method not in SAFE_METHODS:
            return handler(view, request, *args, **kwargs)
        with replica_reads(request.user):
            return handler(view, request, *args, **kwargs)

    wrapper.replica_ok = True  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def answered_by_replica() -> bool:
    """Whether the current scope has read from a replica (a cache must not keep that long)."""
    scope = _scope.get()
    return scope is not None and scope.alias not in (None, DEFAULT_DB_ALIAS)


class ReplicaRouter:
    """Reads in a replica scope go to a replica; all else to the primary (installed only
    when ``DATABASE_REPLICA_URLS`` names one)."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        scope = _scope.get()
        if scope is None or scope.wrote or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        if scope.alias is None:
            scope.alias = _pick()
        return scope.alias

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        # Explicit: a row read from a replica is saved to the primary, never to the replica.
        scope = _scope.get()
        if scope is not None:
            scope.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        return True  # the same rows, wherever they were read

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS


class ReadYourWritesMiddleware:
    """Notes each POST/PUT/PATCH/DELETE of a signed-in user (after authentication, so the
    API's bearer-token user, set on the request by the API views, is seen too)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method not in SAFE_METHODS and replica_aliases():
            note_write(_user_id(getattr(request, "user", None)))
        return response
