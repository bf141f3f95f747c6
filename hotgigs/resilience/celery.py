"""The retry numbers every Celery task uses, so all tasks back off the same way.

Give every task that calls an external service the same options::

    from hotgigs.resilience.celery import RETRY_TASK_OPTIONS

    @shared_task(name="applications.compute_matches", **RETRY_TASK_OPTIONS)
    def compute_matches(application_id: int) -> None: ...

That is Celery's own autoretry: on a :class:`TransientError` the task reschedules itself
(the worker does not sleep) after ``random.randrange(min(retry_backoff_max,
retry_backoff · 2ⁿ) + 1)`` seconds — the same capped exponential backoff with full jitter
as :func:`hotgigs.resilience.retry.backoff_delays`, in whole seconds because Celery counts
in whole seconds (it also rounds the factor down to an integer of at least 1, hence the
ceiling below) — at most ``RETRY_MAX_RETRIES`` (3) times, then the task fails with the last
error. Tasks must be idempotent: delivery is at least once.

A task that meets an open circuit should wait for the circuit, not for the backoff::

    except CircuitOpenError as exc:
        raise self.retry(exc=exc, countdown=task_retry_countdown(self.request.retries, at_least=exc.retry_after))

(``bind=True``). That retry counts towards the same ``max_retries``.
"""

import math
import random as _random
from typing import Any

from django.conf import settings

from hotgigs.resilience.errors import TransientError
from hotgigs.resilience.retry import MAX_RETRIES, backoff_delays


def _options() -> dict[str, Any]:
    return {
        "autoretry_for": (TransientError,),
        "max_retries": settings.RETRY_MAX_RETRIES,
        "retry_backoff": max(1, math.ceil(settings.RETRY_BASE_DELAY)),
        "retry_backoff_max": max(1, math.ceil(settings.RETRY_MAX_DELAY)),
        "retry_jitter": True,
    }


# Read once, when task modules are imported (decorators run at import time).
RETRY_TASK_OPTIONS: dict[str, Any] = _options()


def task_retry_countdown(retries: int, *, at_least: float = 0.0) -> int:
    """Seconds before retry number ``retries`` (``self.request.retries``), for manual retries.

    The same formula as ``RETRY_TASK_OPTIONS`` (whole seconds, full jitter), but never
    less than ``at_least`` — e.g. an open circuit's ``retry_after``.
    """
    options = RETRY_TASK_OPTIONS
    caps = list(
        backoff_delays(
            retries=MAX_RETRIES,
            base_delay=options["retry_backoff"],
            max_delay=options["retry_backoff_max"],
            jitter="none",
        )
    )
    cap = int(caps[min(retries, len(caps) - 1)])
    # Celery's full jitter: a whole number of seconds in [0, cap].
    return max(_random.randrange(cap + 1), math.ceil(at_least))  # noqa: S311 - jitter, not secrets
