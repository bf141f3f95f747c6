from hotgigs.errors import Conflict, DomainError, NotFound, ValidationFailed


class EmailTaken(Conflict):
    default_message = "A user with this email address already exists."


class OrganizationNotFound(NotFound):
    default_message = "Organization not found."


class InvalidAccountInput(ValidationFailed):
    default_message = "The account details are not valid."


class LoginThrottled(DomainError):
    """Too many failed logins in a row for this address: ``details.retry_after`` seconds to wait."""

    code = "RATE_LIMITED"
    default_message = "Too many failed logins for this account. Try again later."
