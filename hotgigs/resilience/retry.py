"""Retries with exponential backoff and jitter, at most 3 of them (README.md: "Webhooks", "Notifications and email").

The delay before retry ``n`` (from 0) is drawn from the cap ``min(max_delay, base_delay · 2ⁿ)``:

* ``"full"`` jitter (the default): uniform in ``[0, cap)``, AWS Architecture Blog,
  "Exponential Backoff And Jitter" — it spreads the retries of many clients best;
* ``"equal"``: ``cap/2 + uniform[0, cap/2)``, when a minimum wait matters;
* ``"none"``: exactly ``cap``.

At most :data:`MAX_RETRIES` (3) retries, so at most 4 attempts; asking for more is a
``ValueError``, because the contract caps them. Only ``retry_on`` exceptions
(:class:`TransientError` by default) are retried; anything else propagates at once, and
after the last retry the last error propagates unchanged.

Inside a request keep the numbers small (the defaults: 0.5 s base, 30 s cap, settings
``RETRY_BASE_DELAY`` / ``RETRY_MAX_DELAY`` / ``RETRY_MAX_RETRIES``); Celery tasks do not
sleep in the worker but reschedule themselves with the same formula, see
:mod:`hotgigs.resilience.celery`.
"""

import functools
import logging
import random as _random
import time
from collections.abc import Callable, Iterator
from typing import Literal, ParamSpec, TypeVar

from django.conf import settings

from hotgigs.resilience.errors import TransientError

logger = logging.getLogger(__name__)

MAX_RETRIES = 3
Jitter = Literal["full", "equal", "none"]

P = ParamSpec("P")
R = TypeVar("R")


def _retries(retries: int | None) -> int:
    value = settings.RETRY_MAX_RETRIES if retries is None else retries
    if not 0 <= value <= MAX_RETRIES:
        raise ValueError(f"retries must be between 0 and {MAX_RETRIES}, not {value}.")
    return value


def backoff_delays(
    *,
    retries: int | None = None,
    base_delay: float | None = None,
    max_delay: float | None = None,
    jitter: Jitter = "full",
    random: Callable[[], float] = _random.random,
) -> Iterator[float]:
    """The seconds to wait before each retry, one per retry (``retries`` of them).

    ``None`` takes the number from settings. ``random`` returns a float in [0, 1); tests
    pass a fixed one to check the bounds.
    """
    # Validate now, not at the first retry: a wrong number must fail where it is written.
    count = _retries(retries)
    base = settings.RETRY_BASE_DELAY if base_delay is None else base_delay
    ceiling = settings.RETRY_MAX_DELAY if max_delay is None else max_delay
    if base < 0 or ceiling < 0:
        raise ValueError("Delays cannot be negative.")
    if jitter not in ("full", "equal", "none"):
        raise ValueError(f"Unknown jitter {jitter!r}.")
    return _delays(count, base, ceiling, jitter, random)


def _delays(count: int, base: float, ceiling: float, jitter: Jitter, random: Callable[[], float]) -> Iterator[float]:
    for attempt in range(count):
        cap = min(ceiling, base * 2**attempt)
        if jitter == "full":
            yield cap * random()
        elif jitter == "equal":
            yield cap / 2 + cap / 2 * random()
        else:
            yield cap


def retry(
    func: Callable[[], R],
    *,
    retries: int | None = None,
    base_delay: float | None = None,
    max_delay: float | None = None,
    jitter: Jitter = "full",
    retry_on: tuple[type[BaseException], ...] = (TransientError,),
    sleep: Callable[[float], object] = time.sleep,
    random: Callable[[], float] = _random.random,
) -> R:
    """Call ``func()`` and retry it on ``retry_on`` errors, waiting per :func:`backoff_delays`.

    Returns the first successful result. Raises the last ``retry_on`` error once the
    retries are spent, any other error at once, and ``ValueError`` for ``retries`` above 3.
    Pass arguments with a lambda or ``functools.partial``, or use :func:`retrying`.
    """
    delays = backoff_delays(retries=retries, base_delay=base_delay, max_delay=max_delay, jitter=jitter, random=random)
    attempt = 1
    while True:
        try:
            return func()
        except retry_on as exc:
            delay = next(delays, None)
            if delay is None:
                raise
            logger.info(
                "retrying %s after %s in %.3f s",
                getattr(func, "__qualname__", repr(func)),
                type(exc).__name__,
                delay,
                extra={"attempt": attempt, "delay": delay, "error": type(exc).__name__},
            )
            sleep(delay)
            attempt += 1


def retrying(
    *,
    retries: int | None = None,
    base_delay: float | None = None,
    max_delay: float | None = None,
    jitter: Jitter = "full",
    retry_on: tuple[type[BaseException], ...] = (TransientError,),
    sleep: Callable[[float], object] = time.sleep,
    random: Callable[[], float] = _random.random,
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorator form of :func:`retry`: ``@retrying(retries=2)``."""
    backoff_delays(retries=retries, base_delay=base_delay, max_delay=max_delay, jitter=jitter)

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            return retry(
                functools.partial(func, *args, **kwargs),
                retries=retries,
                base_delay=base_delay,
                max_delay=max_delay,
                jitter=jitter,
                retry_on=retry_on,
                sleep=sleep,
                random=random,
            )

        return wrapper

    return decorate
