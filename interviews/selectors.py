"""Reads of interviews and feedback, scoped by the access policy (hotgigs/accounts/policies.py).

Candidates see their own interviews but never the internal feedback; recruiters see the
interviews of their organization's applications; staff see all.
"""

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from applications.selectors import application_visible_filter
from hotgigs.accounts import policies
from hotgigs.accounts.models import User
from hotgigs.accounts.policies import Actor
from interviews.choices import InterviewStatus
from interviews.errors import InterviewNotFound
from interviews.models import Feedback, Interview, InterviewRound

if TYPE_CHECKING:
    from applications.models import Application


def interview_list(*, actor: Actor) -> QuerySet[Interview]:
    """Interviews the actor may see, with application, job and interviewers loaded."""
    visible = application_visible_filter(actor=actor, prefix="application__")
    qs = Interview.objects.select_related(
        "application", "application__job", "application__job__organization", "application__candidate"
    ).prefetch_related(Prefetch("interviewers", queryset=User.objects.order_by("email")))
    return qs.none() if visible is None else qs.filter(visible)


def interview_get(*, actor: Actor, interview_id: int) -> Interview:
    """One visible interview; raises InterviewNotFound otherwise."""
    try:
        return interview_list(actor=actor).get(pk=interview_id)
    except (Interview.DoesNotExist, ValueError, TypeError):
        raise InterviewNotFound() from None


def actor_may_read_feedback(*, actor: Actor, interview: Interview) -> bool:
    """Feedback is for the hiring team only: staff and members of the job's organization."""
    return policies.may_manage_organization(actor, interview.application.job.organization_id)


def feedback_list(*, actor: Actor, interview: Interview) -> QuerySet[Feedback]:
    """The interview's scorecards; empty for anyone outside the hiring team."""
    if not actor_may_read_feedback(actor=actor, interview=interview):
        return Feedback.objects.none()
    return interview.feedback.select_related("interviewer").order_by("submitted_at", "id")


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


def feedback_of_applications(*, application_ids: list[int]) -> QuerySet[Feedback]:
    """The scorecards on these applications' interviews (the caller has settled that the actor
    is of the hiring team), with the interviewer and the job loaded: for a timeline."""
    return Feedback.objects.filter(interview__application_id__in=application_ids).select_related(
        "interviewer", "interview__application__job"
    )


def interview_plan(*, job_id: int) -> QuerySet[InterviewRound]:
    """The rounds of a job's interview plan, in order (the caller has checked the job is theirs)."""
    return InterviewRound.objects.filter(job_id=job_id).order_by("position", "id")


def interviews_personal_data(*, candidate_id: int) -> list[dict[str, Any]]:
    """The person's interviews as JSON-ready data, whoever asks (privacy's export decides who may):
    when, what kind, where, their status. Never the panel's feedback or who sat on it."""
    rows = (
        Interview.objects.filter(application__candidate_id=candidate_id)
        .order_by("starts_at", "id")
        .values("id", "application_id", "kind", "status", "starts_at", "ends_at", "timezone", "location")
    )
    return [dict(row) for row in rows]
