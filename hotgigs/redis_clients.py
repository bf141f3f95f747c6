"""Every Redis client of a process: time limits, and failing fast while Redis does not answer.

A process talks to Redis through four clients: the cache (django-redis, which also holds
the rate limiter's counters and the identity cache), the circuit-breaker store, the channel
layer (channels-redis) and the Celery broker (kombu). Each is given connect and read
timeouts (``REDIS_SOCKET_CONNECT_TIMEOUT``, ``REDIS_SOCKET_TIMEOUT``) in settings, so a Redis
that stops answering (paused, swapping, a dead host behind a half-open connection) ends in
an error instead of a hang, and the callers fail open (cache, rate limiter, breakers) or
leave the work to a beat sweeper (tasks, pushes).

A timeout alone would still cost every call its full wait, and one request touches Redis
several times (limiter, identity, cached read, tasks and pushes on commit). So the first
timeout or refused connection marks that server *down* in this process for
``REDIS_FAIL_FAST_SECONDS``: meanwhile every call to it, from any of the clients (they share
the mark by ``host:port``), fails at once with ``redis.ConnectionError``. After that pause the
next call tries again; one answer clears the mark. A request therefore waits for at most
one timeout, however often it would have touched Redis.

The cache, the breaker store and the channel layer get the check inside their connections
(:class:`GuardedConnection`, :class:`GuardedAsyncConnection`, for ``redis://`` URLs; TLS and
Unix-socket connections keep their timeouts but not the shared mark). Task publishing asks
:func:`is_down` before it publishes (kombu's connection class cannot be swapped) and calls
:func:`mark_down` when the broker does not answer.
"""

import contextlib
import logging
import time
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any
from urllib.parse import urlsplit

import redis
import redis.asyncio
from django.conf import settings

logger = logging.getLogger(__name__)

DEFAULT_PORT = 6379
# Errors that say the server is unreachable or silent (AuthenticationError is one too: a
# misconfiguration, failing fast is right). A ResponseError is an answer: the server is up.
UNREACHABLE = (redis.ConnectionError, redis.TimeoutError)

# address ("host:port") → time.monotonic() until which calls to it fail at once.
_down_until: dict[str, float] = {}
# Inside probe(): calls go to Redis even while it is marked down (readiness must look).
_probing: ContextVar[bool] = ContextVar("hotgigs_redis_probing", default=False)


def fail_fast_seconds() -> float:
    return float(getattr(settings, "REDIS_FAIL_FAST_SECONDS", 1.0))


def url_address(url: str) -> str | None:
    """``host:port`` of a ``redis://`` or ``rediss://`` URL (the key of the down mark), else None."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        return None
    return f"{parts.hostname}:{parts.port or DEFAULT_PORT}"


@contextlib.contextmanager
def probe() -> Iterator[None]:
    """Calls made inside go to Redis even while it is marked down, within their timeouts: the
    readiness checks look for themselves, and an answer clears the mark for the process."""
    token = _probing.set(True)
    try:
        yield
    finally:
        _probing.reset(token)


def is_down(address: str | None) -> bool:
    """Whether calls to ``address`` fail at once now (it timed out or refused recently)."""
    if address is None or _probing.get():
        return False
    until = _down_until.get(address)
    return until is not None and time.monotonic() < until


def mark_down(address: str | None, error: BaseException | None = None) -> None:
    """``address`` did not answer: fail calls to it at once for ``REDIS_FAIL_FAST_SECONDS``."""
    if address is None:
        return
    was_up = not is_down(address)
    _down_until[address] = time.monotonic() + fail_fast_seconds()
    if was_up:
        logger.warning(
            "redis.unreachable",
            extra={"redis": address, "error": type(error).__name__ if error else None, "seconds": fail_fast_seconds()},
        )


def mark_up(address: str) -> None:
    """``address`` answered: clear its down mark."""
    if _down_until.pop(address, None) is not None:
        logger.info("redis.reachable", extra={"redis": address})


def _refuse(address: str) -> redis.ConnectionError:
    return redis.ConnectionError(f"Redis at {address} did not answer recently; failing fast.")


def guarded_connection_class(url: str) -> type[redis.Connection] | None:
    """The connection class to give a ``redis://`` client (None: keep redis-py's own)."""
    return GuardedConnection if urlsplit(url).scheme == "redis" else None


def guarded_async_connection_class(url: str) -> type[redis.asyncio.Connection] | None:
    """The asyncio connection class to give a ``redis://`` client (None: keep redis-py's own)."""
    return GuardedAsyncConnection if urlsplit(url).scheme == "redis" else None


def django_redis_client(cache_name: str = "default") -> Any | None:
    """The raw redis-py client (for writes) behind the Django cache ``cache_name``, or None
    when that cache is not django-redis (locmem, the embedded default): for callers that send
    one script instead of several cache calls."""
    from django.core.cache import caches

    cache = caches[cache_name]
    get_client = getattr(getattr(cache, "client", None), "get_client", None)
    if get_client is None or type(cache).__module__.split(".")[0] != "django_redis":
        return None
    return get_client(write=True)


def client_options(url: str) -> dict[str, Any]:
    """Keyword arguments of ``redis.Redis.from_url`` for a client of this project: the
    timeouts from settings and, for ``redis://``, the guarded connection."""
    options: dict[str, Any] = {
        "socket_connect_timeout": float(settings.REDIS_SOCKET_CONNECT_TIMEOUT),
        "socket_timeout": float(settings.REDIS_SOCKET_TIMEOUT),
    }
    connection_class = guarded_connection_class(url)
    if connection_class is not None:
        options["connection_class"] = connection_class
    return options


class GuardedConnection(redis.Connection):
    """A redis-py connection that fails at once while its server is marked down, and marks it
    down when it times out or refuses (see the module docstring)."""

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def connect_check_health(self, check_health: bool = True, retry_socket_connect: bool = True) -> None:
        if self._sock:
            return
        if is_down(self.address):
            raise _refuse(self.address)
        try:
            super().connect_check_health(check_health=check_health, retry_socket_connect=retry_socket_connect)
        except UNREACHABLE as exc:
            mark_down(self.address, exc)
            raise

    def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        if self._sock and is_down(self.address):
            # Opened before the outage: it would wait for its own timeout.
            self.disconnect()
            raise _refuse(self.address)
        try:
            super().send_packed_command(command, check_health=check_health)
        except UNREACHABLE as exc:
            mark_down(self.address, exc)
            raise

    def read_response(self, *args: Any, **kwargs: Any) -> Any:
        try:
            response = super().read_response(*args, **kwargs)
        except UNREACHABLE as exc:
            mark_down(self.address, exc)
            raise
        mark_up(self.address)
        return response


class GuardedAsyncConnection(redis.asyncio.Connection):
    """:class:`GuardedConnection` for redis-py's asyncio client (the channel layer)."""

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    async def connect_check_health(self, check_health: bool = True, retry_socket_connect: bool = True) -> None:
        if self.is_connected:
            return
        if is_down(self.address):
            raise _refuse(self.address)
        try:
            await super().connect_check_health(check_health=check_health, retry_socket_connect=retry_socket_connect)
        except UNREACHABLE as exc:
            mark_down(self.address, exc)
            raise

    async def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        if self.is_connected and is_down(self.address):
            await self.disconnect(nowait=True)
            raise _refuse(self.address)
        try:
            await super().send_packed_command(command, check_health=check_health)
        except UNREACHABLE as exc:
            mark_down(self.address, exc)
            raise

    async def read_response(self, *args: Any, **kwargs: Any) -> Any:
        try:
            response = await super().read_response(*args, **kwargs)
        except UNREACHABLE as exc:
            mark_down(self.address, exc)
            raise
        # None: a read with its own timeout (pub/sub polling) found nothing; not an answer.
        if response is not None:
            mark_up(self.address)
        return response


def redis_db_number(url: str) -> int:
    """The database number a Redis URL names (``redis://host:6379/2`` → 2, ``?db=3`` → 3; else 0)."""
    from urllib.parse import parse_qs, urlsplit

    parts = urlsplit(url)
    path = parts.path.strip("/")
    if path.isdigit():
        return int(path)
    db = parse_qs(parts.query).get("db")
    return int(db[0]) if db and db[0].isdigit() else 0
