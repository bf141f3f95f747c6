"""Reads of candidate profiles, scoped by the access rules of DESIGN.md.

A candidate sees their own profile. A recruiter sees candidates who applied to one of
their organization's jobs, who opted in to discovery, or whom a member of their
organization sourced (added without a login). Staff see everyone.
"""

from collections.abc import Iterable

from django.apps import apps
from django.db.models import Exists, OuterRef, Q, QuerySet

from candidates.choices import ParseStatus
from candidates.errors import CandidateNotFound, ResumeLinkInvalid, ResumeNotFound
from candidates.links import link_verify
from candidates.models import Candidate, Resume
from hotgigs.accounts.models import Membership, User
from hotgigs.accounts.selectors import Actor, actor_is_staff, actor_organization_ids


def _sourced_by(org_ids: frozenset[int]) -> Exists:
    return Exists(Membership.objects.filter(user_id=OuterRef("created_by_id"), organization_id__in=org_ids))


def _applied_to(org_ids: frozenset[int]) -> Exists:
    # Looked up by label: applications depends on candidates, not the other way round.
    application = apps.get_model("applications", "Application")
    return Exists(application.objects.filter(candidate_id=OuterRef("pk"), job__organization_id__in=org_ids))


def candidate_list(*, actor: Actor) -> QuerySet[Candidate]:
    """Candidates the actor may see, with their skills loaded."""
    qs = Candidate.objects.prefetch_related("skills")
    if actor_is_staff(actor):
        return qs
    if not actor.is_authenticated:
        return qs.none()
    visible = Q(user_id=actor.pk)
    org_ids = actor_organization_ids(actor)
    if org_ids:
        # Only profiles without a login count as sourced: a member's own job-hunting profile
        # (created by themself) must not show up for their colleagues.
        sourced = Q(user__isnull=True) & Q(_sourced_by(org_ids))
        visible |= Q(discoverable=True) | Q(_applied_to(org_ids)) | sourced
    return qs.filter(visible)


def candidate_get(*, actor: Actor, candidate_id: int) -> Candidate:
    """One candidate the actor may see; raises CandidateNotFound otherwise."""
    try:
        return candidate_list(actor=actor).get(pk=candidate_id)
    except (Candidate.DoesNotExist, ValueError, TypeError):
        raise CandidateNotFound() from None


def candidate_for_user(*, user: Actor) -> Candidate | None:
    """The candidate profile of a logged-in user, if they have one."""
    if not user.is_authenticated:
        return None
    return Candidate.objects.prefetch_related("skills").filter(user_id=user.pk).first()


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
    resume = Resume.objects.filter(pk=claims.resume_id).first()
    if user is None or resume is None or not candidate_list(actor=user).filter(pk=resume.candidate_id).exists():
        raise ResumeLinkInvalid(details={"link": "invalid"})
    return resume


# --- system reads: not scoped to an actor, for background work (matching, staff commands) that
# decides itself which rows it may touch. Never for what an actor sees.


def candidate_for_matching_get(*, candidate_id: int) -> Candidate:
    """One candidate with their skills loaded, whoever asks; raises CandidateNotFound."""
    try:
        return Candidate.objects.prefetch_related("skills").get(pk=candidate_id)
    except Candidate.DoesNotExist:
        raise CandidateNotFound() from None


def candidate_for_matching_list(*, condition: Q) -> QuerySet[Candidate]:
    """The candidates that meet ``condition`` (a condition over Candidate), whoever asks."""
    return Candidate.objects.filter(condition)


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
