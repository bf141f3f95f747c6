"""Celery tasks retry with the shared numbers: backoff, jitter, at most 3 retries."""

import pytest
from celery import Celery

from hotgigs.resilience.celery import RETRY_TASK_OPTIONS, task_retry_countdown
from hotgigs.resilience.errors import TransientError


@pytest.fixture
def app() -> Celery:
    # Eager tasks retry in-process only when errors do not propagate: with propagation
    # Celery hands the caller its internal Retry exception instead of running the retry.
    config = {"broker_url": "memory://", "task_always_eager": True, "task_eager_propagates": False}
    return Celery("test-resilience", set_as_current=False, config_source=config)


def test_task_options_follow_the_contract():
    expected = {
        "autoretry_for": (TransientError,),
        "max_retries": 3,
        "retry_backoff": 1,
        "retry_backoff_max": 30,
        "retry_jitter": True,
    }

    assert expected == RETRY_TASK_OPTIONS


def test_a_task_retries_transient_failures(app):
    attempts: list[int] = []

    @app.task(name="test.flaky", bind=True, **RETRY_TASK_OPTIONS)
    def flaky(self) -> str:  # type: ignore[no-untyped-def]
        attempts.append(self.request.retries)
        if len(attempts) < 3:
            raise TransientError
        return "done"

    assert flaky.delay().get() == "done"
    assert attempts == [0, 1, 2]


def test_a_task_gives_up_after_three_retries(app):
    attempts: list[int] = []

    @app.task(name="test.down", bind=True, **RETRY_TASK_OPTIONS)
    def down(self) -> None:  # type: ignore[no-untyped-def]
        attempts.append(self.request.retries)
        raise TransientError(f"attempt {len(attempts)}")

    with pytest.raises(TransientError, match="attempt 4"):
        down.delay().get()
    assert attempts == [0, 1, 2, 3]


def test_a_task_does_not_retry_other_errors(app):
    attempts: list[int] = []

    @app.task(name="test.bug", bind=True, **RETRY_TASK_OPTIONS)
    def bug(self) -> None:  # type: ignore[no-untyped-def]
        attempts.append(self.request.retries)
        raise KeyError("bug")

    with pytest.raises(KeyError):
        bug.delay().get()
    assert attempts == [0]


@pytest.mark.parametrize(("retries", "cap"), [(0, 1), (1, 2), (2, 4), (3, 4), (7, 4)])
def test_manual_countdowns_are_jittered_whole_seconds_under_the_cap(retries, cap):
    countdowns = {task_retry_countdown(retries) for _ in range(400)}

    assert countdowns <= set(range(cap + 1))
    assert len(countdowns) > 1


def test_manual_countdowns_wait_at_least_for_an_open_circuit():
    assert task_retry_countdown(0, at_least=299.2) == 300
