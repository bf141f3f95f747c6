"""Reads of candidate profiles, scoped by the access policy (hotgigs/accounts/policies.py).

A candidate sees their own profile. A recruiter sees candidates who applied to one of
their organization's jobs, who opted in to discovery, or whom their organization sourced
(``Candidate.organization``). Staff see everyone. A profile merged into another
(``merged_into``) is hidden from every read until the merge is undone.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.apps import apps
from django.db.models import Aggregate, Exists, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from candidates.choices import NOT_PROVIDED, SELF_IDENTIFICATION_DIMENSIONS, ConsentPurpose, ParseStatus
from candidates.errors import CandidateNotFound, MergeNotFound, ResumeLinkInvalid, ResumeNotFound
from candidates.links import link_verify
from candidates.models import Candidate, CandidateMerge, Consent, Resume, SelfIdentification
from hotgigs import tenancy
from hotgigs.accounts import policies
from hotgigs.accounts.models import User
from hotgigs.accounts.policies import Actor
from hotgigs.compiled import CompiledCache
from hotgigs.errors import Forbidden


def _applied_to(org_ids: frozenset[int]) -> Exists:
    # Looked up by label: applications depends on candidates, not the other way round.
    application = apps.get_model("applications", "Application")
    return Exists(application.objects.filter(candidate_id=OuterRef("pk"), job__organization_id__in=org_ids))


def candidate_shared_with(organization_ids: frozenset[int]) -> Q:
    """Candidates the members of these organizations see: those in the talent pool
    (:func:`in_talent_pool`), applicants to
    one of their jobs, and the profiles these organizations sourced. This is the one
    statement of the rule; row-level policies of the database key on the same columns."""
    # A member's own job-hunting profile has a login and no organization: it never shows up
    # for their colleagues unless it applies to their jobs or is discoverable.
    sourced = Q(organization_id__in=sorted(organization_ids))
    return in_talent_pool() | Q(_applied_to(organization_ids)) | sourced


def in_talent_pool() -> Q:
    """Profiles open to discovery and matching by any organization: ``discoverable`` and holding
    the talent-pool consent (withdrawing it takes a profile out at once, candidates/services/consents.py)."""
    holds = Consent.objects.filter(
        candidate_id=OuterRef("pk"), purpose=ConsentPurpose.TALENT_POOL, withdrawn_at__isnull=True
    )
    return Q(discoverable=True) & Q(Exists(holds))


def candidate_list(*, actor: Actor) -> QuerySet[Candidate]:
    """Candidates the actor may see, with their skills loaded: staff all, a candidate their
    own profile, members those shared with their organizations (:func:`candidate_shared_with`)."""
    qs = Candidate.objects.filter(merged_into__isnull=True).prefetch_related("skills")
    visible = policies.visible_rows(actor, owner="user_id", organization=candidate_shared_with)
    return qs.none() if visible is None else qs.filter(visible)


def candidate_get(*, actor: Actor, candidate_id: int, skills: bool = True, fields: Sequence[str] = ()) -> Candidate:
    """One candidate the actor may see; raises CandidateNotFound otherwise.

    ``skills=False`` leaves the skills unloaded (one query fewer) for a caller that does
    not show them, such as a submission; ``fields`` loads only those columns besides the keys
    (as :func:`candidate_for_user`)."""
    candidates = candidate_list(actor=actor)
    if not skills:
        candidates = candidates.prefetch_related(None)
    if fields:
        candidates = candidates.only("user_id", *fields)
    try:
        return candidates.get(pk=candidate_id)
    except (Candidate.DoesNotExist, ValueError, TypeError):
        raise CandidateNotFound() from None


def candidate_for_user(*, user: Actor, skills: bool = True, fields: Sequence[str] = ()) -> Candidate | None:
    """The candidate profile of a logged-in user, if they have one (``skills=False``: without
    loading the skills, one query fewer; ``fields``: only those columns besides the keys, for
    a hot path such as a submission — the others load on first access, a query each; that
    read's statement is built once per ``fields``, ``hotgigs.compiled``)."""
    if not user.is_authenticated:
        return None
    # ``get``, not ``first``: a user has at most one profile (one-to-one), so nothing to order by
    # (``first`` ordered by the model's two ordering columns, building that clause every time).
    try:
        if skills:
            candidates = Candidate.objects.filter(user_id=user.pk).prefetch_related("skills")
            return (candidates.only("user_id", *fields) if fields else candidates).get()
        return _own_profile.read(tuple(fields), _own_profile_query(tuple(fields))).get(user.pk)
    except Candidate.DoesNotExist:
        return None


def _own_profile_query(fields: tuple[str, ...]) -> Callable[[int], QuerySet[Candidate]]:
    def build(user_id: int) -> QuerySet[Candidate]:
        candidates = Candidate.objects.filter(user_id=user_id)
        return candidates.only("user_id", *fields) if fields else candidates

    return build


# candidate_for_user's statements without skills, by fields.
_own_profile = CompiledCache(size=16)


def consent_list(*, candidate: Candidate) -> QuerySet[Consent]:
    """Every consent of a profile the caller already holds (the history), newest first."""
    return Consent.objects.filter(candidate_id=candidate.pk).order_by("-given_at", "-id")


def merge_list(*, actor: Actor) -> QuerySet[CandidateMerge]:
    """Merges of profiles of the actor's organizations (staff: all), newest first."""
    visible = policies.visible_rows(actor, organization="organization_id")
    merges = CandidateMerge.objects.select_related("survivor", "duplicate", "merged_by", "undone_by")
    return merges.none() if visible is None else merges.filter(visible)


def merge_get(*, actor: Actor, merge_id: int) -> CandidateMerge:
    """One merge the actor sees; raises MergeNotFound otherwise."""
    try:
        return merge_list(actor=actor).get(pk=merge_id)
    except (CandidateMerge.DoesNotExist, ValueError, TypeError):
        raise MergeNotFound() from None


def resume_visible(*, actor: Actor) -> QuerySet[Resume]:
    """Every resume of the candidates the actor may see (the back office list)."""
    return Resume.objects.filter(candidate__in=candidate_list(actor=actor)).select_related("candidate")


def resume_list(*, actor: Actor, candidate_id: int) -> QuerySet[Resume]:
    """Resumes of a candidate the actor may see, newest first; raises CandidateNotFound."""
    candidate = candidate_get(actor=actor, candidate_id=candidate_id)
    return Resume.objects.filter(candidate_id=candidate.pk).order_by("-uploaded_at", "-id")


def resume_get(*, actor: Actor, candidate_id: int, resume_id: int) -> Resume:
    """One resume of a candidate the actor may see; raises CandidateNotFound or ResumeNotFound."""
    try:
        return resume_list(actor=actor, candidate_id=candidate_id).get(pk=resume_id)
    except (Resume.DoesNotExist, ValueError, TypeError):
        raise ResumeNotFound() from None


def resume_from_link(*, token: str) -> Resume:
    """The resume a signed download link names, if its user may still see it.

    Raises ResumeLinkExpired or ResumeLinkInvalid for a bad link (also when the user is
    gone, deactivated or no longer allowed to see the candidate, or the resume is gone).
    """
    claims = link_verify(token)
    user = User.objects.filter(pk=claims.user_id, is_active=True).first()
    if user is None:
        raise ResumeLinkInvalid(details={"link": "invalid"})
    # The link is its user's credential (the request itself carries none): the resume is read,
    # and whether they still see the candidate asked, as them, also of the database's
    # row-level security.
    with tenancy.acting_as(policies.database_identity(user)):
        resume = Resume.objects.filter(pk=claims.resume_id).first()
        if resume is None or not candidate_list(actor=user).filter(pk=resume.candidate_id).exists():
            raise ResumeLinkInvalid(details={"link": "invalid"})
    return resume


# --- system reads: not scoped to an actor, for background work (matching, staff commands) that
# decides itself which rows it may touch. Never for what an actor sees.


def candidate_for_matching_get(*, candidate_id: int) -> Candidate:
    """One candidate with their skills loaded, whoever asks; raises CandidateNotFound (also for
    a profile merged into another, or erased)."""
    try:
        return (
            Candidate.objects.filter(merged_into__isnull=True, erased_at__isnull=True)
            .prefetch_related("skills")
            .get(pk=candidate_id)
        )
    except Candidate.DoesNotExist:
        raise CandidateNotFound() from None


def candidate_for_matching_list(*, condition: Q) -> QuerySet[Candidate]:
    """The candidates that meet ``condition`` (a condition over Candidate), whoever asks (never
    a profile merged into another, or erased)."""
    return Candidate.objects.filter(condition, merged_into__isnull=True, erased_at__isnull=True)


def candidate_exists(*, candidate_id: int) -> bool:
    """Whether candidate ``candidate_id`` exists, whoever asks."""
    return Candidate.objects.filter(pk=candidate_id).exists()


# Candidate ids per query of latest_resume_texts (keeps the IN list bounded).
RESUME_TEXT_CHUNK = 2_000


def latest_resume_texts(candidate_ids: Iterable[int]) -> dict[int, str]:
    """The extracted text of each candidate's latest parsed resume (absent when none), whoever asks."""
    texts: dict[int, str] = {}
    ids = list(candidate_ids)
    for start in range(0, len(ids), RESUME_TEXT_CHUNK):
        rows = (
            Resume.objects.filter(
                candidate_id__in=ids[start : start + RESUME_TEXT_CHUNK], parse_status=ParseStatus.PARSED
            )
            .exclude(extracted_text="")
            .order_by("candidate_id", "-uploaded_at", "-id")
            .values_list("candidate_id", "extracted_text")
        )
        for candidate_id, text in rows:
            texts.setdefault(candidate_id, text)
    return texts


def candidate_personal_data(*, candidate_id: int) -> dict[str, Any]:
    """What the profile holds about the person, as JSON-ready data, whoever asks (privacy's export
    decides who may): the profile, skills, consents, their voluntary self-identification (theirs,
    None when never given) and resumes (metadata and extracted text). Must run as the system
    (the self-identification table shows no one else's row, staff included)."""
    candidate = Candidate.objects.prefetch_related("skills").get(pk=candidate_id)
    profile = {
        field: getattr(candidate, field)
        for field in (
            "id",
            "full_name",
            "email",
            "phone",
            "headline",
            "summary",
            "years_experience",
            "location",
            "open_to_remote",
            "discoverable",
            "consent_at",
            "organization_id",
            "created_at",
            "updated_at",
            "erased_at",
        )
    }
    skills = [{"name": s.name, "level": s.level, "years": s.years, "source": s.source} for s in candidate.skills.all()]
    consents = list(
        Consent.objects.filter(candidate_id=candidate_id)
        .order_by("given_at", "id")
        .values("purpose", "text_version", "given_at", "given_source", "withdrawn_at", "withdrawn_source")
    )
    resumes = list(
        Resume.objects.filter(candidate_id=candidate_id)
        .order_by("uploaded_at", "id")
        .values(
            "id",
            "original_filename",
            "content_type",
            "size",
            "sha256",
            "parse_status",
            "uploaded_at",
            "parsed_at",
            "extracted_text",
        )
    )
    self_identification = (
        SelfIdentification.objects.filter(candidate_id=candidate_id)
        .values("gender", "race_ethnicity", "veteran_status", "disability_status", "created_at", "updated_at")
        .first()
    )
    return {
        "profile": profile,
        "skills": skills,
        "consents": consents,
        "self_identification": self_identification,
        "resumes": resumes,
    }


def candidate_by_id_or_email(*, value: str) -> Candidate | None:
    """The one profile with this id, or else with this email address (any case), whoever asks (the
    staff commands); None when there is none, or several organizations hold the address."""
    if value.isdigit():
        return Candidate.objects.filter(pk=int(value)).first()
    found = list(Candidate.objects.filter(email__iexact=value.strip())[:2])
    return found[0] if len(found) == 1 else None


# Retention (privacy.services.retention_purge): which profiles an organization holds and when the
# person last did something with them. Whoever asks (the purge runs as the system and decides).


def candidate_ids_sourced_by(*, organization_ids: Iterable[int]) -> set[int]:
    """Ids of the live profiles (not erased, not merged away) these organizations sourced."""
    return set(
        Candidate.objects.filter(
            organization_id__in=list(organization_ids), erased_at__isnull=True, merged_into__isnull=True
        ).values_list("id", flat=True)
    )


@dataclass(frozen=True)
class HeldProfile:
    """A live profile as retention sees it: who holds it (``organization_id``: the organization
    that sourced it, None for the person's own), its login, and the latest of its own activity:
    created or edited, a resume uploaded, a consent given, the person's last login."""

    candidate_id: int
    organization_id: int | None
    user_id: int | None
    last_activity: datetime


def candidates_retention_facts(*, candidate_ids: Iterable[int]) -> dict[int, HeldProfile]:
    """:class:`HeldProfile` of each live profile among ``candidate_ids`` (erased and merged-away
    profiles are left out: there is nothing left to keep, or they follow their survivor)."""
    last_resume = Resume.objects.filter(candidate_id=OuterRef("pk")).order_by().values("candidate_id")
    last_consent = Consent.objects.filter(candidate_id=OuterRef("pk")).order_by().values("candidate_id")
    rows = (
        Candidate.objects.filter(pk__in=list(candidate_ids), erased_at__isnull=True, merged_into__isnull=True)
        .annotate(
            last_resume=Subquery(last_resume.annotate(at=Max("uploaded_at")).values("at")),
            last_consent=Subquery(last_consent.annotate(at=Max("given_at")).values("at")),
        )
        .order_by()
        .values_list(
            "pk",
            "organization_id",
            "user_id",
            "created_at",
            "updated_at",
            "last_resume",
            "last_consent",
            "user__last_login",
        )
    )
    held: dict[int, HeldProfile] = {}
    for pk, organization_id, user_id, *times in rows:
        held[pk] = HeldProfile(pk, organization_id, user_id, max(t for t in times if t is not None))
    return held


# --- voluntary self-identification ------------------------------------------------------------


def self_identification_get(*, actor: Actor, candidate: Candidate) -> SelfIdentification | None:
    """The candidate's own answers, or None when they gave none. The person themself only
    (Forbidden otherwise: not their organizations, not staff)."""
    if not policies.may_self_identify(actor, candidate_user_id=candidate.user_id):
        raise Forbidden("Only the candidate themself may read their self-identification.")
    return SelfIdentification.objects.filter(candidate=candidate).first()


def self_identification_tally(
    *, rows: QuerySet[Any], dimension: str, counts: Mapping[str, Aggregate], candidate_field: str = "candidate_id"
) -> dict[str, dict[str, int]]:
    """Counts per self-identified group: ``rows`` (any rows naming a candidate in
    ``candidate_field``, already narrowed to the caller's scope) grouped by the candidates'
    answer to ``dimension`` (a key of ``SELF_IDENTIFICATION_DIMENSIONS``), each group with the
    ``counts`` aggregates. Candidates who never answered form the group ``NOT_PROVIDED``;
    ``declined`` is a group of its own.

    The one way anything outside this app reads self-identification: one aggregate query, run as
    the system (the table shows its rows to no one else), answering counts and never a person's
    answer. No access check: the caller (the adverse-impact monitor) decided who may see counts.
    Raises KeyError for an unknown dimension.
    """
    field, _ = SELF_IDENTIFICATION_DIMENSIONS[dimension]
    answer = SelfIdentification.objects.filter(candidate_id=OuterRef(candidate_field)).values(field)[:1]
    with tenancy.system("adverse-impact counts per self-identified group"):
        grouped = (
            rows.annotate(self_identified_group=Coalesce(Subquery(answer), Value(NOT_PROVIDED)))
            .order_by()
            .values("self_identified_group")
            .annotate(**counts)
        )
        return {row["self_identified_group"]: {name: int(row[name] or 0) for name in counts} for row in grouped}
