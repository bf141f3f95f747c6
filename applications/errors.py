from hotgigs.errors import Conflict, NotFound, ValidationFailed


class ApplicationNotFound(NotFound):
    default_message = "Application not found."


class InvalidApplication(ValidationFailed):
    default_message = "The application is not valid."


class DuplicateApplication(Conflict):
    default_message = "This candidate has already applied to this job."


class JobNotOpen(Conflict):
    default_message = "The job is not open for applications."


class IllegalStageMove(Conflict):
    default_message = "The application cannot move to that stage."
