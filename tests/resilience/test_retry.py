"""Retries: exponential backoff with jitter, at most 3 retries (issue 4, item 5)."""

import random

import pytest

from hotgigs.resilience.errors import TransientError
from hotgigs.resilience.retry import MAX_RETRIES, backoff_delays, retry, retrying


class Flaky:
    """Fails with a new TransientError ``failures`` times, then returns "done"."""

    def __init__(self, failures: int, error: type[Exception] = TransientError) -> None:
        self.failures = failures
        self.error = error
        self.raised: list[Exception] = []
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if len(self.raised) < self.failures:
            self.raised.append(self.error(f"attempt {self.calls}"))
            raise self.raised[-1]
        return "done"


@pytest.fixture
def sleeps() -> list[float]:
    return []


def test_succeeds_after_two_transient_failures(sleeps):
    func = Flaky(2)

    assert retry(func, sleep=sleeps.append) == "done"

    assert func.calls == 3
    assert len(sleeps) == 2


def test_gives_up_after_three_retries_with_the_last_error(sleeps):
    func = Flaky(10)

    with pytest.raises(TransientError) as raised:
        retry(func, sleep=sleeps.append)

    assert raised.value is func.raised[-1]
    assert func.calls == 4
    assert len(sleeps) == 3


def test_delays_double_from_the_base_with_full_jitter(sleeps):
    with pytest.raises(TransientError):
        retry(Flaky(10), base_delay=0.5, max_delay=30, sleep=sleeps.append, random=lambda: 0.75)

    assert sleeps == [0.375, 0.75, 1.5]


def test_delays_stop_growing_at_the_maximum(sleeps):
    with pytest.raises(TransientError):
        retry(Flaky(10), base_delay=1, max_delay=3, jitter="none", sleep=sleeps.append)

    assert sleeps == [1, 2, 3]


@pytest.mark.parametrize(("jitter", "low", "high"), [("full", 0.0, 1.0), ("equal", 0.5, 1.0)])
def test_jittered_delays_stay_within_their_bounds(jitter, low, high):
    rng = random.Random(4)

    samples = [
        list(backoff_delays(base_delay=0.5, max_delay=30, jitter=jitter, random=rng.random)) for _ in range(2000)
    ]

    for attempt, cap in enumerate([0.5, 1.0, 2.0]):
        column = [sample[attempt] for sample in samples]
        assert min(column) >= low * cap
        assert max(column) < high * cap
        assert max(column) - min(column) > 0.9 * (high - low) * cap


def test_delays_without_jitter():
    assert list(backoff_delays(base_delay=0.5, max_delay=30, jitter="none")) == [0.5, 1.0, 2.0]


def test_non_retryable_errors_are_not_retried(sleeps):
    func = Flaky(1, error=ValueError)

    with pytest.raises(ValueError):  # noqa: PT011 - the function's own error
        retry(func, sleep=sleeps.append)

    assert func.calls == 1
    assert sleeps == []


def test_retry_on_chooses_the_errors(sleeps):
    func = Flaky(2, error=ConnectionError)

    assert retry(func, retry_on=(ConnectionError,), sleep=sleeps.append) == "done"


@pytest.mark.parametrize("retries", [MAX_RETRIES + 1, 10, -1])
def test_more_than_three_retries_are_refused(retries, sleeps):
    func = Flaky(0)

    with pytest.raises(ValueError, match="retries"):
        retry(func, retries=retries, sleep=sleeps.append)
    with pytest.raises(ValueError, match="retries"):
        backoff_delays(retries=retries)
    with pytest.raises(ValueError, match="retries"):
        retrying(retries=retries)

    assert func.calls == 0


def test_fewer_retries(sleeps):
    func = Flaky(10)

    with pytest.raises(TransientError):
        retry(func, retries=1, sleep=sleeps.append)

    assert func.calls == 2


def test_numbers_come_from_settings(settings, sleeps):
    settings.RETRY_MAX_RETRIES = 2
    settings.RETRY_BASE_DELAY = 2.0
    settings.RETRY_MAX_DELAY = 3.0
    func = Flaky(10)

    with pytest.raises(TransientError):
        retry(func, jitter="none", sleep=sleeps.append)

    assert func.calls == 3
    assert sleeps == [2.0, 3.0]


def test_a_setting_above_three_is_refused_too(settings):
    settings.RETRY_MAX_RETRIES = 5

    with pytest.raises(ValueError, match="retries"):
        retry(Flaky(0))


def test_decorator_form(sleeps):
    attempts: list[int] = []

    @retrying(retries=2, sleep=sleeps.append)
    def add(a: int, *, b: int) -> int:
        """Fails once, then adds."""
        attempts.append(a)
        if len(attempts) == 1:
            raise TransientError
        return a + b

    assert add(2, b=3) == 5
    assert attempts == [2, 2]
    assert add.__name__ == "add"
