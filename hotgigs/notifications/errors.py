"""Errors of the notifications app."""

from hotgigs.errors import ValidationFailed


class InvalidPreferences(ValidationFailed):
    """A preferences update names an unknown kind or a value that is not a boolean."""

    default_message = "The notification preferences are not valid."
