"""The circuit breaker's rules, on the memory store and on Redis (issue 4, item 5)."""

import threading

import pytest

from hotgigs.resilience.breaker import CircuitBreaker
from hotgigs.resilience.errors import CircuitOpenError
from hotgigs.resilience.stores import BreakerPolicy, BreakerStore, MemoryBreakerStore, RedisBreakerStore, admits
from tests.resilience.conftest import FakeClock


class ProviderDown(Exception):
    pass


class ProviderRefused(Exception):
    """A business answer (say a 4xx): the provider is up."""


def ok() -> str:
    return "ok"


def down() -> str:
    raise ProviderDown


def make(store: BreakerStore, clock: FakeClock, name: str = "provider", **options) -> CircuitBreaker:  # type: ignore[no-untyped-def]
    return CircuitBreaker(name, store=store, clock=clock, **options)


def outcomes(breaker: CircuitBreaker, *, successes: int = 0, failures: int = 0) -> None:
    for _ in range(successes):
        breaker.call(ok)
    for _ in range(failures):
        with pytest.raises(ProviderDown):
            breaker.call(down)


def trip(breaker: CircuitBreaker) -> None:
    outcomes(breaker, failures=10)
    assert breaker.state().state == "open"


def admissions(breaker: CircuitBreaker, attempts: int) -> str:
    """Try ``attempts`` successful calls: "x" for each one run, "." for each one refused."""
    pattern = ""
    for _ in range(attempts):
        try:
            breaker.call(ok)
        except CircuitOpenError:
            pattern += "."
        else:
            pattern += "x"
    return pattern


# Closed -------------------------------------------------------------------------------


def test_stays_closed_below_the_minimum_number_of_calls(store, clock):
    breaker = make(store, clock)

    outcomes(breaker, failures=9)

    state = breaker.state()
    assert (state.state, state.calls, state.failures, state.failure_rate) == ("closed", 9, 9, 1.0)


def test_one_failure_out_of_one_does_not_open(store, clock):
    breaker = make(store, clock)

    outcomes(breaker, failures=1)

    assert breaker.state().state == "closed"


def test_stays_closed_below_half_failures(store, clock):
    breaker = make(store, clock)

    outcomes(breaker, successes=11, failures=9)

    state = breaker.state()
    assert (state.state, state.calls, state.failures, state.failure_rate) == ("closed", 20, 9, 0.45)


def test_opens_at_exactly_half_failures(store, clock):
    breaker = make(store, clock)
    outcomes(breaker, successes=5, failures=4)
    assert breaker.state().state == "closed"

    outcomes(breaker, failures=1)

    state = breaker.state()
    assert (state.state, state.retry_after, state.admit_percent, state.opened_at) == ("open", 300, 0, clock.now)


def test_opens_on_a_success_when_the_rate_is_reached(store, clock):
    breaker = make(store, clock)
    outcomes(breaker, failures=5, successes=4)
    assert breaker.state().state == "closed"

    outcomes(breaker, successes=1)

    assert breaker.state().state == "open"


@pytest.mark.parametrize(("later", "expected"), [(59, "open"), (59.999, "open"), (60, "closed"), (61, "closed")])
def test_the_window_rolls_and_old_failures_expire(store, clock, later, expected):
    breaker = make(store, clock)
    outcomes(breaker, failures=9)
    clock.advance(later)

    outcomes(breaker, failures=1)

    assert breaker.state().state == expected


def test_expired_buckets_leave_the_counts(store, clock):
    breaker = make(store, clock)
    outcomes(breaker, failures=5)
    clock.advance(30)
    outcomes(breaker, successes=3)
    clock.advance(31)

    outcomes(breaker, successes=1)

    state = breaker.state()
    assert (state.calls, state.failures) == (4, 0)


def test_ignored_exceptions_count_as_successes_and_propagate(store, clock):
    breaker = make(store, clock, ignore_exceptions=(ProviderRefused,))

    def refuse() -> None:
        raise ProviderRefused

    for _ in range(10):
        with pytest.raises(ProviderRefused):
            breaker.call(refuse)

    state = breaker.state()
    assert (state.state, state.calls, state.failures) == ("closed", 10, 0)


def test_only_failure_exceptions_count(store, clock):
    breaker = make(store, clock, failure_exceptions=(ProviderDown,))

    def broken() -> None:
        raise ValueError

    for _ in range(10):
        with pytest.raises(ValueError):  # noqa: PT011 - any ValueError
            breaker.call(broken)
    outcomes(breaker, failures=1)

    state = breaker.state()
    assert (state.state, state.calls, state.failures) == ("closed", 11, 1)


# Open ---------------------------------------------------------------------------------


def test_open_refuses_at_once_without_calling(store, clock):
    breaker = make(store, clock)
    trip(breaker)
    clock.advance(120)
    calls = []

    with pytest.raises(CircuitOpenError) as refused:
        breaker.call(calls.append, "called")

    assert calls == []
    assert (refused.value.breaker, refused.value.state, refused.value.retry_after) == ("provider", "open", 180)


def test_stays_open_for_five_minutes(store, clock):
    breaker = make(store, clock)
    trip(breaker)
    clock.advance(299.5)

    with pytest.raises(CircuitOpenError) as refused:
        breaker.call(ok)

    assert refused.value.retry_after == pytest.approx(0.5)


def test_outcomes_of_calls_admitted_before_it_opened_are_ignored(store, clock):
    breaker = make(store, clock)
    opened_at = clock.now

    def slow_and_failing() -> None:
        trip(breaker)
        clock.advance(10)
        raise ProviderDown

    with pytest.raises(ProviderDown):
        breaker.call(slow_and_failing)

    state = breaker.state()
    assert (state.state, state.opened_at) == ("open", opened_at)


# Half-open and recovery ---------------------------------------------------------------


def test_after_five_minutes_a_trial_call_goes_through(store, clock):
    breaker = make(store, clock)
    trip(breaker)
    clock.advance(300)

    assert breaker.call(ok) == "ok"

    state = breaker.state()
    assert (state.state, state.admit_percent, state.stage) == ("half_open", 10, 0)


def test_recovery_admits_10_then_25_then_50_then_100_percent(store, clock):
    breaker = make(store, clock)
    trip(breaker)
    clock.advance(300)

    assert admissions(breaker, 21) == "x.........x.........x"
    assert breaker.state().admit_percent == 25
    assert admissions(breaker, 9) == "x...x...x"
    assert breaker.state().admit_percent == 50
    assert admissions(breaker, 5) == "x.x.x"
    assert breaker.state().state == "closed"
    assert admissions(breaker, 10) == "x" * 10


def test_refused_calls_while_recovering_get_a_short_retry_after(store, clock):
    breaker = make(store, clock)
    trip(breaker)
    clock.advance(300)
    breaker.call(ok)

    with pytest.raises(CircuitOpenError) as refused:
        breaker.call(ok)

    assert (refused.value.state, refused.value.retry_after) == ("half_open", 1.0)


def test_closed_after_recovery_starts_with_an_empty_window(store, clock):
    breaker = make(store, clock)
    trip(breaker)
    clock.advance(300)
    admissions(breaker, 35)

    state = breaker.state()
    assert (state.state, state.calls, state.failures, state.opened_at) == ("closed", 0, 0, None)


@pytest.mark.parametrize("stage_attempts", [0, 21, 30])
def test_a_failing_trial_reopens_for_another_five_minutes(store, clock, stage_attempts):
    breaker = make(store, clock)
    trip(breaker)
    clock.advance(300)
    admissions(breaker, stage_attempts)

    outcomes(breaker, failures=1)

    assert breaker.state().state == "open"
    clock.advance(299)
    with pytest.raises(CircuitOpenError):
        breaker.call(ok)
    clock.advance(1)
    assert breaker.call(ok) == "ok"
    assert breaker.state().admit_percent == 10


def test_the_state_reports_half_open_once_the_open_period_is_over(store, clock):
    breaker = make(store, clock)
    trip(breaker)

    clock.advance(300)

    state = breaker.state()
    assert (state.state, state.admit_percent, state.retry_after) == ("half_open", 10, 0)


def test_other_numbers(store, clock):
    breaker = make(
        store,
        clock,
        failure_rate_threshold=0.2,
        minimum_calls=5,
        open_seconds=30,
        recovery_steps=(50,),
        trial_successes=1,
    )
    outcomes(breaker, successes=4, failures=1)
    assert breaker.state().state == "open"
    clock.advance(30)

    assert admissions(breaker, 1) == "x"
    assert breaker.state().state == "closed"


# API ----------------------------------------------------------------------------------


def test_decorator_form(store, clock):
    breaker = make(store, clock)

    @breaker
    def add(a: int, b: int) -> int:
        """Adds."""
        return a + b

    assert add(2, b=3) == 5
    assert add.__name__ == "add"
    assert breaker.state().calls == 1


def test_reset_closes(store, clock):
    breaker = make(store, clock)
    trip(breaker)

    breaker.reset()

    assert breaker.call(ok) == "ok"
    assert breaker.state().state == "closed"


def test_instances_with_the_same_name_share_a_circuit(store, clock):
    trip(make(store, clock, name="a"))

    with pytest.raises(CircuitOpenError):
        make(store, clock, name="a").call(ok)
    assert make(store, clock, name="b").call(ok) == "ok"


@pytest.mark.parametrize(
    "options",
    [
        {"failure_rate_threshold": 0},
        {"failure_rate_threshold": 1.5},
        {"minimum_calls": 0},
        {"window_seconds": 0},
        {"open_seconds": 0},
        {"recovery_steps": ()},
        {"recovery_steps": (50, 25)},
        {"recovery_steps": (10, 100)},
    ],
)
def test_nonsense_numbers_are_refused(options):
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        BreakerPolicy(**options)


@pytest.mark.parametrize("percent", [10, 25, 33, 50, 99])
def test_admits_exactly_the_percentage_of_each_hundred_attempts(percent):
    admitted = [attempt for attempt in range(300) if admits(attempt, percent)]

    assert len(admitted) == 3 * percent
    assert admitted[0] == 0


# Redis: several workers ---------------------------------------------------------------


@pytest.mark.redis
def test_two_workers_on_one_redis_agree(redis_url, redis_prefix, clock):
    worker_a = make(RedisBreakerStore.from_url(redis_url, prefix=redis_prefix), clock)
    worker_b = make(RedisBreakerStore.from_url(redis_url, prefix=redis_prefix), clock)
    outcomes(worker_a, successes=5, failures=2)
    outcomes(worker_b, failures=3)

    with pytest.raises(CircuitOpenError):
        worker_a.call(ok)
    clock.advance(300)
    assert admissions(worker_b, 1) == "x"
    assert admissions(worker_a, 9) == "." * 9
    assert admissions(worker_b, 1) == "x"
    assert worker_a.state() == worker_b.state()


@pytest.mark.redis
def test_concurrent_outcomes_are_counted_exactly(redis_store, clock):
    breaker = make(redis_store, clock, minimum_calls=10_000)
    threads, per_thread = 8, 60

    def work(index: int) -> None:
        for call in range(per_thread):
            if (index + call) % 3 == 0:
                with pytest.raises(ProviderDown):
                    breaker.call(down)
            else:
                breaker.call(ok)

    workers = [threading.Thread(target=work, args=(index,)) for index in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    state = breaker.state()
    assert (state.calls, state.failures) == (threads * per_thread, threads * per_thread // 3)


@pytest.mark.redis
def test_concurrent_trial_admissions_are_exact(redis_store, clock):
    breaker = make(redis_store, clock, trial_successes=10_000)
    trip(breaker)
    clock.advance(300)
    admitted = []

    def work() -> None:
        admitted.append(admissions(breaker, 25).count("x"))

    workers = [threading.Thread(target=work) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert sum(admitted) == 20


def test_an_unreachable_redis_admits_calls(clock, caplog):
    store = RedisBreakerStore.from_url("redis://127.0.0.1:1/0", prefix="test:cb:unreachable", timeout=0.2)
    breaker = make(store, clock)

    assert breaker.call(ok) == "ok"
    with pytest.raises(ProviderDown):
        breaker.call(down)

    assert breaker.state().state == "unknown"
    assert "circuit breaker store unavailable" in caplog.text


def test_memory_stores_do_not_share(clock):
    trip(make(MemoryBreakerStore(), clock))

    assert make(MemoryBreakerStore(), clock).call(ok) == "ok"
