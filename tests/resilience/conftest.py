"""A controllable clock and the two breaker stores, each test on its own Redis keys."""

import uuid
from collections.abc import Iterator

import pytest
import redis

from hotgigs.resilience.stores import BreakerStore, MemoryBreakerStore, RedisBreakerStore


class FakeClock:
    """Seconds since the epoch that move only when the test says so."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix no other test uses; its keys are deleted afterwards."""
    prefix = f"test:cb:{uuid.uuid4().hex}"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def redis_store(redis_url: str, redis_prefix: str) -> RedisBreakerStore:
    return RedisBreakerStore.from_url(redis_url, prefix=redis_prefix)


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def store(request: pytest.FixtureRequest) -> BreakerStore:
    """Every breaker test runs against both stores: they implement the same rules."""
    if request.param == "memory":
        return MemoryBreakerStore()
    return request.getfixturevalue("redis_store")
