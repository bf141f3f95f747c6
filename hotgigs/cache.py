"""Generation counters that invalidate cached reads when rows change.

Kernel code with no HTTP in it: the domain apps' after-commit outbox subscribers call
:func:`invalidate` when their events commit, without depending on the API layer;
``hotgigs.api.caching`` builds the cached responses on top of it (see its docstring for
the whole scheme).

**Analytics generations linger.** Every submission, move and interview moves its
organization's analytics generations on, and the figures behind them are read far less often
than that. A web process (``ANALYTICS_INVALIDATION_LINGER_MS``, 100 ms by default; 0 elsewhere)
holds those names and moves everything it gathered in one Redis round trip, at most that long
after the commit (:class:`hotgigs.linger.Linger`). A read of generations in the same process
first moves the ones it asks for that are still held, so a process always reads its own
writes; a reader in another process may see figures from up to the linger before. The jobs
and job board generations always move at commit.
"""

import logging
import secrets
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from hotgigs import redis_clients
from hotgigs.linger import Linger

logger = logging.getLogger(__name__)

GENERATION_PREFIX = "api:gen:"


def _fresh_generation() -> int:
    return secrets.randbits(62)


# Each key moved on where it exists; where it does not (never read, or evicted) it gets the fresh
# number given for it: any new number will do, as no cached entry was built with it. (INCR alone
# would start a missing key at 1, a number an entry from before the eviction may carry.)
_BUMP_SCRIPT = """
for i, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then
    redis.call('INCR', key)
  else
    redis.call('SET', key, ARGV[i])
  end
end
return #KEYS
"""


def _bump(names: Sequence[str]) -> None:
    if not names:
        return
    client = redis_clients.django_redis_client()
    if client is not None:
        # On Redis every generation in one round trip (a submission moves two, a job's edit four).
        try:
            keys = [cache.make_key(GENERATION_PREFIX + name) for name in names]
            client.register_script(_BUMP_SCRIPT)(keys=keys, args=[_fresh_generation() for _ in names])
        except Exception:
            logger.exception("cache.invalidate_failed", extra={"generations": list(names)})
        return
    for name in names:
        key = GENERATION_PREFIX + name
        try:
            try:
                cache.incr(key)
            except ValueError:
                # Missing (never read, or evicted): any new number will do, as no entry uses it.
                cache.add(key, _fresh_generation(), timeout=None)
        except Exception:
            logger.exception("cache.invalidate_failed", extra={"generation": name})


def _bump_lingering(pending: dict[str, list[Any]]) -> int:
    _bump(sorted(pending))
    return len(pending)


_lingering = Linger("hotgigs-generations", _bump_lingering)
ANALYTICS = "analytics:"


def _move(names: Sequence[str]) -> None:
    """Move ``names`` on: the analytics ones later when this process lingers, the rest now."""
    seconds = settings.ANALYTICS_INVALIDATION_LINGER_MS / 1000
    later = [name for name in names if name.startswith(ANALYTICS)] if seconds > 0 else []
    _bump([name for name in names if name not in later])
    if later:
        _lingering.add(dict.fromkeys(later, ()), seconds)


def _names(*, organization_id: int, jobs: bool, board: bool, analytics: bool) -> list[str]:
    names: list[str] = []
    if jobs:
        names += [f"jobs:org:{organization_id}", "jobs:all"]
    if board:
        names.append("jobs:board")
    if analytics:
        names += [f"analytics:org:{organization_id}", "analytics:all"]
    return names


def invalidate(*, organization_id: int, jobs: bool = False, board: bool = False, analytics: bool = False) -> None:
    """Drop now the cached reads a committed write changed (an after-commit subscriber's call).

    ``jobs``: the organization's jobs (members' and staff's lists and details);
    ``board``: the job board (pass it when the job is or was open); ``analytics``: the
    organization's figures and staff's (lingering in a web process, see above). A cache
    error is logged, never raised.
    """
    _move(_names(organization_id=organization_id, jobs=jobs, board=board, analytics=analytics))


def invalidate_on_commit(
    *, organization_id: int, jobs: bool = False, board: bool = False, analytics: bool = False
) -> None:
    """:func:`invalidate` once the current transaction commits; nothing if it rolls back."""
    names = _names(organization_id=organization_id, jobs=jobs, board=board, analytics=analytics)
    if names:

        def bump_generations() -> None:
            _move(names)

        transaction.on_commit(bump_generations, robust=True)


def catch_up(names: Sequence[str]) -> bool:
    """Move now those of ``names`` this process still holds lingering, or wait for the lingering
    thread's trip in flight: every read of generations calls it first, so a process always
    reads its own writes. True when counters may have moved (those read before this call may
    then be out of date)."""
    return _lingering.settle(names)


def generations(names: Sequence[str]) -> list[str] | None:
    catch_up(names)
    keys = [GENERATION_PREFIX + name for name in names]
    found = cache.get_many(keys)
    values = []
    for key in keys:
        value = found.get(key)
        if value is None:
            cache.add(key, _fresh_generation(), timeout=None)
            value = cache.get(key)
            if value is None:
                return None
        values.append(f"{key}={value}")
    return values


def bump(*names: str) -> None:
    """Move the named generations on (an after-commit subscriber's call); errors are logged."""
    _bump(names)
