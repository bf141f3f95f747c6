from applications.choices import ApplicationStage
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


def illegal_move_words(*, candidate_name: str, from_stage: str, to_stage: str, allowed: list[str]) -> str:
    """An IllegalStageMove in people's terms, naming the legal moves: for the back office's
    pages and actions (the API keeps its machine-readable ``details``)."""

    def label(stage: str) -> str:
        return str(ApplicationStage(stage).label) if stage in ApplicationStage.values else stage

    where = label(from_stage)
    if not allowed:
        return f"{candidate_name}'s application is {where}, which ends the pipeline: it cannot move any more."
    names = [label(stage) for stage in allowed]
    legal = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
    return (
        f"{candidate_name}'s application cannot move from {where} to {label(to_stage)}. "
        f"From {where} it can move to {legal}."
    )


class NothingToUndo(Conflict):
    default_message = "There is no move to undo."


class RejectionReasonNotFound(NotFound):
    default_message = "Rejection reason not found."


class DuplicateRejectionReason(Conflict):
    default_message = "This organization already has a rejection reason with that code."


class RejectionEmailTemplateNotFound(NotFound):
    default_message = "Rejection email template not found."


class DuplicateRejectionEmailTemplate(Conflict):
    default_message = "This organization already has a rejection email template with that name."


class OfferApprovalRequired(Conflict):
    default_message = "The job's hiring manager has not approved an offer to this application."


class OfferNotPending(Conflict):
    default_message = "There is no offer to decide on for this application."


class MatchNotFound(NotFound):
    default_message = "Match not found."


class MatchMarkNotFound(NotFound):
    default_message = "You have not marked this match."
