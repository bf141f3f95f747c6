from django.db import models


class ApplicationStage(models.TextChoices):
    """The hiring pipeline. ``hired``, ``rejected`` and ``withdrawn`` end it."""

    APPLIED = "applied", "Applied"
    SCREENING = "screening", "Screening"
    INTERVIEW = "interview", "Interview"
    OFFER = "offer", "Offer"
    HIRED = "hired", "Hired"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


class StageChangeKind(models.TextChoices):
    """A history row is a move along the pipeline, or the correction of the move before it."""

    MOVE = "move", "Move"
    UNDO = "undo", "Undo"


class ApplicationSource(models.TextChoices):
    """Where the application came from, for source-of-hire reporting."""

    CAREER_SITE = "career_site", "Career site"
    JOB_BOARD = "job_board", "Job board"
    REFERRAL = "referral", "Referral"
    LINKEDIN = "linkedin", "LinkedIn"
    AGENCY = "agency", "Agency"
    SOURCED = "sourced", "Sourced by a recruiter"
    OTHER = "other", "Other"


ACTIVE_STAGES = (
    ApplicationStage.APPLIED,
    ApplicationStage.SCREENING,
    ApplicationStage.INTERVIEW,
    ApplicationStage.OFFER,
)
TERMINAL_STAGES = (ApplicationStage.HIRED, ApplicationStage.REJECTED, ApplicationStage.WITHDRAWN)

# Legal moves: one step forward, or out of the pipeline (rejected by the company,
# withdrawn by the candidate) from any active stage. Terminal stages are final.
STAGE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ApplicationStage.APPLIED: (ApplicationStage.SCREENING, ApplicationStage.REJECTED, ApplicationStage.WITHDRAWN),
    ApplicationStage.SCREENING: (ApplicationStage.INTERVIEW, ApplicationStage.REJECTED, ApplicationStage.WITHDRAWN),
    ApplicationStage.INTERVIEW: (ApplicationStage.OFFER, ApplicationStage.REJECTED, ApplicationStage.WITHDRAWN),
    ApplicationStage.OFFER: (ApplicationStage.HIRED, ApplicationStage.REJECTED, ApplicationStage.WITHDRAWN),
    ApplicationStage.HIRED: (),
    ApplicationStage.REJECTED: (),
    ApplicationStage.WITHDRAWN: (),
}

# The rejection reasons every organization starts with (code, label); each organization
# edits its own list (``RejectionReason``). Seeded for existing organizations by a data
# migration and for new ones when they are created (``applications.services``).
DEFAULT_REJECTION_REASONS: tuple[tuple[str, str], ...] = (
    ("skills", "Skills do not match"),
    ("experience", "Not enough experience"),
    ("withdrew", "Candidate withdrew"),
    ("position_filled", "Position filled"),
    ("other", "Other"),
)


class RejectionEmailStatus(models.TextChoices):
    """Where one scheduled rejection email stands. ``sending`` is a worker's claim (SMTP in
    progress): from then on an undo can no longer stop it."""

    SCHEDULED = "scheduled", "Scheduled"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    CANCELLED = "cancelled", "Cancelled"
    FAILED = "failed", "Failed"


# The placeholders a rejection email template may use, and what each stands for. Anything
# else in braces is refused when the template is saved ({{ and }} write a literal brace).
REJECTION_EMAIL_PLACEHOLDERS: dict[str, str] = {
    "candidate_name": "The candidate's full name",
    "candidate_first_name": "The first word of the candidate's name",
    "job_title": "The title of the job applied to",
    "organization_name": "The organization's name",
}

# The template every organization starts with (seeded like the rejection reasons).
DEFAULT_REJECTION_EMAIL_TEMPLATE: tuple[str, str, str] = (
    "Standard rejection",
    "Your application for {job_title} at {organization_name}",
    "Dear {candidate_name},\n\n"
    "Thank you for your interest in the {job_title} position at {organization_name} and for the time "
    "you gave us.\n\n"
    "After careful consideration we have decided not to move forward with your application. "
    "We wish you every success in your search.\n\n"
    "Kind regards,\n"
    "The {organization_name} hiring team",
)
REJECTION_EMAIL_MAX_DELAY_MINUTES = 10_080  # one week


class OfferDecision(models.TextChoices):
    """The job's hiring manager's answer to making an offer (``OfferApproval``)."""

    APPROVE = "approve", "Approved"
    DECLINE = "decline", "Declined"


class MatchMark(models.TextChoices):
    """A recruiter's judgement of a match (``MatchFeedback``): labelled data for evaluating matching."""

    GOOD = "good", "Good match"
    BAD = "bad", "Bad match"
