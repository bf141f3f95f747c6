"""Reads of candidate profiles, scoped by the access rules of DESIGN.md.

A candidate sees their own profile. A recruiter sees candidates who applied to one of
their organization's jobs, who opted in to discovery, or whom a member of their
organization sourced (added without a login). Staff see everyone.
"""

from django.apps import apps
from django.db.models import Exists, OuterRef, Q, QuerySet

from candidates.errors import CandidateNotFound
from candidates.models import Candidate
from hotgigs.accounts.models import Membership
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
