"""Pipeline figures per organization, computed from applications and their history."""

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from applications.choices import ApplicationStage
from applications.models import Application
from hotgigs.accounts.selectors import Actor, actor_is_staff, actor_organization_ids
from jobs.choices import JobStatus
from jobs.models import Job


@dataclass(frozen=True)
class PipelineSummary:
    """Open jobs and applications per stage for the organizations in scope."""

    open_jobs: int
    applications_by_stage: dict[str, int]


def _scoped(qs: QuerySet[Job] | QuerySet[Application], actor: Actor, field: str) -> QuerySet:  # type: ignore[type-arg]
    if actor_is_staff(actor):
        return qs
    return qs.filter(**{f"{field}__in": actor_organization_ids(actor)})


def pipeline_summary(*, actor: Actor) -> PipelineSummary:
    """Counts for the actor's organizations (every organization for staff; none for candidates)."""
    open_jobs = _scoped(Job.objects.filter(status=JobStatus.OPEN), actor, "organization_id").count()
    rows = _scoped(Application.objects.all(), actor, "job__organization_id").values("stage").annotate(n=Count("id"))
    by_stage = dict.fromkeys(ApplicationStage.values, 0)
    by_stage.update({row["stage"]: row["n"] for row in rows})
    return PipelineSummary(open_jobs=open_jobs, applications_by_stage=by_stage)
