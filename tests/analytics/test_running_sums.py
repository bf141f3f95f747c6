"""The running sums of the daily facts (analytics.models ``running_*``): always the sum of the
day counts up to each row's day, however the snapshot ranges fall, and the report read from
them gives the figures of a plain sum over the day counts (recomputed here independently)."""

from collections import defaultdict
from datetime import UTC, date, timedelta
from itertools import pairwise

import pytest
from django.utils import timezone

from analytics.models import StageDayFact, StageDayTotal
from analytics.selectors import FUNNEL, ReportFilters, analytics_report
from analytics.services import analytics_snapshot
from jobs.models import Job
from tests.factories import ApplicationFactory, JobFactory, StageChangeFactory

pytestmark = pytest.mark.django_db

COUNTS = ("entered", "advanced", "rejected", "withdrawn")


def pipeline(job, *moves: tuple[str, int], start, kind: str = "move"):  # type: ignore[no-untyped-def]
    application = ApplicationFactory(job=job, stage=moves[-1][0] if moves else "applied", stage_changed_at=start)
    previous = "applied"
    for stage, day in moves:
        StageChangeFactory(
            application=application, from_stage=previous, to_stage=stage, changed_at=start + timedelta(days=day)
        )
        previous = stage
    return application


@pytest.fixture
def start():  # type: ignore[no-untyped-def]
    return timezone.now().astimezone(UTC).replace(hour=10, minute=0, second=0, microsecond=0) - timedelta(days=40)


@pytest.fixture
def history(org, other_org, open_job, other_open_job, start):  # type: ignore[no-untyped-def]
    Job.objects.filter(pk=open_job.pk).update(department="Engineering")
    sales = JobFactory(organization=org, department="Sales")
    pipeline(open_job, ("screening", 1), ("interview", 3), ("offer", 6), ("hired", 10), start=start)
    pipeline(open_job, ("screening", 2), ("rejected", 4), start=start)
    pipeline(open_job, ("screening", 5), ("interview", 9), ("withdrawn", 20), start=start + timedelta(days=3))
    pipeline(sales, ("screening", 1), ("interview", 2), ("offer", 3), ("rejected", 12), start=start + timedelta(7))
    pipeline(sales, start=start + timedelta(days=15))
    undone = pipeline(sales, ("screening", 1), start=start)
    StageChangeFactory(
        application=undone, from_stage="screening", to_stage="applied", kind="undo", changed_at=start + timedelta(8)
    )
    pipeline(other_open_job, ("screening", 1), ("interview", 2), ("offer", 3), ("hired", 4), start=start)
    return sales


def today() -> date:
    return timezone.now().astimezone(UTC).date()


def assert_running_sums_hold() -> None:
    """Every row's running sums are the day counts of its owner and stage summed up to its day,
    and the organizations' totals are the sums of their jobs' facts, day by day."""
    for model, owner in ((StageDayFact, "job_id"), (StageDayTotal, "organization_id")):
        sums: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        for row in model.objects.order_by(owner, "stage", "day").values(
            owner, "stage", *COUNTS, "running_entered", "running_advanced", "running_rejected", "running_withdrawn"
        ):
            running = sums[(row[owner], row["stage"])]
            for index, name in enumerate(COUNTS):
                running[index] += row[name]
            assert [row[f"running_{name}"] for name in COUNTS] == running, row
    per_job: dict[tuple[int, date, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for row in StageDayFact.objects.values("organization_id", "day", "stage", *COUNTS):
        for index, name in enumerate(COUNTS):
            per_job[(row["organization_id"], row["day"], row["stage"])][index] += row[name]
    totals = {
        (row["organization_id"], row["day"], row["stage"]): [row[name] for name in COUNTS]
        for row in StageDayTotal.objects.values("organization_id", "day", "stage", *COUNTS)
    }
    assert totals == dict(per_job)


def test_a_backfill_writes_running_sums(history, start):
    analytics_snapshot(since=start.date(), until=today())

    assert StageDayFact.objects.filter(running_entered__gt=1).exists()
    assert_running_sums_hold()


def test_running_sums_carry_on_from_the_days_before_the_range(history, start):
    analytics_snapshot(since=start.date(), until=today())

    # Beat's run (yesterday and today) and a run over days in the middle both carry on from
    # the last row before them, and write the days after them again.
    analytics_snapshot(since=today() - timedelta(days=1), until=today())
    assert_running_sums_hold()
    analytics_snapshot(since=(start + timedelta(days=4)).date(), until=(start + timedelta(days=9)).date())
    assert_running_sums_hold()


def test_a_move_added_in_the_middle_moves_the_running_sums_after_it(history, open_job, start):
    analytics_snapshot(since=start.date(), until=today())
    later = StageDayFact.objects.get(job=open_job, stage="screening", day=(start + timedelta(days=8)).date())

    # A late move on day 2 (recorded afterwards), written again by a run over days 2 … 3 only.
    pipeline(open_job, ("screening", 2), start=start)
    analytics_snapshot(since=(start + timedelta(days=2)).date(), until=(start + timedelta(days=3)).date())

    later.refresh_from_db()
    assert later.running_entered == 4
    assert_running_sums_hold()


def test_a_range_with_no_rows_leaves_the_running_sums_as_they_were(history, start):
    analytics_snapshot(since=start.date(), until=today())
    before = list(StageDayFact.objects.order_by("id").values_list("id", "running_entered", "running_advanced"))

    analytics_snapshot(since=(start - timedelta(days=30)).date(), until=(start - timedelta(days=20)).date())

    assert list(StageDayFact.objects.order_by("id").values_list("id", "running_entered", "running_advanced")) == before


def summed(filters: ReportFilters, job_ids: set[int]) -> dict[str, tuple[int, ...]]:
    """The report's stage figures by a plain sum over the per-job day counts."""
    figures: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for row in StageDayFact.objects.filter(job_id__in=job_ids, day__lte=filters.date_to).values(
        "day", "stage", *COUNTS
    ):
        sums = figures[row["stage"]]
        if row["day"] >= filters.date_from:
            for index, name in enumerate(COUNTS):
                sums[index] += row[name]
        sums[4] += row["entered"] - row["advanced"] - row["rejected"] - row["withdrawn"]
    return {stage: tuple(figures[stage]) for stage in FUNNEL[:-1]}


def reported(report) -> dict[str, tuple[int, ...]]:  # type: ignore[no-untyped-def]
    return {
        step.from_stage: (step.entered, step.advanced, step.rejected, step.withdrawn, step.in_progress)
        for step in report.conversion
    }


@pytest.mark.parametrize("department", [None, "Engineering", "Sales"])
def test_the_report_equals_a_plain_sum_of_the_day_counts(history, org, recruiter, start, department):
    analytics_snapshot(since=start.date(), until=today())
    jobs = Job.objects.filter(organization=org)
    if department is not None:
        jobs = jobs.filter(department=department)
    job_ids = set(jobs.values_list("pk", flat=True))
    days = [start.date() + timedelta(days=offset) for offset in (-3, 0, 1, 2, 4, 6, 9, 12, 21, 30)]

    for date_from, date_to in pairwise(days):
        for first in (date_from, days[0]):
            filters = ReportFilters(first, date_to, department=department)
            report = analytics_report(actor=recruiter, filters=filters)
            assert reported(report) == summed(filters, job_ids), (first, date_to)
            assert report.applications == summed(filters, job_ids)["applied"][0]


def test_staff_figures_sum_every_organization(history, staff, start):
    analytics_snapshot(since=start.date(), until=today())
    filters = ReportFilters(start.date() + timedelta(days=1), start.date() + timedelta(days=9))

    report = analytics_report(actor=staff, filters=filters)

    assert reported(report) == summed(filters, set(Job.objects.values_list("pk", flat=True)))
    # Submitted on days 3 and 7 (the undo on day 8 takes back a decision, not an entry).
    assert reported(report)["applied"][0] == 2
