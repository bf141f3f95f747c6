"""Writes for jobs: create, update, and the status moves open / close / archive.

Inputs arrive checked for shape (types, lengths, choices: the API's input serializers and
the admin form); these functions take typed keyword arguments and check the business rules
only (who may write, legal status moves, salary min ≤ max with a currency, no skill twice),
all before touching a row, so a failed call changes nothing. Every write ends by recording its domain event (``job.*``) in
the outbox, for the organization (and the job board when the job is open, or closes);
ranking and cache invalidation are ``jobs/subscribers.py``'s, after commit.
"""

import re
from collections.abc import Sequence
from typing import Any, NotRequired, TypedDict

from django.db import transaction
from django.utils import timezone

from hotgigs.accounts import policies
from hotgigs.accounts.choices import HiringTeamRole
from hotgigs.accounts.models import Organization, User
from hotgigs.errors import Forbidden
from hotgigs.events import catalogue
from hotgigs.events.audiences import JOB_BOARD, group_for_organization
from hotgigs.events.outbox import record
from hotgigs.unset import UNSET, Unset
from jobs.choices import JOB_TRANSITIONS, EducationLevel, EmploymentType, JobStatus, RemotePolicy, SkillLevel
from jobs.errors import HiringTeamMemberNotFound, IllegalJobTransition, InvalidHiringTeam, InvalidJob
from jobs.models import HiringTeamMember, Job, JobSkill

MAX_SKILLS = 50
MAX_SALARY = 100_000_000
# The shape of a salary currency (ISO 4217), checked by the API input and the admin form.
CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")


def normalize_skill_name(name: str) -> str:
    """Lower-case, trim and collapse inner whitespace: the key skills are compared by."""
    return " ".join(name.split()).lower()


def _require_member(actor: User, organization_id: int) -> None:
    if not policies.may_manage_organization(actor, organization_id):
        raise Forbidden("Only members of the job's organization may change it.")


class SkillSpec(TypedDict):
    """One required skill of a job, as a caller gives it (level and required default)."""

    name: str
    level: NotRequired[str]
    required: NotRequired[bool]


def _skill_rows(skills: Sequence[SkillSpec], errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    """The skills as rows, whitespace collapsed; a skill listed twice (in any spelling) is an error."""
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    problems: list[str] = []
    for index, skill in enumerate(skills):
        name = skill["name"]
        key = normalize_skill_name(name)
        if key in seen:
            problems.append(f"Item {index}: {name.strip()!r} is listed twice.")
            continue
        seen.add(key)
        rows.append(
            {
                "name": " ".join(name.split()),
                "normalized_name": key,
                "level": skill.get("level", SkillLevel.INTERMEDIATE),
                "required": skill.get("required", True),
            }
        )
    if problems:
        errors["skills"] = problems
    return rows


def _check_salary(job: Job, errors: dict[str, list[str]]) -> None:
    """The cross-field rules of a salary: min ≤ max, and a currency whenever a figure is given."""
    low, high = job.salary_min, job.salary_max
    if low is not None and high is not None and low > high:
        errors["salary_max"] = ["Must be greater than or equal to salary_min."]
    if (low is not None or high is not None) and not job.salary_currency:
        errors["salary_currency"] = ["Required when a salary is given."]


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
def job_create(
    *,
    actor: User,
    organization: Organization,
    title: str,
    description: str,
    department: str = "",
    location: str = "",
    remote_policy: str = RemotePolicy.ONSITE,
    employment_type: str = EmploymentType.FULL_TIME,
    min_years_experience: int = 0,
    education: str = EducationLevel.NONE,
    salary_min: int | None = None,
    salary_max: int | None = None,
    salary_currency: str = "",
    skills: Sequence[SkillSpec] = (),
) -> Job:
    """Create a draft job in ``organization``.

    The fields come checked for shape (the input serializer, the admin form). Raises
    Forbidden unless the actor is a member (or staff), and InvalidJob when a business rule
    fails (salary min above max, a figure without a currency, a skill listed twice).
    """
    _require_member(actor, organization.pk)
    job = Job(
        organization=organization,
        created_by=actor,
        status=JobStatus.DRAFT,
        title=title,
        description=description,
        department=department,
        location=location,
        remote_policy=remote_policy,
        employment_type=employment_type,
        min_years_experience=min_years_experience,
        education=education,
        salary_min=salary_min,
        salary_max=salary_max,
        salary_currency=salary_currency,
    )
    errors: dict[str, list[str]] = {}
    rows = _skill_rows(skills, errors)
    _check_salary(job, errors)
    if errors:
        raise InvalidJob(details=errors)
    job.save()
    _replace_skills(job, rows)
    _record(job, catalogue.JOB_CREATED)
    return job


@transaction.atomic
def job_update(
    *,
    actor: User,
    job: Job,
    title: str | Unset = UNSET,
    description: str | Unset = UNSET,
    department: str | Unset = UNSET,
    location: str | Unset = UNSET,
    remote_policy: str | Unset = UNSET,
    employment_type: str | Unset = UNSET,
    min_years_experience: int | Unset = UNSET,
    education: str | Unset = UNSET,
    salary_min: int | None | Unset = UNSET,
    salary_max: int | None | Unset = UNSET,
    salary_currency: str | Unset = UNSET,
    skills: Sequence[SkillSpec] | Unset = UNSET,
) -> Job:
    """Change the given fields of a job (``skills``, when given, replaces the list).

    Raises Forbidden for non-members, IllegalJobTransition for an archived job and
    InvalidJob when the result breaks a business rule (as :func:`job_create`); nothing
    changes on error.
    """
    _require_member(actor, job.organization_id)
    job = Job.objects.select_for_update().get(pk=job.pk)
    if job.status == JobStatus.ARCHIVED:
        raise IllegalJobTransition("An archived job cannot be edited.", details={"status": job.status})
    changes = {
        "title": title,
        "description": description,
        "department": department,
        "location": location,
        "remote_policy": remote_policy,
        "employment_type": employment_type,
        "min_years_experience": min_years_experience,
        "education": education,
        "salary_min": salary_min,
        "salary_max": salary_max,
        "salary_currency": salary_currency,
    }
    for field, value in changes.items():
        if value is not UNSET:
            setattr(job, field, value)
    errors: dict[str, list[str]] = {}
    rows = _skill_rows(skills, errors) if not isinstance(skills, Unset) else None
    _check_salary(job, errors)
    if errors:
        raise InvalidJob(details=errors)
    job.save()
    if rows is not None:
        _replace_skills(job, rows)
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


# --- hiring teams ------------------------------------------------------------------------------


def _record_team(job: Job, member: HiringTeamMember, change: str) -> None:
    record(
        catalogue.JOB_TEAM_CHANGED,
        data={
            "id": job.pk,
            "organization_id": job.organization_id,
            "user_id": member.user_id,
            "role": member.role,
            "change": change,
        },
        audiences=[group_for_organization(job.organization_id)],
    )


@transaction.atomic
def hiring_team_set(*, actor: User, job: Job, user_id: int, role: str) -> HiringTeamMember:
    """Put the user ``user_id`` on the job's hiring team as ``role`` (or change their part on it).

    For those who manage the job's organization (its recruiters and admins, staff): Forbidden
    otherwise. ``user`` must hold a seat in the job's organization that allows the part
    (``policies.may_join_hiring_team``: an interviewer seat only interviews) and the job may
    have one hiring manager; InvalidHiringTeam otherwise, nothing changed. Setting the part a
    person already has changes nothing and records nothing. Records ``job.team_changed``.
    """
    _require_member(actor, job.organization_id)
    if role not in HiringTeamRole.values:
        raise InvalidHiringTeam(details={"role": [f"Must be one of {', '.join(HiringTeamRole.values)}."]})
    seat = policies.seat_of(user_id=user_id, organization_id=job.organization_id)
    if seat is None:
        raise InvalidHiringTeam(details={"user_id": ["Not an active member of the job's organization."]})
    if not policies.may_join_hiring_team(seat=seat, team_role=role):
        raise InvalidHiringTeam(
            details={"role": [f"A {seat.replace('_', ' ')} seat cannot be {role.replace('_', ' ')}."]}
        )
    job = Job.objects.select_for_update(of=("self",)).get(pk=job.pk)
    manager = (
        HiringTeamMember.objects.filter(job=job, role=HiringTeamRole.HIRING_MANAGER).exclude(user_id=user_id).first()
    )
    if role == HiringTeamRole.HIRING_MANAGER and manager is not None:
        raise InvalidHiringTeam(
            details={"role": ["The job already has a hiring manager; remove them first."]},
        )
    member = HiringTeamMember.objects.filter(job=job, user_id=user_id).first()
    if member is not None and member.role == role:
        return member
    change = "added" if member is None else "changed"
    if member is None:
        member = HiringTeamMember.objects.create(
            job=job, organization_id=job.organization_id, user_id=user_id, role=role, added_by=actor
        )
    else:
        member.role = role
        member.save(update_fields=["role"])
    _record_team(job, member, change)
    return member


@transaction.atomic
def hiring_team_remove(*, actor: User, job: Job, user_id: int) -> None:
    """Take a person off the job's hiring team. Forbidden as :func:`hiring_team_set`;
    HiringTeamMemberNotFound when they are not on it. Records ``job.team_changed``."""
    _require_member(actor, job.organization_id)
    member = HiringTeamMember.objects.filter(job_id=job.pk, user_id=user_id).first()
    if member is None:
        raise HiringTeamMemberNotFound()
    member.delete()
    _record_team(job, member, "removed")
