"""Pipeline figures per organization.

:func:`analytics_report` (``GET /api/v1/analytics/report``) reads the daily snapshots
(``models.py``, written by ``services.analytics_snapshot``): a fixed handful of aggregate
queries over small tables, whatever the number of applications, and figures that erasing a
candidate does not change. :func:`analytics_summary` (``GET /api/v1/analytics``, kept for
its clients) computes its figures from applications and their history on every read.

Every figure of the summary is an aggregate computed by the database: the number of queries is fixed
whatever the number of applications, and no row-by-row work happens in Python except
over the hires (for the median time to hire, which SQLite cannot compute).
"""

import json
import math
import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction
from itertools import pairwise
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from analytics.errors import AnalyticsJobNotFound, AnalyticsScopeNotFound
from analytics.models import FirstHireFact, HireDayTotal, HireFact, StageDayFact, StageDayTotal
from applications.choices import ACTIVE_STAGES, ApplicationSource, ApplicationStage
from applications.selectors import application_report_list, rejections_by_reason, stage_change_report_list
from hotgigs.accounts import policies
from hotgigs.accounts.models import Organization
from hotgigs.accounts.policies import Actor
from hotgigs.errors import Forbidden
from interviews.choices import InterviewStatus
from interviews.selectors import interview_report_list
from jobs.selectors import job_open_count, job_report_list

# The forward path through the pipeline; conversion is measured between neighbours.
FUNNEL: tuple[str, ...] = (
    ApplicationStage.APPLIED,
    ApplicationStage.SCREENING,
    ApplicationStage.INTERVIEW,
    ApplicationStage.OFFER,
    ApplicationStage.HIRED,
)
UPCOMING_WINDOW = timedelta(days=7)
UPCOMING_SHOWN = 5
SECONDS_PER_DAY = 86_400


@dataclass(frozen=True)
class PipelineSummary:
    """Open jobs and applications per stage for the organizations in scope."""

    open_jobs: int
    applications_by_stage: dict[str, int]


@dataclass(frozen=True)
class StageConversion:
    """Of the applications that ever entered ``from_stage``, how many went on to ``to_stage``.

    ``rate`` is ``advanced / entered`` (rounded to 4 places), or None when none entered.
    """

    from_stage: str
    to_stage: str
    entered: int
    advanced: int
    rate: float | None


@dataclass(frozen=True)
class TimeToHire:
    """Days from submission (the first history row) to the move to ``hired``, over all hires."""

    hires: int
    mean_days: float | None
    median_days: float | None


@dataclass(frozen=True)
class UpcomingInterview:
    id: int
    application_id: int
    job_id: int
    job_title: str
    kind: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class UpcomingInterviews:
    """Scheduled interviews starting within ``window_days`` from now, and the first few of them."""

    window_days: int
    count: int
    next: tuple[UpcomingInterview, ...]


@dataclass(frozen=True)
class RejectionCount:
    """How many rejections named one reason code (None: rejections from before reasons)."""

    code: str | None
    label: str
    count: int


@dataclass(frozen=True)
class AnalyticsSummary:
    """All figures of the analytics endpoint for one scope.

    ``organization_ids`` is None when the scope is every organization (staff only).
    ``avg_time_in_stage_seconds`` covers the active stages and only the time of
    applications that have left the stage (an open stay has no length yet); None when no
    application has left it.
    """

    organization_ids: tuple[int, ...] | None
    generated_at: datetime
    open_jobs: int
    applications_by_stage: dict[str, int]
    applications_by_source: dict[str, int]
    conversion: tuple[StageConversion, ...]
    avg_time_in_stage_seconds: dict[str, float | None]
    time_to_hire: TimeToHire
    upcoming_interviews: UpcomingInterviews
    rejections_by_reason: tuple[RejectionCount, ...] = ()


def pipeline_summary(*, actor: Actor) -> PipelineSummary:
    """Counts for the actor's organizations (every organization for staff; none for candidates)."""
    scope = None if policies.sees_every_organization(actor) else policies.organization_ids(actor)
    open_jobs = job_open_count(organization_ids=scope)
    rows = application_report_list(organization_ids=scope).values("stage").annotate(n=Count("id"))
    by_stage = dict.fromkeys(ApplicationStage.values, 0)
    by_stage.update({row["stage"]: row["n"] for row in rows})
    return PipelineSummary(open_jobs=open_jobs, applications_by_stage=by_stage)


def analytics_scope(*, actor: Actor, organization_id: int | None = None) -> frozenset[int] | None:
    """The organization ids the actor's figures cover; None means every organization.

    A member gets their organizations, or the one they name; staff get everything, or the
    one they name. Naming an organization the actor does not belong to (or, for staff, one
    that does not exist) raises AnalyticsScopeNotFound. A limited seat (hiring manager,
    interviewer) gets Forbidden: analytics are the full seats'. Anyone else gets an empty scope.
    """
    if not policies.may_read_analytics(actor) and policies.has_limited_seat(actor):
        raise Forbidden("Analytics are for the organization's recruiters.")
    if policies.sees_every_organization(actor):
        if organization_id is None:
            return None
        if not Organization.objects.filter(pk=organization_id).exists():
            raise AnalyticsScopeNotFound()
        return frozenset({organization_id})
    own = policies.organization_ids(actor)
    if organization_id is None:
        return own
    if organization_id not in own:
        raise AnalyticsScopeNotFound()
    return frozenset({organization_id})


def _counts(scope: frozenset[int] | None) -> tuple[dict[str, int], dict[str, int]]:
    by_stage = dict.fromkeys(ApplicationStage.values, 0)
    by_source = dict.fromkeys(ApplicationSource.values, 0)
    rows = application_report_list(organization_ids=scope).values("stage", "source")
    for row in rows.annotate(n=Count("id")).order_by():
        by_stage[row["stage"]] = by_stage.get(row["stage"], 0) + row["n"]
        by_source[row["source"]] = by_source.get(row["source"], 0) + row["n"]
    return by_stage, by_source


def _conversion(scope: frozenset[int] | None) -> tuple[StageConversion, ...]:
    changes = stage_change_report_list(organization_ids=scope).filter(to_stage__in=FUNNEL)
    reached = dict.fromkeys(FUNNEL, 0)
    rows = changes.values("to_stage").annotate(n=Count("application_id", distinct=True)).order_by()
    reached.update({row["to_stage"]: row["n"] for row in rows})
    result = []
    for from_stage, to_stage in pairwise(FUNNEL):
        entered, advanced = reached[from_stage], reached[to_stage]
        rate = round(advanced / entered, 4) if entered else None
        result.append(StageConversion(from_stage, to_stage, entered, advanced, rate))
    return tuple(result)


def _avg_time_in_stage(scope: frozenset[int] | None) -> dict[str, float | None]:
    # The stay that a change opens ends at the application's next change (ties broken by id,
    # as in the history's own order).
    next_change = stage_change_report_list(organization_ids=None).filter(application_id=OuterRef("application_id"))
    next_change = next_change.filter(
        Q(changed_at__gt=OuterRef("changed_at")) | Q(changed_at=OuterRef("changed_at"), pk__gt=OuterRef("pk"))
    )
    left_at = Subquery(next_change.order_by("changed_at", "pk").values("changed_at")[:1])
    stays = (
        stage_change_report_list(organization_ids=scope)
        .filter(to_stage__in=ACTIVE_STAGES)
        .annotate(left_at=left_at)
        .filter(left_at__isnull=False)
    )
    rows = (
        stays.values("to_stage")
        .annotate(avg=Avg(ExpressionWrapper(F("left_at") - F("changed_at"), output_field=DurationField())))
        .order_by()
    )
    result: dict[str, float | None] = {str(stage): None for stage in ACTIVE_STAGES}
    for row in rows:
        avg: timedelta | None = row["avg"]
        result[row["to_stage"]] = None if avg is None else round(avg.total_seconds(), 1)
    return result


def _time_to_hire(scope: frozenset[int] | None) -> TimeToHire:
    hires = application_report_list(organization_ids=scope).filter(stage=ApplicationStage.HIRED)
    pairs = hires.annotate(
        submitted_at=Min("stage_changes__changed_at"),
        hired_at=Max("stage_changes__changed_at", filter=Q(stage_changes__to_stage=ApplicationStage.HIRED)),
    ).values_list("submitted_at", "hired_at")
    days = [(hired - submitted).total_seconds() / SECONDS_PER_DAY for submitted, hired in pairs if submitted and hired]
    if not days:
        return TimeToHire(hires=0, mean_days=None, median_days=None)
    return TimeToHire(
        hires=len(days), mean_days=round(statistics.fmean(days), 2), median_days=round(statistics.median(days), 2)
    )


def _upcoming(scope: frozenset[int] | None, now: datetime) -> UpcomingInterviews:
    interviews = interview_report_list(organization_ids=scope).filter(
        status=InterviewStatus.SCHEDULED, starts_at__gte=now, starts_at__lt=now + UPCOMING_WINDOW
    )
    first = interviews.select_related("application__job").order_by("starts_at", "id")[:UPCOMING_SHOWN]
    return UpcomingInterviews(
        window_days=UPCOMING_WINDOW.days,
        count=interviews.count(),
        next=tuple(
            UpcomingInterview(
                id=row.pk,
                application_id=row.application_id,
                job_id=row.application.job_id,
                job_title=row.application.job.title,
                kind=row.kind,
                starts_at=row.starts_at,
                ends_at=row.ends_at,
            )
            for row in first
        ),
    )


def analytics_summary(
    *, actor: Actor, organization_id: int | None = None, now: datetime | None = None
) -> AnalyticsSummary:
    """Every figure of the analytics endpoint for the actor's scope (see :func:`analytics_scope`).

    Raises AnalyticsScopeNotFound for an organization outside the actor's reach. Runs a
    fixed number of queries (eight, or fewer for an empty scope).
    """
    now = now or timezone.now()
    scope = analytics_scope(actor=actor, organization_id=organization_id)
    open_jobs = job_open_count(organization_ids=scope)
    by_stage, by_source = _counts(scope)
    return AnalyticsSummary(
        organization_ids=None if scope is None else tuple(sorted(scope)),
        generated_at=now,
        open_jobs=open_jobs,
        applications_by_stage=by_stage,
        applications_by_source=by_source,
        conversion=_conversion(scope),
        avg_time_in_stage_seconds=_avg_time_in_stage(scope),
        time_to_hire=_time_to_hire(scope),
        upcoming_interviews=_upcoming(scope, now),
        rejections_by_reason=tuple(RejectionCount(**row) for row in rejections_by_reason(organization_ids=scope)),
    )


@dataclass(frozen=True)
class RecruitingDashboard:
    """The back office's dashboard: the analytics figures plus the two the dashboard adds.

    ``applications_recent`` counts applications created in ``[recent_since, recent_until)``;
    ``hires_by_source`` counts hired applications per source (source of hire), where
    ``summary.applications_by_source`` counts every application.
    """

    summary: AnalyticsSummary
    recent_since: datetime
    recent_until: datetime
    applications_recent: int
    hires_by_source: dict[str, int]


def recruiting_dashboard(
    *, actor: Actor, recent_since: datetime, recent_until: datetime, now: datetime | None = None
) -> RecruitingDashboard:
    """The dashboard's figures for the actor's scope (staff: every organization).

    The window of "recent" applications is the caller's, so that the figure and the link to
    the filtered list it sits behind use the same bounds. Runs two queries more than
    :func:`analytics_summary`, whatever the number of applications.
    """
    summary = analytics_summary(actor=actor, now=now)
    scope = None if summary.organization_ids is None else frozenset(summary.organization_ids)
    applications = application_report_list(organization_ids=scope)
    recent = applications.filter(created_at__gte=recent_since, created_at__lt=recent_until).count()
    hires = dict.fromkeys(ApplicationSource.values, 0)
    rows = applications.filter(stage=ApplicationStage.HIRED).values("source").annotate(n=Count("id")).order_by()
    hires.update({row["source"]: row["n"] for row in rows})
    return RecruitingDashboard(
        summary=summary,
        recent_since=recent_since,
        recent_until=recent_until,
        applications_recent=recent,
        hires_by_source=hires,
    )


# --- analytics v2: figures from the daily snapshots ------------------------------------------


@dataclass(frozen=True)
class ReportFilters:
    """What the report covers: days ``date_from`` … ``date_to`` (inclusive, UTC) and, when
    given, one job, one department (``Job.department``, exact) and one recruiter (the user
    who created the job, ``Job.created_by``)."""

    date_from: date
    date_to: date
    job_id: int | None = None
    department: str | None = None
    recruiter_id: int | None = None


@dataclass(frozen=True)
class FunnelStep:
    """Conversion from ``from_stage`` to the next stage over the applications decided there.

    ``advanced`` / ``rejected`` / ``withdrawn``: applications that left ``from_stage`` in the
    range for ``to_stage`` / rejected / withdrawn (net of undone moves); ``decided`` their sum;
    ``rate`` is ``advanced / decided`` (4 places; None when nothing was decided).
    ``entered``: applications that entered ``from_stage`` in the range. ``in_progress``:
    applications in ``from_stage`` at the end of ``date_to`` (entered minus left, all time).
    """

    from_stage: str
    to_stage: str
    entered: int
    advanced: int
    rejected: int
    withdrawn: int
    decided: int
    rate: float | None
    in_progress: int


@dataclass(frozen=True)
class OfferAcceptance:
    """Offers decided in the range: ``accepted`` (hired), ``declined`` (the candidate withdrew
    at the offer stage), ``rescinded`` (rejected at the offer stage, the company's decision).

    ``rate`` is ``accepted / (accepted + declined)``: the candidates' answers only (None when
    there is none). The funnel's offer → hired step counts the rescinded offers too.
    """

    accepted: int
    declined: int
    rescinded: int
    rate: float | None


@dataclass(frozen=True)
class Durations:
    """Days, over ``count`` items: mean, median and 75th percentile (None when ``count`` is 0)."""

    count: int
    mean_days: float | None
    median_days: float | None
    p75_days: float | None


@dataclass(frozen=True)
class AnalyticsReport:
    """The snapshot figures for one scope and filters (see the fields' classes).

    ``applications``: submitted in the range; ``hires``: hired in the range (a hire undone
    later is not one); ``source_of_hire``: those hires per application source, every source
    listed; ``time_to_hire``: per hire in the range, submission → hire; ``time_to_fill``:
    per job whose first hire falls in the range, the job's opening → that first hire.
    """

    organization_ids: tuple[int, ...] | None
    generated_at: datetime
    filters: ReportFilters
    applications: int
    hires: int
    conversion: tuple[FunnelStep, ...]
    offer_acceptance: OfferAcceptance
    source_of_hire: dict[str, int]
    time_to_hire: Durations
    time_to_fill: Durations


class _Percentiles(Aggregate):
    """PostgreSQL's ``percentile_cont(ARRAY[fractions]) WITHIN GROUP (ORDER BY expression)``:
    the durations at each fraction, from one sort."""

    function = "percentile_cont"
    template = "%(function)s(ARRAY[%(fractions)s]::float8[]) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = ArrayField(DurationField())

    def __init__(self, expression: Any, fractions: tuple[float, ...]) -> None:
        super().__init__(expression, fractions=", ".join(repr(float(fraction)) for fraction in fractions))


def _days(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / SECONDS_PER_DAY, 2)


def _percentile(values: list[float], fraction: float) -> float:
    """Linear interpolation between the closest ranks (PostgreSQL's ``percentile_cont``)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def durations_of(days: list[float]) -> Durations:
    """Mean, median and 75th percentile of ``days`` (rounded to 2 places)."""
    if not days:
        return Durations(0, None, None, None)
    return Durations(
        count=len(days),
        mean_days=round(statistics.fmean(days), 2),
        median_days=round(_percentile(days, 0.5), 2),
        p75_days=round(_percentile(days, 0.75), 2),
    )


def _hires_report(hires: Any) -> tuple[dict[str, int], Durations]:
    """The hires per source (every source listed) and their times to hire, in one query."""
    by_source = dict.fromkeys(ApplicationSource.values, 0)
    if connection.vendor != "postgresql":
        by_source.update(dict(hires.values_list("source").annotate(n=Count("id")).values_list("source", "n")))
        pairs = hires.values_list("applied_at", "hired_at")
        days = [(hired - applied).total_seconds() / SECONDS_PER_DAY for applied, hired in pairs]
        return by_source, durations_of(days)
    length = ExpressionWrapper(F("hired_at") - F("applied_at"), output_field=DurationField())
    per_source = {f"source_{index}": Count("id", filter=Q(source=source)) for index, source in enumerate(by_source)}
    row = hires.aggregate(n=Count("id"), mean=Avg(length), cuts=_Percentiles(length, (0.5, 0.75)), **per_source)
    by_source = {source: row[f"source_{index}"] for index, source in enumerate(by_source)}
    median, p75 = row["cuts"] or (None, None)
    return by_source, Durations(row["n"], _days(row["mean"]), _days(median), _days(p75))


@dataclass(frozen=True)
class _HireSums:
    """The hires of a range of days from :class:`HireDayTotal`: how many, their times to hire
    summed (microseconds), per source, and per whole day of time to hire."""

    hires: int
    microseconds: int
    by_source: dict[str, int]
    by_days: dict[int, int]


def _json(value: Any) -> dict[str, int]:
    return json.loads(value) if isinstance(value, str) else value


def _hire_sums(owners: QuerySet[Any] | None, filters: ReportFilters) -> _HireSums:
    """The hires of the days of ``filters`` summed over ``owners`` (a query of organization ids
    as ``owner``): per organization, its last :class:`HireDayTotal` row up to ``date_to`` less
    its last before ``date_from``, two index probes whatever the days or the hires."""
    by_source = dict.fromkeys(ApplicationSource.values, 0)
    if owners is None:
        return _HireSums(0, 0, by_source, {})
    owners_sql, owners_params = owners.query.sql_with_params()
    table = HireDayTotal._meta.db_table
    last = f"SELECT p.id FROM {table} p WHERE p.organization_id = o.owner AND p.day {{}} %s"  # noqa: S608
    last += " ORDER BY p.day DESC LIMIT 1"
    sums = "running_hires, {0}.running_microseconds, {0}.running_by_source, {0}.running_by_days"
    sql = f"""
        SELECT t.{sums.format("t")}, b.{sums.format("b")}
        FROM (SELECT ({last.format("<=")}) AS to_id, ({last.format("<")}) AS before_id FROM ({owners_sql}) o) k
        JOIN {table} t ON t.id = k.to_id
        LEFT JOIN {table} b ON b.id = k.before_id
    """  # noqa: S608  (table and column names from the models, values as parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, [filters.date_to, filters.date_from, *owners_params])
        rows = cursor.fetchall()
    hires = microseconds = 0
    by_days: dict[int, int] = {}
    for to_hires, to_microseconds, to_sources, to_days, *before in rows:
        before_hires, before_microseconds, before_sources, before_days = before
        hires += to_hires - (before_hires or 0)
        microseconds += to_microseconds - (before_microseconds or 0)
        # Every source listed, and only those (as the per-source counts of the hires).
        to_by_source, before_by_source = _json(to_sources), _json(before_sources or {})
        for source in by_source:
            by_source[source] += to_by_source.get(source, 0) - before_by_source.get(source, 0)
        for whole_days, count in _json(to_days).items():
            by_days[int(whole_days)] = by_days.get(int(whole_days), 0) + count
        for whole_days, count in _json(before_days or {}).items():
            by_days[int(whole_days)] -= count
    return _HireSums(hires, microseconds, by_source, {key: count for key, count in by_days.items() if count})


def _time_to_hire_length() -> ExpressionWrapper:
    return ExpressionWrapper(F("hired_at") - F("applied_at"), output_field=DurationField())


def _percentile_sql(hires: Any, by_days: dict[int, int], count: int, fraction: float) -> tuple[str, list[Any]]:
    """The SQL of ``percentile_cont(fraction)`` of the times to hire of ``hires`` (``count`` of
    them, ``by_days`` their histogram by whole days), computed as PostgreSQL computes it (the
    rows at ``floor`` and ``ceil`` of ``fraction * (count - 1)`` in order, interpolated as
    intervals) but reading only the hires from the whole day where the first of them falls, in
    time-to-hire order from the ``analytics_hire_time_to_hire`` index, rather than sorting all."""
    position = fraction * (count - 1)
    low = math.floor(position)
    before = 0
    for whole_days in sorted(by_days):
        if before + by_days[whole_days] > low:
            break
        before += by_days[whole_days]
    lengths = (
        hires.annotate(length=_time_to_hire_length())
        .filter(length__gte=timedelta(days=whole_days))
        .order_by("length")
        .values("length")[low - before : low - before + 2]
    )
    lengths_sql, params = lengths.query.sql_with_params()
    sql = f"SELECT MIN(x.length) + (MAX(x.length) - MIN(x.length)) * %s FROM ({lengths_sql}) x"  # noqa: S608
    return sql, [position - low, *params]


def _hires_report_from_totals(
    owners: QuerySet[Any] | None, hires: Any, filters: ReportFilters
) -> tuple[dict[str, int], Durations]:
    """:func:`_hires_report` for whole organizations, from their :class:`HireDayTotal` rows and
    a few hires per percentile: the same figures, without reading every hire of the range."""
    sums = _hire_sums(owners, filters)
    if not sums.hires:
        return sums.by_source, Durations(0, None, None, None)
    median_sql, median_params = _percentile_sql(hires, sums.by_days, sums.hires, 0.5)
    p75_sql, p75_params = _percentile_sql(hires, sums.by_days, sums.hires, 0.75)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT ({median_sql}), ({p75_sql})", [*median_params, *p75_params])
        median, p75 = cursor.fetchone()
    # PostgreSQL's avg of intervals, to the microsecond: the exact mean, rounded half to even.
    mean = timedelta(microseconds=round(Fraction(sums.microseconds, sums.hires)))
    return sums.by_source, Durations(sums.hires, _days(mean), _days(median), _days(p75))


class _Seconds(Func):
    """PostgreSQL's ``EXTRACT(EPOCH FROM duration)`` as a float8: the exact seconds, correctly
    rounded, so the same float as ``timedelta.total_seconds()`` without loading two
    timestamps into Python per row."""

    template = "EXTRACT(EPOCH FROM %(expressions)s)::float8"
    output_field = FloatField()


def _time_to_fill_report(first_hires: Any, filters: ReportFilters) -> Durations:
    """Per job whose first hire (:class:`FirstHireFact`, from ``first_hires``) falls in the
    days of ``filters``: its opening → that first hire."""
    filled = first_hires.filter(hired_on__gte=filters.date_from, hired_on__lte=filters.date_to)
    if connection.vendor != "postgresql":
        pairs = filled.values_list("opened_at", "hired_at")
        return durations_of([(first - opened).total_seconds() / SECONDS_PER_DAY for opened, first in pairs])
    fill = ExpressionWrapper(F("hired_at") - F("opened_at"), output_field=DurationField())
    seconds = filled.annotate(seconds=_Seconds(fill)).values_list("seconds", flat=True)
    return durations_of([value / SECONDS_PER_DAY for value in seconds])


# The stages the report reads: those a funnel step leaves.
REPORTED_STAGES: tuple[str, ...] = FUNNEL[:-1]


def _organizations(scope: frozenset[int] | None) -> QuerySet[Any] | None:
    """The organizations of the scope as a query of ``owner`` ids (None for an empty scope)."""
    if scope is None:
        return Organization.objects.order_by().values(owner=F("pk"))
    if not scope:
        return None
    return Organization.objects.order_by().filter(pk__in=sorted(scope)).values(owner=F("pk"))


def _stage_sums(
    model: type[StageDayFact] | type[StageDayTotal], owner: str, owners: QuerySet[Any] | None, filters: ReportFilters
) -> dict[str, dict[str, int]]:
    """Per reported stage, the four counts over the days of ``filters`` and the applications
    still at the stage at the end of ``date_to``, summed over ``owners`` (a query of ``owner``
    ids: jobs for the per-job facts, organizations for their totals).

    Reads the running sums: per owner and stage, the last row up to ``date_to`` less the last
    row before ``date_from`` (two index probes), so the cost follows the owners, not the days.
    """
    if owners is None:
        return {}
    owners_sql, owners_params = owners.query.sql_with_params()
    table = model._meta.db_table
    stages = " UNION ALL ".join(["SELECT %s AS stage"] * len(REPORTED_STAGES))
    last = f"SELECT p.id FROM {table} p WHERE p.{owner} = o.owner AND p.stage = s.stage AND p.day {{}} %s"  # noqa: S608
    last += " ORDER BY p.day DESC LIMIT 1"
    in_range = ", ".join(
        f"SUM(t.running_{name} - COALESCE(b.running_{name}, 0))"
        for name in ("entered", "advanced", "rejected", "withdrawn")
    )
    sql = f"""
        SELECT k.stage, {in_range},
               SUM(t.running_entered - t.running_advanced - t.running_rejected - t.running_withdrawn)
        FROM (
            SELECT s.stage, ({last.format("<=")}) AS to_id, ({last.format("<")}) AS before_id
            FROM ({owners_sql}) o CROSS JOIN ({stages}) s
        ) k
        JOIN {table} t ON t.id = k.to_id
        LEFT JOIN {table} b ON b.id = k.before_id
        GROUP BY k.stage
    """  # noqa: S608  (table and column names from the models, values as parameters)
    params = [filters.date_to, filters.date_from, *owners_params, *REPORTED_STAGES]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    keys = ("entered", "advanced", "rejected", "withdrawn", "in_progress")
    return {stage: dict(zip(keys, (int(value) for value in values), strict=True)) for stage, *values in rows}


def _jobs_filtered(filters: ReportFilters) -> bool:
    return filters.job_id is not None or filters.department is not None or filters.recruiter_id is not None


def analytics_report(
    *, actor: Actor, filters: ReportFilters, organization_id: int | None = None, now: datetime | None = None
) -> AnalyticsReport:
    """The snapshot figures for the actor's scope (see :func:`analytics_scope`) and ``filters``.

    Raises AnalyticsScopeNotFound for an organization outside the actor's reach and
    AnalyticsJobNotFound for a job outside the scope. Reads only the snapshot tables (and the
    jobs, to filter): at most four queries, whatever the number of applications or days;
    without a job, department or recruiter filter, the stage figures come from the
    organizations' daily totals, with one, from the filtered jobs' facts: both through their
    running sums (two rows per job or organization and stage, see :func:`_stage_sums`). Without
    a filter the hires come from the organizations' hire totals too (the percentiles of time to
    hire read a few hires, see :func:`_percentile_sql`); with one, from the few hires of the
    filtered jobs. Time to fill reads the jobs first filled in the range. Figures are as fresh
    as the last snapshot run (beat: every ten minutes).
    """
    now = now or timezone.now()
    scope = analytics_scope(actor=actor, organization_id=organization_id)
    jobs = job_report_list(organization_ids=scope)
    if filters.job_id is not None:
        if not jobs.filter(pk=filters.job_id).exists():
            raise AnalyticsJobNotFound()
        jobs = jobs.filter(pk=filters.job_id)
    if filters.department is not None:
        jobs = jobs.filter(department=filters.department)
    if filters.recruiter_id is not None:
        jobs = jobs.filter(created_by_id=filters.recruiter_id)
    # Without a job filter, the organizations' daily totals (a few rows per day) stand in for
    # the per-job facts they sum.
    hires = HireFact.objects.order_by()
    first_hires = FirstHireFact.objects.order_by()
    if _jobs_filtered(filters):
        hires = hires.filter(job_id__in=jobs.values("pk"))
        first_hires = first_hires.filter(job_id__in=jobs.values("pk"))
        totals = _stage_sums(StageDayFact, "job_id", jobs.values(owner=F("pk")), filters)
    else:
        totals = _stage_sums(StageDayTotal, "organization_id", _organizations(scope), filters)
    if scope is not None:
        hires = hires.filter(organization_id__in=sorted(scope))
        first_hires = first_hires.filter(organization_id__in=sorted(scope))

    empty = {"entered": 0, "advanced": 0, "rejected": 0, "withdrawn": 0, "in_progress": 0}
    steps = []
    for from_stage, to_stage in pairwise(FUNNEL):
        row = totals.get(from_stage, empty)
        decided = row["advanced"] + row["rejected"] + row["withdrawn"]
        steps.append(
            FunnelStep(
                from_stage=from_stage,
                to_stage=to_stage,
                entered=row["entered"],
                advanced=row["advanced"],
                rejected=row["rejected"],
                withdrawn=row["withdrawn"],
                decided=decided,
                rate=round(row["advanced"] / decided, 4) if decided else None,
                in_progress=row["in_progress"],
            )
        )
    offer = totals.get(ApplicationStage.OFFER, empty)
    answered = offer["advanced"] + offer["withdrawn"]
    acceptance = OfferAcceptance(
        accepted=offer["advanced"],
        declined=offer["withdrawn"],
        rescinded=offer["rejected"],
        rate=round(offer["advanced"] / answered, 4) if answered else None,
    )

    hires_in_range = hires.filter(hired_on__gte=filters.date_from, hired_on__lte=filters.date_to)
    if _jobs_filtered(filters) or connection.vendor != "postgresql":
        by_source, time_to_hire = _hires_report(hires_in_range)
    else:
        by_source, time_to_hire = _hires_report_from_totals(_organizations(scope), hires_in_range, filters)
    return AnalyticsReport(
        organization_ids=None if scope is None else tuple(sorted(scope)),
        generated_at=now,
        filters=filters,
        applications=totals.get(ApplicationStage.APPLIED, empty)["entered"],
        hires=sum(by_source.values()),
        conversion=tuple(steps),
        offer_acceptance=acceptance,
        source_of_hire=by_source,
        time_to_hire=time_to_hire,
        time_to_fill=_time_to_fill_report(first_hires, filters),
    )
