"""Errors of the realtime layer; the consumer sends their ``code`` to the client."""

from hotgigs.errors import Forbidden, NotFound, ValidationFailed


class InvalidMessage(ValidationFailed):
    default_message = "The message is not valid."


class SubscriptionForbidden(Forbidden):
    default_message = "You may not subscribe to this channel."


class NotificationNotFound(NotFound):
    default_message = "Notification not found."
