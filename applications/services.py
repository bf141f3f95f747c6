"""Writes for applications: submit, move along the pipeline, withdraw; the score sweep;
rejection reasons and rejection email templates; the rejection emails a rejection schedules
(written with the move, cancelled with its undo; claimed and settled by the worker that sends
them, ``applications.subscribers.rejection_email_deliver``).

Each call validates before it writes and raises a domain error otherwise, changing
nothing. Every write ends by recording its domain event (``application.submitted``,
``.stage_changed``, ``.withdrawn``) in the outbox, and does nothing else about it: the
subscribers in ``applications/subscribers.py`` (notifications, scoring, cache) and the
kernel's (realtime push to the organization, the application and the candidate; webhooks)
react after commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from applications.choices import (
    DEFAULT_REJECTION_EMAIL_TEMPLATE,
    DEFAULT_REJECTION_REASONS,
    REJECTION_EMAIL_MAX_DELAY_MINUTES,
    STAGE_TRANSITIONS,
    ApplicationSource,
    ApplicationStage,
    MatchMark,
    OfferDecision,
    RejectionEmailStatus,
    StageChangeKind,
)
from applications.errors import (
    ApplicationNotFound,
    DuplicateApplication,
    DuplicateRejectionEmailTemplate,
    DuplicateRejectionReason,
    IllegalStageMove,
    JobNotOpen,
    MatchMarkNotFound,
    NothingToUndo,
    OfferApprovalRequired,
    OfferNotPending,
)
from applications.models import (
    Application,
    Match,
    MatchFeedback,
    OfferApproval,
    RejectionEmail,
    RejectionEmailTemplate,
    RejectionReason,
    StageChange,
)
from applications.selectors import application_list
from applications.templating import placeholder_errors, render
from candidates.selectors import candidate_list
from hotgigs.accounts import policies
from hotgigs.accounts.models import User
from hotgigs.compiled import CompiledInsert
from hotgigs.errors import DomainError, Forbidden, ValidationFailed
from hotgigs.events import catalogue
from hotgigs.events.audiences import group_for_application, group_for_organization, group_for_user
from hotgigs.events.outbox import record
from hotgigs.unset import UNSET, Unset
from jobs.choices import JobStatus
from jobs.selectors import hiring_manager_of, job_lock

if TYPE_CHECKING:
    # Annotations only: the rows come from the candidates and jobs selectors.
    from candidates.models import Candidate
    from jobs.models import Job

MAX_COVER_LETTER = 10_000
MAX_REASON = 2_000
MAX_REASON_LABEL = 120
MAX_BULK = 200


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


# What a submission and its answer read of the job, and of the candidate (the view reads it;
# the answer shows the name): the rest of these wide rows is left unloaded. Measured on the
# candidate's read, 0.56 → 0.42 ms of CPU; the job's read costs its query's building more
# than its columns.
SUBMISSION_JOB_FIELDS = ("title", "status", "organization__is_active")
SUBMISSION_CANDIDATE_FIELDS = ("full_name",)
# A submission's two rows, inserted as ``objects.create`` would (hotgigs/compiled.py): the ORM
# compiles each INSERT once instead of on every submission.
_INSERT_APPLICATION = CompiledInsert(Application)
_INSERT_STAGE_CHANGE = CompiledInsert(StageChange)


@transaction.atomic
def application_submit(
    *,
    actor: User,
    candidate: Candidate,
    job: Job | None = None,
    job_id: int | None = None,
    source: str | None = None,
    cover_letter: str = "",
) -> Application:
    """Apply ``candidate`` to ``job``.

    The job is either ``job``, a row the caller already read, or ``job_id``, read here as
    the actor sees it (JobNotFound for a job they may not see) in the same statement that
    locks it for the submission (the API's path: one read of the job instead of two).
    A candidate applies for themself; a recruiter of the job's organization (or staff) may
    add any candidate they can see. Without a ``source``, a candidate's own application comes
    from the career site and one a recruiter adds is ``sourced``. ``source`` and
    ``cover_letter`` arrive checked for shape (the API input, the admin form). Raises
    Forbidden for anyone else, JobNotOpen unless the job is open and its organization active,
    and DuplicateApplication when the pair already exists (also under concurrent submits,
    through the unique constraint).
    """
    # Locked until commit, so the job cannot close between the check below and the insert.
    if job is not None and job_id is None:
        job = job_lock(job_id=job.pk, fields=SUBMISSION_JOB_FIELDS)
    elif job_id is not None and job is None:
        job = job_lock(job_id=job_id, actor=actor, fields=SUBMISSION_JOB_FIELDS)
    else:
        raise TypeError("application_submit takes either job or job_id.")
    applying_for_self = policies.is_self(actor, candidate.user_id)
    if not applying_for_self:
        if not policies.may_manage_organization(actor, job.organization_id):
            raise Forbidden("You may only apply on your own behalf.")
        if not candidate_list(actor=actor).filter(pk=candidate.pk).exists():
            raise Forbidden("You may not see this candidate.")
    if source is None:
        source = ApplicationSource.CAREER_SITE if applying_for_self else ApplicationSource.SOURCED
    # The job board rule: a deactivated organization's jobs take no applications either.
    if job.status != JobStatus.OPEN or not job.organization.is_active:
        raise JobNotOpen(details={"job_status": job.status})
    now = timezone.now()
    # The unique constraint on (job, candidate) is the duplicate check, also for concurrent
    # submits: no look-up first and no savepoint around the insert, since a refused insert
    # ends this transaction anyway (the error rolls back the whole submission).
    try:
        application = _INSERT_APPLICATION.create(
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
    _INSERT_STAGE_CHANGE.create(
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
def _move(
    *,
    actor: User,
    application: Application,
    to_stage: str,
    reason: str,
    event: str,
    rejection_reason_id: int | None = None,
    email_template_id: int | None = None,
    email_delay_minutes: int = 0,
) -> Application:
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
    rejection_reason = _rejection_reason(
        organization_id=application.job.organization_id, to_stage=to_stage, rejection_reason_id=rejection_reason_id
    )
    template = _email_template(
        organization_id=application.job.organization_id,
        to_stage=to_stage,
        email_template_id=email_template_id,
        email_delay_minutes=email_delay_minutes,
    )
    if to_stage == ApplicationStage.OFFER:
        _require_offer_approval(application)
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
        rejection_reason=rejection_reason,
        changed_at=now,
    )
    context: dict[str, Any] = {"actor_id": actor.pk, "from_stage": from_stage, "stage_change_id": change.pk}
    if rejection_reason is not None:
        context["rejection_reason"] = {"id": rejection_reason.pk, "code": rejection_reason.code}
    if template is not None:
        email = _rejection_email_schedule(
            application=application,
            change=change,
            template=template,
            send_at=now + timedelta(minutes=email_delay_minutes),
        )
        context["rejection_email"] = {"id": email.pk, "send_at": email.send_at.isoformat()}
    _record(
        application,
        event,
        organization_id=application.job.organization_id,
        candidate_user_id=application.candidate.user_id,
        context=context,
    )
    return application


def _require_offer_approval(application: Application) -> None:
    """A job with a hiring manager makes an offer only with their approval: the latest decision
    on the application must be ``approve`` (OfferApprovalRequired, a CONFLICT, otherwise)."""
    manager_id = hiring_manager_of(job_id=application.job_id)
    if manager_id is None:
        return
    latest = application.offer_approvals.order_by("-decided_at", "-id").first()
    if latest is None or latest.decision != OfferDecision.APPROVE:
        raise OfferApprovalRequired(
            details={
                "hiring_manager_id": manager_id,
                "decision": latest.decision if latest is not None else None,
            }
        )


@transaction.atomic
def offer_decide(*, actor: User, application: Application, decision: str, comment: str = "") -> OfferApproval:
    """The job's hiring manager (or staff) approves or declines making an offer.

    ``decision`` is ``approve`` or ``decline`` and ``comment`` at most ``MAX_REASON`` characters
    (ValidationFailed otherwise). Raises Forbidden for anyone but the job's hiring manager and
    staff, and OfferNotPending (CONFLICT) unless the job has a hiring manager and the
    application's next legal move is ``offer``. A later decision replaces an earlier one (an
    approval may be withdrawn by a decline until the offer is made). Records
    ``application.offer_decided`` for the organization (never the candidate).
    """
    if not policies.may_approve_offer(
        actor, organization_id=application.job.organization_id, job_id=application.job_id
    ):
        raise Forbidden("Only the job's hiring manager approves its offers.")
    if decision not in OfferDecision.values:
        raise ValidationFailed(details={"decision": [f"Must be one of {', '.join(OfferDecision.values)}."]})
    if len(comment) > MAX_REASON:
        raise ValidationFailed(details={"comment": [f"At most {MAX_REASON} characters."]})
    application = (
        Application.objects.select_for_update(of=("self",)).select_related("job", "candidate").get(pk=application.pk)
    )
    if hiring_manager_of(job_id=application.job_id) is None:
        raise OfferNotPending("This job has no hiring manager: its offers need no approval.")
    if ApplicationStage.OFFER not in STAGE_TRANSITIONS[application.stage]:
        raise OfferNotPending(details={"stage": application.stage})
    approval = OfferApproval.objects.create(
        application=application,
        decision=decision,
        comment=comment.strip(),
        decided_by=actor,
        decided_at=timezone.now(),
    )
    record(
        catalogue.APPLICATION_OFFER_DECIDED,
        data={**application_event_data(application), "decision": decision},
        # The organization only: an application's own group is followed by its candidate too.
        audiences=[group_for_organization(application.job.organization_id)],
        context={"actor_id": actor.pk, "offer_approval_id": approval.pk, "comment": approval.comment},
    )
    return approval


def _rejection_reason(
    *, organization_id: int, to_stage: str, rejection_reason_id: int | None
) -> RejectionReason | None:
    """The live reason of the organization a move to ``rejected`` requires (and no other move takes)."""
    if to_stage != ApplicationStage.REJECTED:
        if rejection_reason_id is not None:
            raise ValidationFailed(
                "Only a rejection takes a rejection reason.",
                details={"rejection_reason_id": ["Only a move to rejected takes a rejection reason."]},
            )
        return None
    if rejection_reason_id is None:
        raise ValidationFailed(
            "Rejecting an application requires a rejection reason.",
            details={"rejection_reason_id": ["This field is required to reject an application."]},
        )
    found = RejectionReason.objects.filter(
        pk=rejection_reason_id, organization_id=organization_id, archived_at__isnull=True
    ).first()
    if found is None:
        raise ValidationFailed(
            "Unknown rejection reason.",
            details={"rejection_reason_id": ["Not one of this organization's rejection reasons."]},
        )
    return found


def _email_template(
    *, organization_id: int, to_stage: str, email_template_id: int | None, email_delay_minutes: int
) -> RejectionEmailTemplate | None:
    """The live template of the organization a rejection's email uses (None: no email)."""
    if to_stage != ApplicationStage.REJECTED:
        if email_template_id is not None or email_delay_minutes:
            raise ValidationFailed(
                "Only a rejection sends a rejection email.",
                details={"email_template_id": ["Only a move to rejected takes an email template."]},
            )
        return None
    if not 0 <= email_delay_minutes <= REJECTION_EMAIL_MAX_DELAY_MINUTES:
        raise ValidationFailed(
            details={"email_delay_minutes": [f"Give 0 to {REJECTION_EMAIL_MAX_DELAY_MINUTES} minutes."]}
        )
    if email_template_id is None:
        if email_delay_minutes:
            raise ValidationFailed(
                "A delay needs an email to delay.",
                details={"email_delay_minutes": ["Name an email_template_id to send after a delay."]},
            )
        return None
    found = RejectionEmailTemplate.objects.filter(
        pk=email_template_id, organization_id=organization_id, archived_at__isnull=True
    ).first()
    if found is None:
        raise ValidationFailed(
            "Unknown rejection email template.",
            details={"email_template_id": ["Not one of this organization's rejection email templates."]},
        )
    return found


def _rejection_email_schedule(
    *, application: Application, change: StageChange, template: RejectionEmailTemplate, send_at: datetime
) -> RejectionEmail:
    """Render the template for this application now and keep it until ``send_at``."""
    candidate, job = application.candidate, application.job
    name = candidate.full_name.strip()
    values = {
        "candidate_name": name,
        "candidate_first_name": name.split()[0] if name else "",
        "job_title": job.title,
        "organization_name": job.organization.name,
    }
    return RejectionEmail.objects.create(
        application=application,
        stage_change=change,
        template=template,
        to_email=candidate.email,
        subject=" ".join(render(template.subject, values).split())[:255],
        body=render(template.body, values),
        send_at=send_at,
    )


def application_move(
    *,
    actor: User,
    application: Application,
    to_stage: str,
    reason: str = "",
    rejection_reason_id: int | None = None,
    email_template_id: int | None = None,
    email_delay_minutes: int = 0,
) -> Application:
    """Move an application one legal step (see ``STAGE_TRANSITIONS``) on behalf of its company.

    ``reason`` (a free-text note) arrives checked for shape (the API input). A move to
    ``rejected`` requires ``rejection_reason_id``, a live reason of the application's
    organization (ValidationFailed otherwise, and for a reason given to any other move).
    A rejection may also schedule its email to the candidate: ``email_template_id`` (a live
    template of the organization) sent ``email_delay_minutes`` (0 to
    ``REJECTION_EMAIL_MAX_DELAY_MINUTES``) later by the worker; without a template no email
    goes out (ValidationFailed for a template or a delay given to any other move).
    Raises Forbidden unless the actor recruits for the job's organization (or is staff), and
    IllegalStageMove (CONFLICT) with the allowed stages in ``details`` for any move the
    pipeline does not allow, an unknown stage included.
    """
    if not policies.may_manage_job(actor, organization_id=application.job.organization_id, job_id=application.job_id):
        raise Forbidden("Only the job's recruiters may move this application.")
    event = (
        catalogue.APPLICATION_WITHDRAWN
        if to_stage == ApplicationStage.WITHDRAWN
        else catalogue.APPLICATION_STAGE_CHANGED
    )
    return _move(
        actor=actor,
        application=application,
        to_stage=to_stage,
        reason=reason,
        event=event,
        rejection_reason_id=rejection_reason_id,
        email_template_id=email_template_id,
        email_delay_minutes=email_delay_minutes,
    )


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


@transaction.atomic
def application_undo_move(*, actor: User, application: Application, reason: str) -> Application:
    """Take back the application's latest move: it returns to the stage it came from.

    For the hiring team (Forbidden otherwise). ``reason`` is required (ValidationFailed when
    blank). The correction is a history row of kind ``undo`` and an
    ``application.move_undone`` event; the move it takes back stays in the history. Raises
    NothingToUndo (CONFLICT) when the latest row is the submission, is itself an undo, or is
    the candidate's own withdrawal (only they may take that back, by applying again).
    """
    if not policies.may_manage_job(actor, organization_id=application.job.organization_id, job_id=application.job_id):
        raise Forbidden("Only the job's recruiters may undo a move of this application.")
    if not reason.strip():
        raise ValidationFailed("Say why the move is undone.", details={"reason": ["This field may not be blank."]})
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("job", "job__organization", "candidate")
        .get(pk=application.pk)
    )
    last = application.stage_changes.order_by("-changed_at", "-id").first()
    if last is None or not last.from_stage or last.kind != StageChangeKind.MOVE:
        raise NothingToUndo(details={"stage": application.stage})
    by_candidate = last.actor is not None and policies.is_self(last.actor, application.candidate.user_id)
    if last.to_stage == ApplicationStage.WITHDRAWN and by_candidate:
        raise NothingToUndo("The candidate withdrew this application themself.", details={"stage": application.stage})
    now = timezone.now()
    from_stage, back_to = application.stage, last.from_stage
    email_context = _rejection_email_cancel(actor=actor, change=last, now=now)
    application.stage = back_to
    application.stage_changed_at = now
    application.save(update_fields=["stage", "stage_changed_at", "updated_at"])
    change = StageChange.objects.create(
        application=application,
        from_stage=from_stage,
        to_stage=back_to,
        actor=actor,
        reason=reason.strip(),
        kind=StageChangeKind.UNDO,
        changed_at=now,
    )
    _record(
        application,
        catalogue.APPLICATION_MOVE_UNDONE,
        organization_id=application.job.organization_id,
        candidate_user_id=application.candidate.user_id,
        context={
            "actor_id": actor.pk,
            "from_stage": from_stage,
            "stage_change_id": change.pk,
            "undone_stage_change_id": last.pk,
            **({"rejection_email": email_context} if email_context else {}),
        },
    )
    return application


def _rejection_email_cancel(*, actor: User, change: StageChange, now: datetime) -> dict[str, Any] | None:
    """Cancel the email the undone rejection scheduled, if it has not gone yet; what became of it.

    The conditional update races the sender's claim fairly: whichever comes first wins, so an
    email is either cancelled or on its way, never both.
    """
    email = RejectionEmail.objects.filter(stage_change=change).only("pk", "status").first()
    if email is None:
        return None
    cancelled = RejectionEmail.objects.filter(pk=email.pk, status=RejectionEmailStatus.SCHEDULED).update(
        status=RejectionEmailStatus.CANCELLED, settled_at=now, cancelled_by=actor
    )
    if cancelled:
        return {"id": email.pk, "status": RejectionEmailStatus.CANCELLED.value}
    email.refresh_from_db(fields=["status"])
    return {"id": email.pk, "status": email.status}


@dataclass(frozen=True)
class BulkOutcome:
    """What a bulk action did: the ids that succeeded, and for each failure its id, the error
    code and message (as the API's envelope would say them)."""

    succeeded: list[int]
    failed: list[dict[str, Any]]


@dataclass(frozen=True)
class BulkAction:
    """A per-application action that a higher app adds to the bulk endpoint (``activity``: note).

    ``check(params)`` refuses bad parameters once, before any application is touched
    (ValidationFailed); ``run(actor, application, params)`` acts on one application the actor
    may see, raising a DomainError to fail that one alone.
    """

    check: Callable[[dict[str, Any]], None]
    run: Callable[[User, Application, dict[str, Any]], None]


_bulk_actions: dict[str, BulkAction] = {}


def register_bulk_action(
    name: str,
    *,
    check: Callable[[dict[str, Any]], None],
    run: Callable[[User, Application, dict[str, Any]], None],
) -> None:
    """Offer ``name`` on ``POST /applications/bulk`` (called from the registering app's ``ready``)."""
    _bulk_actions[name] = BulkAction(check=check, run=run)


def bulk_action_names() -> list[str]:
    """The actions higher apps registered, besides move and reject."""
    return sorted(_bulk_actions)


def _bulk(
    *,
    actor: User,
    application_ids: list[int],
    act: Callable[[Application], object],
    check: Callable[[], None] | None = None,
) -> BulkOutcome:
    """Run ``act`` on each application the actor may see, each in its own savepoint; ``check``
    refuses the action's parameters once, after the actor and the ids are known to be fine."""
    if not policies.may_act_on_applications(actor):
        raise Forbidden("Only the hiring team acts on applications in bulk.")
    ids = list(dict.fromkeys(application_ids))
    if not ids or len(ids) > MAX_BULK:
        raise ValidationFailed(details={"application_ids": [f"Give 1 to {MAX_BULK} application ids."]})
    if check is not None:
        check()
    succeeded: list[int] = []
    failed: list[dict[str, Any]] = []
    with transaction.atomic():
        visible = {application.pk: application for application in application_list(actor=actor).filter(pk__in=ids)}
        for application_id in ids:
            application = visible.get(application_id)
            try:
                if application is None:
                    raise ApplicationNotFound()
                with transaction.atomic():
                    act(application)
            except DomainError as error:
                failed.append({"id": application_id, "code": error.code, "message": error.message})
            else:
                succeeded.append(application_id)
    return BulkOutcome(succeeded=succeeded, failed=failed)


def applications_bulk_move(
    *,
    actor: User,
    application_ids: list[int],
    to_stage: str,
    reason: str = "",
    rejection_reason_id: int | None = None,
    email_template_id: int | None = None,
    email_delay_minutes: int = 0,
) -> BulkOutcome:
    """Move (or reject) many applications at once, each on its own.

    The applications the actor may not see fail with NOT_FOUND; each other one goes through
    :func:`application_move` in its own savepoint, so one refused move (an illegal stage, a
    rejection reason of another organization) rolls back only itself. A rejection with
    ``email_template_id`` schedules each rejected candidate's email (the template must be one
    of each application's organization). Everything that
    succeeded commits together, with its events. Raises Forbidden unless the actor recruits,
    and ValidationFailed for more than ``MAX_BULK`` ids (repeated ids count once).
    """
    return _bulk(
        actor=actor,
        application_ids=application_ids,
        act=lambda application: application_move(
            actor=actor,
            application=application,
            to_stage=to_stage,
            reason=reason,
            rejection_reason_id=rejection_reason_id,
            email_template_id=email_template_id,
            email_delay_minutes=email_delay_minutes,
        ),
    )


def applications_bulk_apply(
    *, actor: User, application_ids: list[int], action: str, params: dict[str, Any]
) -> BulkOutcome:
    """A registered bulk action (:func:`register_bulk_action`) on many applications, each on its own.

    As :func:`applications_bulk_move`; ``params`` are checked once first (ValidationFailed,
    nothing written). Raises ValueError for an action nobody registered.
    """
    registered = _bulk_actions.get(action)
    if registered is None:
        raise ValueError(f"No bulk action {action!r} is registered.")
    return _bulk(
        actor=actor,
        application_ids=application_ids,
        act=lambda application: registered.run(actor, application, params),
        check=lambda: registered.check(params),
    )


# --- rejection reasons -------------------------------------------------------------------------


def rejection_reasons_seed(*, organization_id: int) -> None:
    """Give an organization the default rejection reasons it lacks (idempotent)."""
    RejectionReason.objects.bulk_create(
        [
            RejectionReason(organization_id=organization_id, code=code, label=label, position=position)
            for position, (code, label) in enumerate(DEFAULT_REJECTION_REASONS)
        ],
        ignore_conflicts=True,
    )


def _may_edit_reasons(actor: User, organization_id: int, what: str = "rejection reasons") -> None:
    if not (policies.is_staff(actor) or policies.is_org_admin(actor, organization_id)):
        raise Forbidden(f"Only the organization's admins may change its {what}.")


def _label(label: str) -> str:
    label = label.strip()
    if not label:
        raise ValidationFailed(details={"label": ["This field may not be blank."]})
    return label


@transaction.atomic
def rejection_reason_create(
    *, actor: User, organization_id: int, code: str, label: str, position: int = 0
) -> RejectionReason:
    """Add a reason to the organization's list (org admins and staff). ``code`` and ``label``
    arrive checked for shape; raises DuplicateRejectionReason for a code already taken
    (archived reasons included)."""
    _may_edit_reasons(actor, organization_id)
    label = _label(label)
    if RejectionReason.objects.filter(organization_id=organization_id, code=code).exists():
        raise DuplicateRejectionReason(details={"code": ["Already used by a reason of this organization."]})
    return RejectionReason.objects.create(organization_id=organization_id, code=code, label=label, position=position)


@transaction.atomic
def rejection_reason_update(
    *, actor: User, reason: RejectionReason, label: str | Unset = UNSET, position: int | Unset = UNSET
) -> RejectionReason:
    """Rename or reorder a reason (org admins and staff); the code stays, history keeps it."""
    _may_edit_reasons(actor, reason.organization_id)
    fields = []
    if not isinstance(label, Unset):
        reason.label = _label(label)
        fields.append("label")
    if not isinstance(position, Unset):
        reason.position = position
        fields.append("position")
    if fields:
        reason.save(update_fields=fields)
    return reason


@transaction.atomic
def rejection_reason_archive(*, actor: User, reason: RejectionReason) -> RejectionReason:
    """Take a reason off the list offered when rejecting (org admins and staff); the
    rejections that named it keep it. Archiving twice changes nothing."""
    _may_edit_reasons(actor, reason.organization_id)
    if reason.archived_at is None:
        reason.archived_at = timezone.now()
        reason.save(update_fields=["archived_at"])
    return reason


# --- rejection email templates -------------------------------------------------------------------

TEMPLATES = "rejection email templates"
MAX_TEMPLATE_NAME = 120
MAX_TEMPLATE_SUBJECT = 200
MAX_TEMPLATE_BODY = 20_000


def rejection_email_templates_seed(*, organization_id: int) -> None:
    """Give an organization the default rejection email when it has no template (idempotent)."""
    if RejectionEmailTemplate.objects.filter(organization_id=organization_id).exists():
        return
    name, subject, body = DEFAULT_REJECTION_EMAIL_TEMPLATE
    RejectionEmailTemplate.objects.bulk_create(
        [RejectionEmailTemplate(organization_id=organization_id, name=name, subject=subject, body=body)],
        ignore_conflicts=True,
    )


def _template_text(field: str, text: str) -> str:
    text = text.strip()
    if not text:
        raise ValidationFailed(details={field: ["This field may not be blank."]})
    errors = placeholder_errors(text)
    if errors:
        raise ValidationFailed("The template uses placeholders that do not exist.", details={field: errors})
    return text


def _name_free(*, organization_id: int, name: str, exclude_id: int | None = None) -> None:
    taken = RejectionEmailTemplate.objects.filter(organization_id=organization_id, name=name)
    if exclude_id is not None:
        taken = taken.exclude(pk=exclude_id)
    if taken.exists():
        raise DuplicateRejectionEmailTemplate(details={"name": ["Already used by a template of this organization."]})


@transaction.atomic
def rejection_email_template_create(
    *, actor: User, organization_id: int, name: str, subject: str, body: str
) -> RejectionEmailTemplate:
    """Add a rejection email to the organization's templates (org admins and staff).

    ``subject`` and ``body`` may use only the placeholders of ``REJECTION_EMAIL_PLACEHOLDERS``
    (ValidationFailed naming the unknown ones, nothing written); raises
    DuplicateRejectionEmailTemplate for a name already taken (archived templates included).
    """
    _may_edit_reasons(actor, organization_id, TEMPLATES)
    name = name.strip()
    if not name:
        raise ValidationFailed(details={"name": ["This field may not be blank."]})
    subject, body = _template_text("subject", subject), _template_text("body", body)
    _name_free(organization_id=organization_id, name=name)
    return RejectionEmailTemplate.objects.create(organization_id=organization_id, name=name, subject=subject, body=body)


@transaction.atomic
def rejection_email_template_update(
    *,
    actor: User,
    template: RejectionEmailTemplate,
    name: str | Unset = UNSET,
    subject: str | Unset = UNSET,
    body: str | Unset = UNSET,
) -> RejectionEmailTemplate:
    """Edit a template (org admins and staff), checked as when created. Emails already
    scheduled keep the text they were rendered with."""
    _may_edit_reasons(actor, template.organization_id, TEMPLATES)
    fields = []
    if not isinstance(name, Unset):
        name = name.strip()
        if not name:
            raise ValidationFailed(details={"name": ["This field may not be blank."]})
        _name_free(organization_id=template.organization_id, name=name, exclude_id=template.pk)
        template.name = name
        fields.append("name")
    if not isinstance(subject, Unset):
        template.subject = _template_text("subject", subject)
        fields.append("subject")
    if not isinstance(body, Unset):
        template.body = _template_text("body", body)
        fields.append("body")
    if fields:
        template.save(update_fields=[*fields, "updated_at"])
    return template


@transaction.atomic
def rejection_email_template_archive(*, actor: User, template: RejectionEmailTemplate) -> RejectionEmailTemplate:
    """Stop offering a template when rejecting (org admins and staff); emails it scheduled
    still go. Archiving twice changes nothing."""
    _may_edit_reasons(actor, template.organization_id, TEMPLATES)
    if template.archived_at is None:
        template.archived_at = timezone.now()
        template.save(update_fields=["archived_at", "updated_at"])
    return template


# --- sending rejection emails (the worker; applications.subscribers delivers) -------------------


def rejection_email_claim(*, email_id: int, stale_after: timedelta) -> RejectionEmail | None:
    """Claim a due email for sending (committed before SMTP is contacted): one ``scheduled``
    whose ``send_at`` has come, or one ``sending`` whose claim is older than ``stale_after``
    (its worker died). Returns None when there is nothing to send now (cancelled, sent,
    claimed by another worker, or not due yet)."""
    now = timezone.now()
    claimable = RejectionEmail.objects.filter(pk=email_id).filter(
        models.Q(status=RejectionEmailStatus.SCHEDULED, send_at__lte=now)
        | models.Q(status=RejectionEmailStatus.SENDING, claimed_at__lt=now - stale_after)
    )
    if not claimable.update(status=RejectionEmailStatus.SENDING, claimed_at=now, attempts=models.F("attempts") + 1):
        return None
    return RejectionEmail.objects.select_related("application").get(pk=email_id)


def rejection_email_settle(*, email_id: int, sent: bool, error: str = "") -> None:
    """Record what became of a claimed email: ``sent``, or ``failed`` for good (a refusal)."""
    status = RejectionEmailStatus.SENT if sent else RejectionEmailStatus.FAILED
    RejectionEmail.objects.filter(pk=email_id, status=RejectionEmailStatus.SENDING).update(
        status=status, settled_at=timezone.now(), last_error=error[:2000]
    )


def rejection_email_release(*, email_id: int, error: str) -> None:
    """Give a claim back after a transient failure: the email is due again (retry or sweep)."""
    RejectionEmail.objects.filter(pk=email_id, status=RejectionEmailStatus.SENDING).update(
        status=RejectionEmailStatus.SCHEDULED, claimed_at=None, last_error=error[:2000]
    )


def rejection_emails_due(*, stale_after: timedelta, limit: int = 500) -> list[int]:
    """The emails due now (their task was lost) and those whose worker died mid-send."""
    now = timezone.now()
    return list(
        RejectionEmail.objects.filter(
            models.Q(status=RejectionEmailStatus.SCHEDULED, send_at__lte=now)
            | models.Q(status=RejectionEmailStatus.SENDING, claimed_at__lt=now - stale_after)
        )
        .order_by("send_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def applications_personal_data_erase(*, candidate_id: int) -> dict[str, int]:
    """Erase what the person's applications hold about them, keeping the anonymous facts the
    funnel's figures are made of (job, stage, source, every stage change and its time, rejection
    reason codes): cover letters, match scores and receipts, and the team's free-text reasons on
    moves, rejection emails' text and offer comments go. No access check (privacy/services.py
    decides); runs in the caller's transaction."""
    applications = Application.objects.filter(candidate_id=candidate_id)
    changes = StageChange.objects.filter(application__candidate_id=candidate_id)
    return {
        "applications": applications.count(),
        "cover_letters": applications.exclude(cover_letter="").update(cover_letter=""),
        "match_scores": applications.filter(match_score__isnull=False).update(match_score=None),
        "matches": Match.objects.filter(candidate_id=candidate_id).delete()[0],
        "stage_change_reasons": changes.exclude(reason="").update(reason=""),
        # A scheduled one is cancelled; a sent one keeps its status and time, not its text.
        "rejection_emails_cancelled": RejectionEmail.objects.filter(
            application__candidate_id=candidate_id, status=RejectionEmailStatus.SCHEDULED
        ).update(status=RejectionEmailStatus.CANCELLED, settled_at=timezone.now()),
        "rejection_emails": RejectionEmail.objects.filter(application__candidate_id=candidate_id).update(
            to_email="", subject="", body=""
        ),
        "offer_comments": OfferApproval.objects.filter(application__candidate_id=candidate_id)
        .exclude(comment="")
        .update(comment=""),
    }


# --- marks on matches ---------------------------------------------------------------------------

MAX_MARK_REASON = 500


def _may_mark(actor: User, match: Match) -> None:
    if not policies.may_manage_job(actor, organization_id=match.job.organization_id, job_id=match.job_id):
        raise Forbidden("Only the job's recruiters and hiring manager mark its matches.")


@transaction.atomic
def match_mark(*, actor: User, match: Match, mark: str, reason: str = "") -> MatchFeedback:
    """Record ``actor``'s judgement of ``match``: ``good`` or ``bad``, with an optional reason.

    ``match`` comes from ``selectors.match_get`` (the actor sees it). One mark per match and
    user: marking again replaces the mark, the reason and the copy of the score, components and
    model version the mark is taken against. Raises Forbidden unless the actor may manage the
    match's job (``policies.may_manage_job``), ValidationFailed for another mark or a reason over
    :data:`MAX_MARK_REASON` characters — changing nothing.
    """
    _may_mark(actor, match)
    if mark not in MatchMark.values:
        raise ValidationFailed(details={"mark": [f"Must be one of {', '.join(MatchMark.values)}."]})
    reason = reason.strip()
    if len(reason) > MAX_MARK_REASON:
        raise ValidationFailed(details={"reason": [f"At most {MAX_MARK_REASON} characters."]})
    components = (match.breakdown or {}).get("components") or {}
    feedback, _ = MatchFeedback.objects.update_or_create(
        match=match,
        user=actor,
        defaults={
            "organization_id": match.job.organization_id,
            "mark": mark,
            "reason": reason,
            "score": match.score,
            "components": components if isinstance(components, dict) else {},
            "model_version": match.model_version,
            "marked_at": timezone.now(),
        },
    )
    return feedback


@transaction.atomic
def match_unmark(*, actor: User, match: Match) -> None:
    """Take back ``actor``'s mark on ``match``. Raises Forbidden as :func:`match_mark` does, and
    MatchMarkNotFound (404) when the actor has no mark on it."""
    _may_mark(actor, match)
    deleted, _ = MatchFeedback.objects.filter(match=match, user=actor).delete()
    if not deleted:
        raise MatchMarkNotFound()
