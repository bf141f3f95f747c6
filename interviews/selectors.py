"""Reads of interviews and feedback, scoped by the access policy (hotgigs/accounts/policies.py).

Candidates see their own interviews but never the internal feedback; recruiters see the
interviews of their organization's applications; staff see all.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from statistics import fmean
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Greatest

from applications.selectors import application_visible_filter
from hotgigs.accounts import policies
from hotgigs.accounts.models import User
from hotgigs.accounts.policies import Actor
from interviews.choices import InterviewStatus, Recommendation
from interviews.errors import InterviewNotFound
from interviews.models import Feedback, FeedbackRating, Interview, InterviewRound, RoundAttribute

if TYPE_CHECKING:
    from applications.models import Application


def interview_list(*, actor: Actor) -> QuerySet[Interview]:
    """Interviews the actor may see, with application, job and interviewers loaded."""
    visible = application_visible_filter(actor=actor, prefix="application__")
    qs = Interview.objects.select_related(
        "application", "application__job", "application__job__organization", "application__candidate", "round"
    ).prefetch_related(Prefetch("interviewers", queryset=User.objects.order_by("email")))
    return qs.none() if visible is None else qs.filter(visible)


def interview_get(*, actor: Actor, interview_id: int) -> Interview:
    """One visible interview; raises InterviewNotFound otherwise."""
    try:
        return interview_list(actor=actor).get(pk=interview_id)
    except (Interview.DoesNotExist, ValueError, TypeError):
        raise InterviewNotFound() from None


def actor_may_read_feedback(*, actor: Actor, interview: Interview) -> bool:
    """Feedback is for the hiring team only: staff, the organization's full seats, the job's
    hiring manager seat; an interviewer seat reads its own (see :func:`feedback_list`)."""
    job = interview.application.job
    return policies.may_interview(
        actor, organization_id=job.organization_id, job_id=job.pk, application_id=interview.application_id
    )


# Interviews whose panel still owes feedback: a cancelled or no-show one takes none.
FEEDBACK_OPEN_STATUSES = (InterviewStatus.SCHEDULED, InterviewStatus.COMPLETED)


def feedback_withheld_application_ids(*, actor: Actor, application_ids: Iterable[int] | None) -> set[int]:
    """The applications among ``application_ids`` (None: any) on whose interviews the actor may
    read only their own feedback (``policies.may_read_panel_feedback``: on the panel, none
    submitted yet). Two queries whatever the number of applications."""
    ids = None if application_ids is None else sorted(set(application_ids))
    if ids == [] or not actor.is_authenticated:
        return set()
    panels = Interview.objects.filter(interviewers=actor.pk, status__in=FEEDBACK_OPEN_STATUSES)
    if ids is not None:
        panels = panels.filter(application_id__in=ids)
    on_panel = set(panels.values_list("application_id", flat=True))
    if not on_panel:
        return set()
    authored = set(
        Feedback.objects.filter(interview__application_id__in=sorted(on_panel), interviewer=actor.pk).values_list(
            "interview__application_id", flat=True
        )
    )
    return {
        application_id
        for application_id in on_panel
        if not policies.may_read_panel_feedback(
            actor, panel_ids=[actor.pk], author_ids=[actor.pk] if application_id in authored else []
        )
    }


def _readable(actor: Actor, feedback: QuerySet[Feedback], application_ids: Iterable[int] | None) -> QuerySet[Feedback]:
    withheld = feedback_withheld_application_ids(actor=actor, application_ids=application_ids)
    if not withheld:
        return feedback
    return feedback.exclude(Q(interview__application_id__in=sorted(withheld)) & ~Q(interviewer=actor.pk))


def _with_ratings(feedback: QuerySet[Feedback]) -> QuerySet[Feedback]:
    return feedback.select_related("interviewer").prefetch_related(
        Prefetch("ratings", queryset=FeedbackRating.objects.order_by("position", "id"))
    )


def feedback_readable(*, actor: Actor, feedback: QuerySet[Feedback]) -> QuerySet[Feedback]:
    """``feedback`` (already scoped to the actor's organizations) without the rows the actor
    may not read yet: others' feedback on applications whose panel they sit on and have not
    submitted for (for the interview admin's inline, which knows no application)."""
    return _readable(actor, feedback, None)


def feedback_list(*, actor: Actor, interview: Interview) -> QuerySet[Feedback]:
    """The interview's scorecards with their ratings; empty for anyone outside the hiring team,
    and only the actor's own while they sit on the application's panel without having
    submitted any (``feedback_withheld_application_ids``)."""
    if not actor_may_read_feedback(actor=actor, interview=interview):
        return Feedback.objects.none()
    rows = _readable(actor, interview.feedback.all(), [interview.application_id])
    job = interview.application.job
    if not policies.may_manage_job(actor, organization_id=job.organization_id, job_id=job.pk):
        # An interviewer seat reads its own scorecards only.
        rows = rows.filter(interviewer_id=actor.pk)
    return _with_ratings(rows).order_by("submitted_at", "id")


def application_feedback_list(*, actor: Actor, application: "Application") -> QuerySet[Feedback]:
    """Every scorecard on the application's interviews the actor may read (as ``feedback_list``),
    oldest first, with the interview's round and the ratings loaded. The caller has settled that
    the actor sees the application; outside the hiring team it is empty."""
    job = application.job
    if not policies.may_interview(
        actor, organization_id=job.organization_id, job_id=job.pk, application_id=application.pk
    ):
        return Feedback.objects.none()
    rows = _readable(actor, Feedback.objects.filter(interview__application_id=application.pk), [application.pk])
    if not policies.may_manage_job(actor, organization_id=job.organization_id, job_id=job.pk):
        rows = rows.filter(interviewer_id=actor.pk)
    return _with_ratings(rows.select_related("interview__round")).order_by("submitted_at", "id")


@dataclass
class AttributeSummary:
    """One attribute of one round: each interviewer's score and their mean."""

    round_id: int | None
    round_name: str
    name: str
    scores: list[dict[str, Any]] = field(default_factory=list)  # {"interviewer": User, "score", "note"}

    @property
    def mean(self) -> float | None:
        return round(fmean(s["score"] for s in self.scores), 2) if self.scores else None


@dataclass
class ScorecardSummary:
    """What the readable scorecards of one application add up to (``scorecard_summary``)."""

    feedback_count: int
    withheld: bool
    recommendations: dict[str, int]
    rating_mean: float | None
    attributes: list[AttributeSummary]


def scorecard_summary(*, actor: Actor, application: "Application", feedback: Iterable[Feedback]) -> ScorecardSummary:
    """Per round attribute, each interviewer's score and the mean; the recommendations tallied;
    the mean overall rating (1–5). Over ``feedback``, the rows of ``application_feedback_list``
    (so an interviewer who has not submitted yet sees only their own). ``withheld`` says that
    others' feedback is hidden from the actor for now."""
    rows = list(feedback)
    tally = dict.fromkeys(Recommendation.values, 0)
    by_attribute: dict[tuple[int, int, str], AttributeSummary] = {}
    for item in rows:
        tally[item.recommendation] += 1
        plan_round = item.interview.round
        for rating in item.ratings.all():
            key = (plan_round.position if plan_round else 1 << 16, plan_round.pk if plan_round else 0,
                   rating.attribute_name.casefold())  # fmt: skip
            entry = by_attribute.get(key)
            if entry is None:
                entry = by_attribute[key] = AttributeSummary(
                    round_id=plan_round.pk if plan_round else None,
                    round_name=plan_round.name if plan_round else "",
                    name=rating.attribute_name,
                )
            entry.scores.append({"interviewer": item.interviewer, "score": rating.score, "note": rating.note})
    ordered = [by_attribute[key] for key in sorted(by_attribute, key=lambda k: (k[0], k[1]))]
    return ScorecardSummary(
        feedback_count=len(rows),
        withheld=bool(feedback_withheld_application_ids(actor=actor, application_ids=[application.pk])),
        recommendations=tally,
        rating_mean=round(fmean(item.rating for item in rows), 2) if rows else None,
        attributes=ordered,
    )


def interview_panels_of_user(user_id: int) -> dict[int, tuple[int, int]]:
    """``{application id: (organization id, job id)}`` of the interviews the user sits on; the
    policy's source of panel reach (registered in ``InterviewsConfig.ready``)."""
    return {
        application_id: (organization_id, job_id)
        for application_id, organization_id, job_id in Interview.objects.filter(interviewers=user_id)
        .order_by()
        .values_list("application_id", "application__job__organization_id", "application__job_id")
    }


def interview_report_list(*, organization_ids: frozenset[int] | None) -> QuerySet[Interview]:
    """The interviews of these organizations' applications (None: every organization).

    For figures whose scope the caller has already settled from its actor (analytics).
    """
    interviews = Interview.objects.all()
    if organization_ids is None:
        return interviews
    return interviews.filter(application__job__organization_id__in=sorted(organization_ids))


def with_next_interview(applications: "QuerySet[Application]", *, now: datetime) -> "QuerySet[Application]":
    """The applications annotated with ``next_interview_at``: the start of their first
    scheduled interview from ``now`` on, or None. A correlated subquery, so a list of any
    length stays one query (the pipeline board)."""
    upcoming = Interview.objects.filter(
        application_id=OuterRef("pk"), status=InterviewStatus.SCHEDULED, starts_at__gte=now
    ).order_by("starts_at", "id")
    return applications.annotate(next_interview_at=Subquery(upcoming.values("starts_at")[:1]))


def overlapping(
    interviews: QuerySet[Interview], *, interviewer_ids: list[int], starts_at: datetime, ends_at: datetime
) -> QuerySet[Interview]:
    """The scheduled ``interviews`` of any of ``interviewer_ids`` that overlap ``[starts_at, ends_at)``.

    The one statement of the clash rule: the scheduling services refuse a booking on it, and
    the back office names the clashing interviews with it (on the rows the user may see).
    """
    return interviews.filter(
        status=InterviewStatus.SCHEDULED,
        interviewers__in=interviewer_ids,
        starts_at__lt=ends_at,
        ends_at__gt=starts_at,
    )


def interview_booking_list(*, application_ids: list[int]) -> QuerySet[Interview]:
    """The interviews of these applications (whose visibility the caller has settled), with who
    booked them and the job loaded: for a timeline."""
    return Interview.objects.filter(application_id__in=application_ids).select_related(
        "scheduled_by", "application__job"
    )


def feedback_of_applications(*, actor: Actor, application_ids: list[int]) -> QuerySet[Feedback]:
    """The scorecards on these applications' interviews that the actor may read (the caller has
    settled that the actor is of the hiring team; an interviewer who has not submitted on an
    application reads only their own there), with the interviewer and the job loaded: for a
    timeline."""
    rows = _readable(actor, Feedback.objects.filter(interview__application_id__in=application_ids), application_ids)
    return rows.select_related("interviewer", "interview__application__job")


def interview_plan(*, job_id: int) -> QuerySet[InterviewRound]:
    """The rounds of a job's interview plan, in order, each with its scorecard's attributes in
    order (``attributes``) (the caller has checked the job is theirs)."""
    return (
        InterviewRound.objects.filter(job_id=job_id)
        .prefetch_related(Prefetch("attributes", queryset=RoundAttribute.objects.order_by("position", "id")))
        .order_by("position", "id")
    )


def round_interview_counts(*, job_id: int) -> dict[int, int]:
    """How many interviews each round of the job's plan holds (rounds without any are absent)."""
    rows = (
        Interview.objects.filter(round__job_id=job_id)
        .order_by()
        .values_list("round_id")
        .annotate(n=Count("id"))
        .values_list("round_id", "n")
    )
    return dict(rows)


def round_attributes(*, round_id: int | None) -> list[RoundAttribute]:
    """The scorecard attributes of one plan round, in order (none without a round)."""
    if round_id is None:
        return []
    return list(RoundAttribute.objects.filter(round_id=round_id).order_by("position", "id"))


def interviews_personal_data(*, candidate_id: int) -> list[dict[str, Any]]:
    """The person's interviews as JSON-ready data, whoever asks (privacy's export decides who may):
    when, what kind, where, their status. Never the panel's feedback or who sat on it."""
    rows = (
        Interview.objects.filter(application__candidate_id=candidate_id)
        .order_by("starts_at", "id")
        .values("id", "application_id", "kind", "status", "starts_at", "ends_at", "timezone", "location")
    )
    return [dict(row) for row in rows]


def interviews_last_activity(*, candidate_ids: Iterable[int]) -> dict[int, datetime]:
    """Per profile among ``candidate_ids``, the latest of its interviews' bookings, changes and
    times (an interview still ahead counts as activity until it is over) and of the feedback
    given on them; whoever asks (retention, privacy.services, runs as the system)."""
    ids = list(candidate_ids)
    latest: dict[int, datetime] = {}
    interviews = (
        Interview.objects.filter(application__candidate_id__in=ids)
        .order_by()
        .values("application__candidate_id")
        .annotate(at=Max(Greatest("updated_at", "ends_at")))
        .values_list("application__candidate_id", "at")
    )
    feedback = (
        Feedback.objects.filter(interview__application__candidate_id__in=ids)
        .order_by()
        .values("interview__application__candidate_id")
        .annotate(at=Max("submitted_at"))
        .values_list("interview__application__candidate_id", "at")
    )
    for candidate_id, at in [*interviews, *feedback]:
        if at is not None and (candidate_id not in latest or at > latest[candidate_id]):
            latest[candidate_id] = at
    return latest
