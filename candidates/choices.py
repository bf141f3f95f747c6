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


# --- voluntary self-identification (EEO-style) -------------------------------------------------
# Asked apart from the profile, answered only by the person, never shown to recruiters nor given
# to matching; read back only as counts per group (analytics' adverse-impact monitor). Every
# question may be declined; "declined" is an answer, unlike a question never answered (no row).

DECLINED = "declined"


class Gender(models.TextChoices):
    """Gender, as the candidate states it."""

    FEMALE = "female", "Female"
    MALE = "male", "Male"
    NON_BINARY = "non_binary", "Non-binary"
    DECLINED = DECLINED, "I do not wish to answer"


class RaceEthnicity(models.TextChoices):
    """Race / ethnicity, the EEO-1 categories."""

    HISPANIC_LATINO = "hispanic_latino", "Hispanic or Latino"
    WHITE = "white", "White"
    BLACK = "black", "Black or African American"
    ASIAN = "asian", "Asian"
    NATIVE_HAWAIIAN_PACIFIC_ISLANDER = "pacific_islander", "Native Hawaiian or Other Pacific Islander"
    AMERICAN_INDIAN_ALASKA_NATIVE = "american_indian", "American Indian or Alaska Native"
    TWO_OR_MORE = "two_or_more", "Two or more races"
    DECLINED = DECLINED, "I do not wish to answer"


class VeteranStatus(models.TextChoices):
    """Protected veteran status (VEVRAA-style)."""

    PROTECTED_VETERAN = "protected_veteran", "I identify as a protected veteran"
    NOT_A_VETERAN = "not_veteran", "I am not a protected veteran"
    DECLINED = DECLINED, "I do not wish to answer"


class DisabilityStatus(models.TextChoices):
    """Disability status (Section 503-style)."""

    YES = "yes", "Yes, I have a disability (or previously had one)"
    NO = "no", "No, I do not have a disability"
    DECLINED = DECLINED, "I do not wish to answer"


# The dimensions the adverse-impact monitor groups by: name → (the model's field, its choices).
SELF_IDENTIFICATION_DIMENSIONS: dict[str, tuple[str, type[models.TextChoices]]] = {
    "gender": ("gender", Gender),
    "race": ("race_ethnicity", RaceEthnicity),
    "veteran": ("veteran_status", VeteranStatus),
    "disability": ("disability_status", DisabilityStatus),
}
# The group of a person who never answered (no self-identification row): counted, never compared.
NOT_PROVIDED = "not_provided"
