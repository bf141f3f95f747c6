from hotgigs.errors import Conflict, NotFound, ValidationFailed


class JobNotFound(NotFound):
    default_message = "Job not found."


class InvalidJob(ValidationFailed):
    default_message = "The job is not valid."


class IllegalJobTransition(Conflict):
    default_message = "The job cannot move to that status."


class HiringTeamMemberNotFound(NotFound):
    default_message = "That person is not on this job's hiring team."


class InvalidHiringTeam(ValidationFailed):
    default_message = "The hiring team change is not valid."
