from django.conf import settings
from django.db import models
from django.db.models import F, Q

from hotgigs.accounts.choices import HiringTeamRole
from jobs.choices import EducationLevel, EmploymentType, JobStatus, RemotePolicy, SkillLevel


class Job(models.Model):
    """A posting of one organization.

    The structured requirements are the rows of :class:`JobSkill` plus
    ``min_years_experience`` and ``education``. ``status`` moves only through the
    services (draft → open ⇄ closed → archived); ``opened_at`` and ``closed_at`` record the
    latest moves.
    """

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="jobs")
    title = models.CharField(max_length=255)
    description = models.TextField()
    department = models.CharField(max_length=120, blank=True)
    location = models.CharField(max_length=200, blank=True)
    remote_policy = models.CharField(max_length=10, choices=RemotePolicy.choices, default=RemotePolicy.ONSITE)
    employment_type = models.CharField(max_length=12, choices=EmploymentType.choices, default=EmploymentType.FULL_TIME)
    min_years_experience = models.PositiveSmallIntegerField(default=0)
    education = models.CharField(max_length=12, choices=EducationLevel.choices, default=EducationLevel.NONE)
    salary_min = models.PositiveIntegerField(null=True, blank=True)
    salary_max = models.PositiveIntegerField(null=True, blank=True)
    salary_currency = models.CharField(max_length=3, blank=True, help_text="ISO 4217 code, e.g. USD.")
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = (
            models.Index(fields=("organization", "status"), name="jobs_job_org_status"),
            models.Index(fields=("status", "-created_at", "-id"), name="jobs_job_board"),
        )
        constraints = (
            models.CheckConstraint(condition=~Q(title=""), name="jobs_job_title_not_blank"),
            models.CheckConstraint(condition=~Q(description=""), name="jobs_job_description_not_blank"),
            models.CheckConstraint(condition=Q(status__in=JobStatus.values), name="jobs_job_status_valid"),
            models.CheckConstraint(
                condition=Q(remote_policy__in=RemotePolicy.values), name="jobs_job_remote_policy_valid"
            ),
            models.CheckConstraint(
                condition=Q(employment_type__in=EmploymentType.values), name="jobs_job_employment_type_valid"
            ),
            models.CheckConstraint(condition=Q(min_years_experience__lte=50), name="jobs_job_experience_range"),
            models.CheckConstraint(
                condition=Q(salary_min__isnull=True) | Q(salary_max__isnull=True) | Q(salary_min__lte=F("salary_max")),
                name="jobs_job_salary_range_ordered",
            ),
            models.CheckConstraint(
                condition=(Q(salary_min__isnull=True) & Q(salary_max__isnull=True)) | ~Q(salary_currency=""),
                name="jobs_job_salary_has_currency",
            ),
        )

    def __str__(self) -> str:
        return self.title


class JobSkill(models.Model):
    """One skill a job asks for: its name, level, and whether it is required or preferred.

    ``normalized_name`` (lower-cased, trimmed) makes "Python" and "python " the same skill
    for filtering and matching.
    """

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="skills")
    name = models.CharField(max_length=100)
    normalized_name = models.CharField(max_length=100, db_index=True)
    level = models.CharField(max_length=12, choices=SkillLevel.choices, default=SkillLevel.INTERMEDIATE)
    required = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("job", "position", "id")
        constraints = (
            models.UniqueConstraint(fields=("job", "normalized_name"), name="jobs_jobskill_unique_per_job"),
            models.CheckConstraint(condition=~Q(normalized_name=""), name="jobs_jobskill_name_not_blank"),
            models.CheckConstraint(condition=Q(level__in=SkillLevel.values), name="jobs_jobskill_level_valid"),
        )

    def __str__(self) -> str:
        kind = "required" if self.required else "preferred"
        return f"{self.name} ({self.level}, {kind})"


class HiringTeamMember(models.Model):
    """One person on a job's hiring team, in one part (hiring manager, recruiter, interviewer).

    The person holds a seat in the job's organization (``jobs.services`` checks it, and which
    parts their seat allows: ``policies.may_join_hiring_team``); a job has at most one hiring
    manager. What the part lets a limited seat see and do is ``hotgigs/accounts/policies.py``'s.
    """

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="hiring_team")
    # The job's organization, kept here for row-level security (hotgigs/tenancy/rls.py).
    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hiring_teams")
    role = models.CharField(max_length=20, choices=HiringTeamRole.choices)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("job_id", "role", "id")
        constraints = (
            models.UniqueConstraint(fields=("job", "user"), name="jobs_hiringteam_one_part_per_person"),
            models.UniqueConstraint(
                fields=("job",),
                condition=Q(role=HiringTeamRole.HIRING_MANAGER),
                name="jobs_hiringteam_one_hiring_manager",
            ),
            models.CheckConstraint(condition=Q(role__in=HiringTeamRole.values), name="jobs_hiringteam_role_valid"),
        )
        indexes = (models.Index(fields=("user", "job"), name="jobs_hiringteam_user"),)

    def __str__(self) -> str:
        return f"{self.user} on {self.job} ({self.role})"
