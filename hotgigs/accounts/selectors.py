"""Reads of organizations and users, scoped by the access policy (``hotgigs/accounts/policies.py``)."""

from django.db.models import QuerySet

from hotgigs.accounts import policies
from hotgigs.accounts.models import Organization, User

# Who the actor is and what they may do is the policy's (hotgigs/accounts/policies.py); these
# names stay importable from here for the identity plumbing (authentication, the socket).
from hotgigs.accounts.policies import Actor as Actor
from hotgigs.accounts.policies import actor_roles as actor_roles
from hotgigs.accounts.policies import database_identity as database_identity
from hotgigs.accounts.policies import forget_actor_roles as forget_actor_roles
from hotgigs.accounts.policies import remember_actor_roles as remember_actor_roles


def organization_list(*, actor: Actor) -> QuerySet[Organization]:
    """Organizations the actor may see: staff all, members their own, others none."""
    visible = policies.visible_rows(actor, organization="pk")
    qs = Organization.objects.all()
    return qs.none() if visible is None else qs.filter(visible)


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
