"""Domain errors shared by every app.

Services raise these; the API layer maps ``code`` to an HTTP status and renders the
contract's envelope ``{code, message, details}``. Each app's ``errors.py`` subclasses
them so callers (and tests) can match on the precise failure while the wire code stays
one of the documented few.
"""

from typing import Any, ClassVar


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    code: ClassVar[str] = "INTERNAL_ERROR"
    default_message: ClassVar[str] = "The request could not be completed."

    def __init__(self, message: str | None = None, *, details: dict[str, Any] | None = None) -> None:
        self.message = message or self.default_message
        self.details = details
        super().__init__(self.message)


class ValidationFailed(DomainError):
    """Input breaks a business rule; ``details`` maps field names to lists of messages."""

    code = "VALIDATION_ERROR"
    default_message = "The input is not valid."


class NotFound(DomainError):
    """The row does not exist or the actor may not see it (both look the same)."""

    code = "NOT_FOUND"
    default_message = "Not found."


class Forbidden(DomainError):
    """The actor can see the row but may not perform this action on it."""

    code = "FORBIDDEN"
    default_message = "You do not have permission to perform this action."


class Conflict(DomainError):
    """The request is valid but conflicts with the current state (duplicate, illegal move)."""

    code = "CONFLICT"
    default_message = "The request conflicts with the current state."
