from django.db import models


class JobStatus(models.TextChoices):
    """Lifecycle of a posting: drafted, open for applications, closed, archived."""

    DRAFT = "draft", "Draft"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"
    ARCHIVED = "archived", "Archived"


class RemotePolicy(models.TextChoices):
    ONSITE = "onsite", "On-site"
    HYBRID = "hybrid", "Hybrid"
    REMOTE = "remote", "Remote"


class EmploymentType(models.TextChoices):
    FULL_TIME = "full_time", "Full-time"
    PART_TIME = "part_time", "Part-time"
    CONTRACT = "contract", "Contract"
    TEMPORARY = "temporary", "Temporary"
    INTERNSHIP = "internship", "Internship"


class SkillLevel(models.TextChoices):
    """How well a skill must be (or is) known, from the ESCO/O*NET style four-step scale."""

    BEGINNER = "beginner", "Beginner"
    INTERMEDIATE = "intermediate", "Intermediate"
    ADVANCED = "advanced", "Advanced"
    EXPERT = "expert", "Expert"


class EducationLevel(models.TextChoices):
    NONE = "none", "No requirement"
    HIGH_SCHOOL = "high_school", "High school"
    ASSOCIATE = "associate", "Associate degree"
    BACHELOR = "bachelor", "Bachelor's degree"
    MASTER = "master", "Master's degree"
    DOCTORATE = "doctorate", "Doctorate"


# Which status a job may move to from each status. Reopening a closed job is allowed
# (a role that opens again); archived is final.
JOB_TRANSITIONS: dict[str, tuple[str, ...]] = {
    JobStatus.DRAFT: (JobStatus.OPEN, JobStatus.ARCHIVED),
    JobStatus.OPEN: (JobStatus.CLOSED,),
    JobStatus.CLOSED: (JobStatus.OPEN, JobStatus.ARCHIVED),
    JobStatus.ARCHIVED: (),
}
