from hotgigs.errors import Conflict, NotFound, ValidationFailed


class EmailTaken(Conflict):
    default_message = "A user with this email address already exists."


class OrganizationNotFound(NotFound):
    default_message = "Organization not found."


class InvalidAccountInput(ValidationFailed):
    default_message = "The account details are not valid."
