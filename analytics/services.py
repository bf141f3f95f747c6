"""Writes of the analytics app: the daily snapshots (``models.py``), from the stage history.

:func:`analytics_snapshot` rewrites the facts of a range of days (UTC) in one transaction:
re-running it for the same days writes the same rows (idempotent), so beat refreshes today
and yesterday every few minutes and ``manage.py analytics_snapshot --since`` backfills.
The facts come from the stage history alone (``applications_stagechange``, plus the
application's job and source), never from a candidate's profile, and hold nothing personal.

The work is a few set-based statements per table, whatever the number of applications: the
history rows of the range are selected by the ORM (through the applications app's selector)
and aggregated by the database straight into the snapshot tables. The stage rows get their
running sums as they are inserted (the last row before the range carries on, a window sum
adds the range's days), and the rows of days after the range, if any, are carried on again.
The hire totals (``HireDayTotal``) are summed by Python from the hire facts of the range's
first day on (or the day of an earlier hire taken back), each organization carrying on from
its last row before; each job whose hires changed gets its first hire (``FirstHireFact``) again.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, Exists, F, Min, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, TruncDate

from analytics.models import FirstHireFact, HireDayTotal, HireFact, StageDayFact, StageDayTotal
from applications.choices import ApplicationStage, StageChangeKind
from applications.selectors import stage_change_report_list
from hotgigs.events import catalogue
from hotgigs.events.outbox import record

# Moves out of a stage, by where they went: one step along the funnel, or out of the pipeline.
ADVANCES = (ApplicationStage.SCREENING, ApplicationStage.INTERVIEW, ApplicationStage.OFFER, ApplicationStage.HIRED)


@dataclass(frozen=True)
class SnapshotResult:
    """What one run wrote: the days (inclusive), the rows of each table (``hire_total_rows``: the
    :class:`HireDayTotal` rows written from the range's first day on), the organizations touched."""

    since: date
    until: date
    stage_rows: int
    hire_rows: int
    organization_ids: tuple[int, ...]
    hire_total_rows: int = 0


def day_bounds(since: date, until: date) -> tuple[datetime, datetime]:
    """The instants ``[since 00:00 UTC, until + 1 day 00:00 UTC)``."""
    return datetime.combine(since, time.min, tzinfo=UTC), datetime.combine(
        until + timedelta(days=1), time.min, tzinfo=UTC
    )


def _changes(since: date, until: date) -> QuerySet[Any]:
    start, end = day_bounds(since, until)
    # Every stage named, so the (to_stage, changed_at) index serves the time range.
    return (
        stage_change_report_list(organization_ids=None)
        .filter(to_stage__in=ApplicationStage.values, changed_at__gte=start, changed_at__lt=end)
        .order_by()
    )


def _sql(queryset: QuerySet[Any]) -> tuple[str, list[Any]]:
    sql, params = queryset.query.sql_with_params()
    return sql, list(params)


def _stage_rows_sql(since: date, until: date) -> tuple[str, list[Any]]:
    undo = Q(kind=StageChangeKind.UNDO)
    sign = Case(When(undo, then=Value(-1)), default=Value(1))
    common = {
        "o": F("application__job__organization_id"),
        "j": F("application__job_id"),
        "d": TruncDate("changed_at", tzinfo=UTC),
        "n": sign,
    }
    # An undo row (B → A) takes back the move A → B: B loses an entry, A a decision.
    entries = _changes(since, until).values(**common, s=Case(When(undo, then=F("from_stage")), default=F("to_stage")))
    decisions = (
        _changes(since, until)
        .filter(undo | ~Q(from_stage=""))
        .values(
            **common,
            s=Case(When(undo, then=F("to_stage")), default=F("from_stage")),
            t=Case(When(undo, then=F("from_stage")), default=F("to_stage")),
        )
    )
    entries_sql, entries_params = _sql(entries)
    decisions_sql, decisions_params = _sql(decisions)
    advances = ", ".join(["%s"] * len(ADVANCES))
    grouped = f"""
        SELECT o AS organization_id, j AS job_id, d AS day, s AS stage,
               SUM(e) AS entered, SUM(a) AS advanced, SUM(r) AS rejected, SUM(w) AS withdrawn FROM (
            SELECT o, j, d, s, n AS e, 0 AS a, 0 AS r, 0 AS w FROM ({entries_sql}) entries
            UNION ALL
            SELECT o, j, d, s, 0, CASE WHEN t IN ({advances}) THEN n ELSE 0 END,
                   CASE WHEN t = %s THEN n ELSE 0 END, CASE WHEN t = %s THEN n ELSE 0 END
            FROM ({decisions_sql}) decisions
        ) moves
        GROUP BY o, j, d, s
        HAVING SUM(e) <> 0 OR SUM(a) <> 0 OR SUM(r) <> 0 OR SUM(w) <> 0
    """  # noqa: S608  (values as parameters)
    params = [
        *entries_params,
        *[str(stage) for stage in ADVANCES],
        str(ApplicationStage.REJECTED),
        str(ApplicationStage.WITHDRAWN),
        *decisions_params,
    ]
    return _insert_running_sql(StageDayFact, "job_id", ("organization_id", "job_id"), grouped, params, since)


COUNTS = ("entered", "advanced", "rejected", "withdrawn")


def _carried_sql(table: str, owner: str, rows: str, before: str) -> str:
    """Per owner and stage of ``rows`` (a CTE's name), the id of the table's last row ``before``
    (a comparison with the day, one ``%s``): the running sums the rows carry on from."""
    return f"""
        SELECT k.owner, k.stage, (
            SELECT p.id FROM {table} p WHERE p.{owner} = k.owner AND p.stage = k.stage AND p.day {before}
            ORDER BY p.day DESC LIMIT 1
        ) AS base_id
        FROM (SELECT DISTINCT {owner} AS owner, stage FROM {rows}) k
    """  # noqa: S608  (table and column names from the models, values as parameters)


def _insert_running_sql(
    model: type[StageDayFact] | type[StageDayTotal],
    owner: str,
    keys: tuple[str, ...],
    grouped: str,
    params: list[Any],
    since: date,
) -> tuple[str, list[Any]]:
    """The INSERT of ``grouped`` (columns: ``keys``, day, stage and the four counts; days from
    ``since`` on) with each row's running sums: the owner's last row at the stage before
    ``since`` carries on, and each row adds its counts in day order."""
    table = model._meta.db_table
    columns = ", ".join(keys)
    counts = ", ".join(COUNTS)
    running = ", ".join(f"running_{name}" for name in COUNTS)
    sums = ", ".join(f"COALESCE(b.running_{name}, 0) + SUM(g.{name}) OVER win" for name in COUNTS)
    sql = f"""
        WITH grouped AS ({grouped}), carried AS ({_carried_sql(table, owner, "grouped", "< %s")})
        INSERT INTO {table} ({columns}, day, stage, {counts}, {running})
        SELECT {", ".join(f"g.{key}" for key in keys)}, g.day, g.stage, {", ".join(f"g.{name}" for name in COUNTS)}, {sums}
        FROM grouped g
        JOIN carried c ON c.owner = g.{owner} AND c.stage = g.stage
        LEFT JOIN {table} b ON b.id = c.base_id
        WINDOW win AS (PARTITION BY g.{owner}, g.stage ORDER BY g.day)
    """  # noqa: S608  (table and column names from the models, values as parameters)
    return sql, [*params, since]


def _carry_on_sql(model: type[StageDayFact] | type[StageDayTotal], owner: str, until: date) -> tuple[str, list[Any]]:
    """The UPDATE of the running sums of the rows after ``until`` (a range rewritten before
    days already written), from the last row up to ``until``. Touches no row otherwise."""
    table = model._meta.db_table
    sums = ", ".join(f"SUM(r.{name}) OVER win AS {name}" for name in COUNTS)
    assign = ", ".join(f"running_{name} = x.{name} + COALESCE(b.running_{name}, 0)" for name in COUNTS)
    sql = f"""
        WITH later AS (
            SELECT r.id, r.{owner}, r.stage, {sums} FROM {table} r WHERE r.day > %s
            WINDOW win AS (PARTITION BY r.{owner}, r.stage ORDER BY r.day)
        ), carried AS ({_carried_sql(table, owner, "later", "<= %s")})
        UPDATE {table} SET {assign}
        FROM later x JOIN carried c ON c.owner = x.{owner} AND c.stage = x.stage LEFT JOIN {table} b ON b.id = c.base_id
        WHERE {table}.id = x.id
    """  # noqa: S608  (table and column names from the models, values as parameters)
    return sql, [until, until]


def _hire_rows_sql(since: date, until: date) -> tuple[str, list[Any]]:
    history = stage_change_report_list(organization_ids=None)
    later = Q(changed_at__gt=OuterRef("changed_at")) | Q(changed_at=OuterRef("changed_at"), pk__gt=OuterRef("pk"))
    undone = history.filter(
        later, application_id=OuterRef("application_id"), kind=StageChangeKind.UNDO, from_stage=ApplicationStage.HIRED
    )
    submitted = history.filter(application_id=OuterRef("application_id"), from_stage="").order_by("changed_at", "pk")
    hires = (
        _changes(since, until)
        .filter(kind=StageChangeKind.MOVE, to_stage=ApplicationStage.HIRED)
        .filter(~Exists(undone))
        .values(
            o=F("application__job__organization_id"),
            j=F("application__job_id"),
            a=F("application_id"),
            src=F("application__source"),
            ap=Coalesce(Subquery(submitted.values("changed_at")[:1]), F("application__created_at")),
            h=F("changed_at"),
            hd=TruncDate("changed_at", tzinfo=UTC),
            # A job reopened after this hire has a later opened_at: its creation stands in.
            jo=Case(
                When(application__job__opened_at__lte=F("changed_at"), then=F("application__job__opened_at")),
                default=F("application__job__created_at"),
            ),
        )
    )
    hires_sql, params = _sql(hires)
    sql = f"""
        INSERT INTO {HireFact._meta.db_table}
            (organization_id, job_id, application_id, source, applied_at, hired_at, hired_on, job_opened_at)
        SELECT o, j, a, src, ap, h, hd, jo FROM ({hires_sql}) hires
    """  # noqa: S608  (table names from the models, values as parameters)
    return sql, params


def _totals_sql(since: date, until: date) -> tuple[str, list[Any]]:
    sums = (
        StageDayFact.objects.filter(day__gte=since, day__lte=until)
        .order_by()
        .values("organization_id", "day", "stage")
        .annotate(e=Sum("entered"), a=Sum("advanced"), r=Sum("rejected"), w=Sum("withdrawn"))
    )
    sums_sql, params = _sql(sums)
    grouped = f"""
        SELECT organization_id, day, stage, e AS entered, a AS advanced, r AS rejected, w AS withdrawn
        FROM ({sums_sql}) sums
    """  # noqa: S608  (values as parameters)
    return _insert_running_sql(StageDayTotal, "organization_id", ("organization_id",), grouped, params, since)


ONE_DAY = timedelta(days=1)
ONE_MICROSECOND = timedelta(microseconds=1)


@dataclass
class _HireSums:
    """An organization's running sums of :class:`HireDayTotal`, carried from day to day."""

    hires: int = 0
    microseconds: int = 0
    by_source: dict[str, int] = field(default_factory=dict)
    by_days: dict[str, int] = field(default_factory=dict)

    @classmethod
    def carried(cls, base: HireDayTotal | None) -> "_HireSums":
        if base is None:
            return cls()
        return cls(
            base.running_hires, base.running_microseconds, dict(base.running_by_source), dict(base.running_by_days)
        )

    def add(self, source: str, length: timedelta) -> None:
        whole_days = str(length // ONE_DAY)
        self.hires += 1
        self.microseconds += length // ONE_MICROSECOND
        self.by_source[source] = self.by_source.get(source, 0) + 1
        self.by_days[whole_days] = self.by_days.get(whole_days, 0) + 1

    def row(self, model: type[HireDayTotal], organization_id: int, day: date, hires: int) -> HireDayTotal:
        return model(
            organization_id=organization_id,
            day=day,
            hires=hires,
            running_hires=self.hires,
            running_microseconds=self.microseconds,
            running_by_source=dict(self.by_source),
            running_by_days=dict(self.by_days),
        )


def hire_day_totals(
    facts: Iterable[tuple[int, date, str, datetime, datetime]],
    bases: dict[int, HireDayTotal],
    *,
    model: type[HireDayTotal] = HireDayTotal,
) -> Iterator[HireDayTotal]:
    """The :class:`HireDayTotal` rows of ``facts`` (organization, hired_on, source, applied_at,
    hired_at; ordered by organization and day), each organization carrying on from its row in
    ``bases`` (its last before the facts' first day), if any. ``model``: the class to build
    (a migration's historical model)."""
    sums = _HireSums()
    key: tuple[int, date] | None = None
    day_hires = 0
    for organization_id, day, source, applied_at, hired_at in facts:
        if key != (organization_id, day):
            if key is not None:
                yield sums.row(model, *key, day_hires)
            if key is None or key[0] != organization_id:
                sums = _HireSums.carried(bases.get(organization_id))
            key, day_hires = (organization_id, day), 0
        sums.add(source, hired_at - applied_at)
        day_hires += 1
    if key is not None:
        yield sums.row(model, *key, day_hires)


def _hire_totals_write(*, since: date) -> int:
    """Write :class:`HireDayTotal` again from ``since`` on, from the hire facts, each
    organization carrying on from its last row before ``since``. Returns the rows written."""
    HireDayTotal.objects.filter(day__gte=since).delete()
    facts = (
        HireFact.objects.filter(hired_on__gte=since)
        .order_by("organization_id", "hired_on")
        .values_list("organization_id", "hired_on", "source", "applied_at", "hired_at")
    )
    last_before = (
        HireDayTotal.objects.filter(organization_id=OuterRef("organization_id"), day__lt=since)
        .order_by("-day")
        .values("day")[:1]
    )
    organization_ids = HireFact.objects.filter(hired_on__gte=since).order_by().values("organization_id").distinct()
    bases = {
        row.organization_id: row
        for row in HireDayTotal.objects.filter(
            organization_id__in=organization_ids, day__lt=since, day=Subquery(last_before)
        )
    }
    rows = HireDayTotal.objects.bulk_create(hire_day_totals(facts.iterator(chunk_size=5000), bases), batch_size=1000)
    return len(rows)


def first_hire_facts(hires: QuerySet[Any], *, model: type[FirstHireFact] = FirstHireFact) -> Iterator[FirstHireFact]:
    """The :class:`FirstHireFact` of each job of ``hires`` (hire facts: all of each job's)."""
    rows = (
        hires.order_by()
        .values("organization_id", "job_id")
        .annotate(opened=Min("job_opened_at"), first=Min("hired_at"), first_on=Min("hired_on"))
    )
    for row in rows:
        yield model(
            organization_id=row["organization_id"],
            job_id=row["job_id"],
            opened_at=row["opened"],
            hired_at=row["first"],
            hired_on=row["first_on"],
        )


def _first_hires_write(job_ids: set[int]) -> int:
    """Write the :class:`FirstHireFact` of ``job_ids`` again from their hire facts."""
    FirstHireFact.objects.filter(job_id__in=sorted(job_ids)).delete()
    hires = HireFact.objects.filter(job_id__in=sorted(job_ids))
    return len(FirstHireFact.objects.bulk_create(first_hire_facts(hires), batch_size=1000))


def analytics_snapshot(*, since: date, until: date) -> SnapshotResult:
    """Rewrite the snapshot facts of the days ``since`` … ``until`` (inclusive, UTC).

    Idempotent: the days' rows are deleted and written again from the stage history in one
    transaction, so readers see the old rows or the new, never a mix. A hire undone within
    the days loses its fact whatever day it was hired on (the hire totals are written again from
    that day on, the job's first hire again). Records ``analytics.snapshot_written``
    (the organizations whose figures may have changed), which refreshes cached figures.
    Must run as the system (``tenancy.system``): it reads and writes every organization.
    Raises ValueError, writing nothing, when ``since`` is after ``until``.
    """
    if since > until:
        raise ValueError("since is after until")
    with transaction.atomic():
        stage_facts = StageDayFact.objects.filter(day__gte=since, day__lte=until)
        hire_facts = HireFact.objects.filter(hired_on__gte=since, hired_on__lte=until)
        undone = _changes(since, until).filter(kind=StageChangeKind.UNDO, from_stage=ApplicationStage.HIRED)
        taken_back = HireFact.objects.filter(application_id__in=undone.values("application_id"))
        # A hire taken back changes the hire totals from its day on, however early.
        totals_since = min([since, *taken_back.values_list("hired_on", flat=True)])
        # The jobs whose first hire may change: those of the hires rewritten or taken back.
        hired_jobs = set(hire_facts.values_list("job_id", flat=True).distinct())
        hired_jobs |= set(taken_back.values_list("job_id", flat=True).distinct())
        before = set(stage_facts.values_list("organization_id", flat=True).distinct())
        before |= set(hire_facts.values_list("organization_id", flat=True).distinct())
        before |= set(taken_back.values_list("organization_id", flat=True).distinct())
        stage_facts.delete()
        StageDayTotal.objects.filter(day__gte=since, day__lte=until).delete()
        hire_facts.delete()
        taken_back.delete()
        with connection.cursor() as cursor:
            cursor.execute(*_stage_rows_sql(since, until))
            stage_rows = cursor.rowcount
            cursor.execute(*_totals_sql(since, until))
            # Days already written after the range carry the range's new running sums on.
            cursor.execute(*_carry_on_sql(StageDayFact, "job_id", until))
            cursor.execute(*_carry_on_sql(StageDayTotal, "organization_id", until))
            cursor.execute(*_hire_rows_sql(since, until))
            hire_rows = cursor.rowcount
        hire_total_rows = _hire_totals_write(since=totals_since)
        hired_jobs |= set(hire_facts.values_list("job_id", flat=True).distinct())
        _first_hires_write(hired_jobs)
        after = set(stage_facts.values_list("organization_id", flat=True).distinct())
        after |= set(hire_facts.values_list("organization_id", flat=True).distinct())
        organization_ids = tuple(sorted(before | after))
        record(
            catalogue.ANALYTICS_SNAPSHOT_WRITTEN,
            data={
                "since": since.isoformat(),
                "until": until.isoformat(),
                "organization_ids": list(organization_ids),
                "stage_rows": stage_rows,
                "hire_rows": hire_rows,
            },
        )
    return SnapshotResult(since, until, stage_rows, hire_rows, organization_ids, hire_total_rows)
