"""The hire totals (analytics.models ``HireDayTotal``, ``FirstHireFact``): always what the hire
facts add up to, however the snapshot runs fall, and the report's time to hire, source of hire
and time to fill read from them equal PostgreSQL's plain aggregates over the hire facts
(``percentile_cont`` over every hire of the range; per job, the first hire), recomputed here."""

import random
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from itertools import combinations
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from analytics.models import FirstHireFact, HireDayTotal, HireFact
from analytics.selectors import Durations, ReportFilters, analytics_report, durations_of
from analytics.services import analytics_snapshot
from applications.choices import ApplicationSource
from tests.factories import ApplicationFactory, JobFactory, StageChangeFactory

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def hire(job, *, applied_at: datetime, hired_at: datetime, source: str = "career_site"):  # type: ignore[no-untyped-def]
    application = ApplicationFactory(job=job, source=source, stage="hired", stage_changed_at=applied_at)
    StageChangeFactory(application=application, from_stage="offer", to_stage="hired", changed_at=hired_at)
    return application


def undo_hire(application, *, at: datetime) -> None:  # type: ignore[no-untyped-def]
    StageChangeFactory(application=application, from_stage="hired", to_stage="offer", kind="undo", changed_at=at)


def today() -> date:
    return timezone.now().astimezone(UTC).date()


@pytest.fixture
def start() -> datetime:
    return datetime.combine(today() - timedelta(days=60), datetime.min.time(), tzinfo=UTC)


@pytest.fixture
def hires(org, other_org, open_job, other_open_job, start):  # type: ignore[no-untyped-def]
    """Hires over about forty days in two organizations, times to the microsecond, with ties
    (the same time to hire, several hires on a day, times of exactly whole days)."""
    rng = random.Random(17)
    jobs = [open_job, JobFactory(organization=org), other_open_job]
    sources = ApplicationSource.values
    made = []
    for index in range(45):
        applied_at = start + timedelta(microseconds=rng.randrange(25 * 86_400_000_000))
        length = timedelta(microseconds=rng.randrange(20 * 86_400_000_000))
        if index % 9 == 0:
            length = timedelta(days=rng.randrange(1, 6))
        if index % 7 == 0:
            length = timedelta(days=3, hours=4)
        made.append(
            hire(jobs[index % 3], applied_at=applied_at, hired_at=applied_at + length, source=sources[index % 5])
        )
    return made


def plain(filters: ReportFilters, organization_ids: list[int] | None) -> tuple[dict[str, int], Durations]:
    """Source of hire and time to hire of the range by PostgreSQL's aggregates over the hires."""
    where = " FROM analytics_hirefact WHERE hired_on BETWEEN %s AND %s AND (organization_id = ANY(%s) OR %s)"
    params: list[Any] = [filters.date_from, filters.date_to, organization_ids or [], organization_ids is None]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), avg(hired_at - applied_at), percentile_cont(ARRAY[0.5, 0.75]::float8[])"
            " WITHIN GROUP (ORDER BY hired_at - applied_at)" + where,
            params,
        )
        count, mean, cuts = cursor.fetchone()
        cursor.execute("SELECT source, count(*)" + where + " GROUP BY source", params)
        by_source = dict.fromkeys(ApplicationSource.values, 0) | dict(cursor.fetchall())

    def days(value: timedelta | None) -> float | None:
        return None if value is None else round(value.total_seconds() / 86_400, 2)

    median, p75 = cuts or (None, None)
    return by_source, Durations(count, days(mean), days(median), days(p75))


def ranges(start: datetime) -> list[tuple[date, date]]:
    """Every pair of edges: before the first hire, on hire days, between them, after the last."""
    days = [start.date() + timedelta(days=offset) for offset in (-5, 0, 1, 3, 8, 13, 21, 30, 44, 46, 70)]
    return [*combinations(days, 2), *((day, day) for day in days)]


@pytest.mark.parametrize("who", ["recruiter", "staff"])
def test_time_to_hire_from_the_totals_equals_percentile_cont(request, hires, org, start, who):
    analytics_snapshot(since=start.date(), until=today())
    actor = request.getfixturevalue(who)
    organization_ids = [org.pk] if who == "recruiter" else None

    for date_from, date_to in ranges(start):
        filters = ReportFilters(date_from, date_to)
        report = analytics_report(actor=actor, filters=filters)
        by_source, time_to_hire = plain(filters, organization_ids)
        assert (report.source_of_hire, report.time_to_hire) == (by_source, time_to_hire), (date_from, date_to)
        assert report.hires == time_to_hire.count


def test_a_range_without_hires_has_no_time_to_hire(hires, staff, start):
    analytics_snapshot(since=start.date(), until=today())

    report = analytics_report(actor=staff, filters=ReportFilters(start.date() - 9 * DAY, start.date() - DAY))

    assert report.time_to_hire == Durations(0, None, None, None)
    assert report.source_of_hire == dict.fromkeys(ApplicationSource.values, 0)
    assert report.time_to_fill == Durations(0, None, None, None)


def assert_totals_hold() -> None:
    """Every HireDayTotal row holds its organization's hire facts summed up to its day, and
    there is one row per organization and day with hires."""
    facts = list(HireFact.objects.values("organization_id", "hired_on", "source", "applied_at", "hired_at"))
    rows = list(HireDayTotal.objects.order_by("organization_id", "day").values())
    assert {(row["organization_id"], row["day"]) for row in rows} == {
        (fact["organization_id"], fact["hired_on"]) for fact in facts
    }
    for row in rows:
        mine = [f for f in facts if f["organization_id"] == row["organization_id"] and f["hired_on"] <= row["day"]]
        lengths = [fact["hired_at"] - fact["applied_at"] for fact in mine]
        assert row["hires"] == sum(1 for fact in mine if fact["hired_on"] == row["day"])
        assert row["running_hires"] == len(mine)
        assert row["running_microseconds"] == sum(length // timedelta(microseconds=1) for length in lengths)
        assert row["running_by_source"] == dict(Counter(fact["source"] for fact in mine))
        assert row["running_by_days"] == {str(k): n for k, n in Counter(length // DAY for length in lengths).items()}


def assert_first_hires_hold() -> None:
    firsts: dict[int, tuple[datetime, datetime]] = {}
    grouped = defaultdict(list)
    for fact in HireFact.objects.values("job_id", "hired_at", "job_opened_at"):
        grouped[fact["job_id"]].append(fact)
    for job_id, facts in grouped.items():
        firsts[job_id] = (min(f["job_opened_at"] for f in facts), min(f["hired_at"] for f in facts))
    rows = list(FirstHireFact.objects.all())
    assert {row.job_id: (row.opened_at, row.hired_at) for row in rows} == firsts
    assert all(row.hired_on == row.hired_at.astimezone(UTC).date() for row in rows)


def test_the_totals_follow_the_hire_facts_however_the_runs_fall(hires, start):
    analytics_snapshot(since=start.date(), until=today())
    assert HireDayTotal.objects.filter(running_hires__gt=1).exists()
    assert_totals_hold()
    assert_first_hires_hold()

    # Runs over a few days in the middle and over beat's two days carry on from the days
    # before them and write the days after them again.
    analytics_snapshot(since=(start + 10 * DAY).date(), until=(start + 14 * DAY).date())
    assert_totals_hold()
    analytics_snapshot(since=today() - DAY, until=today())
    assert_totals_hold()
    assert_first_hires_hold()


def test_a_hire_taken_back_later_leaves_the_totals_of_its_day(hires, open_job, start):
    analytics_snapshot(since=start.date(), until=today())
    first = min(
        (h for h in hires if h.job_id == open_job.pk), key=lambda h: h.stage_changes.get(to_stage="hired").changed_at
    )
    hired_on = first.stage_changes.get(to_stage="hired").changed_at.astimezone(UTC).date()

    # Undone today: beat's run (yesterday and today) must take it out of an earlier day's
    # totals and out of the job's first hire.
    undo_hire(first, at=timezone.now())
    analytics_snapshot(since=today() - DAY, until=today())

    assert not HireFact.objects.filter(application_id=first.pk).exists()
    assert HireDayTotal.objects.filter(organization_id=open_job.organization_id, day=hired_on).exists() == (
        HireFact.objects.filter(organization_id=open_job.organization_id, hired_on=hired_on).exists()
    )
    assert_totals_hold()
    assert_first_hires_hold()


def plain_time_to_fill(filters: ReportFilters, organization_ids: list[int] | None) -> list[float]:
    """Per job whose first hire falls in the range: days from its opening, grouped from the hires."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXTRACT(EPOCH FROM (MIN(hired_at) - MIN(job_opened_at)))::float8 FROM analytics_hirefact"
            " WHERE organization_id = ANY(%s) OR %s GROUP BY job_id HAVING MIN(hired_on) BETWEEN %s AND %s",
            [organization_ids or [], organization_ids is None, filters.date_from, filters.date_to],
        )
        return [seconds / 86_400 for (seconds,) in cursor.fetchall()]


@pytest.mark.parametrize("who", ["recruiter", "staff"])
def test_time_to_fill_from_the_first_hires_equals_grouping_the_hires(request, hires, org, start, who):
    analytics_snapshot(since=start.date(), until=today())
    actor = request.getfixturevalue(who)
    organization_ids = [org.pk] if who == "recruiter" else None

    for date_from, date_to in ranges(start):
        filters = ReportFilters(date_from, date_to)
        expected = plain_time_to_fill(filters, organization_ids)
        report = analytics_report(actor=actor, filters=filters)
        assert report.time_to_fill == durations_of(expected), (date_from, date_to)
