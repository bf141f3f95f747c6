"""Reads of notes and the activity timeline, scoped by the access policy.

Notes are the hiring team's: staff read all, members their organizations', nobody else any
(the candidate never). The timeline of an application or a candidate merges what is already
recorded elsewhere: stage moves (``StageChange``), interviews booked (``Interview``) and
changed (the outbox's ``interview.*`` events, while the outbox keeps them:
``REALTIME_OUTBOX_RETENTION``), feedback submitted, notes, emails sent about the
applications, resumes uploaded and match scores computed. Each source is read once per page,
newest first from the cursor and at most a page long, so a page costs the same number of
queries however many entries it holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core import signing
from django.db.models import Max, Q, QuerySet
from django.db.models.functions import Coalesce

from activity.errors import NoteNotFound
from activity.models import Note
from applications.choices import ApplicationStage
from applications.selectors import application_list, match_list, rejection_emails_settled, stage_change_list
from candidates.selectors import resume_visible
from hotgigs.accounts import policies
from hotgigs.accounts.policies import Actor
from hotgigs.errors import Forbidden, ValidationFailed
from hotgigs.events import catalogue
from hotgigs.events.models import OutboxEvent
from hotgigs.notifications.choices import NotificationKind
from hotgigs.notifications.selectors import emails_sent_about
from interviews.choices import InterviewKind
from interviews.selectors import feedback_of_applications, interview_booking_list

if TYPE_CHECKING:
    from applications.models import Application
    from candidates.models import Candidate

# --- notes -------------------------------------------------------------------------------------


def note_list(*, actor: Actor) -> QuerySet[Note]:
    """Notes the actor may read, newest first, with the author loaded: their organizations'
    (full seats), those on the applications of the jobs they manage (hiring manager seats)."""
    visible = policies.visible_rows(actor, organization="organization_id", managed_job="application__job_id")
    qs = Note.objects.select_related("author").order_by("-created_at", "-id")
    return qs.none() if visible is None else qs.filter(visible)


def note_get(*, actor: Actor, note_id: int) -> Note:
    """One note the actor may read; raises NoteNotFound otherwise."""
    try:
        return note_list(actor=actor).get(pk=note_id)
    except (Note.DoesNotExist, ValueError, TypeError):
        raise NoteNotFound() from None


def application_notes(*, actor: Actor, application: Application) -> QuerySet[Note]:
    """The notes on an application the actor sees. Raises Forbidden for anyone outside the
    hiring team (its candidate included), who sees the application but not its notes."""
    if not policies.may_manage_job(actor, organization_id=application.job.organization_id, job_id=application.job_id):
        raise Forbidden("Notes are for the hiring team.")
    return note_list(actor=actor).filter(application_id=application.pk)


def candidate_notes(*, actor: Actor, candidate: Candidate) -> QuerySet[Note]:
    """Every note of the actor's organizations on a candidate the actor sees, those on their
    applications included. Raises Forbidden for anyone but staff and members."""
    if not policies.may_recruit(actor):
        raise Forbidden("Notes are for the hiring team.")
    return note_list(actor=actor).filter(candidate_id=candidate.pk)


# --- the timeline ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One line of a timeline. ``position`` (time, source rank, row id) orders it, newest first."""

    kind: str
    at: datetime
    actor_id: int | None
    actor_name: str
    summary: str
    application_id: int | None
    position: tuple[datetime, int, int] = field(repr=False)
    detail: str = ""
    note_id: int | None = None

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.position[2]}"


Cursor = tuple[datetime, int, int]
_CURSOR_SALT = "activity.timeline.cursor"


def cursor_encode(cursor: Cursor) -> str:
    """A page's position as an opaque, signed string (a ``next`` link's ``cursor``)."""
    at, rank, pk = cursor
    return signing.Signer(salt=_CURSOR_SALT).sign_object([at.isoformat(), rank, pk])


def cursor_decode(raw: str | None) -> Cursor | None:
    """The position :func:`cursor_encode` wrote (None for the first page); ValidationFailed
    on ``cursor`` for anything else (edited, made up)."""
    if raw is None:
        return None
    try:
        at, rank, pk = signing.Signer(salt=_CURSOR_SALT).unsign_object(raw)
        return (datetime.fromisoformat(at), int(rank), int(pk))
    except (signing.BadSignature, ValueError, TypeError):
        raise ValidationFailed(
            "The cursor is not valid.", details={"cursor": ["Use the next link of this list, unchanged."]}
        ) from None


def _name(user: Any) -> str:
    return (user.full_name or user.email) if user is not None else ""


def _stage(stage: str) -> str:
    return str(ApplicationStage(stage).label) if stage in ApplicationStage.values else stage


@dataclass(frozen=True)
class _Scope:
    actor: Actor
    application_ids: list[int]
    candidate_id: int
    organization_ids: list[int] | None  # None: staff (every organization)
    notes: QuerySet[Note]
    matches: QuerySet[Any]
    resumes: QuerySet[Any]


def _before(qs: QuerySet[Any], at_field: str, rank: int, cursor: Cursor | None) -> QuerySet[Any]:
    """Rows of source ``rank`` after ``cursor`` in newest-first (time, rank, id) order."""
    if cursor is None:
        return qs
    at, cursor_rank, pk = cursor
    if rank < cursor_rank:
        return qs.filter(**{f"{at_field}__lte": at})
    if rank > cursor_rank:
        return qs.filter(**{f"{at_field}__lt": at})
    return qs.filter(Q(**{f"{at_field}__lt": at}) | Q(**{at_field: at, "pk__lt": pk}))


def _stage_changes(scope: _Scope) -> tuple[QuerySet[Any], str, Callable[[Any, int], Entry]]:
    def entry(change: Any, rank: int) -> Entry:
        title = change.application.job.title
        if not change.from_stage:
            kind, summary = "application_submitted", f"Applied to {title}"
        else:
            kind = "stage_changed"
            summary = f"Moved from {_stage(change.from_stage)} to {_stage(change.to_stage)} ({title})"
        return Entry(
            kind=kind,
            at=change.changed_at,
            actor_id=change.actor_id,
            actor_name=_name(change.actor),
            summary=summary,
            application_id=change.application_id,
            detail=change.reason,
            position=(change.changed_at, rank, change.pk),
        )

    return stage_change_list(application_ids=scope.application_ids), "changed_at", entry


def _interviews_booked(scope: _Scope) -> tuple[QuerySet[Any], str, Callable[[Any, int], Entry]]:
    def entry(interview: Any, rank: int) -> Entry:
        return Entry(
            kind="interview_scheduled",
            at=interview.created_at,
            actor_id=interview.scheduled_by_id,
            actor_name=_name(interview.scheduled_by),
            # Not its time: that is the interview's now, which a later move may have changed.
            summary=f"{InterviewKind(interview.kind).label} interview booked ({interview.application.job.title})",
            application_id=interview.application_id,
            position=(interview.created_at, rank, interview.pk),
        )

    return interview_booking_list(application_ids=scope.application_ids), "created_at", entry


_INTERVIEW_CHANGES = {
    catalogue.INTERVIEW_RESCHEDULED: "Interview moved to {starts_at}",
    catalogue.INTERVIEW_CANCELLED: "Interview cancelled",
    catalogue.INTERVIEW_COMPLETED: "Interview took place",
    catalogue.INTERVIEW_NO_SHOW: "The candidate did not turn up to the interview",
}


def _interview_changes(scope: _Scope) -> tuple[QuerySet[Any], str, Callable[[Any, int], Entry]]:
    qs = OutboxEvent.objects.filter(
        type__in=list(_INTERVIEW_CHANGES), data__application_id__in=scope.application_ids
    ).only("id", "type", "data", "created_at")
    if scope.organization_ids is not None:
        qs = qs.filter(organization_id__in=scope.organization_ids)

    def entry(event: Any, rank: int) -> Entry:
        starts_at = str(event.data.get("starts_at", ""))[:16].replace("T", " ")
        return Entry(
            kind=event.type.replace(".", "_"),
            at=event.created_at,
            actor_id=None,
            actor_name="",
            summary=_INTERVIEW_CHANGES[event.type].format(starts_at=f"{starts_at} UTC"),
            application_id=event.data.get("application_id"),
            position=(event.created_at, rank, event.pk),
        )

    return qs, "created_at", entry


def _feedback(scope: _Scope) -> tuple[QuerySet[Any], str, Callable[[Any, int], Entry]]:
    def entry(feedback: Any, rank: int) -> Entry:
        return Entry(
            kind="feedback_submitted",
            at=feedback.submitted_at,
            actor_id=feedback.interviewer_id,
            actor_name=_name(feedback.interviewer),
            summary=f"Feedback submitted: {feedback.get_recommendation_display()}, rated {feedback.rating} "
            f"({feedback.interview.application.job.title})",
            application_id=feedback.interview.application_id,
            position=(feedback.submitted_at, rank, feedback.pk),
        )

    return feedback_of_applications(actor=scope.actor, application_ids=scope.application_ids), "submitted_at", entry


def _notes(scope: _Scope) -> tuple[QuerySet[Any], str, Callable[[Any, int], Entry]]:
    def entry(note: Note, rank: int) -> Entry:
        first_line = note.body.splitlines()[0] if note.body else ""
        return Entry(
            kind="note",
            at=note.created_at,
            actor_id=note.author_id,
            actor_name=_name(note.author),
            summary=first_line if len(first_line) <= 120 else first_line[:119] + "…",
            application_id=note.application_id,
            detail=note.body,
            note_id=note.pk,
            position=(note.created_at, rank, note.pk),
        )

    return scope.notes, "created_at", entry


_EMAIL_LABELS = {kind.value: str(kind.label) for kind in NotificationKind}


def _emails(scope: _Scope) -> tuple[QuerySet[Any], str, Callable[[Any, int], Entry]]:
    def entry(delivery: Any, rank: int) -> Entry:
        return Entry(
            kind="email_sent",
            at=delivery.sent_at,
            actor_id=None,
            actor_name="",
            summary=f"Email to {delivery.to_email}: {_EMAIL_LABELS.get(delivery.kind, delivery.kind)}",
            application_id=delivery.context.get("application_id"),
            position=(delivery.sent_at, rank, delivery.pk),
        )

    qs = emails_sent_about(application_ids=scope.application_ids).only("id", "kind", "to_email", "context", "sent_at")
    return qs, "sent_at", entry


def _rejection_emails(scope: _Scope) -> tuple[QuerySet[Any], str, Callable[[Any, int], Entry]]:
    def entry(email: Any, rank: int) -> Entry:
        sent = email.status == "sent"
        return Entry(
            kind="rejection_email_sent" if sent else "rejection_email_cancelled",
            at=email.settled_at,
            actor_id=None if sent else email.cancelled_by_id,
            actor_name="" if sent else _name(email.cancelled_by),
            summary=f"Rejection email to {email.to_email} "
            + ("sent" if sent else "cancelled: the rejection was undone before it went"),
            application_id=email.application_id,
            detail=email.subject,
            position=(email.settled_at, rank, email.pk),
        )

    return rejection_emails_settled(application_ids=scope.application_ids), "settled_at", entry


def _resumes(scope: _Scope) -> tuple[QuerySet[Any], str, Callable[[Any, int], Entry]]:
    def entry(resume: Any, rank: int) -> Entry:
        return Entry(
            kind="resume_uploaded",
            at=resume.uploaded_at,
            actor_id=None,
            actor_name="",
            summary=f"Resume uploaded: {resume.original_filename or 'resume'}",
            application_id=None,
            position=(resume.uploaded_at, rank, resume.pk),
        )

    return scope.resumes.select_related(None).only("id", "original_filename", "uploaded_at"), "uploaded_at", entry


def _matches(scope: _Scope) -> tuple[QuerySet[Any], str, Callable[[Any, int], Entry]]:
    def entry(match: Any, rank: int) -> Entry:
        return Entry(
            kind="match_computed",
            at=match.computed_at,
            actor_id=None,
            actor_name="",
            summary=f"Match score {match.score:.0f} for {match.job.title}",
            application_id=None,
            position=(match.computed_at, rank, match.pk),
        )

    return scope.matches, "computed_at", entry


# Newest first; at the same instant the later source in this list comes first.
_SOURCES = (
    _stage_changes,
    _interviews_booked,
    _interview_changes,
    _feedback,
    _notes,
    _emails,
    _resumes,
    _matches,
    _rejection_emails,
)


def _page(scope: _Scope, *, cursor: Cursor | None, size: int) -> tuple[list[Entry], Cursor | None]:
    entries: list[Entry] = []
    for rank, source in enumerate(_SOURCES):
        qs, at_field, entry = source(scope)
        rows = _before(qs, at_field, rank, cursor).order_by(f"-{at_field}", "-pk")[: size + 1]
        entries.extend(entry(row, rank) for row in rows)
    entries.sort(key=lambda item: item.position, reverse=True)
    page = entries[:size]
    following = page[-1].position if len(entries) > size else None
    return page, following


def application_activity(
    *, actor: Actor, application: Application, cursor: Cursor | None = None, size: int = 20
) -> tuple[list[Entry], Cursor | None]:
    """A page of an application's timeline (one the actor sees), newest first, and the cursor
    of the next page (None on the last). Raises Forbidden for anyone outside the hiring team."""
    if not policies.may_manage_job(actor, organization_id=application.job.organization_id, job_id=application.job_id):
        raise Forbidden("The activity of an application is for the hiring team.")
    scope = _Scope(
        actor=actor,
        application_ids=[application.pk],
        candidate_id=application.candidate_id,
        organization_ids=[application.job.organization_id],
        notes=note_list(actor=actor).filter(application_id=application.pk),
        matches=match_list(actor=actor).filter(job_id=application.job_id, candidate_id=application.candidate_id),
        resumes=resume_visible(actor=actor).filter(candidate_id=application.candidate_id),
    )
    return _page(scope, cursor=cursor, size=size)


def candidate_activity(
    *, actor: Actor, candidate: Candidate, cursor: Cursor | None = None, size: int = 20
) -> tuple[list[Entry], Cursor | None]:
    """A page of a candidate's timeline (one the actor sees) across the applications the actor
    sees, newest first. Raises Forbidden for anyone but staff and members (the candidate too)."""
    if not policies.may_recruit(actor):
        raise Forbidden("The activity of a candidate is for the hiring team.")
    applications = application_list(actor=actor).filter(candidate_id=candidate.pk)
    application_ids = list(applications.values_list("pk", flat=True))
    organizations: list[int] | None = (
        None if policies.sees_every_organization(actor) else sorted(policies.organization_ids(actor))
    )
    scope = _Scope(
        actor=actor,
        application_ids=application_ids,
        candidate_id=candidate.pk,
        organization_ids=organizations,
        notes=note_list(actor=actor).filter(candidate_id=candidate.pk),
        matches=match_list(actor=actor).filter(candidate_id=candidate.pk),
        resumes=resume_visible(actor=actor).filter(candidate_id=candidate.pk),
    )
    return _page(scope, cursor=cursor, size=size)


def entry_kinds() -> Iterable[str]:
    """Every ``kind`` a timeline entry may have."""
    return (
        "application_submitted",
        "stage_changed",
        "interview_scheduled",
        *(name.replace(".", "_") for name in _INTERVIEW_CHANGES),
        "feedback_submitted",
        "note",
        "email_sent",
        "resume_uploaded",
        "match_computed",
        "rejection_email_sent",
        "rejection_email_cancelled",
    )


def notes_last_activity(*, candidate_ids: Iterable[int]) -> dict[int, datetime]:
    """Per profile among ``candidate_ids``, when a note on it (or on one of its applications) was
    last written or edited; whoever asks (retention, privacy.services, runs as the system)."""
    return dict(
        Note.objects.filter(candidate_id__in=list(candidate_ids))
        .order_by()
        .values("candidate_id")
        .annotate(at=Max(Coalesce("edited_at", "created_at")))
        .values_list("candidate_id", "at")
    )
