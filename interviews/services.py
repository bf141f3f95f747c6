"""Writes for interviews: schedule, reschedule, cancel, record the outcome, submit feedback.

Times must be timezone-aware and in the future; an interviewer never holds two
scheduled interviews that overlap (checked under a row lock on the interviewers, so two
concurrent bookings cannot both succeed). Every write ends by recording its domain event
(``interview.*``, ``feedback.submitted``) in the outbox; the invitations and calendar
emails are ``interviews/subscribers.py``'s, after commit.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone

from applications.choices import ACTIVE_STAGES
from applications.selectors import application_lock
from hotgigs.accounts import policies
from hotgigs.accounts.models import User
from hotgigs.errors import Forbidden, ValidationFailed
from hotgigs.events import catalogue
from hotgigs.events.audiences import group_for_organization, group_for_user
from hotgigs.events.outbox import record
from interviews.choices import InterviewKind, InterviewStatus
from interviews.errors import (
    FeedbackAlreadySubmitted,
    IllegalInterviewTransition,
    InterviewerBusy,
    InterviewNotSchedulable,
    InvalidInterview,
)
from interviews.models import Feedback, Interview, InterviewRound
from interviews.selectors import overlapping

if TYPE_CHECKING:
    # Annotations only: the application comes from the applications selectors.
    from applications.models import Application
    from jobs.models import Job

MAX_DURATION = timedelta(hours=8)
MIN_DURATION = timedelta(minutes=5)
MAX_INTERVIEWERS = 10


def interview_event_data(interview: Interview) -> dict[str, Any]:
    """The compact interview payload that realtime events carry (no feedback)."""
    return {
        "id": interview.pk,
        "application_id": interview.application_id,
        "kind": interview.kind,
        "status": interview.status,
        "starts_at": interview.starts_at.isoformat(),
        "ends_at": interview.ends_at.isoformat(),
        "timezone": interview.timezone,
    }


def _record(interview: Interview, application: Application, event: str) -> None:
    audiences = [group_for_organization(application.job.organization_id)]
    audiences += [group_for_user(user_id) for user_id in interview.interviewers.values_list("pk", flat=True)]
    if application.candidate.user_id:
        audiences.append(group_for_user(application.candidate.user_id))
    record(event, data=interview_event_data(interview), audiences=audiences)


def interview_when(interview: Interview) -> str:
    """The interview's time as its emails word it, in its own time zone."""
    tz = zoneinfo.ZoneInfo(interview.timezone)
    starts, ends = interview.starts_at.astimezone(tz), interview.ends_at.astimezone(tz)
    return f"{starts:%a %d %b %Y, %H:%M}–{ends:%H:%M} ({interview.timezone})"


def _require_team(actor: User, organization_id: int) -> None:
    if not policies.may_manage_organization(actor, organization_id):
        raise Forbidden("Only the hiring team may manage interviews.")


def _check_times(starts_at: datetime, ends_at: datetime, errors: dict[str, list[str]]) -> None:
    # Shapes (aware datetimes) are the input's; these are the calendar's rules.
    if starts_at <= timezone.now():
        errors["starts_at"] = ["Must be in the future."]
    if ends_at <= starts_at:
        errors["ends_at"] = ["Must be after starts_at."]
    elif not MIN_DURATION <= ends_at - starts_at <= MAX_DURATION:
        errors["ends_at"] = ["An interview lasts between 5 minutes and 8 hours."]


def _check_place(kind: str, location: str, meeting_url: str, tz_name: str, errors: dict[str, list[str]]) -> None:
    # Shapes (a known kind, lengths) are the input's. A link's syntax and the zone database's
    # names are checked here, where the schema's promises end, with the kind's own rules.
    if kind == InterviewKind.ONSITE and not location.strip():
        errors["location"] = ["An on-site interview needs a location."]
    if meeting_url:
        try:
            URLValidator(schemes=["https", "http"])(meeting_url)
        except DjangoValidationError:
            errors["meeting_url"] = ["Enter a valid http(s) URL."]
    elif kind == InterviewKind.VIDEO:
        errors["meeting_url"] = ["A video interview needs a meeting link."]
    try:
        zoneinfo.ZoneInfo(tz_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        errors["timezone"] = ["Must be an IANA time zone such as Europe/Berlin."]


def _lock_interviewers(
    organization_id: int, interviewer_ids: Sequence[int], errors: dict[str, list[str]]
) -> list[User]:
    ids = sorted(set(interviewer_ids))
    if not ids or len(ids) > MAX_INTERVIEWERS:
        errors["interviewer_ids"] = [f"Give 1 to {MAX_INTERVIEWERS} interviewers."]
        return []
    member_ids = policies.organization_member_ids(organization_id, among=ids)
    outsiders = [pk for pk in ids if pk not in member_ids]
    if outsiders:
        errors["interviewer_ids"] = [f"Not members of the job's organization: {outsiders}."]
        return []
    # Locking the interviewers serialises bookings per interviewer, so the overlap check
    # below cannot race with another booking of the same person.
    return list(User.objects.select_for_update().filter(pk__in=ids).order_by("pk"))


def _check_overlap(interviewers: list[User], starts_at: datetime, ends_at: datetime, exclude_pk: int | None) -> None:
    clashes = overlapping(
        Interview.objects.all(), interviewer_ids=[u.pk for u in interviewers], starts_at=starts_at, ends_at=ends_at
    )
    if exclude_pk is not None:
        clashes = clashes.exclude(pk=exclude_pk)
    busy = sorted(set(clashes.values_list("interviewers__pk", flat=True)) & {u.pk for u in interviewers})
    if busy:
        raise InterviewerBusy(details={"interviewer_ids": busy})


@transaction.atomic
def interview_schedule(
    *,
    actor: User,
    application: Application,
    kind: str,
    starts_at: datetime,
    ends_at: datetime,
    interviewer_ids: Sequence[int],
    location: str = "",
    meeting_url: str = "",
    tz_name: str = "UTC",
    round_id: int | None = None,
) -> Interview:
    """Book an interview for an application that is still in the pipeline, optionally as one
    round (``round_id``) of its job's interview plan (InvalidInterview for another job's round).

    Shapes (a known kind, aware datetimes, lengths, a list of ids) are the API input's.
    Raises Forbidden outside the hiring team, InterviewNotSchedulable for an ended
    application, InvalidInterview for times in the past, in the wrong order or of the wrong
    length, a missing place or link for the kind, a link that is not an http(s) URL, a time
    zone the zone database does not know, or interviewers outside the organization, and InterviewerBusy when an interviewer
    already has an overlapping scheduled interview.
    """
    # Locking the application keeps its stage from changing while the interview is booked.
    application = application_lock(application_id=application.pk)
    _require_team(actor, application.job.organization_id)
    if application.stage not in ACTIVE_STAGES:
        raise InterviewNotSchedulable(details={"stage": application.stage})
    errors: dict[str, list[str]] = {}
    _check_times(starts_at, ends_at, errors)
    _check_place(kind, location, meeting_url, tz_name, errors)
    interviewers = _lock_interviewers(application.job.organization_id, interviewer_ids, errors)
    if round_id is not None and not InterviewRound.objects.filter(pk=round_id, job_id=application.job_id).exists():
        errors["round_id"] = ["Not a round of this job's interview plan."]
    if errors:
        raise InvalidInterview(details=errors)
    _check_overlap(interviewers, starts_at, ends_at, exclude_pk=None)
    interview = Interview.objects.create(
        application=application,
        round_id=round_id,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        timezone=tz_name,
        location=location.strip(),
        meeting_url=meeting_url,
        scheduled_by=actor,
    )
    interview.interviewers.set(interviewers)
    _record(interview, application, catalogue.INTERVIEW_SCHEDULED)
    return interview


def _locked(interview: Interview) -> Interview:
    return (
        Interview.objects.select_for_update(of=("self",))
        .select_related("application", "application__job__organization", "application__candidate")
        .get(pk=interview.pk)
    )


@transaction.atomic
def interview_reschedule(
    *,
    actor: User,
    interview: Interview,
    starts_at: datetime,
    ends_at: datetime,
    interviewer_ids: Sequence[int] | None = None,
) -> Interview:
    """Move a scheduled interview (and optionally change its panel); same checks as scheduling.

    Raises Forbidden outside the hiring team, IllegalInterviewTransition unless the
    interview is scheduled, InterviewNotSchedulable once the application has ended,
    InvalidInterview for bad times or interviewers, and InterviewerBusy on an overlap with
    another of the panel's interviews.
    """
    interview = _locked(interview)
    application = interview.application
    _require_team(actor, application.job.organization_id)
    if interview.status != InterviewStatus.SCHEDULED:
        raise IllegalInterviewTransition(details={"status": interview.status})
    if application.stage not in ACTIVE_STAGES:
        raise InterviewNotSchedulable(details={"stage": application.stage})
    errors: dict[str, list[str]] = {}
    _check_times(starts_at, ends_at, errors)
    ids = (
        list(interviewer_ids)
        if interviewer_ids is not None
        else list(interview.interviewers.values_list("pk", flat=True))
    )
    interviewers = _lock_interviewers(application.job.organization_id, ids, errors)
    if errors:
        raise InvalidInterview(details=errors)
    _check_overlap(interviewers, starts_at, ends_at, exclude_pk=interview.pk)
    interview.starts_at, interview.ends_at = starts_at, ends_at
    interview.save(update_fields=["starts_at", "ends_at", "updated_at"])
    interview.interviewers.set(interviewers)
    _record(interview, application, catalogue.INTERVIEW_RESCHEDULED)
    return interview


@transaction.atomic
def interview_cancel(*, actor: User, interview: Interview, reason: str = "") -> Interview:
    """Cancel a scheduled interview. Raises IllegalInterviewTransition if it is not scheduled."""
    interview = _locked(interview)
    application = interview.application
    _require_team(actor, application.job.organization_id)
    if interview.status != InterviewStatus.SCHEDULED:
        raise IllegalInterviewTransition(details={"status": interview.status})
    interview.status = InterviewStatus.CANCELLED
    interview.cancel_reason = reason.strip()
    interview.save(update_fields=["status", "cancel_reason", "updated_at"])
    _record(interview, application, catalogue.INTERVIEW_CANCELLED)
    return interview


@transaction.atomic
def interview_record_outcome(*, actor: User, interview: Interview, status: str) -> Interview:
    """Mark a scheduled interview that has started as completed or no-show."""
    interview = _locked(interview)
    application = interview.application
    _require_team(actor, application.job.organization_id)
    if status not in (InterviewStatus.COMPLETED, InterviewStatus.NO_SHOW):
        raise InvalidInterview(details={"status": ["Must be completed or no_show."]})
    if interview.status != InterviewStatus.SCHEDULED or interview.starts_at > timezone.now():
        raise IllegalInterviewTransition(
            "Only a scheduled interview that has started can be completed.", details={"status": interview.status}
        )
    interview.status = status
    interview.save(update_fields=["status", "updated_at"])
    _record(interview, application, catalogue.INTERVIEW_OUTCOME_EVENTS[status])
    return interview


@transaction.atomic
def feedback_submit(
    *, actor: User, interview: Interview, rating: int, recommendation: str, notes: str = ""
) -> Feedback:
    """Record the actor's scorecard for an interview they sat on, once it has started.

    The rating (1–5), recommendation and notes arrive checked for shape (the API input).
    Raises Forbidden unless the actor is one of the interviewers, IllegalInterviewTransition
    for a cancelled, no-show or future interview, and FeedbackAlreadySubmitted on a second
    scorecard from the same interviewer. Published to the hiring team only.
    """
    interview = _locked(interview)
    if not interview.interviewers.filter(pk=actor.pk).exists():
        raise Forbidden("Only the interview's interviewers may submit feedback.")
    if (
        interview.status not in (InterviewStatus.SCHEDULED, InterviewStatus.COMPLETED)
        or interview.starts_at > timezone.now()
    ):
        raise IllegalInterviewTransition(
            "Feedback opens when the interview starts and closes if it is cancelled.",
            details={"status": interview.status},
        )
    if Feedback.objects.filter(interview=interview, interviewer=actor).exists():
        raise FeedbackAlreadySubmitted()
    try:
        with transaction.atomic():
            feedback = Feedback.objects.create(
                interview=interview,
                interviewer=actor,
                rating=rating,
                recommendation=recommendation,
                notes=notes.strip(),
                submitted_at=timezone.now(),
            )
    except IntegrityError:
        raise FeedbackAlreadySubmitted() from None
    record(
        catalogue.FEEDBACK_SUBMITTED,
        data={"interview_id": interview.pk, "feedback_id": feedback.pk, "interviewer_id": actor.pk},
        audiences=[group_for_organization(interview.application.job.organization_id)],
    )
    return feedback


MAX_ROUNDS = 20
MAX_ROUND_NAME = 80


@transaction.atomic
def interview_plan_set(*, actor: User, job: Job, names: Sequence[str]) -> list[InterviewRound]:
    """Make ``names`` (in order) the job's interview plan, for the job's hiring team.

    A round whose name stays keeps its row (and the interviews attached to it); a round left
    out is removed and its interviews keep no round. Raises Forbidden outside the hiring team
    and ValidationFailed for blank or repeated names (compared without case) or more than
    ``MAX_ROUNDS``.
    """
    _require_team(actor, job.organization_id)
    cleaned = [name.strip() for name in names]
    problems = []
    if len(cleaned) > MAX_ROUNDS:
        problems.append(f"At most {MAX_ROUNDS} rounds.")
    if any(not name or len(name) > MAX_ROUND_NAME for name in cleaned):
        problems.append(f"Each round needs a name of 1 to {MAX_ROUND_NAME} characters.")
    if len({name.casefold() for name in cleaned}) != len(cleaned):
        problems.append("Each round needs its own name.")
    if problems:
        raise ValidationFailed(details={"rounds": problems})
    existing = {r.name.casefold(): r for r in InterviewRound.objects.select_for_update().filter(job_id=job.pk)}
    wanted = {name.casefold() for name in cleaned}
    InterviewRound.objects.filter(pk__in=[r.pk for key, r in existing.items() if key not in wanted]).delete()
    rounds = []
    for position, name in enumerate(cleaned):
        row = existing.get(name.casefold())
        if row is None:
            row = InterviewRound(job_id=job.pk, name=name, position=position)
        else:
            row.name, row.position = name, position
        rounds.append(row)
    InterviewRound.objects.bulk_update([r for r in rounds if r.pk], ["name", "position"])
    InterviewRound.objects.bulk_create([r for r in rounds if not r.pk])
    return rounds


def interviews_personal_data_erase(*, candidate_id: int) -> dict[str, int]:
    """Erase what the person's interviews hold about them, keeping when, what kind and how they
    ended (the figures): the panel's written feedback and cancellation reasons go (the
    recommendations stay, with no text). No access check (privacy/services.py decides)."""
    interviews = Interview.objects.filter(application__candidate_id=candidate_id)
    return {
        "interviews": interviews.count(),
        "feedback_notes": Feedback.objects.filter(interview__in=interviews).exclude(notes="").update(notes=""),
        "cancel_reasons": interviews.exclude(cancel_reason="").update(cancel_reason=""),
    }
