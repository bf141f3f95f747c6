"""Writes for applications: submit, move along the pipeline, withdraw; the score sweep.

Each call validates before it writes and raises a domain error otherwise, changing
nothing. Every write ends by recording its domain event (``application.submitted``,
``.stage_changed``, ``.withdrawn``) in the outbox, and does nothing else about it: the
subscribers in ``applications/subscribers.py`` (notifications, scoring, cache) and the
kernel's (realtime push to the organization, the application and the candidate; webhooks)
react after commit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from applications.choices import STAGE_TRANSITIONS, ApplicationSource, ApplicationStage
from applications.errors import DuplicateApplication, IllegalStageMove, JobNotOpen
from applications.models import Application, StageChange
from candidates.selectors import candidate_list
from hotgigs.accounts import policies
from hotgigs.accounts.models import User
from hotgigs.errors import Forbidden
from hotgigs.events import catalogue
from hotgigs.events.audiences import group_for_application, group_for_organization, group_for_user
from hotgigs.events.outbox import record
from jobs.choices import JobStatus
from jobs.selectors import job_lock

if TYPE_CHECKING:
    # Annotations only: the rows come from the candidates and jobs selectors.
    from candidates.models import Candidate
    from jobs.models import Job

MAX_COVER_LETTER = 10_000
MAX_REASON = 2_000


def application_event_data(application: Application) -> dict[str, Any]:
    """The compact application payload that realtime events carry."""
    return {
        "id": application.pk,
        "job_id": application.job_id,
        "candidate_id": application.candidate_id,
        "stage": application.stage,
        "stage_changed_at": application.stage_changed_at.isoformat(),
    }


def _record(
    application: Application,
    event: str,
    *,
    organization_id: int,
    candidate_user_id: int | None,
    context: dict[str, Any],
) -> None:
    audiences = [group_for_organization(organization_id), group_for_application(application.pk)]
    if candidate_user_id:
        audiences.append(group_for_user(candidate_user_id))
    record(event, data=application_event_data(application), audiences=audiences, context=context)


@transaction.atomic
def application_submit(
    *,
    actor: User,
    job: Job,
    candidate: Candidate,
    source: str | None = None,
    cover_letter: str = "",
) -> Application:
    """Apply ``candidate`` to ``job``.

    A candidate applies for themself; a recruiter of the job's organization (or staff) may
    add any candidate they can see. Without a ``source``, a candidate's own application comes
    from the career site and one a recruiter adds is ``sourced``. ``source`` and
    ``cover_letter`` arrive checked for shape (the API input, the admin form). Raises
    Forbidden for anyone else, JobNotOpen unless the job is open and its organization active,
    and DuplicateApplication when the pair already exists (also under concurrent submits,
    through the unique constraint).
    """
    applying_for_self = policies.is_self(actor, candidate.user_id)
    if not applying_for_self:
        if not policies.may_manage_organization(actor, job.organization_id):
            raise Forbidden("You may only apply on your own behalf.")
        if not candidate_list(actor=actor).filter(pk=candidate.pk).exists():
            raise Forbidden("You may not see this candidate.")
    if source is None:
        source = ApplicationSource.CAREER_SITE if applying_for_self else ApplicationSource.SOURCED
    job = job_lock(job_id=job.pk)
    # The job board rule: a deactivated organization's jobs take no applications either.
    if job.status != JobStatus.OPEN or not job.organization.is_active:
        raise JobNotOpen(details={"job_status": job.status})
    now = timezone.now()
    # The unique constraint on (job, candidate) is the duplicate check, also for concurrent
    # submits: no look-up first and no savepoint around the insert, since a refused insert
    # ends this transaction anyway (the error rolls back the whole submission).
    try:
        application = Application.objects.create(
            job=job,
            candidate=candidate,
            source=source,
            cover_letter=cover_letter.strip(),
            created_by=actor,
            stage=ApplicationStage.APPLIED,
            stage_changed_at=now,
        )
    except IntegrityError:
        raise DuplicateApplication() from None
    StageChange.objects.create(
        application=application, from_stage="", to_stage=ApplicationStage.APPLIED, actor=actor, changed_at=now
    )
    _record(
        application,
        catalogue.APPLICATION_SUBMITTED,
        organization_id=job.organization_id,
        candidate_user_id=candidate.user_id,
        context={"actor_id": actor.pk},
    )
    return application


@transaction.atomic
def _move(*, actor: User, application: Application, to_stage: str, reason: str, event: str) -> Application:
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("job", "job__organization", "candidate")
        .get(pk=application.pk)
    )
    allowed = STAGE_TRANSITIONS[application.stage]
    if to_stage not in allowed:
        raise IllegalStageMove(
            f"An application in {application.stage} cannot move to {to_stage}.",
            details={"stage": application.stage, "allowed": list(allowed)},
        )
    now = timezone.now()
    from_stage = application.stage
    application.stage = to_stage
    application.stage_changed_at = now
    application.save(update_fields=["stage", "stage_changed_at", "updated_at"])
    change = StageChange.objects.create(
        application=application,
        from_stage=from_stage,
        to_stage=to_stage,
        actor=actor,
        reason=reason.strip(),
        changed_at=now,
    )
    _record(
        application,
        event,
        organization_id=application.job.organization_id,
        candidate_user_id=application.candidate.user_id,
        context={"actor_id": actor.pk, "from_stage": from_stage, "stage_change_id": change.pk},
    )
    return application


def application_move(*, actor: User, application: Application, to_stage: str, reason: str = "") -> Application:
    """Move an application one legal step (see ``STAGE_TRANSITIONS``) on behalf of its company.

    ``reason`` arrives checked for shape (the API input). Raises Forbidden unless the actor
    recruits for the job's organization (or is staff), and IllegalStageMove (CONFLICT) with
    the allowed stages in ``details`` for any move the pipeline does not allow, an unknown
    stage included.
    """
    if not policies.may_manage_organization(actor, application.job.organization_id):
        raise Forbidden("Only the job's recruiters may move this application.")
    event = (
        catalogue.APPLICATION_WITHDRAWN
        if to_stage == ApplicationStage.WITHDRAWN
        else catalogue.APPLICATION_STAGE_CHANGED
    )
    return _move(actor=actor, application=application, to_stage=to_stage, reason=reason, event=event)


def application_withdraw(*, actor: User, application: Application, reason: str = "") -> Application:
    """The candidate takes their application back. Raises Forbidden for anyone else and
    IllegalStageMove once the application has ended."""
    if not policies.is_self(actor, application.candidate.user_id):
        raise Forbidden("Only the candidate may withdraw their application.")
    return _move(
        actor=actor,
        application=application,
        to_stage=ApplicationStage.WITHDRAWN,
        reason=reason,
        event=catalogue.APPLICATION_WITHDRAWN,
    )


# --- merges of candidate profiles (candidates.services.merges; registered in apps.py) ---------


def applications_follow_merge(survivor_id: int, duplicate_id: int) -> dict[str, Any]:
    """Move the duplicate's applications to the survivor, except one to a job the survivor
    applied to as well: the survivor's stays in the pipeline, the duplicate's stays with the
    hidden duplicate until an undo. Their history, interviews and feedback go with them."""
    taken = Application.objects.filter(candidate_id=survivor_id).values("job_id")
    ids = list(
        Application.objects.filter(candidate_id=duplicate_id)
        .exclude(job_id__in=taken)
        .order_by("id")
        .values_list("pk", flat=True)
    )
    Application.objects.filter(pk__in=ids).update(candidate_id=survivor_id)
    return {"applications": ids}


def applications_restore_after_merge_undo(survivor_id: int, duplicate_id: int, moved: dict[str, Any]) -> None:
    """Put the applications a merge moved back on the duplicate."""
    Application.objects.filter(pk__in=moved.get("applications", []), candidate_id=survivor_id).update(
        candidate_id=duplicate_id
    )
