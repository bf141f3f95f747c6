"""Reads about who the actor is: staff, member of which organizations, with which role.

Every other app's selectors build their access rules on these few functions. Results are
memoised on the user object for the life of the request, so a page of rows costs one
membership query, not one per row.
"""

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from hotgigs.accounts.choices import MembershipRole
from hotgigs.accounts.models import Membership, Organization, User

_CACHE_ATTR = "_hotgigs_roles_by_org"

Actor = User | AnonymousUser


def remember_actor_roles(actor: Actor, roles: dict[int, str]) -> None:
    """Memoise roles already known (from the identity cache) for this request."""
    setattr(actor, _CACHE_ATTR, dict(roles))


def actor_is_staff(actor: Actor) -> bool:
    """Platform staff see every row (DESIGN.md access rules)."""
    return bool(actor.is_authenticated and actor.is_active and actor.is_staff)


def actor_roles(actor: Actor) -> dict[int, str]:
    """Map of organization id → membership role for the actor (empty for candidates)."""
    if not actor.is_authenticated or not actor.is_active:
        return {}
    cached: dict[int, str] | None = getattr(actor, _CACHE_ATTR, None)
    if cached is None:
        cached = dict(
            Membership.objects.filter(user_id=actor.pk, organization__is_active=True).values_list(
                "organization_id", "role"
            )
        )
        setattr(actor, _CACHE_ATTR, cached)
    return cached


def actor_organization_ids(actor: Actor) -> frozenset[int]:
    """Ids of the active organizations the actor is a member of."""
    return frozenset(actor_roles(actor))


def actor_is_member(actor: Actor, organization_id: int) -> bool:
    """True when the actor holds any role in the organization."""
    return organization_id in actor_roles(actor)


def actor_is_org_admin(actor: Actor, organization_id: int) -> bool:
    """True when the actor administers the organization."""
    return actor_roles(actor).get(organization_id) == MembershipRole.ORG_ADMIN


def actor_is_recruiter(actor: Actor) -> bool:
    """True when the actor works for at least one organization."""
    return bool(actor_roles(actor))


def forget_actor_roles(actor: Actor) -> None:
    """Drop the memoised roles (after a membership change in the same request)."""
    if hasattr(actor, _CACHE_ATTR):
        delattr(actor, _CACHE_ATTR)


def organization_list(*, actor: Actor) -> QuerySet[Organization]:
    """Organizations the actor may see: staff all, members their own, others none."""
    qs = Organization.objects.all()
    if actor_is_staff(actor):
        return qs
    return qs.filter(pk__in=actor_organization_ids(actor))


def organization_get(*, actor: Actor, organization_id: int) -> Organization:
    """One visible organization; raises OrganizationNotFound otherwise."""
    from hotgigs.accounts.errors import OrganizationNotFound

    try:
        return organization_list(actor=actor).get(pk=organization_id)
    except Organization.DoesNotExist:
        raise OrganizationNotFound() from None


def user_get_by_email(*, email: str) -> User | None:
    """The user with this email, compared case-insensitively, if any."""
    return User.objects.filter(email__iexact=email.strip()).first()
