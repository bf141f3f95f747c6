"""get_breaker: one breaker per name, on Redis when REDIS_URL is set, with settings' numbers."""

import pytest

from hotgigs.resilience.breaker import all_breakers, default_store, get_breaker
from hotgigs.resilience.errors import CircuitOpenError
from hotgigs.resilience.stores import MemoryBreakerStore, RedisBreakerStore


class ProviderDown(Exception):
    pass


def down() -> None:
    raise ProviderDown


@pytest.fixture
def embedded(settings):  # type: ignore[no-untyped-def]
    settings.REDIS_URL = ""
    return settings


def test_without_redis_breakers_live_in_memory(embedded):
    assert isinstance(default_store(), MemoryBreakerStore)


def test_numbers_come_from_settings(embedded):
    embedded.CIRCUIT_BREAKER_FAILURE_RATE = 0.25
    embedded.CIRCUIT_BREAKER_WINDOW_SECONDS = 30
    embedded.CIRCUIT_BREAKER_MIN_CALLS = 4
    embedded.CIRCUIT_BREAKER_OPEN_SECONDS = 120
    embedded.CIRCUIT_BREAKER_TRIAL_SUCCESSES = 2

    policy = get_breaker("email").policy

    assert (policy.failure_rate_threshold, policy.window_seconds, policy.minimum_calls) == (0.25, 30, 4)
    assert (policy.open_seconds, policy.trial_successes, policy.recovery_steps) == (120, 2, (10, 25, 50))


def test_the_contract_defaults(embedded):
    policy = get_breaker("webhooks").policy

    assert (policy.failure_rate_threshold, policy.window_seconds, policy.minimum_calls) == (0.5, 60, 10)
    assert policy.open_seconds == 300


def test_one_breaker_per_name(embedded):
    breaker = get_breaker("ai", ignore_exceptions=(KeyError,))

    assert get_breaker("ai", ignore_exceptions=(KeyError,)) is breaker
    assert get_breaker("email") is not breaker
    assert breaker in all_breakers()
    with pytest.raises(ValueError, match="other options"):
        get_breaker("ai")


def test_a_breaker_from_the_factory_opens(embedded):
    embedded.CIRCUIT_BREAKER_MIN_CALLS = 2
    breaker = get_breaker("ai")
    for _ in range(2):
        with pytest.raises(ProviderDown):
            breaker.call(down)

    with pytest.raises(CircuitOpenError):
        get_breaker("ai").call(down)


@pytest.mark.redis
def test_with_redis_every_process_shares_the_circuit(settings, redis_url, redis_prefix):
    settings.REDIS_URL = redis_url
    settings.CIRCUIT_BREAKER_KEY_PREFIX = redis_prefix
    breaker = get_breaker("ai")
    for _ in range(10):
        with pytest.raises(ProviderDown):
            breaker.call(down)

    store = default_store()
    other_process = RedisBreakerStore.from_url(redis_url, prefix=redis_prefix)

    assert isinstance(store, RedisBreakerStore)
    assert other_process.snapshot("ai", breaker.policy, breaker.clock()).state == "open"
