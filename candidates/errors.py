from hotgigs.errors import Conflict, NotFound, ValidationFailed


class CandidateNotFound(NotFound):
    default_message = "Candidate not found."


class InvalidCandidate(ValidationFailed):
    default_message = "The candidate profile is not valid."


class CandidateEmailTaken(Conflict):
    default_message = "A candidate with this email address already exists."


class CandidateAlreadyLinked(Conflict):
    default_message = "This user already has a candidate profile."
