"""Writes of candidate profiles and their skills: create, update, register, and the erasure of
what a profile holds about its person (for privacy/services.py).

Inputs arrive checked for shape (types, lengths, ranges, the email and phone formats, skill
levels, at most MAX_SKILLS skills: the API's input serializers and the admin form); these
functions take typed keyword arguments and check the business rules only: who may add or
edit a profile, one profile per login, which organization a sourced profile belongs to, an
email no other candidate of the same scope has (in any case: per organization for sourced
profiles, among the self-registered ones otherwise; another organization's records are
never consulted, so a 409 reveals nothing outside the caller's own), the consent time, skill names normalized with no skill listed twice. A profile change records
``candidate.profile_changed`` (ranking follows, after commit); a sign-up with an address in
use records ``account.signup_attempt``.
"""

import logging
from collections.abc import Sequence
from typing import Any, NotRequired, TypedDict

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils import timezone

from candidates.choices import ConsentPurpose, ConsentSource, SkillLevel, SkillSource
from candidates.errors import CandidateAlreadyErased, CandidateAlreadyLinked, CandidateEmailTaken, InvalidCandidate
from candidates.models import Candidate, CandidateSkill, Resume, SelfIdentification
from candidates.services.consents import apply_consent
from candidates.storage import file_delete_on_commit
from hotgigs import tenancy
from hotgigs.accounts import policies
from hotgigs.accounts.errors import EmailTaken
from hotgigs.accounts.models import User
from hotgigs.accounts.selectors import organization_list, user_get_by_email
from hotgigs.accounts.services import user_create, user_validate_new
from hotgigs.ai.vocabulary import canonical_skill
from hotgigs.errors import Forbidden
from hotgigs.events import catalogue
from hotgigs.events.outbox import record
from hotgigs.unset import UNSET, Unset

logger = logging.getLogger(__name__)

# The most skills a profile lists; checked by the API input and the admin form.
MAX_SKILLS = 100
# ASCII digits, spaces and + - ( ) . only: the shape of a phone number the API input and the
# admin form check (with this message), and the API schema states.
PHONE_PATTERN = r"^[0-9+\-() .]*$"
PHONE_MESSAGE = "Digits, spaces and + - ( ) . only."
EMAIL_TAKEN = "A candidate with this email address already exists."


def normalize_skill_name(name: str) -> str:
    """Lower-case, trim and collapse whitespace (the same key jobs use)."""
    return " ".join(name.split()).lower()


class SkillSpec(TypedDict):
    """One skill of a profile, as a caller gives it (level defaults to intermediate, years to none)."""

    name: str
    level: NotRequired[str]
    years: NotRequired[int | None]


def _skill_rows(skills: Sequence[SkillSpec]) -> list[dict[str, Any]]:
    """The skills as rows, whitespace collapsed; a skill listed twice (in any spelling) is refused."""
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
                "years": skill.get("years"),
            }
        )
    if problems:
        raise InvalidCandidate(details={"skills": problems})
    return rows


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


def _require_unused_email(email: str, *, organization_id: int | None, candidate_id: int | None = None) -> None:
    """Refuse an address another candidate of the same scope has, in any case: the same
    organization's sourced profiles, or the profiles without an organization."""
    others = Candidate.objects.filter(email__iexact=email)
    others = (
        others.filter(organization__isnull=True)
        if organization_id is None
        else others.filter(organization_id=organization_id)
    )
    if candidate_id is not None:
        others = others.exclude(pk=candidate_id)
    if others.exists():
        raise CandidateEmailTaken(details={"email": [EMAIL_TAKEN]})


def _sourcing_organization(actor: User, organization_id: int | None) -> int | None:
    """The organization a sourced profile is added for: the one named (the actor must work for
    it, or be staff), else the actor's only organization. Staff who belong to none may add a
    profile of no organization; a member of several must name one."""
    if organization_id is not None:
        active = organization_list(actor=actor).filter(pk=organization_id, is_active=True).exists()
        if not active or not policies.may_manage_organization(actor, organization_id):
            raise InvalidCandidate(details={"organization": ["You do not work for this organization."]})
        return organization_id
    mine = sorted(policies.organization_ids(actor))
    if len(mine) == 1:
        return mine[0]
    if len(mine) > 1:
        raise InvalidCandidate(
            details={"organization": ["You work for several organizations; name the one this candidate is for."]}
        )
    return None


def _save(candidate: Candidate) -> None:
    try:
        with transaction.atomic():
            candidate.save()
    except IntegrityError:
        raise CandidateEmailTaken(details={"email": [EMAIL_TAKEN]}) from None


@transaction.atomic
def candidate_create(
    *,
    actor: User,
    full_name: str,
    email: str,
    for_self: bool = True,
    organization_id: int | None = None,
    phone: str = "",
    headline: str = "",
    summary: str = "",
    years_experience: int = 0,
    location: str = "",
    open_to_remote: bool = False,
    discoverable: bool = False,
    consent: bool = False,
    consent_source: str = ConsentSource.API,
    skills: Sequence[SkillSpec] = (),
) -> Candidate:
    """Create a candidate profile.

    With ``for_self`` the profile belongs to ``actor`` (a candidate signing up; raises
    CandidateAlreadyLinked if they have one); it has no organization. Otherwise a recruiter
    or staff member adds a sourced candidate without a login (raises Forbidden for anyone
    else) for ``organization_id``, or their only organization (InvalidCandidate when they
    work for several and name none, or name one they do not work for). The fields come
    checked for shape; the email is stored lower-case. Raises InvalidCandidate for a skill
    listed twice and CandidateEmailTaken for an address another candidate of the same
    organization (or, without one, another self-registered profile) has.
    """
    if not for_self and not policies.may_recruit(actor):
        raise Forbidden("Only recruiters may add candidates.")
    if for_self and organization_id is not None:
        raise InvalidCandidate(details={"organization": ["Your own profile belongs to no organization."]})
    if for_self and Candidate.objects.filter(user_id=actor.pk).exists():
        raise CandidateAlreadyLinked()
    rows = _skill_rows(skills)
    organization_id = None if for_self else _sourcing_organization(actor, organization_id)
    email = email.lower()
    _require_unused_email(email, organization_id=organization_id)
    candidate = Candidate(
        user=actor if for_self else None,
        organization_id=organization_id,
        created_by=actor,
        full_name=full_name,
        email=email,
        phone=phone,
        headline=headline,
        summary=summary,
        years_experience=years_experience,
        location=location,
        open_to_remote=open_to_remote,
        discoverable=discoverable,
    )
    _save(candidate)
    _record_consents(candidate, consent=consent, discoverable=discoverable, source=consent_source)
    _replace_skills(candidate, rows)
    _profile_changed(candidate.pk)
    return candidate


def _record_consents(candidate: Candidate, *, consent: bool | Unset, discoverable: bool | Unset, source: str) -> None:
    """The profile's two yes/no answers as consent records: ``consent`` is the application
    processing consent, ``discoverable`` the talent-pool one (candidates/services/consents.py)."""
    changed = False
    for purpose, answer in (
        (ConsentPurpose.APPLICATION_PROCESSING, consent),
        (ConsentPurpose.TALENT_POOL, discoverable),
    ):
        if isinstance(answer, Unset):
            continue
        apply_consent(candidate, purpose=purpose, given=answer, source=source)
        changed = True
    if changed:
        Candidate.objects.filter(pk=candidate.pk).update(
            discoverable=candidate.discoverable, consent_at=candidate.consent_at
        )


def _profile_changed(candidate_id: int) -> None:
    record(catalogue.CANDIDATE_PROFILE_CHANGED, data={"candidate_id": candidate_id})


def may_edit_profile(actor: User, candidate: Candidate) -> bool:
    """Whether the actor may change this profile and its resumes (the policy's answer)."""
    # Recruiters keep the profiles their organization sourced (no login) up to date; seeing a profile (an applicant, a discoverable one) is not enough to rewrite it.
    return policies.may_edit_candidate(
        actor, candidate_user_id=candidate.user_id, organization_id=candidate.organization_id
    )


@transaction.atomic
def candidate_update(
    *,
    actor: User,
    candidate: Candidate,
    full_name: str | Unset = UNSET,
    email: str | Unset = UNSET,
    phone: str | Unset = UNSET,
    headline: str | Unset = UNSET,
    summary: str | Unset = UNSET,
    years_experience: int | Unset = UNSET,
    location: str | Unset = UNSET,
    open_to_remote: bool | Unset = UNSET,
    discoverable: bool | Unset = UNSET,
    consent: bool | Unset = UNSET,
    consent_source: str = ConsentSource.API,
    skills: Sequence[SkillSpec] | Unset = UNSET,
) -> Candidate:
    """Change the given fields of a profile (``skills``, when given, replaces the profile skills).

    The candidate edits their own profile; recruiters may edit the profiles their
    organization sourced; staff anyone. ``consent`` gives (True) or withdraws (False) the
    application-processing consent, ``discoverable`` the talent-pool one, each recorded from
    ``consent_source`` (candidates/services/consents.py). Raises Forbidden, InvalidCandidate or
    CandidateEmailTaken (as :func:`candidate_create`), changing nothing.
    """
    if not may_edit_profile(actor, candidate):
        raise Forbidden("You may not edit this candidate profile.")
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    rows = _skill_rows(skills) if not isinstance(skills, Unset) else None
    if not isinstance(email, Unset):
        email = email.lower()
        _require_unused_email(email, organization_id=candidate.organization_id, candidate_id=candidate.pk)
    changes = {
        "full_name": full_name,
        "email": email,
        "phone": phone,
        "headline": headline,
        "summary": summary,
        "years_experience": years_experience,
        "location": location,
        "open_to_remote": open_to_remote,
    }
    for field, value in changes.items():
        if value is not UNSET:
            setattr(candidate, field, value)
    _save(candidate)
    _record_consents(candidate, consent=consent, discoverable=discoverable, source=consent_source)
    if rows is not None:
        _replace_skills(candidate, rows)
    _profile_changed(candidate.pk)
    return candidate


@transaction.atomic
def candidate_register(
    *,
    email: str,
    password: str,
    full_name: str,
    phone: str = "",
    headline: str = "",
    summary: str = "",
    years_experience: int = 0,
    location: str = "",
    open_to_remote: bool = False,
    discoverable: bool = False,
    consent: bool = False,
    skills: Sequence[SkillSpec] = (),
) -> Candidate | None:
    """Sign up a candidate: a login and its profile, created together or not at all.

    The profile fields are optional (headline, skills, …) and come checked for shape.
    Everything is validated first (InvalidAccountInput for the account, InvalidCandidate
    for a skill listed twice), whether or not the address is in use. When a user already
    has the address, nothing is created and None is returned: that user is told by email,
    at most once an hour, that someone tried to sign up with it, and the caller answers
    exactly as for a new account, so sign-up reveals no account. The password is hashed
    either way, so both take the same time. Raises CandidateEmailTaken when a profile of no
    organization (one staff added) already has the address; organizations' sourced records
    never stand in the way.
    """
    clean_email = user_validate_new(email=email, password=password, full_name=full_name)
    # The profile's own rule, checked before the address is looked up: the same answer either way.
    _skill_rows(skills)
    existing = user_get_by_email(email=clean_email)
    if existing is not None:
        make_password(password)
        # The holder is told by email, at most once an hour (candidates/subscribers.py).
        record(catalogue.ACCOUNT_SIGNUP_ATTEMPT, data={"user_id": existing.pk})
        return None
    try:
        with transaction.atomic():
            user = user_create(email=clean_email, password=password, full_name=full_name)
            # The new person writes their own profile and consents (row-level security knows them
            # from here on; the sign-up request itself has no identity).
            with tenancy.acting_as(policies.database_identity(user)):
                return candidate_create(
                    actor=user,
                    full_name=full_name,
                    email=user.email,
                    for_self=True,
                    phone=phone,
                    headline=headline,
                    summary=summary,
                    years_experience=years_experience,
                    location=location,
                    open_to_remote=open_to_remote,
                    discoverable=discoverable,
                    consent=consent,
                    skills=skills,
                )
    except EmailTaken:  # registered by a concurrent request since the lookup above
        return None


ERASED_NAME = "Erased candidate"


def erased_email(candidate_id: int) -> str:
    """The placeholder address of an erased profile (unique, never deliverable)."""
    return f"erased-{candidate_id}@erased.invalid"


def candidate_personal_data_erase(*, candidate_id: int) -> tuple[dict[str, int], int | None]:
    """Erase what the profile holds about the person, keeping the row (privacy/services.py calls
    this after deciding who may; no access check here): name, contact, texts, skills, consents,
    self-identification and resumes go (the files once the transaction commits), the login is let
    go of. Answers the counts
    per kind and the id of the login it held (None without one); raises CandidateAlreadyErased for
    a profile erased before. Must run inside the caller's transaction."""
    candidate = Candidate.objects.select_for_update().get(pk=candidate_id)
    if candidate.erased_at is not None:
        raise CandidateAlreadyErased()
    resumes = list(Resume.objects.filter(candidate_id=candidate_id))
    files = [(resume.file.storage, resume.file.name) for resume in resumes if resume.file.name]
    counts = {
        "profile": 1,
        "skills": candidate.skills.all().delete()[0],
        "consents": candidate.consents.all().delete()[0],
        "self_identification": SelfIdentification.objects.filter(candidate_id=candidate_id).delete()[0],
        "resumes": Resume.objects.filter(candidate_id=candidate_id).delete()[0],
        "resume_files": len(files),
    }
    user_id = candidate.user_id
    Candidate.objects.filter(pk=candidate_id).update(
        user=None,
        full_name=ERASED_NAME,
        email=erased_email(candidate_id),
        phone="",
        headline="",
        summary="",
        years_experience=0,
        location="",
        open_to_remote=False,
        discoverable=False,
        consent_at=None,
        erased_at=timezone.now(),
    )
    for storage, name in files:
        file_delete_on_commit(storage, name)
    # No candidate.profile_changed: matching leaves an erased profile alone (candidates.selectors).
    return counts, user_id
