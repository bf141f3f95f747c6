"""Writes for jobs: create, update, and the status moves open / close / archive.

Every function validates the whole input first and raises before touching a row, so a
failed call changes nothing. Every write ends by recording its domain event (``job.*``) in
the outbox, for the organization (and the job board when the job is open, or closes);
ranking and cache invalidation are ``jobs/subscribers.py``'s, after commit.
"""

import re
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from hotgigs.accounts import policies
from hotgigs.accounts.models import Organization, User
from hotgigs.errors import Forbidden
from hotgigs.events import catalogue
from hotgigs.events.audiences import JOB_BOARD, group_for_organization
from hotgigs.events.outbox import record
from jobs.choices import JOB_TRANSITIONS, EducationLevel, EmploymentType, JobStatus, RemotePolicy, SkillLevel
from jobs.errors import IllegalJobTransition, InvalidJob
from jobs.models import Job, JobSkill

MAX_SKILLS = 50
MAX_SALARY = 100_000_000
_CURRENCY = re.compile(r"^[A-Z]{3}$")

# Fields a caller may set; organization, status, created_by and timestamps are not among them.
EDITABLE_FIELDS = (
    "title",
    "description",
    "department",
    "location",
    "remote_policy",
    "employment_type",
    "min_years_experience",
    "education",
    "salary_min",
    "salary_max",
    "salary_currency",
    "skills",
)


def normalize_skill_name(name: str) -> str:
    """Lower-case, trim and collapse inner whitespace: the key skills are compared by."""
    return " ".join(name.split()).lower()


def _require_member(actor: User, organization_id: int) -> None:
    if not policies.may_manage_organization(actor, organization_id):
        raise Forbidden("Only members of the job's organization may change it.")


def _clean_choice(value: Any, choices: type[Any], field: str, errors: dict[str, list[str]]) -> Any:
    if value not in choices.values:
        errors[field] = [f"Must be one of: {', '.join(choices.values)}."]
    return value


def _clean_int(value: Any, field: str, low: int, high: int, errors: dict[str, list[str]]) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        errors[field] = ["Must be a whole number."]
        return None
    if not low <= value <= high:
        errors[field] = [f"Must be between {low} and {high}."]
    return value


def _clean_text(value: Any, field: str, max_length: int | None, required: bool, errors: dict[str, list[str]]) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[field] = ["Must be a string."]
        return ""
    value = value.strip()
    if required and not value:
        errors[field] = ["This field may not be blank."]
    elif max_length is not None and len(value) > max_length:
        errors[field] = [f"At most {max_length} characters."]
    return value


def _clean_skills(value: Any, errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    if not isinstance(value, Sequence) or isinstance(value, str):
        errors["skills"] = ["Must be a list of {name, level, required} objects."]
        return []
    if len(value) > MAX_SKILLS:
        errors["skills"] = [f"At most {MAX_SKILLS} skills."]
        return []
    cleaned: list[dict[str, Any]] = []
    seen: set[str] = set()
    problems: list[str] = []
    for index, item in enumerate(value):
        if not isinstance(item, Mapping):
            problems.append(f"Item {index}: must be an object.")
            continue
        name = item.get("name")
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > 100:
            problems.append(f"Item {index}: name must be 1 to 100 characters.")
            continue
        level = item.get("level", SkillLevel.INTERMEDIATE)
        if level not in SkillLevel.values:
            problems.append(f"Item {index}: level must be one of {', '.join(SkillLevel.values)}.")
            continue
        required = item.get("required", True)
        if not isinstance(required, bool):
            problems.append(f"Item {index}: required must be true or false.")
            continue
        key = normalize_skill_name(name)
        if key in seen:
            problems.append(f"Item {index}: {name.strip()!r} is listed twice.")
            continue
        seen.add(key)
        cleaned.append({"name": " ".join(name.split()), "normalized_name": key, "level": level, "required": required})
    if problems:
        errors["skills"] = problems
    return cleaned


def _require_mapping(data: Any) -> None:
    if not isinstance(data, Mapping):
        raise InvalidJob(details={"non_field_errors": ["Expected an object of job fields."]})


def _clean_job_data(data: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a complete set of job fields; raise InvalidJob listing every problem."""
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(data) - set(EDITABLE_FIELDS))
    if unknown:
        errors["non_field_errors"] = [f"Unknown or read-only fields: {', '.join(unknown)}."]
    cleaned: dict[str, Any] = {
        "title": _clean_text(data.get("title"), "title", 255, True, errors),
        "description": _clean_text(data.get("description"), "description", 50_000, True, errors),
        "department": _clean_text(data.get("department"), "department", 120, False, errors),
        "location": _clean_text(data.get("location"), "location", 200, False, errors),
        "remote_policy": _clean_choice(data.get("remote_policy"), RemotePolicy, "remote_policy", errors),
        "employment_type": _clean_choice(data.get("employment_type"), EmploymentType, "employment_type", errors),
        "education": _clean_choice(data.get("education"), EducationLevel, "education", errors),
        "min_years_experience": _clean_int(data.get("min_years_experience"), "min_years_experience", 0, 50, errors),
        "salary_min": _clean_int(data.get("salary_min"), "salary_min", 0, MAX_SALARY, errors),
        "salary_max": _clean_int(data.get("salary_max"), "salary_max", 0, MAX_SALARY, errors),
        "salary_currency": _clean_text(data.get("salary_currency"), "salary_currency", 3, False, errors).upper(),
        "skills": _clean_skills(data.get("skills", []), errors),
    }
    if cleaned["min_years_experience"] is None and "min_years_experience" not in errors:
        errors["min_years_experience"] = ["This field may not be null."]
    low, high = cleaned["salary_min"], cleaned["salary_max"]
    if low is not None and high is not None and low > high and "salary_max" not in errors:
        errors["salary_max"] = ["Must be greater than or equal to salary_min."]
    has_salary = low is not None or high is not None
    currency = cleaned["salary_currency"]
    if currency and not _CURRENCY.match(currency):
        errors["salary_currency"] = ["Must be a three-letter ISO 4217 code such as USD."]
    elif has_salary and not currency:
        errors["salary_currency"] = ["Required when a salary is given."]
    if errors:
        raise InvalidJob(details=errors)
    return cleaned


def _replace_skills(job: Job, skills: list[dict[str, Any]]) -> None:
    job.skills.all().delete()
    JobSkill.objects.bulk_create(
        [JobSkill(job=job, position=position, **skill) for position, skill in enumerate(skills)]
    )


def job_event_data(job: Job) -> dict[str, Any]:
    """The compact job payload that realtime events carry."""
    return {
        "id": job.pk,
        "organization_id": job.organization_id,
        "title": job.title,
        "status": job.status,
        "location": job.location,
        "remote_policy": job.remote_policy,
    }


def _record(job: Job, event: str) -> None:
    audiences = [group_for_organization(job.organization_id)]
    if job.status == JobStatus.OPEN or event == catalogue.JOB_CLOSED:
        audiences.append(JOB_BOARD)
    record(event, data=job_event_data(job), audiences=audiences)


@transaction.atomic
def job_create(*, actor: User, organization: Organization, data: Mapping[str, Any]) -> Job:
    """Create a draft job in ``organization``.

    ``data`` holds the fields of ``EDITABLE_FIELDS``; missing ones take their defaults.
    Raises Forbidden unless the actor is a member (or staff) and InvalidJob with every
    field problem in ``details``.
    """
    _require_member(actor, organization.pk)
    _require_mapping(data)
    defaults: dict[str, Any] = {
        "remote_policy": RemotePolicy.ONSITE,
        "employment_type": EmploymentType.FULL_TIME,
        "education": EducationLevel.NONE,
        "min_years_experience": 0,
    }
    cleaned = _clean_job_data({**defaults, **data})
    skills = cleaned.pop("skills")
    job = Job.objects.create(organization=organization, created_by=actor, status=JobStatus.DRAFT, **cleaned)
    _replace_skills(job, skills)
    _record(job, catalogue.JOB_CREATED)
    return job


def job_current_data(job: Job) -> dict[str, Any]:
    """The job's editable fields as ``job_create`` takes them."""
    data: dict[str, Any] = {field: getattr(job, field) for field in EDITABLE_FIELDS if field != "skills"}
    data["skills"] = [
        {"name": s.name, "level": s.level, "required": s.required} for s in job.skills.order_by("position", "id")
    ]
    return data


@transaction.atomic
def job_update(*, actor: User, job: Job, data: Mapping[str, Any]) -> Job:
    """Change some editable fields of a job (``skills``, when given, replaces the list).

    Raises Forbidden for non-members, IllegalJobTransition for an archived job and
    InvalidJob for bad input; nothing changes on error.
    """
    _require_member(actor, job.organization_id)
    _require_mapping(data)
    job = Job.objects.select_for_update().get(pk=job.pk)
    if job.status == JobStatus.ARCHIVED:
        raise IllegalJobTransition("An archived job cannot be edited.", details={"status": job.status})
    cleaned = _clean_job_data({**job_current_data(job), **data})
    skills = cleaned.pop("skills")
    for field, value in cleaned.items():
        setattr(job, field, value)
    job.save()
    if "skills" in data:
        _replace_skills(job, skills)
    _record(job, catalogue.JOB_UPDATED)
    return job


@transaction.atomic
def _job_move(*, actor: User, job: Job, to_status: str, event: str) -> Job:
    _require_member(actor, job.organization_id)
    job = Job.objects.select_for_update().get(pk=job.pk)
    allowed = JOB_TRANSITIONS[job.status]
    if to_status not in allowed:
        raise IllegalJobTransition(
            f"A {job.status} job cannot become {to_status}.",
            details={"status": job.status, "allowed": list(allowed)},
        )
    now = timezone.now()
    job.status = to_status
    if to_status == JobStatus.OPEN:
        job.opened_at = now
        job.closed_at = None
    elif to_status == JobStatus.CLOSED:
        job.closed_at = now
    job.save(update_fields=["status", "opened_at", "closed_at", "updated_at"])
    _record(job, event)
    return job


def job_open(*, actor: User, job: Job) -> Job:
    """Publish a draft or reopen a closed job. Raises IllegalJobTransition otherwise."""
    return _job_move(actor=actor, job=job, to_status=JobStatus.OPEN, event=catalogue.JOB_OPENED)


def job_close(*, actor: User, job: Job) -> Job:
    """Stop taking applications. Raises IllegalJobTransition unless the job is open."""
    return _job_move(actor=actor, job=job, to_status=JobStatus.CLOSED, event=catalogue.JOB_CLOSED)


def job_archive(*, actor: User, job: Job) -> Job:
    """Retire a draft or closed job for good."""
    return _job_move(actor=actor, job=job, to_status=JobStatus.ARCHIVED, event=catalogue.JOB_ARCHIVED)
