"""Writes of candidate profiles and their skills: create, update, register, erase.

A profile change records ``candidate.profile_changed`` (ranking follows, after commit);
a sign-up with an address in use records ``account.signup_attempt``.
"""

import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from candidates.choices import SkillSource
from candidates.errors import CandidateAlreadyLinked, CandidateEmailTaken, InvalidCandidate
from candidates.models import Candidate, CandidateSkill, Resume
from candidates.storage import file_delete_on_commit
from hotgigs.accounts import policies
from hotgigs.accounts.errors import EmailTaken
from hotgigs.accounts.models import User
from hotgigs.accounts.selectors import user_get_by_email
from hotgigs.accounts.services import user_create, user_validate_new
from hotgigs.ai.vocabulary import canonical_skill
from hotgigs.errors import Forbidden
from hotgigs.events import catalogue
from hotgigs.events.outbox import record

logger = logging.getLogger(__name__)

EDITABLE_FIELDS = (
    "full_name",
    "email",
    "phone",
    "headline",
    "summary",
    "years_experience",
    "location",
    "open_to_remote",
    "discoverable",
    "consent",
    "skills",
)
SKILL_LEVELS = ("beginner", "intermediate", "advanced", "expert")
MAX_SKILLS = 100


def normalize_skill_name(name: str) -> str:
    """Lower-case, trim and collapse whitespace (the same key jobs use)."""
    return " ".join(name.split()).lower()


# ASCII digits, spaces and + - ( ) . only; the API schema states this same pattern.
PHONE_PATTERN = r"^[0-9+\-() .]*$"


def _text(data: Mapping[str, Any], field: str, max_length: int, required: bool, errors: dict[str, list[str]]) -> str:
    value = data.get(field, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[field] = ["Must be a string."]
        return ""
    value = value.strip()
    if required and not value:
        errors[field] = ["This field may not be blank."]
    elif len(value) > max_length:
        errors[field] = [f"At most {max_length} characters."]
    return value


def _bool(data: Mapping[str, Any], field: str, errors: dict[str, list[str]]) -> bool:
    value = data.get(field, False)
    if not isinstance(value, bool):
        errors[field] = ["Must be true or false."]
        return False
    return value


def _skills(value: Any, errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    if not isinstance(value, Sequence) or isinstance(value, str) or len(value) > MAX_SKILLS:
        errors["skills"] = [f"Must be a list of at most {MAX_SKILLS} {{name, level, years}} objects."]
        return []
    cleaned: list[dict[str, Any]] = []
    seen: set[str] = set()
    problems: list[str] = []
    for index, item in enumerate(value):
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, Mapping):
            problems.append(f"Item {index}: must be an object or a name.")
            continue
        name = item.get("name")
        level = item.get("level", "intermediate")
        years = item.get("years")
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > 100:
            problems.append(f"Item {index}: name must be 1 to 100 characters.")
        elif level not in SKILL_LEVELS:
            problems.append(f"Item {index}: level must be one of {', '.join(SKILL_LEVELS)}.")
        elif years is not None and (isinstance(years, bool) or not isinstance(years, int) or not 0 <= years <= 70):
            problems.append(f"Item {index}: years must be a whole number from 0 to 70.")
        elif normalize_skill_name(name) in seen:
            problems.append(f"Item {index}: {name.strip()!r} is listed twice.")
        else:
            key = normalize_skill_name(name)
            seen.add(key)
            cleaned.append({"name": " ".join(name.split()), "normalized_name": key, "level": level, "years": years})
    if problems:
        errors["skills"] = problems
    return cleaned


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        raise InvalidCandidate(details={"non_field_errors": ["Expected an object of profile fields."]})
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(data) - set(EDITABLE_FIELDS))
    if unknown:
        errors["non_field_errors"] = [f"Unknown or read-only fields: {', '.join(unknown)}."]
    cleaned: dict[str, Any] = {
        "full_name": _text(data, "full_name", 200, True, errors),
        "email": _text(data, "email", 254, True, errors).lower(),
        "phone": _text(data, "phone", 32, False, errors),
        "headline": _text(data, "headline", 200, False, errors),
        "summary": _text(data, "summary", 20_000, False, errors),
        "location": _text(data, "location", 200, False, errors),
        "open_to_remote": _bool(data, "open_to_remote", errors),
        "discoverable": _bool(data, "discoverable", errors),
        "consent": _bool(data, "consent", errors),
        "skills": _skills(data.get("skills", []), errors),
    }
    if cleaned["email"] and "email" not in errors:
        try:
            validate_email(cleaned["email"])
        except DjangoValidationError:
            errors["email"] = ["Enter a valid email address."]
    years = data.get("years_experience", 0)
    if isinstance(years, bool) or not isinstance(years, int) or not 0 <= years <= 70:
        errors["years_experience"] = ["Must be a whole number from 0 to 70."]
    cleaned["years_experience"] = years
    if cleaned["phone"] and not re.search(PHONE_PATTERN, cleaned["phone"]):
        errors["phone"] = ["Digits, spaces and + - ( ) . only."]
    if errors:
        raise InvalidCandidate(details=errors)
    return cleaned


def _replace_skills(candidate: Candidate, skills: list[dict[str, Any]]) -> None:
    candidate.skills.filter(source=SkillSource.PROFILE).delete()
    # A profile skill supersedes a resume suggestion of the same name, in any spelling the
    # vocabulary knows ("JS" supersedes a suggested "JavaScript").
    candidate.skills.filter(normalized_name__in=[s["normalized_name"] for s in skills]).delete()
    keys = {canonical_skill(s["name"]) for s in skills}
    suggested = candidate.skills.filter(source=SkillSource.RESUME).values_list("pk", "name")
    superseded = [pk for pk, name in suggested if canonical_skill(name) in keys]
    if superseded:
        CandidateSkill.objects.filter(pk__in=superseded).delete()
    CandidateSkill.objects.bulk_create(
        [CandidateSkill(candidate=candidate, source=SkillSource.PROFILE, **skill) for skill in skills]
    )


def _save(candidate: Candidate) -> None:
    try:
        with transaction.atomic():
            candidate.save()
    except IntegrityError:
        raise CandidateEmailTaken(details={"email": ["A candidate with this email address already exists."]}) from None


def candidate_current_data(candidate: Candidate) -> dict[str, Any]:
    """The candidate's editable fields as ``candidate_create`` takes them."""
    data: dict[str, Any] = {f: getattr(candidate, f) for f in EDITABLE_FIELDS if f not in ("consent", "skills")}
    data["consent"] = candidate.consent_at is not None
    data["skills"] = [
        {"name": s.name, "level": s.level, "years": s.years}
        for s in candidate.skills.filter(source=SkillSource.PROFILE).order_by("name")
    ]
    return data


@transaction.atomic
def candidate_create(*, actor: User, data: Mapping[str, Any], for_self: bool = True) -> Candidate:
    """Create a candidate profile.

    With ``for_self`` the profile belongs to ``actor`` (a candidate signing up; raises
    CandidateAlreadyLinked if they have one). Otherwise a recruiter or staff member adds a
    sourced candidate without a login (raises Forbidden for anyone else). Raises
    InvalidCandidate for bad input and CandidateEmailTaken for a duplicate email.
    """
    if not for_self and not policies.may_recruit(actor):
        raise Forbidden("Only recruiters may add candidates.")
    if for_self and Candidate.objects.filter(user_id=actor.pk).exists():
        raise CandidateAlreadyLinked()
    cleaned = _clean(data)
    skills = cleaned.pop("skills")
    consent = cleaned.pop("consent")
    if Candidate.objects.filter(email__iexact=cleaned["email"]).exists():
        raise CandidateEmailTaken(details={"email": ["A candidate with this email address already exists."]})
    candidate = Candidate(
        user=actor if for_self else None,
        created_by=actor,
        consent_at=timezone.now() if consent else None,
        **cleaned,
    )
    _save(candidate)
    _replace_skills(candidate, skills)
    _profile_changed(candidate.pk)
    return candidate


def _profile_changed(candidate_id: int) -> None:
    record(catalogue.CANDIDATE_PROFILE_CHANGED, data={"candidate_id": candidate_id})


def may_edit_profile(actor: User, candidate: Candidate) -> bool:
    """Whether the actor may change this profile and its resumes (the policy's answer)."""
    # Recruiters keep the profiles of candidates their organization sourced (no login) up to
    # date; seeing a profile (an applicant, a discoverable one) is not enough to rewrite it.
    return policies.may_edit_candidate(
        actor, candidate_user_id=candidate.user_id, created_by_id=candidate.created_by_id
    )


@transaction.atomic
def candidate_update(*, actor: User, candidate: Candidate, data: Mapping[str, Any]) -> Candidate:
    """Change some fields of a profile (``skills``, when given, replaces the profile skills).

    The candidate edits their own profile; recruiters may edit candidates without a login
    that a member of their organization sourced; staff anyone. Raises Forbidden,
    InvalidCandidate or CandidateEmailTaken, changing nothing.
    """
    if not may_edit_profile(actor, candidate):
        raise Forbidden("You may not edit this candidate profile.")
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    cleaned = _clean({**candidate_current_data(candidate), **data})
    skills = cleaned.pop("skills")
    consent = cleaned.pop("consent")
    if Candidate.objects.filter(email__iexact=cleaned["email"]).exclude(pk=candidate.pk).exists():
        raise CandidateEmailTaken(details={"email": ["A candidate with this email address already exists."]})
    for field, value in cleaned.items():
        setattr(candidate, field, value)
    if consent and candidate.consent_at is None:
        candidate.consent_at = timezone.now()
    elif not consent:
        candidate.consent_at = None
    _save(candidate)
    if "skills" in data:
        _replace_skills(candidate, skills)
    _profile_changed(candidate.pk)
    return candidate


@transaction.atomic
def candidate_register(
    *, email: str, password: str, full_name: str, profile: Mapping[str, Any] | None = None
) -> Candidate | None:
    """Sign up a candidate: a login and its profile, created together or not at all.

    ``profile`` holds optional profile fields (headline, skills, …). Everything is validated
    first (InvalidAccountInput, InvalidCandidate), whether or not the address is in use.
    When a user already has the address, nothing is created and None is returned: that
    user is told by email, at most once an hour, that someone tried to sign up with it, and
    the caller answers exactly as for a new account, so sign-up reveals no account. The
    password is hashed either way, so both take the same time. Raises CandidateEmailTaken
    when a sourced candidate (without a login) already has the address.
    """
    clean_email = user_validate_new(email=email, password=password, full_name=full_name)
    _clean({**(profile or {}), "full_name": full_name, "email": clean_email})
    existing = user_get_by_email(email=clean_email)
    if existing is not None:
        make_password(password)
        # The holder is told by email, at most once an hour (candidates/subscribers.py).
        record(catalogue.ACCOUNT_SIGNUP_ATTEMPT, data={"user_id": existing.pk})
        return None
    try:
        with transaction.atomic():
            user = user_create(email=clean_email, password=password, full_name=full_name)
            return candidate_create(actor=user, data={**(profile or {}), "full_name": full_name, "email": user.email})
    except EmailTaken:  # registered by a concurrent request since the lookup above
        return None


@transaction.atomic
def candidate_delete(*, actor: User, candidate: Candidate) -> None:
    """Erase a candidate profile with its skills, resumes and resume files (staff only).

    Rows go now; the files once the transaction commits, so a rolled-back delete keeps
    them. Raises Forbidden for anyone but staff.
    """
    if not policies.is_staff(actor):
        raise Forbidden("Only staff may erase candidate profiles.")
    files = [(resume.file.storage, resume.file.name) for resume in Resume.objects.filter(candidate_id=candidate.pk)]
    Candidate.objects.filter(pk=candidate.pk).delete()
    for storage, name in files:
        file_delete_on_commit(storage, name)
    logger.info("candidate erased", extra={"candidate_id": candidate.pk, "actor_id": actor.pk, "files": len(files)})
