"""Rate limits (README.md, "Operations"), counted by django-ratelimit in the cache.

Every request except ``/health/*`` and ``/metrics`` (probes and scrapers must never be
refused) and the static files WhiteNoise answers before this middleware runs, goes through
up to three limits, checked in this order; the first one exceeded answers 429.

Each limit counts per person where it knows one: the user of a valid bearer access token,
or else the user logged in to the back office (the session's user). Anonymous requests are
counted per client IP, so a whole office behind one address shares only the anonymous
limits (the login pages), never its people's.

1. ``burst``: ``RATE_LIMIT_BURST`` (50/minute) per user or anonymous client IP, on every
   path, admin included;
2. ``default``: ``RATE_LIMIT_DEFAULT`` (1000/hour), counted the same way, on every path;
3. the endpoint group's limit, ``RATE_LIMITS[group]``, for ``/api/<group>…`` and
   ``/api/v<N>/<group>…`` alike (one counter for both spellings), counted the same way.
   The ``auth`` group (login and sign-up, ``/api/v1/auth/token`` and
   ``/api/v1/auth/register``) is always keyed by IP: it is the brute-force limit.

**Polling is free for the endpoint group.** A conditional ``GET`` (``If-None-Match``) to a
group named in ``RATE_LIMIT_FREE_NOT_MODIFIED`` (default ``analytics``) is counted against
burst and default as usual, but against the group's limit only after the view answered, and
only when the answer is not ``304 Not Modified``: a dashboard that polls with the ETag it
holds never spends its analytics quota while the figures stand still, even past the limit.
A conditional request whose answer changed, once the group's limit is spent, is refused
with 429 after the view ran (the body is computed and dropped), so a client that sends made
up tags past its limit is held by burst and default only for the view's work, never served.

A request counts against a limit only once it passed the limits before it, so a client
hammering past its burst does not also burn its hourly quota. Requests that are refused
still count against the limit that refused them, which changes nothing: windows are fixed.

Windows are django-ratelimit's: fixed, ``period`` long, aligned to the epoch plus a per-key
offset (so clients do not all reset at the same second). They never slide or extend, so a
client can send up to twice a limit across a window boundary (100 requests in a few seconds
around a minute edge for the 50/minute burst); the hourly limit caps the total over time.

Every response this middleware sees carries ``X-RateLimit-Limit``, ``X-RateLimit-Remaining``
and ``X-RateLimit-Reset`` (seconds until that window ends, like ``Retry-After``) for the
most constraining limit that applies: the one with the fewest requests remaining, and of
those the one that resets last. A 429 describes the limit that was exceeded and carries
``Retry-After``. Under the programs' paths (``ENVELOPE_PATH_PREFIXES``: ``/api/``, ...) it is
the ``RATE_LIMITED`` envelope with ``details = {limit, window, scope, retry_after}``; anywhere
else (the back office) it is a page in the admin's look (``admin/rate_limited.html``) that
says when to try again.

The client IP is ``REMOTE_ADDR`` unless ``RATE_LIMIT_TRUSTED_PROXY_HEADER`` names a header
(META spelling, e.g. ``HTTP_X_FORWARDED_FOR``) and the peer is one of
``RATE_LIMIT_TRUSTED_PROXIES``: then it is the right-most address of that header that is
not itself a trusted proxy. Anything a client writes to the left of that is ignored, so the
header cannot be used to pick someone else's counter. IPv6 clients are counted per /64
(django-ratelimit's ``RATELIMIT_IPV6_MASK``).

The user is read from the bearer token's signature and claims without a database query
(the middleware runs before DRF authentication). A token whose family was revoked still
names its user here; DRF refuses it afterwards with 401. Without a valid token, the user is
the one the session names (the middleware runs after SessionMiddleware and before
AuthenticationMiddleware): the session is read once, from the cookie's key, and kept on the
request for the view; only requests that carry a session cookie read it. Session data lives
on the server, so a client cannot make up whose counter it uses.

Counters live in the ``RATELIMIT_USE_CACHE`` cache: Redis in production (every process and
replica shares them), local memory otherwise (per process). The keys, windows and values are
django-ratelimit's. On Redis one Lua script counts all of a request's limits in one round
trip (atomically, stopping at the first one exceeded, like the loop above); django-ratelimit's
own ``get_usage`` would take two round trips per limit. Other caches go through ``get_usage``. When the cache cannot be reached, ``RATE_LIMIT_FAIL_OPEN`` (default) lets
requests through without headers and logs a warning; otherwise they are refused with 429.
"""

import hashlib
import ipaddress
import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.auth import SESSION_KEY
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils import timezone
from django_ratelimit import core
from redis.exceptions import NoScriptError
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings

from hotgigs import redis_clients
from hotgigs.api import readahead
from hotgigs.api.authentication import (
    JWTAuthentication,
    identity_prefetch_key,
    remember_prefetched_identity,
    remember_validated_token,
    validated_family,
)
from hotgigs.api.errors import ENVELOPE_PATH_PREFIXES, error_response

logger = logging.getLogger(__name__)

LIMIT_HEADER = "X-RateLimit-Limit"
REMAINING_HEADER = "X-RateLimit-Remaining"
RESET_HEADER = "X-RateLimit-Reset"

EXEMPT_PREFIXES = ("/health/", "/metrics")
BURST = "burst"
DEFAULT = "default"
AUTH = "auth"
# Paths under /api/(v<N>/)auth/ that take a password or create an account.
AUTH_LIMITED_PATHS = frozenset({"token", "register"})
_API_PATH = re.compile(r"^/api/(?:v\d+/)?(?P<group>[^/]+)(?:/(?P<rest>[^/]*))?")
# django-ratelimit's rate syntax: count / optional multiplier and unit (only its first letter counts).
_RATE = re.compile(r"\d+/\d*(?:[smhd]|second|minute|hour|day)?")
_jwt = JWTAuthentication()


@dataclass(frozen=True)
class Rule:
    """One limit that applies to a request: its name, rate and the identity it counts."""

    scope: str
    rate: str
    identity: str


@dataclass(frozen=True)
class Usage:
    """Where a request left one limit."""

    scope: str
    limit: int
    window: int
    count: int
    reset: int

    @property
    def remaining(self) -> int:
        return max(self.limit - self.count, 0)

    @property
    def exceeded(self) -> bool:
        return self.count > self.limit


class CounterUnavailable(Exception):
    """The rate-limit cache did not answer."""


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def _parse_ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _is_trusted(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address | None,
    trusted: Sequence[ipaddress.IPv4Network | ipaddress.IPv6Network],
) -> bool:
    return address is not None and any(address in network for network in trusted)


def client_ip(request: HttpRequest) -> str:
    """The client's address: ``REMOTE_ADDR``, or what a trusted proxy says it saw.

    Also ``RATELIMIT_IP_META_KEY``, so django-ratelimit's ``key="ip"`` agrees with this.
    """
    remote = request.META.get("REMOTE_ADDR") or ""
    header = getattr(settings, "RATE_LIMIT_TRUSTED_PROXY_HEADER", "")
    if not header:
        return remote
    trusted = _networks(tuple(getattr(settings, "RATE_LIMIT_TRUSTED_PROXIES", ())))
    # An empty peer is a Unix socket: only a local proxy can be on the other end.
    if remote and not _is_trusted(_parse_ip(remote), trusted):
        return remote
    client = remote
    hops = [hop for hop in str(request.META.get(header, "")).split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _parse_ip(hop)
        if address is None:
            break
        client = str(address)
        if not _is_trusted(address, trusted):
            break
    return client


def _ip_identity(request: HttpRequest) -> str:
    return _address_identity(
        client_ip(request), getattr(settings, "RATELIMIT_IPV4_MASK", 32), getattr(settings, "RATELIMIT_IPV6_MASK", 64)
    )


# Parsing an address and its network costs more than the rest of the rules together; a
# server sees the same few client addresses (its proxies, its regulars) again and again.
@lru_cache(maxsize=4096)
def _address_identity(ip: str, ipv4_mask: int, ipv6_mask: int) -> str:
    address = _parse_ip(ip)
    if address is None:
        return "ip:unknown"
    mask = ipv6_mask if address.version == 6 else ipv4_mask
    return f"ip:{ipaddress.ip_network(f'{address}/{mask}', strict=False).network_address}"


def _user_identity(request: HttpRequest) -> str | None:
    """``user:<id>`` from a valid bearer access token, or None (no token, or a bad one).

    A malformed header (``Bearer`` with no token, or with two) is counted by address here;
    DRF's authentication then answers it with 401.
    """
    try:
        header = _jwt.get_header(request)  # type: ignore[arg-type]
        raw = None if header is None else _jwt.get_raw_token(header)
        if raw is None:
            return None
        token = _jwt.get_validated_token(raw)
    except (AuthenticationFailed, InvalidToken, TokenError):
        return None
    remember_validated_token(request, raw, token)
    user_id = token.get(jwt_settings.USER_ID_CLAIM)
    return None if user_id is None else f"user:{user_id}"


def _session_identity(request: HttpRequest) -> str | None:
    """``user:<id>`` of the user logged in to the session (the back office), or None.

    Reads the session SessionMiddleware attached (lazily: no cookie, no read), not the user
    row: the id is all a counter needs, and AuthenticationMiddleware checks the rest later.
    """
    session = getattr(request, "session", None)
    if session is None:
        return None
    user_id = session.get(SESSION_KEY)
    return None if user_id is None else f"user:{user_id}"


def endpoint_group(path: str) -> str | None:
    """The rate-limit group of an API path: ``/api/v1/jobs/3`` and ``/api/jobs`` → ``jobs``."""
    match = _API_PATH.match(path)
    if match is None:
        return None
    group = match["group"]
    if group == AUTH:
        return AUTH if match["rest"] in AUTH_LIMITED_PATHS else None
    return group


def rules_for(request: HttpRequest) -> list[Rule]:
    """The limits that apply to ``request``, in the order they are checked."""
    ip = _ip_identity(request)
    who = _user_identity(request) or _session_identity(request) or ip
    rules = [Rule(BURST, settings.RATE_LIMIT_BURST, who), Rule(DEFAULT, settings.RATE_LIMIT_DEFAULT, who)]
    group = endpoint_group(request.path_info)
    rate = settings.RATE_LIMITS.get(group) if group else None
    if group and rate:
        rules.append(Rule(group, rate, ip if group == AUTH else who))
    return rules


def count(request: HttpRequest, rule: Rule) -> Usage | None:
    """Count ``request`` against ``rule`` (atomic increment in the rate-limit cache).

    None when django-ratelimit is switched off (``RATELIMIT_ENABLE = False``).
    """
    try:
        usage: dict[str, Any] | None = core.get_usage(  # type: ignore[no-untyped-call]
            request,
            group=f"hotgigs.{rule.scope}",
            key=lambda _group, _request: rule.identity,
            rate=rule.rate,
            increment=True,
        )
    except Exception as exc:
        raise CounterUnavailable(str(exc)) from exc
    if usage is None:
        return None
    if usage["time_left"] < 0:
        # django-ratelimit's answer when the cache could not give a count.
        raise CounterUnavailable(f"no count for {rule.scope}")
    limit, window = core._split_rate(rule.rate)  # type: ignore[no-untyped-call]
    return Usage(rule.scope, limit, window, int(usage["count"]), int(usage["time_left"]))


# KEYS[i] is limit i's counter; ARGV[2i-1] its limit, ARGV[2i] its expiry. Counts in order and
# stops after the first limit exceeded, so later limits are not charged for a refused request.
# The last ARGV says how many of the last keys are no counters but values to read and return:
# the token's cached identity, which authentication reads next, and the response cache's keys
# read ahead (hotgigs.api.readahead): one round trip instead of three.
_COUNT_SCRIPT = """
local reads = tonumber(ARGV[#ARGV])
local counts = {}
for i = 1, #KEYS - reads do
  local key = KEYS[i]
  local count = redis.call('INCR', key)
  if count == 1 then redis.call('EXPIRE', key, ARGV[2 * i]) end
  counts[i] = count
  if count > tonumber(ARGV[2 * i - 1]) then break end
end
local values = {}
if reads > 0 then values = redis.call('MGET', unpack(KEYS, #KEYS - reads + 1, #KEYS)) end
return {counts, values}
"""
# Only the script's SHA1 is kept, never a client: under ASGI every request has its own cache
# object and Redis client (Django's caches are per context; the connection pool is shared),
# so anything keyed by client would grow by one entry per request.
_COUNT_SCRIPT_SHA = hashlib.sha1(_COUNT_SCRIPT.encode(), usedforsecurity=False).hexdigest()
# django-ratelimit keeps a key this much longer than its window.
_EXPIRY_FUDGE = 5


def _run_count_script(client: Any, keys: list[str], args: list[int]) -> Any:
    """EVALSHA, or EVAL (which also caches it on the server) when Redis does not know it yet."""
    try:
        return client.evalsha(_COUNT_SCRIPT_SHA, len(keys), *keys, *args)
    except NoScriptError:
        return client.eval(_COUNT_SCRIPT, len(keys), *keys, *args)


@lru_cache(maxsize=64)
def _split_rate(rate: str) -> tuple[int, int]:
    """django-ratelimit's ``(limit, window seconds)`` of a rate."""
    return core._split_rate(rate)  # type: ignore[no-any-return,no-untyped-call]


# (cache alias, scope, rate, identity, window end) → the counter's key as stored. A client's
# counters keep their keys for a whole window, and hashing them anew cost more than counting.
_COUNTER_KEYS_LIMIT = 4096
_counter_keys: dict[tuple[str, str, str, str, int], str] = {}


def _counter_key(cache_name: str, cache: Any, rule: Rule, ends: int) -> str:
    """django-ratelimit's key of ``rule``'s counter for the window ending at ``ends``, as the
    cache ``cache_name`` stores it."""
    memo = (cache_name, rule.scope, rule.rate, rule.identity, ends)
    key = _counter_keys.get(memo)
    if key is None:
        made = core._make_cache_key(f"hotgigs.{rule.scope}", ends, rule.rate, rule.identity, core.ALL)  # type: ignore[no-untyped-call]
        key = str(cache.make_key(made))
        if len(_counter_keys) >= _COUNTER_KEYS_LIMIT:
            _counter_keys.clear()
        _counter_keys[memo] = key
    return key


def _forget_counter_keys(**kwargs: Any) -> None:
    # The keys depend on settings (RATELIMIT_CACHE_PREFIX, the cache's KEY_PREFIX): tests change them.
    _counter_keys.clear()


setting_changed.connect(_forget_counter_keys, dispatch_uid="hotgigs.api.ratelimit.counter_keys")


def _redis_client() -> Any | None:
    """The raw Redis client of the rate-limit cache, or None when it is not django-redis."""
    return redis_clients.django_redis_client(getattr(settings, "RATELIMIT_USE_CACHE", "default"))


def count_all(request: HttpRequest, rules: Sequence[Rule], *, read_ahead: bool = False) -> list[Usage]:
    """Count ``request`` against ``rules`` in order, up to and including the first exceeded.

    One round trip on Redis; :func:`count` per rule on any other cache. Raises
    :class:`CounterUnavailable` when the cache does not answer. On Redis the same round trip
    reads the token's cached identity and, with ``read_ahead``, the response cache's keys the
    last request like this one read (:mod:`hotgigs.api.readahead`).
    """
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return []
    client = _redis_client()
    if client is None:
        usages = []
        for rule in rules:
            usage = count(request, rule)
            if usage is None:
                continue
            usages.append(usage)
            if usage.exceeded:
                break
        return usages
    cache_name = getattr(settings, "RATELIMIT_USE_CACHE", "default")
    cache = caches[cache_name]
    keys, args, shapes = [], [], []
    for rule in rules:
        limit, window = _split_rate(rule.rate)
        ends = core._get_window(rule.identity, window)  # type: ignore[no-untyped-call]
        keys.append(_counter_key(cache_name, cache, rule, ends))
        args += [limit, window + _EXPIRY_FUDGE]
        shapes.append((rule.scope, limit, window, ends))
    # The identity and the response cache live in the default cache: read them here only when
    # that is this cache.
    reads: list[str] = []
    prefetch = None
    ahead: tuple[str, ...] = ()
    if cache is caches["default"]:
        prefetch = identity_prefetch_key(request)
        family = validated_family(request) if read_ahead else None
        ahead = readahead.planned(request, family) if family else ()
        reads = [prefetch, *ahead] if prefetch else list(ahead)
    try:
        counts, values = _run_count_script(client, [*keys, *reads], [*args, len(reads)])
    except Exception as exc:
        raise CounterUnavailable(str(exc)) from exc
    values = list(values or ())
    values += [None] * (len(reads) - len(values))
    if prefetch:
        remember_prefetched_identity(request, values[0])
    if ahead:
        readahead.deliver(request, dict(zip(ahead, values[len(reads) - len(ahead) :], strict=True)))
    now = int(time.time())
    return [
        # The window's end was read before the round trip: a second may have passed since.
        Usage(scope, limit, window, int(value), max(ends - now, 0))
        for (scope, limit, window, ends), value in zip(shapes, counts, strict=False)
    ]


def _set_headers(response: HttpResponse, usage: Usage) -> HttpResponse:
    response[LIMIT_HEADER] = str(usage.limit)
    response[REMAINING_HEADER] = str(usage.remaining)
    response[RESET_HEADER] = str(usage.reset)
    return response


def _admin_site_of(request: HttpRequest) -> AdminSite | None:
    """The admin site whose URLs ``request`` is under, or None."""
    try:
        view = resolve(request.path_info).func
    except Resolver404:
        return None
    # The site's own views carry it (wrapped, or bound like login); a model admin's carry theirs.
    candidates = (
        getattr(view, "admin_site", None),
        getattr(getattr(view, "model_admin", None), "admin_site", None),
        getattr(view, "__self__", None),
    )
    return next((site for site in candidates if isinstance(site, AdminSite)), None)


def wait_in_words(seconds: int) -> str:
    """``45 seconds``, ``1 minute``, ``13 minutes and 28 seconds``: a wait as a person reads it."""

    def unit(count: int, name: str) -> str:
        return f"{count} {name}{'' if count == 1 else 's'}"

    minutes, rest = divmod(max(seconds, 0), 60)
    if not minutes:
        return unit(rest, "second")
    return unit(minutes, "minute") + (f" and {unit(rest, 'second')}" if rest else "")


def _page(request: HttpRequest, retry_after: int) -> HttpResponse:
    """The back office's 429: a page in the admin's look that says when to try again."""
    site = _admin_site_of(request)
    context = {
        "title": "Too many requests",
        "site_title": getattr(site, "site_title", "HotGigs"),
        "site_header": getattr(site, "site_header", "HotGigs"),
        # The user is not loaded yet (and need not be for this page): no user tools, no sidebar.
        "has_permission": False,
        "is_popup": False,
        "is_nav_sidebar_enabled": False,
        "retry_after": retry_after,
        "wait": wait_in_words(retry_after),
        "retry_at": timezone.localtime() + timedelta(seconds=retry_after),
    }
    return HttpResponse(render_to_string("admin/rate_limited.html", context, request), status=429)


def rate_limited_response(usage: Usage, request: HttpRequest | None = None) -> HttpResponse:
    """429 for the exceeded limit, with ``Retry-After``: the RATE_LIMITED envelope under the
    programs' paths (or without a request), the back office's page elsewhere."""
    retry_after = max(usage.reset, 1)
    response: HttpResponse
    if request is None or request.path_info.startswith(ENVELOPE_PATH_PREFIXES):
        response = error_response(
            "RATE_LIMITED",
            f"Too many requests: the limit is {usage.limit} per {usage.window} seconds.",
            {"limit": usage.limit, "window": usage.window, "scope": usage.scope, "retry_after": retry_after},
        )
    else:
        response = _page(request, retry_after)
    response["Retry-After"] = str(retry_after)
    return _set_headers(response, usage)


def _unavailable_response(request: HttpRequest) -> HttpResponse:
    response: HttpResponse
    if request.path_info.startswith(ENVELOPE_PATH_PREFIXES):
        response = error_response("RATE_LIMITED", "Too many requests.", {"scope": "unavailable", "retry_after": 1})
    else:
        response = _page(request, 1)
    response["Retry-After"] = "1"
    return response


def check_settings() -> None:
    """Refuse to start on a rate or proxy network that cannot be parsed (rather than 500 later)."""
    rates = {BURST: settings.RATE_LIMIT_BURST, DEFAULT: settings.RATE_LIMIT_DEFAULT, **settings.RATE_LIMITS}
    for scope, rate in rates.items():
        if rate and not _RATE.fullmatch(str(rate)):
            raise ImproperlyConfigured(f"Rate limit {scope}={rate!r} is not '<count>/<period>' (e.g. 1000/h, 50/m).")
    try:
        _networks(tuple(getattr(settings, "RATE_LIMIT_TRUSTED_PROXIES", ())))
    except ValueError as exc:
        raise ImproperlyConfigured(f"RATE_LIMIT_TRUSTED_PROXIES: {exc}") from exc


def is_exempt(path: str) -> bool:
    return path.startswith(EXEMPT_PREFIXES)


class RateLimitMiddleware:
    """Apply the rate limits above and label every response with the tightest one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        check_settings()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.RATE_LIMIT_ENABLED or is_exempt(request.path_info):
            return self.get_response(request)
        rules = rules_for(request)
        deferred = _deferred_rule(request, rules)
        try:
            usages = count_all(request, [rule for rule in rules if rule is not deferred], read_ahead=True)
        except CounterUnavailable:
            logger.warning("rate_limit_counter_unavailable", exc_info=True)
            if not getattr(settings, "RATE_LIMIT_FAIL_OPEN", True):
                return _unavailable_response(request)
            return self.get_response(request)
        if usages and usages[-1].exceeded:
            usage = usages[-1]
            logger.info("rate_limited", extra={"scope": usage.scope, "limit": usage.limit})
            return rate_limited_response(usage, request)
        response = self.get_response(request)
        if deferred is not None and response.status_code != HTTPStatus.NOT_MODIFIED:
            try:
                counted = count_all(request, [deferred])
            except CounterUnavailable:
                logger.warning("rate_limit_counter_unavailable", exc_info=True)
                counted = []
            if counted and counted[-1].exceeded:
                logger.info("rate_limited", extra={"scope": deferred.scope, "limit": counted[-1].limit})
                return rate_limited_response(counted[-1], request)
            usages += counted
        if not usages:
            return response
        tightest = min(usages, key=lambda usage: (usage.remaining, -usage.reset))
        return _set_headers(response, tightest)


def _deferred_rule(request: HttpRequest, rules: Sequence[Rule]) -> Rule | None:
    """The group's rule of a conditional GET whose 304 answer is free (see the module docstring)."""
    if request.method not in ("GET", "HEAD") or not request.headers.get("If-None-Match"):
        return None
    free = set(getattr(settings, "RATE_LIMIT_FREE_NOT_MODIFIED", ()))
    return next((rule for rule in rules if rule.scope in free and rule.scope not in (BURST, DEFAULT)), None)
