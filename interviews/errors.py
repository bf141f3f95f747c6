from hotgigs.errors import Conflict, NotFound, ValidationFailed


class InterviewNotFound(NotFound):
    default_message = "Interview not found."


class InvalidInterview(ValidationFailed):
    default_message = "The interview is not valid."


class InterviewerBusy(Conflict):
    default_message = "An interviewer already has an interview at that time."


class InterviewNotSchedulable(Conflict):
    default_message = "Interviews cannot be scheduled for this application."


class IllegalInterviewTransition(Conflict):
    default_message = "The interview cannot change in that way now."


class FeedbackAlreadySubmitted(Conflict):
    default_message = "You have already submitted feedback for this interview."


class InvalidFeedback(ValidationFailed):
    default_message = "The scorecard is not valid."
