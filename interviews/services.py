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
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
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
    InvalidFeedback,
    InvalidInterview,
)
from interviews.models import Feedback, FeedbackRating, Interview, InterviewRound, RoundAttribute
from interviews.selectors import overlapping, round_attributes

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


def _require_team(actor: User, job: Job) -> None:
    if not policies.may_manage_job(actor, organization_id=job.organization_id, job_id=job.pk):
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
    _require_team(actor, application.job)
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
    _require_team(actor, application.job)
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
    _require_team(actor, application.job)
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
    _require_team(actor, application.job)
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


MIN_SCORE, MAX_SCORE = 1, 4


@dataclass(frozen=True)
class AttributeRating:
    """One attribute's score on a scorecard: ``attribute_id`` of the interview round's scorecard,
    ``score`` 1–4, an optional ``note``."""

    attribute_id: int
    score: int
    note: str = ""


def _check_ratings(attributes: list[RoundAttribute], ratings: Sequence[AttributeRating]) -> None:
    known = {a.pk for a in attributes}
    given = [r.attribute_id for r in ratings]
    problems: dict[str, list[int]] = {
        "missing": sorted(known - set(given)),
        "unknown": sorted({pk for pk in given if pk not in known}),
        "repeated": sorted({pk for pk in given if given.count(pk) > 1}),
        "out_of_range": sorted({r.attribute_id for r in ratings if not MIN_SCORE <= r.score <= MAX_SCORE}),
    }
    problems = {key: ids for key, ids in problems.items() if ids}
    if problems:
        names = {a.pk: a.name for a in attributes}
        words = {
            "missing": "Rate every attribute of the round's scorecard; missing: {}.",
            "unknown": "Not attributes of this interview's scorecard: {}.",
            "repeated": "Rate each attribute once; repeated: {}.",
            "out_of_range": f"Scores run from {MIN_SCORE} to {MAX_SCORE}; out of range: {{}}.",
        }
        raise InvalidFeedback(
            " ".join(
                words[key].format(", ".join(names.get(pk, str(pk)) for pk in ids)) for key, ids in problems.items()
            ),
            details={"ratings": problems},
        )


def feedback_event_data(feedback: Feedback, interview: Interview, ratings: list[FeedbackRating]) -> dict[str, Any]:
    """What ``feedback.submitted`` carries: who scored which interview, the overall rating and
    recommendation, and the scorecard (each attribute's score; notes stay internal)."""
    return {
        "interview_id": interview.pk,
        "application_id": interview.application_id,
        "feedback_id": feedback.pk,
        "interviewer_id": feedback.interviewer_id,
        "round_id": interview.round_id,
        "rating": feedback.rating,
        "recommendation": feedback.recommendation,
        "scorecard": [
            {"attribute_id": r.attribute_id, "attribute": r.attribute_name, "score": r.score} for r in ratings
        ],
    }


@transaction.atomic
def feedback_submit(
    *,
    actor: User,
    interview: Interview,
    rating: int,
    recommendation: str,
    notes: str = "",
    ratings: Sequence[AttributeRating] = (),
) -> Feedback:
    """Record the actor's scorecard for an interview they sat on, once it has started.

    The rating (1–5), recommendation and notes arrive checked for shape (the API input). When
    the interview belongs to a plan round whose scorecard has attributes, ``ratings`` holds one
    score (1–4) for each of them, and no other; the overall ``rating`` stays the interviewer's
    own summary, not derived from them. Raises Forbidden unless the actor is one of the
    interviewers, IllegalInterviewTransition for a cancelled, no-show or future interview,
    InvalidFeedback for missing, unknown, repeated or out-of-range attribute ratings (details
    ``ratings.missing`` / ``unknown`` / ``repeated`` / ``out_of_range``: attribute ids), and
    FeedbackAlreadySubmitted on a second scorecard from the same interviewer. Nothing is
    written on any error. Published to the hiring team only.
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
    attributes = round_attributes(round_id=interview.round_id)
    _check_ratings(attributes, ratings)
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
    by_id = {r.attribute_id: r for r in ratings}
    rows = FeedbackRating.objects.bulk_create(
        FeedbackRating(
            feedback=feedback,
            attribute=attribute,
            attribute_name=attribute.name,
            position=position,
            score=by_id[attribute.pk].score,
            note=by_id[attribute.pk].note.strip(),
        )
        for position, attribute in enumerate(attributes)
    )
    record(
        catalogue.FEEDBACK_SUBMITTED,
        data=feedback_event_data(feedback, interview, rows),
        audiences=[group_for_organization(interview.application.job.organization_id)],
    )
    return feedback


MAX_ROUNDS = 20
MAX_ROUND_NAME = 80
MAX_ATTRIBUTES = 12
MAX_ATTRIBUTE_DESCRIPTION = 300


@dataclass(frozen=True)
class AttributeSpec:
    """One attribute of a round's scorecard as the plan states it."""

    name: str
    description: str = ""


@dataclass(frozen=True)
class RoundSpec:
    """One round of a plan: its ``name``; ``id`` of an existing round of the job to rename it
    (without, a round of the same name is kept); ``attributes`` its scorecard in order (None
    keeps the round's current attributes)."""

    name: str
    id: int | None = None
    attributes: Sequence[AttributeSpec] | None = field(default=None)


def _plan_problems(specs: list[RoundSpec], existing: dict[int, InterviewRound]) -> list[str]:
    problems = []
    if len(specs) > MAX_ROUNDS:
        problems.append(f"At most {MAX_ROUNDS} rounds.")
    if any(not spec.name or len(spec.name) > MAX_ROUND_NAME for spec in specs):
        problems.append(f"Each round needs a name of 1 to {MAX_ROUND_NAME} characters.")
    if len({spec.name.casefold() for spec in specs}) != len(specs):
        problems.append("Each round needs its own name.")
    ids = [spec.id for spec in specs if spec.id is not None]
    if any(pk not in existing for pk in ids) or len(set(ids)) != len(ids):
        problems.append("A round's id must be one of this job's rounds, given once.")
    for spec in specs:
        if spec.attributes is None:
            continue
        label = spec.name or "(unnamed)"
        if len(spec.attributes) > MAX_ATTRIBUTES:
            problems.append(f"{label}: at most {MAX_ATTRIBUTES} scorecard attributes.")
        if any(not a.name or len(a.name) > MAX_ROUND_NAME for a in spec.attributes):
            problems.append(f"{label}: each attribute needs a name of 1 to {MAX_ROUND_NAME} characters.")
        if any(len(a.description) > MAX_ATTRIBUTE_DESCRIPTION for a in spec.attributes):
            problems.append(f"{label}: a description has at most {MAX_ATTRIBUTE_DESCRIPTION} characters.")
        if len({a.name.casefold() for a in spec.attributes}) != len(spec.attributes):
            problems.append(f"{label}: each attribute needs its own name.")
    return problems


def _set_attributes(plan_round: InterviewRound, wanted: Sequence[AttributeSpec]) -> None:
    existing = {a.name.casefold(): a for a in RoundAttribute.objects.filter(round=plan_round)}
    keep = {a.name.casefold() for a in wanted}
    # A dropped attribute's ratings stay, under the name they were given (attribute set null).
    RoundAttribute.objects.filter(pk__in=[a.pk for key, a in existing.items() if key not in keep]).delete()
    rows = []
    for position, spec in enumerate(wanted):
        row = existing.get(spec.name.casefold()) or RoundAttribute(round=plan_round)
        row.name, row.description, row.position = spec.name, spec.description, position
        rows.append(row)
    RoundAttribute.objects.bulk_update([r for r in rows if r.pk], ["name", "description", "position"])
    RoundAttribute.objects.bulk_create([r for r in rows if not r.pk])


@transaction.atomic
def interview_plan_set(*, actor: User, job: Job, rounds: Sequence[RoundSpec | str]) -> list[InterviewRound]:
    """Make ``rounds`` (in order) the job's interview plan with their scorecards, for the job's
    hiring team. A bare name is ``RoundSpec(name)``.

    A round given by ``id`` is renamed in place; one without keeps the row of the same name
    (compared without case); either way its interviews stay attached. A round left out is
    removed: its interviews keep no round (feedback already given keeps its ratings, and
    feedback still to give needs none). A round's ``attributes`` replace its scorecard (kept by
    name; a dropped attribute's ratings keep its name). Raises Forbidden outside the hiring
    team and ValidationFailed (``details.rounds``, nothing changed) for blank, too long or
    repeated names of rounds or attributes, an id that is not one of the job's rounds, more
    than ``MAX_ROUNDS`` rounds or ``MAX_ATTRIBUTES`` attributes in a round, or a description
    over ``MAX_ATTRIBUTE_DESCRIPTION`` characters.
    """
    _require_team(actor, job)
    specs = [
        RoundSpec(
            name=spec.name.strip(),
            id=spec.id,
            attributes=None
            if spec.attributes is None
            else [AttributeSpec(a.name.strip(), a.description.strip()) for a in spec.attributes],
        )
        for spec in (RoundSpec(name=item) if isinstance(item, str) else item for item in rounds)
    ]
    current = list(InterviewRound.objects.select_for_update().filter(job_id=job.pk))
    by_id = {r.pk: r for r in current}
    problems = _plan_problems(specs, by_id)
    if problems:
        raise ValidationFailed(details={"rounds": problems})
    by_name = {r.name.casefold(): r for r in current}
    claimed = {spec.id for spec in specs if spec.id is not None}
    chosen: list[InterviewRound | None] = []
    for spec in specs:
        row = by_id[spec.id] if spec.id is not None else by_name.get(spec.name.casefold())
        # A row claimed by id elsewhere in the plan is not also kept by its old name.
        chosen.append(row if row is not None and (spec.id is not None or row.pk not in claimed) else None)
    kept = {row.pk for row in chosen if row is not None}
    InterviewRound.objects.filter(pk__in=[r.pk for r in current if r.pk not in kept]).delete()
    # Renames may swap names between rows; clear them first so the per-job unique name holds
    # after each statement.
    InterviewRound.objects.filter(pk__in=sorted(kept)).update(name=Concat(Value("#"), Cast("id", CharField())))
    result = []
    for position, (spec, existing_row) in enumerate(zip(specs, chosen, strict=True)):
        row = existing_row or InterviewRound(job_id=job.pk)
        row.name, row.position = spec.name, position
        result.append(row)
    InterviewRound.objects.bulk_update([r for r in result if r.pk], ["name", "position"])
    InterviewRound.objects.bulk_create([r for r in result if not r.pk])
    for spec, row in zip(specs, result, strict=True):
        if spec.attributes is not None:
            _set_attributes(row, spec.attributes)
    return result


def interviews_personal_data_erase(*, candidate_id: int) -> dict[str, int]:
    """Erase what the person's interviews hold about them, keeping when, what kind and how they
    ended (the figures): the panel's written feedback and cancellation reasons go (the
    recommendations stay, with no text). No access check (privacy/services.py decides)."""
    interviews = Interview.objects.filter(application__candidate_id=candidate_id)
    return {
        "interviews": interviews.count(),
        "feedback_notes": Feedback.objects.filter(interview__in=interviews).exclude(notes="").update(notes=""),
        "rating_notes": FeedbackRating.objects.filter(feedback__interview__in=interviews)
        .exclude(note="")
        .update(note=""),
        "cancel_reasons": interviews.exclude(cancel_reason="").update(cancel_reason=""),
    }
