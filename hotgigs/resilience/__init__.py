"""Circuit breakers and retries for every call to an external service.

``get_breaker(name)`` guards a service (see :mod:`hotgigs.resilience.breaker` for the exact
rules), ``retry`` / ``retrying`` retry transient failures in-process, and
``hotgigs.resilience.celery.RETRY_TASK_OPTIONS`` gives Celery tasks the same backoff.
"""

from hotgigs.resilience.breaker import CircuitBreaker, all_breakers, get_breaker
from hotgigs.resilience.errors import CircuitOpenError, TransientError
from hotgigs.resilience.retry import MAX_RETRIES, backoff_delays, retry, retrying
from hotgigs.resilience.stores import BreakerSnapshot, MemoryBreakerStore, RedisBreakerStore

__all__ = [
    "MAX_RETRIES",
    "BreakerSnapshot",
    "CircuitBreaker",
    "CircuitOpenError",
    "MemoryBreakerStore",
    "RedisBreakerStore",
    "TransientError",
    "all_breakers",
    "backoff_delays",
    "get_breaker",
    "retry",
    "retrying",
]
