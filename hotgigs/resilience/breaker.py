"""Circuit breaker for every call to an external service (AI provider, email, webhooks).

The contract (README.md: "Webhooks", "Notifications and email"): the breaker opens at a 50 % error rate,
stays open 5 minutes, then lets trial calls through and recovers gradually. The exact
algorithm, with the defaults from settings in brackets:

**Closed.** Every call runs. Each outcome is counted in a rolling window of
``window_seconds`` [60] made of one-second buckets: the window at time ``t`` holds the
buckets of the seconds ``s`` with ``floor(t) - window_seconds < s <= floor(t)``; older
buckets are dropped. After each outcome, if the window holds at least ``minimum_calls``
[10] calls and ``failures / calls >= failure_rate_threshold`` [0.5], the circuit opens
(so 5 failures out of 10 open it; 1 failure out of 1 does not).

**Open.** Calls are refused at once with :class:`CircuitOpenError`, without running,
carrying ``retry_after`` = the rest of the open period. The window is cleared. After
``open_seconds`` [300] the next call moves the circuit to half-open, stage 0.

**Half-open (gradual recovery).** Stage ``k`` admits ``recovery_steps[k]`` percent of
calls [10 %, 25 %, 50 %]: the ``n``-th call of the stage (counting from 0, admitted or not)
is admitted iff ``ceil((n+1)·p/100) > ceil(n·p/100)``, i.e. the first call and then every
10th / 4th / 2nd. Refused calls get :class:`CircuitOpenError` with ``retry_after`` 1 s.
After ``trial_successes`` [3] admitted calls succeed, the next stage begins (counters
reset); after the last stage the circuit is closed (100 %) with an empty window. Any
failed trial re-opens the circuit for another ``open_seconds``. Outcomes that arrive
while the circuit is open (calls admitted before it opened) are ignored.

**What counts as a failure.** An exception that is an instance of ``failure_exceptions``
[(Exception,)] and not of ``ignore_exceptions`` [()]. Any other exception (say a 4xx
business answer, which proves the service is up) counts as a success and is re-raised.
``BaseException`` that is not an ``Exception`` (KeyboardInterrupt, SystemExit) is not
recorded at all.

State lives in a store (:mod:`hotgigs.resilience.stores`): Redis when ``REDIS_URL`` is set,
so every worker sees the same circuit and each step is one atomic Lua script; process
memory otherwise. If Redis is unreachable the breaker admits calls (it must not turn a
Redis outage into an outage of every integration) and logs a warning.

Usage::

    breaker = get_breaker("ai.openai")
    vector = breaker.call(client.embed, text)

    @get_breaker("email.smtp")
    def send(message): ...

Always give the guarded call its own timeout (a hung call is neither success nor failure
until it returns), and decide what a refusal means: a Celery task retries later (see
:mod:`hotgigs.resilience.celery`), the AI layer falls back to the local provider.
"""

import functools
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from hotgigs.resilience.errors import CircuitOpenError
from hotgigs.resilience.stores import (
    BreakerPolicy,
    BreakerSnapshot,
    BreakerStore,
    MemoryBreakerStore,
    RedisBreakerStore,
)

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")


class CircuitBreaker:
    """Guards calls to one external service; see the module docstring for the rules.

    Instances are cheap and hold no state of their own: two instances with the same
    ``name`` on the same store are the same circuit.
    """

    def __init__(
        self,
        name: str,
        *,
        store: BreakerStore,
        clock: Callable[[], float] = time.time,
        failure_rate_threshold: float = 0.5,
        window_seconds: int = 60,
        minimum_calls: int = 10,
        open_seconds: float = 300.0,
        recovery_steps: tuple[int, ...] = (10, 25, 50),
        trial_successes: int = 3,
        failure_exceptions: tuple[type[BaseException], ...] = (Exception,),
        ignore_exceptions: tuple[type[BaseException], ...] = (),
    ) -> None:
        self.name = name
        self.store = store
        self.clock = clock
        self.policy = BreakerPolicy(
            failure_rate_threshold=failure_rate_threshold,
            window_seconds=window_seconds,
            minimum_calls=minimum_calls,
            open_seconds=open_seconds,
            recovery_steps=tuple(recovery_steps),
            trial_successes=trial_successes,
        )
        self.failure_exceptions = failure_exceptions
        self.ignore_exceptions = ignore_exceptions

    def is_failure(self, exc: BaseException) -> bool:
        """Whether ``exc`` counts against the service (see "What counts as a failure")."""
        return isinstance(exc, self.failure_exceptions) and not isinstance(exc, self.ignore_exceptions)

    def call(self, func: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
        """Run ``func(*args, **kwargs)`` if the circuit admits it and record the outcome.

        Raises :class:`CircuitOpenError` without calling ``func`` when the circuit is open
        or the call is not one of the admitted trial calls; otherwise returns or raises
        whatever ``func`` does.
        """
        admission = self.store.acquire(self.name, self.policy, self.clock())
        self._log_transition(admission.previous, admission.state)
        if not admission.admitted:
            raise CircuitOpenError(self.name, retry_after=admission.retry_after, state=admission.state)
        try:
            result = func(*args, **kwargs)
        except Exception as exc:
            self._record(failed=self.is_failure(exc))
            raise
        self._record(failed=False)
        return result

    def __call__(self, func: Callable[P, R]) -> Callable[P, R]:
        """Use the breaker as a decorator: every call of ``func`` goes through :meth:`call`."""

        @functools.wraps(func)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
            return self.call(func, *args, **kwargs)

        return guarded

    def state(self) -> BreakerSnapshot:
        """The circuit as it stands now (for metrics and health); changes nothing."""
        return self.store.snapshot(self.name, self.policy, self.clock())

    def reset(self) -> None:
        """Forget everything: closed, empty window (operators and tests)."""
        self.store.reset(self.name)

    def _record(self, *, failed: bool) -> None:
        transition = self.store.record(self.name, self.policy, self.clock(), failed=failed)
        self._log_transition(transition.previous, transition.state)

    def _log_transition(self, previous: str, state: str) -> None:
        if previous != state:
            log = logger.warning if state == "open" else logger.info
            log(
                "circuit breaker %s: %s -> %s",
                self.name,
                previous,
                state,
                extra={"breaker": self.name, "state_from": previous, "state_to": state},
            )


# The factory -------------------------------------------------------------------------

_lock = threading.Lock()
_breakers: dict[str, tuple[CircuitBreaker, dict[str, Any]]] = {}
_store: BreakerStore | None = None


def default_store() -> BreakerStore:
    """Redis (shared by every worker) when ``REDIS_URL`` is set, process memory otherwise."""
    global _store
    with _lock:
        if _store is None:
            if settings.REDIS_URL:
                _store = RedisBreakerStore.from_url(settings.REDIS_URL, prefix=settings.CIRCUIT_BREAKER_KEY_PREFIX)
            else:
                _store = MemoryBreakerStore()
        return _store


def get_breaker(name: str, **options: Any) -> CircuitBreaker:
    """The process-wide breaker called ``name``, on the default store, with settings' numbers.

    ``options`` are :class:`CircuitBreaker` keyword arguments that override the settings
    (e.g. ``failure_exceptions``). Asking again for the same name returns the same
    breaker; asking with different options raises ``ValueError``, because one circuit
    with two rule sets would disagree with itself.
    """
    store = default_store()
    with _lock:
        if name in _breakers:
            breaker, existing = _breakers[name]
            if existing != options:
                raise ValueError(f"Circuit breaker {name!r} already exists with other options.")
            return breaker
        defaults: dict[str, Any] = {
            "failure_rate_threshold": settings.CIRCUIT_BREAKER_FAILURE_RATE,
            "window_seconds": settings.CIRCUIT_BREAKER_WINDOW_SECONDS,
            "minimum_calls": settings.CIRCUIT_BREAKER_MIN_CALLS,
            "open_seconds": settings.CIRCUIT_BREAKER_OPEN_SECONDS,
            "trial_successes": settings.CIRCUIT_BREAKER_TRIAL_SUCCESSES,
        }
        breaker = CircuitBreaker(name, store=store, **{**defaults, **options})
        _breakers[name] = (breaker, options)
        return breaker


def all_breakers() -> list[CircuitBreaker]:
    """Every breaker this process has created through :func:`get_breaker` (for metrics)."""
    with _lock:
        return [breaker for breaker, _ in _breakers.values()]


@receiver(setting_changed)
def _forget_breakers(*, setting: str, **kwargs: Any) -> None:
    # Tests override REDIS_URL and the CIRCUIT_BREAKER_* numbers; start from scratch then.
    global _store
    if setting == "REDIS_URL" or setting.startswith("CIRCUIT_BREAKER_"):
        with _lock:
            _breakers.clear()
            _store = None
