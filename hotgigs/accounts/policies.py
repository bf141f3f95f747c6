"""The access policy: the one place that says who may see and do what (ARCHITECTURE.md, "Access").

Selectors, services, serializers, views, admin classes and the WebSocket consumer ask these
functions and never restate a rule; ``tests/accounts/test_policy_guard.py`` fails when the
building blocks (the ``is_staff`` flag, membership lookups, the old ``actor_is_*`` helpers)
show up anywhere else.

Who the actor is:

* **staff**: an active user with ``is_staff``; sees and may do everything.
* **member** of an organization (recruiter or org admin): holds a :class:`Membership` of an
  *active* organization; sees and manages that organization's rows.
* **candidate** (or any other logged-in user): sees their own rows and the job board.
* **anonymous**, or an inactive user: nothing (an inactive user has no roles and is not staff).

The rules, as functions:

* :func:`visible_rows` — the queryset rule every selector applies: staff all rows; the actor
  their own (``owner``); members the rows of their organizations (``organization``).
* :func:`may_manage_organization` — "staff or member of the organization" (the hiring team).
* :func:`may_recruit` — "staff or recruiter": recruiter features that name no organization
  yet (create a job, source a candidate, organization channels, the back office).
* :func:`is_self` — "the candidate themself".
* :func:`may_edit_candidate` / :func:`may_merge_candidates` — who may rewrite a candidate
  profile (its organization's members for a sourced one) or merge two of an organization's.
* :func:`is_staff` — staff-only operations (erasing candidates, staff pages of the admin).
* :func:`may_change_note` — "the note's author" (notes are read by the hiring team).

A user's roles are read once per request (one query) and memoised on the user object; the
API's authentication fills the memo from its identity cache (:func:`remember_actor_roles`),
and code that changes a membership drops it (:func:`forget_actor_roles`).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q

from hotgigs.accounts.choices import MembershipRole
from hotgigs.accounts.models import Membership, User
from hotgigs.tenancy import ANONYMOUS, Identity, user_identity

Actor = User | AnonymousUser
"""Whoever acts: a logged-in user or the anonymous visitor."""

_CACHE_ATTR = "_hotgigs_roles_by_org"


# --- who the actor is --------------------------------------------------------------------------


def actor_roles(actor: Actor) -> dict[int, str]:
    """Map of organization id → membership role, over active organizations only.

    Empty for anonymous and inactive users and for users without a membership. Memoised on
    the actor for the life of the request, so a page of rows costs one query, not one per row.
    """
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


def remember_actor_roles(actor: Actor, roles: dict[int, str]) -> None:
    """Memoise roles already known (from the identity cache) for this request."""
    setattr(actor, _CACHE_ATTR, dict(roles))


def forget_actor_roles(actor: Actor) -> None:
    """Drop the memoised roles (after a membership change, or before re-checking a long-lived socket)."""
    if hasattr(actor, _CACHE_ATTR):
        delattr(actor, _CACHE_ATTR)


def is_staff(actor: Actor) -> bool:
    """Platform staff: an active user flagged ``is_staff``. Staff see every row."""
    return bool(actor.is_authenticated and actor.is_active and actor.is_staff)


def organization_ids(actor: Actor) -> frozenset[int]:
    """Ids of the active organizations the actor is a member of (empty for anyone else)."""
    return frozenset(actor_roles(actor))


def is_member(actor: Actor, organization_id: int) -> bool:
    """True when the actor holds any role in the (active) organization."""
    return organization_id in actor_roles(actor)


def is_org_admin(actor: Actor, organization_id: int) -> bool:
    """True when the actor administers the (active) organization."""
    return actor_roles(actor).get(organization_id) == MembershipRole.ORG_ADMIN


def is_org_admin_anywhere(actor: Actor) -> bool:
    """True when the actor administers at least one active organization."""
    return MembershipRole.ORG_ADMIN in actor_roles(actor).values()


def is_recruiter(actor: Actor) -> bool:
    """True when the actor works for at least one active organization (any role)."""
    return bool(actor_roles(actor))


def is_self(actor: Actor, user_id: int | None) -> bool:
    """True when ``user_id`` is the actor's own: the candidate themself acting on their profile,
    application or matches. A row without a user (a sourced candidate) is nobody's self."""
    return user_id is not None and actor.is_authenticated and user_id == actor.pk


def database_identity(actor: Actor) -> Identity:
    """The actor as the database's row-level security sees them (hotgigs/tenancy): their
    user id, the organizations they are a member of and whether they are staff. Anonymous and
    inactive users are anonymous: the public job board only."""
    if not actor.is_authenticated or not actor.is_active:
        return ANONYMOUS
    return user_identity(user_id=actor.pk, organization_ids=organization_ids(actor), staff=is_staff(actor))


# --- what the actor may do ---------------------------------------------------------------------


def may_manage_organization(actor: Actor, organization_id: int) -> bool:
    """Staff, or a member of the organization: the hiring team.

    They change the organization's jobs, move its applications, schedule its interviews, read
    its internal notes and feedback, and manage its webhook endpoints.
    """
    return is_staff(actor) or is_member(actor, organization_id)


def may_recruit(actor: Actor) -> bool:
    """Staff, or a member of at least one active organization.

    Gates recruiter features before any organization is named: creating a job, adding a
    sourced candidate, recomputing a candidate's matches, uploading to a profile that is not
    one's own, following organization channels, using the back office.
    """
    return is_staff(actor) or is_recruiter(actor)


def may_use_back_office(actor: Actor) -> bool:
    """Platform staff and members of an active organization may log in to the back office."""
    return bool(actor.is_active and may_recruit(actor))


def sees_internal_candidate_view(actor: Actor, *, candidate_user_id: int | None) -> bool:
    """Whether a caller who already sees a candidate gets the recruiters' view of it (match
    rationale): staff always, everyone but the candidate themself."""
    return is_staff(actor) or not is_self(actor, candidate_user_id)


def may_edit_candidate(actor: Actor, *, candidate_user_id: int | None, organization_id: int | None) -> bool:
    """Staff, the candidate themself, or a member of the organization that sourced the profile
    (one without a login). Seeing a profile (an applicant, a discoverable one) is not enough
    to rewrite it."""
    if is_staff(actor) or is_self(actor, candidate_user_id):
        return True
    return candidate_user_id is None and organization_id is not None and is_member(actor, organization_id)


def may_merge_candidates(actor: Actor, *, organization_id: int | None) -> bool:
    """Staff, or a member of the organization both profiles were sourced for: merging (and
    undoing a merge) happens inside one organization's own records only."""
    return organization_id is not None and may_manage_organization(actor, organization_id)


def may_change_note(actor: Actor, *, author_id: int | None) -> bool:
    """Only a note's author edits or deletes it (staff neither: a note speaks for its author)."""
    return author_id is not None and actor.is_authenticated and actor.is_active and author_id == actor.pk


def may_upload_resume(actor: Actor, *, candidate_user_id: int | None) -> bool:
    """The candidate themself, or staff and recruiters (who already see the candidate)."""
    return is_self(actor, candidate_user_id) or may_recruit(actor)


# Privacy (issue 17): the person's own data, the audit log, data-subject requests.


def may_read_audit_log(actor: Actor) -> bool:
    """Platform staff only: the log names who looked at whom across every organization."""
    return is_staff(actor)


def may_export_candidate(actor: Actor, *, candidate_user_id: int | None) -> bool:
    """The person themself (their own data), or staff answering a data-subject request."""
    return is_staff(actor) or is_self(actor, candidate_user_id)


def may_erase_candidate(actor: Actor, *, candidate_user_id: int | None) -> bool:
    """The person themself (erased at once, privacy/services.py), or staff answering a request."""
    return is_staff(actor) or is_self(actor, candidate_user_id)


def is_audited_access(actor: Actor, *, candidate_user_id: int | None) -> bool:
    """Whether reading or changing this profile goes into the audit log: anyone but the person
    themself (their own reads of their own profile are not an access by someone else)."""
    return not is_self(actor, candidate_user_id)


# --- which rows the actor may see --------------------------------------------------------------


OrganizationRule = str | Callable[[frozenset[int]], Q]
"""How rows belong to organizations: a field path holding the organization id, or a function
from organization ids to a ``Q`` (rows an organization sees without owning them)."""


def visible_rows(actor: Actor, *, organization: OrganizationRule | None = None, owner: str | None = None) -> Q | None:
    """The access rule as a ``Q`` for ``queryset.filter``, or None when the actor sees nothing.

    Staff see every row (``Q()``). Anyone logged in sees the rows whose ``owner`` field path
    holds their user id. Members see the rows of their organizations: those whose
    ``organization`` field path is one of theirs, or that ``organization(ids)`` matches.
    Anonymous visitors, and actors with neither kind of row, get None.
    """
    if is_staff(actor):
        return Q()
    if not actor.is_authenticated:
        return None
    visible: Q | None = Q(**{owner: actor.pk}) if owner is not None else None
    org_ids = organization_ids(actor)
    if organization is not None and org_ids:
        by_org = (
            Q(**{f"{organization}__in": sorted(org_ids)}) if isinstance(organization, str) else organization(org_ids)
        )
        visible = by_org if visible is None else visible | by_org
    return visible


def sees_every_organization(actor: Actor) -> bool:
    """Staff only: their reads span every organization (and name one only to narrow)."""
    return is_staff(actor)


def members_of(organization_ids: Iterable[int], *, field: str = "created_by_id") -> Exists:
    """``Exists`` over rows whose ``field`` user is a member of one of the organizations
    (e.g. a candidate profile a colleague sourced)."""
    return Exists(Membership.objects.filter(user_id=OuterRef(field), organization_id__in=list(organization_ids)))


def organization_member_ids(organization_id: int, *, among: Iterable[int] | None = None) -> set[int]:
    """Ids of the active users who are members of the organization, optionally only ``among``
    these ids (e.g. who may be booked as an interviewer)."""
    qs = Membership.objects.filter(organization_id=organization_id, user__is_active=True)
    if among is not None:
        qs = qs.filter(user_id__in=list(among))
    return set(qs.order_by().values_list("user_id", flat=True))


@dataclass(frozen=True)
class Audience:
    """Who shares the answer to an organization-scoped read (for caches and fan-out).

    ``kind`` is ``"staff"`` (every organization), ``"organizations"`` (members of
    ``organization_ids``), ``"outsider"`` (logged in, member of none) or ``"anonymous"``.
    """

    kind: str
    organization_ids: frozenset[int] = frozenset()


def audience(actor: Actor) -> Audience:
    """Which audience the actor's organization-scoped reads belong to (see :class:`Audience`)."""
    if is_staff(actor):
        return Audience("staff")
    org_ids = organization_ids(actor)
    if org_ids:
        return Audience("organizations", org_ids)
    if actor.is_authenticated:
        return Audience("outsider")
    return Audience("anonymous")
