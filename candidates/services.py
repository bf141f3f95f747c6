"""Writes for candidate profiles and their skills."""

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from candidates.choices import SkillSource
from candidates.errors import CandidateAlreadyLinked, CandidateEmailTaken, InvalidCandidate
from candidates.models import Candidate, CandidateSkill
from hotgigs.accounts.models import Membership, User
from hotgigs.accounts.selectors import actor_is_recruiter, actor_is_staff, actor_organization_ids
from hotgigs.accounts.services import user_create
from hotgigs.ai.dispatch import request_candidate_ranking
from hotgigs.errors import Forbidden

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
    if cleaned["phone"] and not all(c.isdigit() or c in "+-() ." for c in cleaned["phone"]):
        errors["phone"] = ["Digits, spaces and + - ( ) . only."]
    if errors:
        raise InvalidCandidate(details=errors)
    return cleaned


def _replace_skills(candidate: Candidate, skills: list[dict[str, Any]]) -> None:
    candidate.skills.filter(source=SkillSource.PROFILE).delete()
    # A profile skill supersedes a resume suggestion of the same name.
    candidate.skills.filter(normalized_name__in=[s["normalized_name"] for s in skills]).delete()
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
    if not for_self and not (actor_is_staff(actor) or actor_is_recruiter(actor)):
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
    request_candidate_ranking(candidate.pk)
    return candidate


def _may_edit(actor: User, candidate: Candidate) -> bool:
    if actor_is_staff(actor) or (candidate.user_id is not None and candidate.user_id == actor.pk):
        return True
    # Recruiters keep the profiles of candidates their organization sourced (no login) up to
    # date; seeing a profile (an applicant, a discoverable one) is not enough to rewrite it.
    return (
        candidate.user_id is None
        and candidate.created_by_id is not None
        and Membership.objects.filter(
            user_id=candidate.created_by_id, organization_id__in=actor_organization_ids(actor)
        ).exists()
    )


@transaction.atomic
def candidate_update(*, actor: User, candidate: Candidate, data: Mapping[str, Any]) -> Candidate:
    """Change some fields of a profile (``skills``, when given, replaces the profile skills).

    The candidate edits their own profile; recruiters may edit candidates without a login
    that a member of their organization sourced; staff anyone. Raises Forbidden,
    InvalidCandidate or CandidateEmailTaken, changing nothing.
    """
    if not _may_edit(actor, candidate):
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
    request_candidate_ranking(candidate.pk)
    return candidate


@transaction.atomic
def candidate_register(
    *, email: str, password: str, full_name: str, profile: Mapping[str, Any] | None = None
) -> Candidate:
    """Sign up a candidate: a login and its profile, created together or not at all.

    ``profile`` holds optional profile fields (headline, skills, …). Raises the errors of
    ``hotgigs.accounts.services.user_create`` (InvalidAccountInput, EmailTaken) and of
    :func:`candidate_create`.
    """
    user = user_create(email=email, password=password, full_name=full_name)
    return candidate_create(actor=user, data={**(profile or {}), "full_name": full_name, "email": user.email})
