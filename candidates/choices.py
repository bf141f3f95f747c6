from django.db import models


class ParseStatus(models.TextChoices):
    """Where a resume file is in text and skill extraction."""

    PENDING = "pending", "Pending"
    PROCESSING = "processing", "Processing"
    PARSED = "parsed", "Parsed"
    FAILED = "failed", "Failed"


class SkillSource(models.TextChoices):
    """Who put a skill on the profile: the candidate, or extraction from a resume."""

    PROFILE = "profile", "Entered by the candidate"
    RESUME = "resume", "Suggested from a resume"


class SkillLevel(models.TextChoices):
    """How well a candidate knows a skill: the four-step scale job requirements use too.

    The same values and labels as ``jobs.choices.SkillLevel`` (jobs and candidates do not
    import each other), so the API schema shows one level enum for both.
    """

    BEGINNER = "beginner", "Beginner"
    INTERMEDIATE = "intermediate", "Intermediate"
    ADVANCED = "advanced", "Advanced"
    EXPERT = "expert", "Expert"


RESUME_CONTENT_TYPES = (
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "text/plain",
)
