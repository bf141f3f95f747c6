"""Response cache for hot reads (job board list and detail, analytics), with ETags.

**Invalidation by generation.** Nothing is ever deleted. Each scope of data has a
generation counter in the cache (``jobs:org:<id>``, ``jobs:board``, ``jobs:all``,
``analytics:org:<id>``, ``analytics:all``), and a cached response is stored with the
generations of every scope it was computed from. Every write records a domain event; once
the transaction commits, the domain apps' after-commit subscribers call
:func:`hotgigs.cache.invalidate` and the counters go up, so every entry of those scopes
stops being served at once, in every process (the cache is Redis in production). Entries
expire after ``API_CACHE_TTL``.

A reader fetches the generations *before* it queries the database, so an entry built
from rows older than a write is stored with the generation the write has already moved
past, and is never served. Counters never expire; a missing counter (evicted, or a new
cache) starts from a random 62-bit number, so it cannot collide with one used before.
A hit costs one cache round trip: the counters and the entry are read together (one
``MGET``, atomic on Redis), and the entry is served only if the generations it was stored
with are the ones read with it. On Redis a repeated read usually costs none of its own: the
rate limiter's script reads the same keys ahead, atomically, in the round trip it makes anyway
(:mod:`hotgigs.api.readahead`).

**Who shares an entry.** The key holds the actor's *audience*, derived from the same
access rules as the selectors:

- staff → ``staff`` (they see every row);
- members of organizations → ``orgs:<sorted ids>``: two recruiters of the same
  organizations see exactly the same rows (``jobs.selectors.job_list`` and
  ``analytics.selectors.analytics_scope`` depend on the organization ids only, and
  neither the job nor the analytics representation has a per-user field), so they may
  share entries — the membership is looked up on every request, so a recruiter who
  leaves an organization stops reaching its entries at once;
- everyone else signed in (candidates) → ``board``: all see the same open jobs.

A view whose output depends on anything else about the user must key by user id
(``user:<id>``). The key also holds the absolute URL (pagination links embed it), the
query string with its parameters sorted (values keep their order: the last one wins), the
negotiated media type and the database name (one Redis may serve several databases:
staging and production, or CI's test workers).

**The process's copies.** A hit's body is tens of kilobytes (a page of 20 jobs is about 40),
and fetching it from Redis on every read cost more than everything else Redis does for the
request. So each process also keeps the entries it served lately (``API_CACHE_LOCAL_BYTES`` in
all, least recently used out first), and a hit it holds costs only the generation counters:
the copy is served when the counters just read are the ones it was stored with and its expiry
(the same instant as the shared entry's) has not passed. Generations never go back and a
restarted counter starts at a random number, so a copy that matches the counters read now is
exactly as current as the shared entry would be. A write elsewhere moves the counters, the copy
stops matching, and the next read fetches (or computes) the entry as before.

**What is cached.** Only 200 responses: a 404 for a hidden row is never stored, so a cached
entry cannot reveal that a row exists. Nothing is read or stored inside an atomic block:
the rows it sees may not be committed (and may never be), and its own writes bump the
generations only on commit. That also keeps tests that run inside a transaction (pytest's
``db``) on the uncached path; the caching tests use ``transactional_db``.

**ETag.** Every 200 answer of a cached view carries a strong ETag (SHA-256 of the body),
``Cache-Control: private, max-age=0, must-revalidate`` (per-audience: never for shared
caches) and ``Vary: Authorization``; ``If-None-Match`` with a matching tag (weak
comparison, lists and ``*``) answers 304 with no body — even when caching is switched off,
then at the cost of computing the body. ``X-Cache`` says ``hit``, ``miss`` or ``bypass``.

**Limits.** Organization changes (rename, deactivation) have no service yet, so they do not
bump ``jobs:board``: a deactivated organization's open jobs may stay on the cached board
(and a renamed one keep its old name in cached jobs) for up to ``API_CACHE_TTL``. The
analytics' time-based figures (``upcoming_interviews``, ``generated_at``) are as of the
time the entry was computed. A write whose bump fails (cache down) is logged; its stale
entries live at most ``API_CACHE_TTL``.

Settings: ``API_CACHE_ENABLED`` (default true), ``API_CACHE_TTL`` (seconds, default 900),
``API_CACHE_LOCAL_BYTES`` (the process's copies, default 16 MiB; 0: none).
"""

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeGuard

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags, urlencode
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hotgigs import replicas
from hotgigs.accounts import policies
from hotgigs.accounts.policies import Actor
from hotgigs.api import readahead
from hotgigs.cache import GENERATION_PREFIX, catch_up
from hotgigs.cache import generations as _generations
from hotgigs.cache import invalidate_on_commit as invalidate_on_commit

logger = logging.getLogger(__name__)

# v3: an entry is (body, content type, ETag, generations, expiry as a Unix time); v2 had no expiry.
ENTRY_PREFIX = "api:resp:v3:"
CACHE_CONTROL = "private, max-age=0, must-revalidate"
CACHE_STATUS_HEADER = "X-Cache"


@dataclass(frozen=True)
class ReadScope:
    """Who may share a cached response (``audience``) and which generations it depends on."""

    audience: str
    generations: tuple[str, ...]


# --- the scopes of the access rules ----------------------------------------------------------


def _organizations(ids: Iterable[int]) -> str:
    return "orgs:" + ",".join(str(pk) for pk in sorted(ids))


def jobs_read_scope(actor: Actor) -> ReadScope | None:
    """The audience and generations of a job list or detail read, as ``job_list`` scopes it."""
    audience = policies.audience(actor)
    if audience.kind == "staff":
        return ReadScope("staff", ("jobs:all",))
    if audience.kind == "organizations":
        org_ids = audience.organization_ids
        return ReadScope(_organizations(org_ids), tuple(f"jobs:org:{pk}" for pk in sorted(org_ids)))
    if audience.kind == "outsider":
        return ReadScope("board", ("jobs:board",))
    return None


def analytics_read_scope(actor: Actor) -> ReadScope | None:
    """The audience and generations of an analytics read, as ``analytics_scope`` scopes it.

    Staff depend on ``analytics:all`` (bumped with every organization's), whichever
    organization they name; members on each of their organizations'.
    """
    audience = policies.audience(actor)
    if audience.kind == "staff":
        return ReadScope("staff", ("analytics:all",))
    if audience.kind == "organizations":
        org_ids = audience.organization_ids
        return ReadScope(_organizations(org_ids), tuple(f"analytics:org:{pk}" for pk in sorted(org_ids)))
    if audience.kind == "outsider":
        # No organization: every figure is zero, whoever asks.
        return ReadScope("none", ("analytics:all",))
    return None


# --- the cached read ------------------------------------------------------------------------


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest() + '"'


def _not_modified(request: Request, etag: str) -> bool:
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    tags = parse_etags(header)
    if tags == ["*"]:
        return True
    bare = etag.removeprefix("W/")
    return any(tag.removeprefix("W/") == bare for tag in tags)


def _finish(request: Request, response: Response, etag: str, cache_status: str) -> Response:
    if _not_modified(request, etag):
        response = Response(status=status.HTTP_304_NOT_MODIFIED)
        response.content = b""
    response["ETag"] = etag
    response["Cache-Control"] = CACHE_CONTROL
    response[CACHE_STATUS_HEADER] = cache_status
    patch_vary_headers(response, ["Authorization"])
    return response


# The key's inputs as the request gave them → the key: the same client asks the same URL again
# and again, and sorting its query and hashing cost more than reading the entry.
_ENTRY_KEYS_LIMIT = 4096
_entry_keys: dict[tuple[str, ...], str] = {}


def _entry_key(view: APIView, request: Request, scope: ReadScope) -> str:
    action = getattr(view, "action", None) or request.method
    given = (
        f"{type(view).__module__}.{type(view).__qualname__}.{action}",
        scope.audience,
        str(connection.settings_dict.get("NAME", "")),
        str(request.accepted_media_type),
        request.build_absolute_uri(request.path),
        str(request.META.get("QUERY_STRING", "")),
    )
    key = _entry_keys.get(given)
    if key is None:
        # Parameters sorted (values keep their order: the last one wins), so their order in the
        # URL does not matter.
        query = urlencode([(name, value) for name, values in sorted(request.query_params.lists()) for value in values])
        key = ENTRY_PREFIX + hashlib.sha256("\n".join([*given[:-1], query]).encode()).hexdigest()
        if len(_entry_keys) >= _ENTRY_KEYS_LIMIT:
            _entry_keys.clear()
        _entry_keys[given] = key
    return key


def _read(request: Request, keys: list[str]) -> dict[str, Any]:
    """``cache.get_many(keys)``, from what the rate limiter read ahead when it read them all
    (:mod:`hotgigs.api.readahead`; Redis only), else in a round trip of its own."""
    client: Any = getattr(cache, "client", None)
    if not hasattr(client, "decode"):  # not django-redis: nothing is ever read ahead
        return cache.get_many(keys)  # type: ignore[no-any-return]
    stored = [str(cache.make_key(key)) for key in keys]
    values = readahead.take(request._request, stored)
    if values is None:
        return cache.get_many(keys)  # type: ignore[no-any-return]
    return {key: client.decode(value) for key, value in zip(keys, values, strict=True) if value is not None}


def _plan(request: Request, keys: list[str]) -> None:
    """What the next request like this one reads (:func:`hotgigs.api.readahead.plan`)."""
    if hasattr(getattr(cache, "client", None), "decode"):
        readahead.plan(request._request, [str(cache.make_key(key)) for key in keys])


class LocalEntries:
    """The entries this process served lately, by key, at most ``limit`` bytes of bodies in all
    (least recently used out first). Thread-safe: gthread workers and ASGI share a process."""

    def __init__(self) -> None:
        self._entries: OrderedDict[str, tuple[Any, ...]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[Any, ...] | None:
        """The copy of ``key`` unless it has expired."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[4] <= time.time():
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: tuple[Any, ...], limit: int) -> bool:
        """Keep ``entry`` (False: its body alone is over ``limit``)."""
        with self._lock:
            if key in self._entries:
                self._drop(key)
            if len(entry[0]) > limit:
                return False
            self._entries[key] = entry
            self._bytes += len(entry[0])
            while self._bytes > limit:
                self._drop(next(iter(self._entries)))
            return True

    def _drop(self, key: str) -> None:
        self._bytes -= len(self._entries.pop(key)[0])

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)


local_entries = LocalEntries()


def local_bytes() -> int:
    """``API_CACHE_LOCAL_BYTES``: bytes of bodies each process keeps copies of (0: none)."""
    return int(getattr(settings, "API_CACHE_LOCAL_BYTES", 16 * 1024 * 1024))


def _valid(entry: Any, generations: list[str]) -> TypeGuard[tuple[Any, ...]]:
    return isinstance(entry, tuple) and len(entry) == 5 and entry[3] == generations and entry[4] > time.time()


def _lookup(request: Request, key: str, scope: ReadScope) -> tuple[list[str] | None, Any]:
    """The scope's current generations and the entry stored at ``key``, in one round trip.

    The entry comes from this process's copy when it holds one stored under the generations
    just read; else the counters and the entry are read together (atomically). Returns
    ``(None, None)`` when a counter cannot be read or made (never cache then) and
    ``(generations, None)`` when there is no entry, or one stored under other generations.
    """
    if catch_up(scope.generations):
        # This process's own lingering writes (hotgigs/cache.py) moved counters just now, after
        # the rate limiter read them ahead: read them afresh.
        readahead.drop(request._request)
    counter_keys = [GENERATION_PREFIX + name for name in scope.generations]
    held = local_entries.get(key) if local_bytes() else None
    found = _read(request, counter_keys if held is not None else [*counter_keys, key])
    generations = _current(found, counter_keys)
    if generations is not None and held is not None and held[3] != generations:
        # The copy is of older generations: read the counters again, with the shared entry.
        held = None
        found = _read(request, [*counter_keys, key])
        generations = _current(found, counter_keys)
    if generations is None:
        # A counter is missing (never read, or evicted): made afresh, so no entry can match it.
        _plan(request, [*counter_keys, key])
        return _generations(scope.generations), None
    entry = held if held is not None else found.get(key)
    if not _valid(entry, generations):
        _plan(request, [*counter_keys, key])
        return generations, None
    kept = held is not None or _keep(key, entry)
    # The next request like this one reads the body ahead only when this process has no copy.
    _plan(request, counter_keys if kept else [*counter_keys, key])
    return generations, entry


def _current(found: dict[str, Any], counter_keys: list[str]) -> list[str] | None:
    """The generations as ``counter=value`` from what was read, or None when one is missing."""
    if any(found.get(counter) is None for counter in counter_keys):
        return None
    return [f"{counter}={found[counter]}" for counter in counter_keys]


def _keep(key: str, entry: tuple[Any, ...]) -> bool:
    """Keep a copy of ``entry`` in this process; False when copies are off or it is too big."""
    limit = local_bytes()
    return limit > 0 and local_entries.put(key, entry, limit)


def cache_enabled() -> bool:
    """``API_CACHE_ENABLED``: off, every read is computed (ETags still work)."""
    return bool(getattr(settings, "API_CACHE_ENABLED", True))


def cache_ttl() -> int:
    """``API_CACHE_TTL``: seconds a cached response lives (the seed's 15 minutes by default)."""
    return int(getattr(settings, "API_CACHE_TTL", 900))


def cached_read(view: APIView, request: Request, scope: ReadScope | None, compute: Callable[[], Any]) -> Response:
    """Answer a GET from the cache, or compute, render and store it (200 answers only).

    ``scope`` comes from :func:`jobs_read_scope` / :func:`analytics_read_scope` (None:
    never cached). ``compute`` is the view's own handler; its errors propagate untouched.
    """
    key = None
    generations: list[str] | None = None
    if scope is not None and cache_enabled() and not transaction.get_connection().in_atomic_block:
        try:
            key = _entry_key(view, request, scope)
            generations, entry = _lookup(request, key, scope)
            if entry is not None:
                body, content_type, etag = entry[:3]
                hit = Response(status=status.HTTP_200_OK)
                hit.content = body
                hit["Content-Type"] = content_type
                return _finish(request, hit, etag, "hit")
        except Exception:
            logger.exception("api_cache.read_failed")
            generations = None
        if generations is None:
            key = None

    response = compute()
    if response.status_code != status.HTTP_200_OK:
        return response  # type: ignore[no-any-return]
    # Rendered here (not by the handler) to hash and store the exact bytes sent.
    response = view.finalize_response(request, response)
    response.render()
    body = bytes(response.content)
    etag = _etag(body)
    if key is not None:
        try:
            # Rows read from a replica may predate the write that set these generations: such
            # an entry lives no longer than the read-your-writes window (hotgigs.replicas).
            ttl = cache_ttl()
            if replicas.answered_by_replica():
                ttl = max(1, min(ttl, round(replicas.read_your_writes_seconds())))
            entry = (body, response["Content-Type"], etag, generations, time.time() + ttl)
            cache.set(key, entry, timeout=ttl)
            _keep(key, entry)
        except Exception:
            logger.exception("api_cache.write_failed")
    return _finish(request, response, etag, "miss" if key is not None else "bypass")
