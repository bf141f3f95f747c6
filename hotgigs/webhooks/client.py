"""The HTTP client webhooks are sent with: guarded connections, short timeouts, no redirects.

One client per process, so consecutive deliveries to the same receiver reuse a kept-alive
connection. Proxies from the environment are ignored (``trust_env=False``): a proxy would
connect on our behalf to whatever the name resolves to, past the address check.
"""

import threading
import time
from dataclasses import dataclass

import httpcore2
import httpx2
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from hotgigs.webhooks.targets import GuardedBackend, TargetRefused

EXCERPT_BYTES = 1024


@dataclass(frozen=True)
class Sent:
    """What the receiver answered: status, the start of the body, and how long it took."""

    status_code: int
    excerpt: str
    latency_ms: int
    retry_after: float | None


class GuardedTransport(httpx2.HTTPTransport):
    """httpx's transport over a connection pool whose network backend checks every address."""

    def __init__(self) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore2.ConnectionPool(
            ssl_context=httpx2.create_ssl_context(trust_env=False),
            max_connections=50,
            max_keepalive_connections=20,
            keepalive_expiry=30.0,
            network_backend=GuardedBackend(),
        )


_lock = threading.Lock()
_client: httpx2.Client | None = None


def _shared_client() -> httpx2.Client:
    global _client
    with _lock:
        if _client is None:
            _client = httpx2.Client(
                transport=GuardedTransport(),
                follow_redirects=False,
                trust_env=False,
                timeout=httpx2.Timeout(settings.WEBHOOKS_TIMEOUT, connect=settings.WEBHOOKS_CONNECT_TIMEOUT),
                headers={"User-Agent": settings.WEBHOOKS_USER_AGENT},
            )
        return _client


@receiver(setting_changed)
def _forget_client(*, setting: str, **kwargs: object) -> None:
    global _client
    if setting.startswith("WEBHOOKS_"):
        with _lock:
            if _client is not None:
                _client.close()
            _client = None


def target_refused(exc: BaseException) -> bool:
    """True when ``exc`` (as httpx raised it) is the address guard's refusal."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, TargetRefused):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def post(url: str, *, body: bytes, headers: dict[str, str]) -> Sent:
    """POST ``body`` to ``url``; raises httpx2.HTTPError on a network failure or timeout."""
    started = time.perf_counter()
    with _shared_client().stream("POST", url, content=body, headers=headers) as response:
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_raw():
            chunks.append(chunk)
            size += len(chunk)
            if size >= EXCERPT_BYTES:
                break
        latency_ms = round((time.perf_counter() - started) * 1000)
        excerpt = b"".join(chunks)[:EXCERPT_BYTES].decode("utf-8", errors="replace")
        return Sent(
            status_code=response.status_code,
            excerpt=excerpt,
            latency_ms=latency_ms,
            retry_after=_retry_after(response.headers.get("retry-after")),
        )
