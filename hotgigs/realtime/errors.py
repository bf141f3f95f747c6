"""Errors of the realtime layer; the consumer sends their ``code`` to the client."""

from hotgigs.errors import DomainError, Forbidden, NotFound, ValidationFailed


class InvalidMessage(ValidationFailed):
    default_message = "The message is not valid."


class SubscriptionForbidden(Forbidden):
    default_message = "You may not subscribe to this channel."


class NotificationNotFound(NotFound):
    default_message = "Notification not found."


class SubscribesRateLimited(DomainError):
    """More subscribes than the connection's bucket allows (``details.retry_after`` seconds)."""

    code = "RATE_LIMITED"
    default_message = "Too many subscribes on this connection; wait and retry."


class RealtimeUnavailable(DomainError):
    """The database did not answer a subscribe in time (a lock, the pool): retry after
    ``details.retry_after`` seconds; the socket stays open."""

    code = "SERVICE_UNAVAILABLE"
    default_message = "The database is busy; retry later."
