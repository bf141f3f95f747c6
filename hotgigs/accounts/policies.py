"""The access policy: the one place that says who may see and do what (ARCHITECTURE.md, "Access").

Selectors, services, serializers, views, admin classes and the WebSocket consumer ask these
functions and never restate a rule; ``tests/accounts/test_policy_guard.py`` fails when the
building blocks (the ``is_staff`` flag, membership lookups, the old ``actor_is_*`` helpers)
show up anywhere else.

Who the actor is:

* **staff**: an active user with ``is_staff``; sees and may do everything.
* **member** of an organization: holds a :class:`Membership` of an *active* organization. A
  *full seat* (recruiter or org admin) sees and manages that organization's rows. A *limited
  seat* reaches only the jobs whose hiring team (``jobs.HiringTeamMember``) they are on: a
  **hiring manager** seat acts like a recruiter on the jobs they manage (or recruit for) and
  approves their offers; an **interviewer** seat reads the applications of the jobs they
  interview for and those whose interview panel they sit on, and submits feedback — nothing
  else (no analytics, no other jobs, no notes, no webhooks, no moves). The database's
  row-level security stays at the organization grain (every seat); these finer rules are here.
* **candidate** (or any other logged-in user): sees their own rows and the job board.
* **anonymous**, or an inactive user: nothing (an inactive user has no roles and is not staff).

The rules, as functions:

* :func:`visible_rows` — the queryset rule every selector applies: staff all rows; the actor
  their own (``owner``); full seats the rows of their organizations (``organization``);
  limited seats the rows of their hiring teams' jobs (``job``) and interview panels
  (``application``).
* :func:`may_manage_organization` — "staff or full seat of the organization".
* :func:`may_manage_job` — the above, or a limited seat managing that job (the job's team).
* :func:`may_interview` — who reads an application as an interviewer (and their own feedback).
* :func:`may_approve_offer` — staff, or the job's hiring manager.
* :func:`may_recruit` — "staff or full seat": recruiter features that name no organization
  yet (create a job, source a candidate, organization channels, analytics).
* :func:`may_use_back_office` — staff and every seat (limited seats see only their rows).
* :func:`is_self` — "the candidate themself".
* :func:`may_edit_candidate` / :func:`may_merge_candidates` — who may rewrite a candidate
  profile (its organization's members for a sourced one) or merge two of an organization's.
* :func:`is_staff` — staff-only operations (erasing candidates, staff pages of the admin).
* :func:`may_change_note` — "the note's author" (notes are read by the hiring team).
* :func:`may_manage_retention` — "staff or the organization's admin": its retention period.
* :func:`may_read_panel_feedback` — an interviewer on an application's panel reads the others'
  feedback on it only once they have submitted their own.

A user's roles are read once per request (one query) and memoised on the user object; the
API's authentication fills the memo from its identity cache (:func:`remember_actor_roles`),
and code that changes a membership drops it (:func:`forget_actor_roles`).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q

from hotgigs.accounts.choices import FULL_SEATS, HiringTeamRole, MembershipRole
from hotgigs.accounts.models import Membership, User
from hotgigs.tenancy import ANONYMOUS, Identity, user_identity

Actor = User | AnonymousUser
"""Whoever acts: a logged-in user or the anonymous visitor."""

_CACHE_ATTR = "_hotgigs_roles_by_org"
_TEAM_ATTR = "_hotgigs_team_reach"

TeamLookup = Callable[[int], dict[int, tuple[int, str]]]
"""A user id → ``{job id: (organization id, team role)}`` of the hiring teams they are on."""

PanelLookup = Callable[[int], dict[int, tuple[int, int]]]
"""A user id → ``{application id: (organization id, job id)}`` whose interview panels they sit on."""

_team_lookup: list[TeamLookup] = []
_panel_lookup: list[PanelLookup] = []


def register_hiring_teams(lookup: TeamLookup) -> None:
    """Tell the policy where hiring teams are kept (``jobs``, in its ``AppConfig.ready``)."""
    _team_lookup[:] = [lookup]


def register_interview_panels(lookup: PanelLookup) -> None:
    """Tell the policy where interview panels are kept (``interviews``, in its ``AppConfig.ready``)."""
    _panel_lookup[:] = [lookup]


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
    """Drop the memoised roles and team reach (after a membership or hiring team change, or
    before re-checking a long-lived socket)."""
    for attr in (_CACHE_ATTR, _TEAM_ATTR):
        if hasattr(actor, attr):
            delattr(actor, attr)


@dataclass(frozen=True)
class TeamReach:
    """What a limited seat reaches, and which jobs the actor (any seat) is hiring manager of.

    ``managed_jobs``: jobs a hiring manager seat manages (on the team as hiring manager or
    recruiter); ``interviewed_jobs``: jobs a limited seat is on the team of as interviewer;
    ``panel_applications``: applications whose interview panel a limited seat sits on;
    ``hiring_manager_of``: jobs whose hiring manager the actor is, whatever their seat.
    """

    managed_jobs: frozenset[int] = frozenset()
    interviewed_jobs: frozenset[int] = frozenset()
    panel_applications: frozenset[int] = frozenset()
    hiring_manager_of: frozenset[int] = frozenset()

    @property
    def jobs(self) -> frozenset[int]:
        return self.managed_jobs | self.interviewed_jobs


_NO_REACH = TeamReach()


def team_reach(actor: Actor) -> TeamReach:
    """The actor's :class:`TeamReach`, memoised like their roles (two queries, only for an
    actor who holds a seat)."""
    roles = actor_roles(actor)
    if not roles:
        return _NO_REACH
    cached: TeamReach | None = getattr(actor, _TEAM_ATTR, None)
    if cached is not None:
        return cached
    user_id = actor.pk
    if user_id is None:  # a user with roles is logged in; never reached
        return _NO_REACH
    teams = _team_lookup[0](user_id) if _team_lookup else {}
    limited = {org for org, role in roles.items() if role not in FULL_SEATS}
    managed: set[int] = set()
    interviewed: set[int] = set()
    for job_id, (organization_id, team_role) in teams.items():
        if organization_id not in limited:
            continue
        if roles[organization_id] == MembershipRole.HIRING_MANAGER and team_role != HiringTeamRole.INTERVIEWER:
            managed.add(job_id)
        else:
            interviewed.add(job_id)
    panels = (_panel_lookup[0](user_id) if _panel_lookup and limited else {}).items()
    reach = TeamReach(
        managed_jobs=frozenset(managed),
        interviewed_jobs=frozenset(interviewed),
        panel_applications=frozenset(app for app, (org, _job) in panels if org in limited),
        hiring_manager_of=frozenset(
            job_id
            for job_id, (organization_id, team_role) in teams.items()
            if team_role == HiringTeamRole.HIRING_MANAGER
            and may_join_hiring_team(seat=roles.get(organization_id), team_role=team_role)
        ),
    )
    setattr(actor, _TEAM_ATTR, reach)
    return reach


def is_staff(actor: Actor) -> bool:
    """Platform staff: an active user flagged ``is_staff``. Staff see every row."""
    return bool(actor.is_authenticated and actor.is_active and actor.is_staff)


def organization_ids(actor: Actor) -> frozenset[int]:
    """Ids of the active organizations the actor holds a full seat in (recruiter or org admin):
    whose every row they reach. Empty for limited seats and anyone else."""
    return frozenset(org for org, role in actor_roles(actor).items() if role in FULL_SEATS)


def member_organization_ids(actor: Actor) -> frozenset[int]:
    """Ids of the active organizations the actor holds any seat in (the database's grain)."""
    return frozenset(actor_roles(actor))


def is_member(actor: Actor, organization_id: int) -> bool:
    """True when the actor holds a full seat (recruiter or org admin) in the (active) organization."""
    return actor_roles(actor).get(organization_id) in FULL_SEATS


def has_seat(actor: Actor, organization_id: int) -> bool:
    """True when the actor holds any seat in the (active) organization, limited ones included."""
    return organization_id in actor_roles(actor)


def has_limited_seat(actor: Actor) -> bool:
    """True when the actor holds a hiring manager or interviewer seat somewhere (and so reaches
    some rows through hiring teams rather than through whole organizations)."""
    return any(role not in FULL_SEATS for role in actor_roles(actor).values())


def is_org_admin(actor: Actor, organization_id: int) -> bool:
    """True when the actor administers the (active) organization."""
    return actor_roles(actor).get(organization_id) == MembershipRole.ORG_ADMIN


def is_org_admin_anywhere(actor: Actor) -> bool:
    """True when the actor administers at least one active organization."""
    return MembershipRole.ORG_ADMIN in actor_roles(actor).values()


def is_recruiter(actor: Actor) -> bool:
    """True when the actor holds a full seat (recruiter or org admin) in an active organization."""
    return bool(organization_ids(actor))


def is_interviewer_only(actor: Actor) -> bool:
    """True for an actor whose every seat is an interviewer seat: read and give feedback, nothing else."""
    roles = actor_roles(actor)
    return bool(roles) and all(role == MembershipRole.INTERVIEWER for role in roles.values())


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
    return user_identity(user_id=actor.pk, organization_ids=member_organization_ids(actor), staff=is_staff(actor))


# --- what the actor may do ---------------------------------------------------------------------


def may_manage_organization(actor: Actor, organization_id: int) -> bool:
    """Staff, or a full seat (recruiter, org admin) of the organization.

    They change the organization's jobs and hiring teams, move its applications, schedule its
    interviews, read its internal notes and feedback, and manage its webhook endpoints.
    """
    return is_staff(actor) or is_member(actor, organization_id)


def may_manage_job(actor: Actor, *, organization_id: int, job_id: int) -> bool:
    """Staff, a full seat of the job's organization, or a hiring manager seat on the job's
    team: they move its applications, schedule and change its interviews, read and write its
    notes and read all its feedback. Editing the job posting and its team stays with
    :func:`may_manage_organization`."""
    return may_manage_organization(actor, organization_id) or (
        has_seat(actor, organization_id) and job_id in team_reach(actor).managed_jobs
    )


def may_interview(actor: Actor, *, organization_id: int, job_id: int, application_id: int) -> bool:
    """Whether the actor reads the application as (at least) an interviewer: those who manage
    the job, and limited seats on its team or its interview panels."""
    if may_manage_job(actor, organization_id=organization_id, job_id=job_id):
        return True
    if not has_seat(actor, organization_id):
        return False
    reach = team_reach(actor)
    return job_id in reach.interviewed_jobs or application_id in reach.panel_applications


def may_approve_offer(actor: Actor, *, organization_id: int, job_id: int) -> bool:
    """Staff, or the job's hiring manager (a seat of its organization on its team as hiring
    manager): they approve or decline moving an application of the job to ``offer``."""
    return is_staff(actor) or (has_seat(actor, organization_id) and job_id in team_reach(actor).hiring_manager_of)


def may_see_hiring_team(actor: Actor, *, organization_id: int) -> bool:
    """Staff and every seat of the job's organization (who also see the job) read its hiring team."""
    return is_staff(actor) or has_seat(actor, organization_id)


def may_join_hiring_team(*, seat: str | None, team_role: str) -> bool:
    """Which team roles a seat may hold on a job: a full seat any, a hiring manager seat
    hiring manager or interviewer, an interviewer seat interviewer only; no seat none."""
    if seat in FULL_SEATS:
        return True
    if seat == MembershipRole.HIRING_MANAGER:
        return team_role in (HiringTeamRole.HIRING_MANAGER, HiringTeamRole.INTERVIEWER)
    return seat == MembershipRole.INTERVIEWER and team_role == HiringTeamRole.INTERVIEWER


def may_recruit(actor: Actor) -> bool:
    """Staff, or a full seat (recruiter, org admin) of at least one active organization.

    Gates recruiter features before any organization is named: creating a job, adding a
    sourced candidate, recomputing a candidate's matches, uploading to a profile that is not
    one's own, following organization channels, analytics.
    """
    return is_staff(actor) or is_recruiter(actor)


def may_act_on_applications(actor: Actor) -> bool:
    """Staff, full seats, and hiring manager seats: who may act on applications at all (each
    one is then checked with :func:`may_manage_job`). Interviewer seats never move one."""
    return may_recruit(actor) or MembershipRole.HIRING_MANAGER in actor_roles(actor).values()


def may_read_analytics(actor: Actor) -> bool:
    """Staff and full seats: limited seats get no analytics (not even of their own jobs)."""
    return may_recruit(actor)


def may_read_adverse_impact(actor: Actor, organization_id: int) -> bool:
    """Staff and the organization's admins: the adverse-impact monitor (selection rates per
    self-identified group) is a compliance view, not a recruiter's; recruiters and limited seats
    get none, candidates none."""
    return is_staff(actor) or is_org_admin(actor, organization_id)


def may_read_adverse_impact_anywhere(actor: Actor) -> bool:
    """Whether :func:`may_read_adverse_impact` holds for some organization (the back office's link)."""
    return is_staff(actor) or is_org_admin_anywhere(actor)


def may_self_identify(actor: Actor, *, candidate_user_id: int | None) -> bool:
    """Only the person themself sets, reads or withdraws their voluntary self-identification:
    not their organizations, not staff (nobody else ever reads it but as counts per group)."""
    return is_self(actor, candidate_user_id)


def may_use_back_office(actor: Actor) -> bool:
    """Platform staff and every seat of an active organization may log in to the back office
    (a limited seat finds only its own jobs, applications and interviews there)."""
    return bool(actor.is_active and (is_staff(actor) or actor_roles(actor)))


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


def may_read_panel_feedback(actor: Actor, *, panel_ids: Iterable[int], author_ids: Iterable[int]) -> bool:
    """Whether the actor, of the hiring team, may read what others wrote on one application's
    interviews (scorecards, ratings, recommendations).

    ``panel_ids``: the interviewers of the application's interviews that still take feedback
    (scheduled or completed); ``author_ids``: who has submitted feedback on any of them. One on
    the panel who has not yet submitted their own reads none of the others' (so theirs is not
    swayed); once they have, they read all. Everyone else of the hiring team (recruiters not on
    the panel, staff) reads all. Asked by the interviews selectors for every read of feedback.
    """
    if not actor.is_authenticated:
        return False
    return actor.pk not in set(panel_ids) or actor.pk in set(author_ids)


def may_upload_resume(actor: Actor, *, candidate_user_id: int | None) -> bool:
    """The candidate themself, or staff and full seats (who already see the candidate)."""
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


def may_manage_retention(actor: Actor, organization_id: int) -> bool:
    """Staff, or an admin of the organization: who reads and sets how long it keeps candidates
    without activity, and sees which are due to be erased (privacy, issue 17)."""
    return is_staff(actor) or is_org_admin(actor, organization_id)


def retention_organization_ids(actor: Actor) -> frozenset[int] | None:
    """The organizations whose retention the actor manages: None for staff (every one), else
    those they administer (empty for everyone else)."""
    if is_staff(actor):
        return None
    return frozenset(org for org in actor_roles(actor) if is_org_admin(actor, org))


def is_audited_access(actor: Actor, *, candidate_user_id: int | None) -> bool:
    """Whether reading or changing this profile goes into the audit log: anyone but the person
    themself (their own reads of their own profile are not an access by someone else)."""
    return not is_self(actor, candidate_user_id)


# --- which rows the actor may see --------------------------------------------------------------


OrganizationRule = str | Callable[[frozenset[int]], Q]
"""How rows belong to organizations: a field path holding the organization id, or a function
from organization ids to a ``Q`` (rows an organization sees without owning them)."""


def visible_rows(
    actor: Actor,
    *,
    organization: OrganizationRule | None = None,
    owner: str | None = None,
    job: str | None = None,
    managed_job: str | None = None,
    application: str | None = None,
    any_seat: bool = False,
) -> Q | None:
    """The access rule as a ``Q`` for ``queryset.filter``, or None when the actor sees nothing.

    Staff see every row (``Q()``). Anyone logged in sees the rows whose ``owner`` field path
    holds their user id. Full seats see the rows of their organizations: those whose
    ``organization`` field path is one of theirs, or that ``organization(ids)`` matches
    (``any_seat``: limited seats too, for an organization's reference lists such as its
    rejection reasons). Limited seats see the rows whose ``job`` field path is a job of their
    hiring teams, whose ``managed_job`` field path is a job they manage (hiring manager seats:
    rows interviewers do not read, such as notes) and whose ``application`` field path is an
    application of their interview panels; a selector that names none of these gives them no
    organization rows. Anonymous
    visitors, and actors with no kind of row, get None.
    """
    if is_staff(actor):
        return Q()
    if not actor.is_authenticated:
        return None
    visible: Q | None = Q(**{owner: actor.pk}) if owner is not None else None

    def add(rule: Q) -> None:
        nonlocal visible
        visible = rule if visible is None else visible | rule

    org_ids = member_organization_ids(actor) if any_seat else organization_ids(actor)
    if organization is not None and org_ids:
        add(Q(**{f"{organization}__in": sorted(org_ids)}) if isinstance(organization, str) else organization(org_ids))
    if (job is not None or managed_job is not None or application is not None) and has_limited_seat(actor):
        reach = team_reach(actor)
        if job is not None:
            add(Q(**{f"{job}__in": sorted(reach.jobs)}))
        if managed_job is not None:
            add(Q(**{f"{managed_job}__in": sorted(reach.managed_jobs)}))
        if application is not None:
            add(Q(**{f"{application}__in": sorted(reach.panel_applications)}))
    return visible


def sees_every_organization(actor: Actor) -> bool:
    """Staff only: their reads span every organization (and name one only to narrow)."""
    return is_staff(actor)


def members_of(organization_ids: Iterable[int], *, field: str = "created_by_id") -> Exists:
    """``Exists`` over rows whose ``field`` user is a member of one of the organizations
    (e.g. a candidate profile a colleague sourced)."""
    return Exists(Membership.objects.filter(user_id=OuterRef(field), organization_id__in=list(organization_ids)))


def seat_of(*, user_id: int, organization_id: int) -> str | None:
    """The seat (membership role) an active user holds in an active organization, or None."""
    return (
        Membership.objects.filter(
            user_id=user_id, user__is_active=True, organization_id=organization_id, organization__is_active=True
        )
        .values_list("role", flat=True)
        .first()
    )


def organization_member_ids(organization_id: int, *, among: Iterable[int] | None = None) -> set[int]:
    """Ids of the active users who hold any seat in the organization, optionally only ``among``
    these ids (e.g. who may be booked as an interviewer: interviewer seats included)."""
    qs = Membership.objects.filter(organization_id=organization_id, user__is_active=True)
    if among is not None:
        qs = qs.filter(user_id__in=list(among))
    return set(qs.order_by().values_list("user_id", flat=True))


@dataclass(frozen=True)
class Audience:
    """Who shares the answer to an organization-scoped read (for caches and fan-out).

    ``kind`` is ``"staff"`` (every organization), ``"organizations"`` (full seats of
    ``organization_ids``), ``"seat"`` (a limited seat: reads of their own), ``"outsider"``
    (logged in, member of none) or ``"anonymous"``.
    """

    kind: str
    organization_ids: frozenset[int] = frozenset()


def audience(actor: Actor) -> Audience:
    """Which audience the actor's organization-scoped reads belong to (see :class:`Audience`).

    A limited seat's reads are their own (``"seat"``): shared with nobody."""
    if is_staff(actor):
        return Audience("staff")
    if has_limited_seat(actor):
        return Audience("seat")
    org_ids = organization_ids(actor)
    if org_ids:
        return Audience("organizations", org_ids)
    if actor.is_authenticated:
        return Audience("outsider")
    return Audience("anonymous")
