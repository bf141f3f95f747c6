from hotgigs.errors import Conflict, Forbidden, NotFound, ValidationFailed


class CandidateNotFound(NotFound):
    default_message = "Candidate not found."


class InvalidCandidate(ValidationFailed):
    default_message = "The candidate profile is not valid."


class CandidateEmailTaken(Conflict):
    default_message = "A candidate with this email address already exists."


class CandidateAlreadyLinked(Conflict):
    default_message = "This user already has a candidate profile."


class ResumeNotFound(NotFound):
    default_message = "Resume not found."


class InvalidResume(ValidationFailed):
    default_message = "The resume file is not valid."


class ResumeLinkInvalid(Forbidden):
    default_message = "This download link is not valid."


class ResumeLinkExpired(Forbidden):
    default_message = "This download link has expired; ask for a new one."


class InvalidMerge(ValidationFailed):
    default_message = "These candidate profiles cannot be merged."


class MergeNotFound(NotFound):
    default_message = "Merge not found."


class MergeAlreadyUndone(Conflict):
    default_message = "This merge has already been undone."


class MergeUndoBlocked(Conflict):
    default_message = "The surviving profile has since been merged into another; undo that merge first."


class InvalidConsent(ValidationFailed):
    default_message = "The consent is not valid."


class CandidateAlreadyErased(Conflict):
    default_message = "This candidate's data was already erased."
