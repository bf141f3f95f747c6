"""Errors of the resilience layer: infrastructure failures, not API errors.

Neither class is a :class:`hotgigs.errors.DomainError`: they describe the state of an
external dependency, not a business rule, and the API exception handler renders them as
``INTERNAL_ERROR`` like any other unexpected failure. Callers that can do better (a
Celery task that retries later, a view that falls back to the local AI provider) catch
them explicitly.
"""


class TransientError(Exception):
    """A failure worth retrying: a timeout, a dropped connection, a 5xx or 429 answer.

    Integrations raise it (or a subclass) around the call to their provider, so that
    :func:`hotgigs.resilience.retry.retry` and Celery's ``autoretry_for`` retry exactly
    these failures and nothing else.
    """


class CircuitOpenError(Exception):
    """The circuit breaker refused the call without running it.

    ``retry_after`` is the number of seconds after which the breaker may admit calls
    again: the rest of the open period, or a short hint while it is recovering and
    admits only a fraction of calls. ``state`` is ``"open"`` or ``"half_open"``.
    """

    def __init__(self, breaker: str, *, retry_after: float, state: str) -> None:
        self.breaker = breaker
        self.retry_after = retry_after
        self.state = state
        super().__init__(f"Circuit {breaker!r} is {state}; retry after {retry_after:.1f} s.")
