from django.db import models


class InterviewKind(models.TextChoices):
    PHONE = "phone", "Phone"
    VIDEO = "video", "Video"
    ONSITE = "onsite", "On-site"


class InterviewStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No-show"


class Recommendation(models.TextChoices):
    """An interviewer's overall call, on the five-point scale scorecards use."""

    STRONG_NO = "strong_no", "Strong no"
    NO = "no", "No"
    MIXED = "mixed", "Mixed"
    YES = "yes", "Yes"
    STRONG_YES = "strong_yes", "Strong yes"
