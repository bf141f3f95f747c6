"""Cache keys a request will read, read ahead in the rate limiter's round trip to Redis.

A cached read (:mod:`hotgigs.api.caching`) answers a hit with one ``MGET`` of its scope's
generation counters and its entry; the rate limiter (:mod:`hotgigs.api.ratelimit`) has already
been to the same Redis for the request's counters and the token's identity. The view's keys
depend on who the caller is (their audience), so the rate limiter, which runs before
authentication, cannot derive them; but a client asks the same URL again and again. So each
process remembers, per token family and request (method, host, path, query string, ``Accept``),
which keys the last such request read (:func:`plan`), and the rate limiter's script reads them
too (:func:`planned`, :func:`deliver`): a repeated cached read then costs one round trip to
Redis instead of two.

The view takes what was read ahead only when its own keys are exactly the ones planned
(:func:`take`); it still derives them itself, from the identity read in the same round trip, so
a plan that no longer fits (the caller left an organization, a new generation) costs the second
round trip, never a wrong answer. The values were read atomically with each other (one script),
which is all the response cache asks of its ``MGET``. The memo holds key names only, never
values, and at most :data:`PLAN_LIMIT` plans per process (then it starts again).
"""

from collections.abc import Sequence

from django.http import HttpRequest

# Plans per process: a few thousand live logins, each polling a URL or two.
PLAN_LIMIT = 4096

_SIGNATURE = "_hotgigs_read_ahead_signature"
_VALUES = "_hotgigs_read_ahead_values"
_plans: dict[tuple[str, ...], tuple[str, ...]] = {}


def _signature(request: HttpRequest, caller: str) -> tuple[str, ...]:
    meta = request.META
    return (
        caller,
        str(request.method),
        str(meta.get("HTTP_HOST", "")),
        str(meta.get("wsgi.url_scheme", "")),
        request.path,
        str(meta.get("QUERY_STRING", "")),
        str(meta.get("HTTP_ACCEPT", "")),
    )


def planned(request: HttpRequest, caller: str) -> tuple[str, ...]:
    """The cache keys (as stored) the last request like this one of ``caller`` read; marks the
    request so that :func:`plan` records what it reads this time."""
    signature = _signature(request, caller)
    setattr(request, _SIGNATURE, signature)
    return _plans.get(signature, ())


def deliver(request: HttpRequest, values: dict[str, bytes | None]) -> None:
    """Keep the raw values read ahead (key → value, None: no such key) for :func:`take`."""
    setattr(request, _VALUES, values)


def plan(request: HttpRequest, keys: Sequence[str]) -> None:
    """Remember that a request like this one reads ``keys`` (as stored), for the next one."""
    signature = getattr(request, _SIGNATURE, None)
    if signature is None:
        return
    wanted = tuple(keys)
    if _plans.get(signature) == wanted:
        return
    if len(_plans) >= PLAN_LIMIT:
        _plans.clear()
    _plans[signature] = wanted


def take(request: HttpRequest, keys: Sequence[str]) -> list[bytes | None] | None:
    """The raw values of ``keys`` read ahead for this request, or None unless every one of them
    was (then the caller reads them itself). Each request's values are taken once."""
    values: dict[str, bytes | None] | None = request.__dict__.pop(_VALUES, None)
    if values is None or any(key not in values for key in keys):
        return None
    return [values[key] for key in keys]


def drop(request: HttpRequest) -> None:
    """Forget what was read ahead for ``request``: a change made since makes it out of date."""
    request.__dict__.pop(_VALUES, None)


def forget_plans() -> None:
    """Drop every plan (tests)."""
    _plans.clear()
