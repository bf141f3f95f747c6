"""Reads of interviews and feedback, scoped by the access policy (hotgigs/accounts/policies.py).

Candidates see their own interviews but never the internal feedback; recruiters see the
interviews of their organization's applications; staff see all.
"""

from datetime import datetime
from typing import TYPE_CHECKING

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
    """Feedback is for the hiring team only: staff, the organization's full seats, the job's
    hiring manager seat; an interviewer seat reads its own (see :func:`feedback_list`)."""
    job = interview.application.job
    return policies.may_interview(
        actor, organization_id=job.organization_id, job_id=job.pk, application_id=interview.application_id
    )


def feedback_list(*, actor: Actor, interview: Interview) -> QuerySet[Feedback]:
    """The interview's scorecards; empty for anyone outside the hiring team, the actor's own
    only for an interviewer seat."""
    if not actor_may_read_feedback(actor=actor, interview=interview):
        return Feedback.objects.none()
    feedback = interview.feedback.select_related("interviewer").order_by("submitted_at", "id")
    job = interview.application.job
    if not policies.may_manage_job(actor, organization_id=job.organization_id, job_id=job.pk):
        feedback = feedback.filter(interviewer_id=actor.pk)
    return feedback


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


def feedback_of_applications(*, application_ids: list[int]) -> QuerySet[Feedback]:
    """The scorecards on these applications' interviews (the caller has settled that the actor
    is of the hiring team), with the interviewer and the job loaded: for a timeline."""
    return Feedback.objects.filter(interview__application_id__in=application_ids).select_related(
        "interviewer", "interview__application__job"
    )


def interview_plan(*, job_id: int) -> QuerySet[InterviewRound]:
    """The rounds of a job's interview plan, in order (the caller has checked the job is theirs)."""
    return InterviewRound.objects.filter(job_id=job_id).order_by("position", "id")
