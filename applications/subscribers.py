"""What the applications app does when its events commit (registered in ``AppConfig.ready``).

* ``applications.notify`` (Celery): a submission tells the candidate (``application.received``)
  and the job's organization members but the one who added it (``application.new``); a move
  by the hiring team, or its undoing, tells the candidate (``application.stage_changed``), except a
  rejection that scheduled an email (the email tells them, when it goes) and the undoing of one
  whose email was cancelled. Each notification
  is keyed by the application or the stage change, so a retried dispatch tells nobody twice.
* ``applications.score`` (Celery): a submission asks for its match score (idempotent task);
  :func:`application_scores_sweep` (beat) asks again for any application still unscored.
* ``applications.cache`` (after commit, in-process): the organization's analytics change.
* ``applications.open_jobs`` (after commit, in-process): a job event moves the generation of
  the job board's matrix on, so every process refreshes its copy on next use
  (``applications.open_jobs``).
* ``applications.rejection_email`` (Celery): a rejection that scheduled its email queues
  ``applications.send_rejection_email`` with the delay as countdown;
  :func:`rejection_emails_sweep` (beat) sends those due whose task was lost, and
  :func:`rejection_email_deliver` is what both run.
"""

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape, linebreaks

from applications import open_jobs
from applications.choices import ApplicationStage
from applications.models import Application
from applications.services import (
    rejection_email_claim,
    rejection_email_release,
    rejection_email_settle,
    rejection_emails_due,
)
from hotgigs import cache, queueing
from hotgigs.accounts import policies
from hotgigs.ai.dispatch import SCORE_APPLICATION
from hotgigs.events import catalogue
from hotgigs.events.models import OutboxEvent
from hotgigs.events.registry import Recorded, after_commit, on_worker
from hotgigs.notifications import mail
from hotgigs.notifications.choices import NotificationKind, RecipientRole
from hotgigs.notifications.services import Notice, notify, notify_all, smtp_breaker

logger = logging.getLogger(__name__)
SEND_REJECTION_EMAIL = "applications.send_rejection_email"

EVENTS = (
    catalogue.APPLICATION_SUBMITTED,
    catalogue.APPLICATION_STAGE_CHANGED,
    catalogue.APPLICATION_WITHDRAWN,
    catalogue.APPLICATION_MOVE_UNDONE,
)
JOB_EVENTS = (
    catalogue.JOB_CREATED,
    catalogue.JOB_UPDATED,
    catalogue.JOB_OPENED,
    catalogue.JOB_CLOSED,
    catalogue.JOB_ARCHIVED,
)
SCORE_SWEEP_BATCH = 500
MOVES = (catalogue.APPLICATION_STAGE_CHANGED, catalogue.APPLICATION_WITHDRAWN)


def _application(event: OutboxEvent) -> Application | None:
    # Only what the notices say: not the job's description nor the candidate's profile text.
    return (
        Application.objects.select_related("job__organization", "candidate")
        .only(
            "id",
            "stage",
            "job__id",
            "job__title",
            "job__organization__id",
            "job__organization__name",
            "candidate__id",
            "candidate__full_name",
            "candidate__user_id",
        )
        .filter(pk=event.data["id"])
        .first()
    )


def _notify_submitted(event: OutboxEvent, application: Application) -> None:
    job, candidate = application.job, application.candidate
    context: dict[str, Any] = {
        "application_id": application.pk,
        "job_id": job.pk,
        "job_title": job.title,
        "organization_name": job.organization.name,
        "candidate_name": candidate.full_name,
        "path": f"/applications/{application.pk}",
    }
    notices = []
    if candidate.user_id:
        notices.append(
            Notice(
                kind=NotificationKind.APPLICATION_RECEIVED,
                event_key=f"{NotificationKind.APPLICATION_RECEIVED}:{application.pk}",
                recipients={candidate.user_id: RecipientRole.CANDIDATE},
                context=context,
            )
        )
    # The organization's team, but not the member who added the application themself.
    team = policies.organization_member_ids(job.organization_id) - {event.context.get("actor_id")}
    notices.append(
        Notice(
            kind=NotificationKind.APPLICATION_NEW,
            event_key=f"{NotificationKind.APPLICATION_NEW}:{application.pk}",
            recipients=dict.fromkeys(sorted(team), RecipientRole.TEAM),
            context=context,
        )
    )
    # The candidate's receipt and the team's notice in the statements of one.
    notify_all(notices)


def _notify_moved(event: OutboxEvent, application: Application) -> None:
    candidate_user_id = application.candidate.user_id
    if not candidate_user_id or candidate_user_id == event.context.get("actor_id"):
        return
    # A rejection that scheduled its email is told by that email, at its time, not at once;
    # and the undoing of one they were never told about (the email cancelled) is not news.
    told_by_email = event.context.get("rejection_email", {})
    if told_by_email and told_by_email.get("status", "scheduled") in ("scheduled", "cancelled"):
        return
    from_stage, to_stage = event.context["from_stage"], event.data["stage"]
    notify(
        kind=NotificationKind.APPLICATION_STAGE_CHANGED,
        event_key=f"{NotificationKind.APPLICATION_STAGE_CHANGED}:{event.context['stage_change_id']}",
        recipients={candidate_user_id: RecipientRole.CANDIDATE},
        context={
            "application_id": application.pk,
            "job_title": application.job.title,
            "organization_name": application.job.organization.name,
            "from_stage": from_stage,
            "to_stage": to_stage,
            "from_stage_label": str(ApplicationStage(from_stage).label),
            "to_stage_label": str(ApplicationStage(to_stage).label),
            "path": f"/applications/{application.pk}",
        },
    )


@on_worker("applications.notify", types=EVENTS)
def notify_people(event: OutboxEvent) -> None:
    application = _application(event)
    if application is None:
        return
    if event.type == catalogue.APPLICATION_SUBMITTED:
        _notify_submitted(event, application)
    else:
        _notify_moved(event, application)


@on_worker("applications.score", types=(catalogue.APPLICATION_SUBMITTED,), savepoint=False)
def request_score(event: OutboxEvent) -> None:
    # Scoring runs on the matching queue; the score sweep catches a request that was lost.
    # It writes nothing here (the task is queued after commit), so it needs no savepoint.
    queueing.enqueue_on_commit(SCORE_APPLICATION, event.data["id"])


@after_commit("applications.cache", types=EVENTS)
def invalidate_analytics(recorded: list[Recorded]) -> None:
    for organization_id in {item.event.organization_id for item in recorded}:
        if organization_id is not None:
            cache.invalidate(organization_id=organization_id, analytics=True)


@after_commit("applications.open_jobs", types=JOB_EVENTS)
def open_jobs_changed(recorded: list[Recorded]) -> None:
    cache.bump(open_jobs.GENERATION)


def application_scores_sweep(*, older_than: timedelta | None = None, limit: int = SCORE_SWEEP_BATCH) -> int:
    """Ask again for the match score of applications that still have none.

    Submitting queues the scoring after commit; if that message was lost (the broker was
    down or lost its data, a worker died) nothing else would ever score the application.
    This queues ``applications.score_application`` for applications without a score created
    more than ``older_than`` ago (default ``APPLICATIONS_SCORE_SWEEP_LAG_SECONDS``, longer
    than scoring normally takes), oldest first, at most ``limit``. Scoring is idempotent, so
    one queued twice costs a little work and changes nothing. Stops at the first message the
    broker refuses. Returns how many were queued (run eagerly: scored).
    """
    lag = older_than if older_than is not None else timedelta(seconds=settings.APPLICATIONS_SCORE_SWEEP_LAG_SECONDS)
    ids = (
        Application.objects.filter(match_score__isnull=True, created_at__lte=timezone.now() - lag)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    queued = 0
    for application_id in ids:
        if not queueing.send_task_by_name(SCORE_APPLICATION, [application_id]):
            break
        queued += 1
    return queued


# --- rejection emails ----------------------------------------------------------------------------


@on_worker("applications.rejection_email", types=(catalogue.APPLICATION_STAGE_CHANGED,), savepoint=False)
def queue_rejection_email(event: OutboxEvent) -> None:
    # Queued after commit with the delay as countdown; the sweep catches a lost message (and
    # a countdown a broker dropped). It writes nothing, so it needs no savepoint.
    scheduled = event.context.get("rejection_email")
    if not scheduled:
        return
    email_id = int(scheduled["id"])
    wait = (datetime.fromisoformat(scheduled["send_at"]) - timezone.now()).total_seconds()

    def queue_rejection_email_task() -> None:
        queueing.send_task_by_name(SEND_REJECTION_EMAIL, [email_id], countdown=max(wait, 0.0))

    transaction.on_commit(queue_rejection_email_task, robust=True)


def _stale_after() -> timedelta:
    return timedelta(seconds=settings.NOTIFICATIONS_EMAIL_CLAIM_SECONDS)


def rejection_email_deliver(*, email_id: int) -> str:
    """Send one rejection email if it is due and still scheduled; returns what happened.

    ``"sent"``; ``"not_due"`` (cancelled, already sent, claimed by another worker, or its
    time has not come); ``"failed"`` (the server refused it for good). The claim commits
    before SMTP is contacted, so an undo from then on finds it ``sending`` and says it is
    too late. Raises TransientError after giving the claim back when a retry may help.
    """
    email = rejection_email_claim(email_id=email_id, stale_after=_stale_after())
    if email is None:
        return "not_due"
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body,
        to=[email.to_email],
        headers={"X-HotGigs-Kind": "application.rejection_email", "Message-ID": _message_id(email.pk)},
    )
    message.attach_alternative(linebreaks(escape(email.body)), "text/html")
    try:
        smtp_breaker().call(mail.deliver, message)
    except mail.PermanentEmailError as exc:
        rejection_email_settle(email_id=email.pk, sent=False, error=str(exc))
        logger.warning("rejection email %s refused for good", email.pk, extra={"rejection_email_id": email.pk})
        return "failed"
    except Exception as exc:
        # Transient, an open circuit or a bug: nothing went out, due again for the next try.
        rejection_email_release(email_id=email.pk, error=f"{type(exc).__name__}: {exc}")
        raise
    rejection_email_settle(email_id=email.pk, sent=True)
    return "sent"


def _message_id(email_id: int) -> str:
    host = mail.link("/").split("/")[2] or "hotgigs.localhost"
    return f"<rejection-{email_id}@{host}>"


def rejection_emails_sweep(*, limit: int = 500) -> int:
    """Queue the rejection emails that are due but still scheduled (their countdown task was
    lost), and those a dead worker left claimed. Sending re-checks the claim, so one queued
    twice goes once. Stops at the first message the broker refuses; returns how many were queued."""
    queued = 0
    for email_id in rejection_emails_due(stale_after=_stale_after(), limit=limit):
        if not queueing.send_task_by_name(SEND_REJECTION_EMAIL, [email_id]):
            break
        queued += 1
    return queued
