"""Reads of jobs, scoped by the access policy (hotgigs/accounts/policies.py).

Platform staff see every job; full seats of an organization see all of its jobs; limited
seats (hiring managers, interviewers) the jobs whose hiring team they are on; everyone else
(candidates) sees the job board, the open jobs.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db.models import Count, Max, Prefetch, Q, QuerySet

from hotgigs.accounts import policies
from hotgigs.accounts.choices import HiringTeamRole
from hotgigs.accounts.policies import Actor
from hotgigs.compiled import CompiledCache
from jobs.choices import JobStatus
from jobs.errors import JobNotFound
from jobs.models import HiringTeamMember, Job, JobSkill


def _with_related(qs: QuerySet[Job]) -> QuerySet[Job]:
    return qs.select_related("organization").prefetch_related(
        Prefetch("skills", queryset=JobSkill.objects.order_by("position", "id"))
    )


def job_board_list() -> QuerySet[Job]:
    """Open jobs of active organizations: what any visitor may browse."""
    return _with_related(_job_board())


def _job_board() -> QuerySet[Job]:
    return Job.objects.filter(_BOARD)


# The job board: open jobs of active organizations.
_BOARD = Q(status=JobStatus.OPEN, organization__is_active=True)


def job_list(*, actor: Actor) -> QuerySet[Job]:
    """Jobs the actor may see, with organization and skills loaded."""
    return _with_related(_visible_jobs(actor))


def _visible_jobs(actor: Actor) -> QuerySet[Job]:
    """The rows of :func:`job_list`, nothing loaded with them."""
    rule = _visible_rule(actor)
    return Job.objects.none() if rule is None else Job.objects.filter(rule)


def _visible_rule(actor: Actor) -> Q | None:
    """:func:`job_list`'s rule as a ``Q`` over Job (None: the actor sees no job)."""
    visible = policies.visible_rows(actor, organization="organization_id", job="pk")
    if visible is not None:
        return visible
    if actor.is_authenticated:
        return _BOARD
    return None


def job_visible_filter(*, actor: Actor, prefix: str = "") -> Q:
    """The same rule as :func:`job_list`, as a ``Q`` over a relation to Job (``prefix="job__"``)."""
    visible = policies.visible_rows(actor, organization=f"{prefix}organization_id", job=f"{prefix}pk")
    if visible is not None:
        return visible
    if not actor.is_authenticated:
        return Q(**{f"{prefix}pk__in": []})
    return Q(**{f"{prefix}status": JobStatus.OPEN, f"{prefix}organization__is_active": True})


def job_get(*, actor: Actor, job_id: int, skills: bool = True) -> Job:
    """One job the actor may see; raises JobNotFound for a missing or hidden one.

    ``skills=False`` leaves the skills unloaded (one query fewer) for a caller that only
    needs the job's own fields and organization, such as a submission."""
    jobs = job_list(actor=actor) if skills else _visible_jobs(actor).select_related("organization")
    try:
        return jobs.get(pk=job_id)
    except (Job.DoesNotExist, ValueError, TypeError):
        raise JobNotFound() from None


def job_open_count(*, organization_ids: frozenset[int] | None) -> int:
    """How many open jobs these organizations have (None: every organization).

    For figures whose scope the caller has already settled from its actor (analytics).
    """
    jobs = Job.objects.filter(status=JobStatus.OPEN)
    if organization_ids is not None:
        jobs = jobs.filter(organization_id__in=sorted(organization_ids))
    return jobs.count()


def job_report_list(*, organization_ids: frozenset[int] | None) -> QuerySet[Job]:
    """These organizations' jobs, whatever their status (None: every organization), unordered.

    For figures whose scope the caller has already settled from its actor (analytics filters).
    """
    jobs = Job.objects.order_by()
    if organization_ids is not None:
        jobs = jobs.filter(organization_id__in=sorted(organization_ids))
    return jobs


def hiring_team_list(*, job: Job) -> QuerySet[HiringTeamMember]:
    """The hiring team of a job the caller has already fetched through :func:`job_get`, hiring
    manager first, with the people loaded."""
    return (
        HiringTeamMember.objects.filter(job_id=job.pk)
        .select_related("user", "added_by")
        .order_by("role", "user__email", "id")
    )


def hiring_manager_of(*, job_id: int) -> int | None:
    """The user id of the job's hiring manager, if it has one (whoever asks: for a rule that
    depends on it, such as the offer approval)."""
    return (
        HiringTeamMember.objects.filter(job_id=job_id, role=HiringTeamRole.HIRING_MANAGER)
        .values_list("user_id", flat=True)
        .first()
    )


def hiring_teams_of_user(user_id: int) -> dict[int, tuple[int, str]]:
    """``{job id: (organization id, team role)}`` of the hiring teams the user is on; the
    policy's source of team reach (registered in ``JobsConfig.ready``)."""
    return {
        job_id: (organization_id, role)
        for job_id, organization_id, role in HiringTeamMember.objects.filter(user_id=user_id)
        .order_by()
        .values_list("job_id", "organization_id", "role")
    }


# --- system reads: not scoped to an actor, for background work (matching, staff commands) that
# decides itself which rows it may touch. Never for what an actor sees.


def job_for_matching_get(*, job_id: int) -> Job:
    """One job, with organization and skills loaded, whoever asks; raises JobNotFound."""
    try:
        return _with_related(Job.objects.filter(pk=job_id)).get()
    except Job.DoesNotExist:
        raise JobNotFound() from None


def job_for_matching_list(*, also_ids: Iterable[int] = ()) -> QuerySet[Job]:
    """The job board's jobs (open, of an active organization) and the jobs ``also_ids``,
    with organization and skills loaded, whoever asks."""
    return _with_related(
        Job.objects.filter(Q(status=JobStatus.OPEN, organization__is_active=True) | Q(pk__in=list(also_ids)))
    )


def job_board_ids() -> list[int]:
    """The ids of the job board's jobs (open, of an active organization), in id order."""
    return list(
        Job.objects.filter(status=JobStatus.OPEN, organization__is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def job_board_stamp() -> tuple[int, datetime | None]:
    """How many jobs the job board holds and the latest ``updated_at`` among them, whoever asks:
    one aggregate, the cheap check that a copy of the board kept in memory is still current."""
    stamp = Job.objects.filter(status=JobStatus.OPEN, organization__is_active=True).aggregate(
        count=Count("pk"), latest=Max("updated_at")
    )
    return stamp["count"], stamp["latest"]


def job_board_versions() -> dict[int, datetime]:
    """``{job id: updated_at}`` of the job board's jobs, whoever asks: which rows of a copy kept
    in memory to drop or build again (every write of a job through its services saves it)."""
    return dict(
        Job.objects.filter(status=JobStatus.OPEN, organization__is_active=True)
        .order_by()
        .values_list("pk", "updated_at")
    )


def job_exists(*, job_id: int) -> bool:
    """Whether job ``job_id`` exists, whoever asks."""
    return Job.objects.filter(pk=job_id).exists()


def job_lock(*, job_id: int, actor: Actor | None = None, fields: Sequence[str] = ()) -> Job:
    """The job with its organization, locked (``SELECT … FOR UPDATE``) until the transaction
    ends: for another app's write that depends on the job's state staying put, such as a
    submission checking that it is open. Whoever asks, or with ``actor`` only a job the actor
    may see (as :func:`job_get`, without skills: the visibility check and the lock in one
    read). ``fields`` loads only those (its organization's as ``organization__<field>``),
    besides the keys: a caller on a hot path that reads few of a job's many columns (every
    other loads on first access, a query each). Raises JobNotFound.

    The statement is built once per access rule and ``fields`` (``hotgigs.compiled``): a
    submission's lock cost more to build than to run."""
    rule = Q() if actor is None else _visible_rule(actor)
    if rule is None:
        raise JobNotFound()
    only = tuple(fields)

    def build(pk: int) -> QuerySet[Job]:
        jobs = Job.objects.filter(rule).select_related("organization")
        if only:
            jobs = jobs.only("organization_id", *only)
        return jobs.select_for_update(of=("self",)).filter(pk=pk)

    read = _locks.read((rule, only), build)
    try:
        return read.get(job_id)
    except (Job.DoesNotExist, ValueError, TypeError):  # no such job, or not a key
        raise JobNotFound() from None


# The job locks' statements by (access rule, fields): one per set of organizations in use.
_locks = CompiledCache()
