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


class ConsentPurpose(models.TextChoices):
    """What a candidate agrees their data may be used for."""

    APPLICATION_PROCESSING = "application_processing", "Processing my applications"
    TALENT_POOL = "talent_pool", "Keeping me in the talent pool for future roles"


class ConsentSource(models.TextChoices):
    """Where a consent was given or withdrawn."""

    API = "api", "API"
    ADMIN = "admin", "Back office"
    MIGRATION = "migration", "Carried over from the earlier consent time"


# The wording a candidate agrees to, per purpose: (version, text). A new wording gets a new
# version; a consent names the version it was given to.
CONSENT_TEXTS: dict[str, tuple[str, str]] = {
    ConsentPurpose.APPLICATION_PROCESSING: (
        "2026-12",
        "I agree that the organizations I apply to may store and process my profile, resumes and "
        "applications to assess them.",
    ),
    ConsentPurpose.TALENT_POOL: (
        "2026-12",
        "I agree that recruiters of any organization on HotGigs may find my profile and consider me for future roles.",
    ),
}
# The version the consents carried over from ``Candidate.consent_at`` are recorded under.
LEGACY_CONSENT_VERSION = "legacy"
