"""Analytics v2: the daily snapshots (analytics.services) and GET /api/v1/analytics/report,
checked on a small known history whose figures are worked out by hand below."""

from datetime import UTC, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from analytics.models import HireFact, StageDayFact, StageDayTotal
from analytics.services import analytics_snapshot
from candidates.models import Candidate
from hotgigs.events.models import OutboxEvent
from jobs.models import Job
from tests.factories import ApplicationFactory, JobFactory, MembershipFactory, StageChangeFactory

URL = "/api/v1/analytics/report"

pytestmark = pytest.mark.django_db


def pipeline(job, source: str, *moves: tuple[str, int], start, kind: str = "move"):  # type: ignore[no-untyped-def]
    """An application submitted at ``start`` that then moved to each stage on the given day."""
    final = moves[-1][0] if moves else "applied"
    application = ApplicationFactory(job=job, source=source, stage=final, stage_changed_at=start)
    previous = "applied"
    for stage, day in moves:
        StageChangeFactory(
            application=application, from_stage=previous, to_stage=stage, changed_at=start + timedelta(days=day)
        )
        previous = stage
    return application


@pytest.fixture
def start():  # type: ignore[no-untyped-def]
    return timezone.now().astimezone(UTC).replace(hour=12, minute=0, second=0, microsecond=0) - timedelta(days=60)


@pytest.fixture
def history(org, other_org, open_job, other_open_job, start):  # type: ignore[no-untyped-def]
    Job.objects.filter(pk=open_job.pk).update(opened_at=start - timedelta(days=4), department="Engineering")
    pipeline(open_job, "referral", ("screening", 1), ("interview", 3), ("offer", 6), ("hired", 10), start=start)
    pipeline(open_job, "career_site", ("screening", 2), ("rejected", 4), start=start)
    pipeline(open_job, "career_site", ("screening", 1), ("interview", 2), start=start)
    pipeline(open_job, "linkedin", start=start)
    pipeline(open_job, "referral", ("screening", 1), ("interview", 2), ("offer", 3), ("hired", 6), start=start)
    pipeline(open_job, "agency", ("screening", 5), ("interview", 10), ("offer", 15), ("hired", 20), start=start)
    pipeline(open_job, "career_site", ("screening", 1), ("interview", 2), ("offer", 3), ("withdrawn", 5), start=start)
    # Moved on by mistake and taken back: counts for nothing.
    undone = pipeline(open_job, "job_board", ("screening", 1), start=start)
    StageChangeFactory(
        application=undone, from_stage="screening", to_stage="applied", kind="undo", changed_at=start + timedelta(2)
    )
    pipeline(other_open_job, "job_board", ("screening", 1), ("interview", 2), ("offer", 3), ("hired", 4), start=start)
    analytics_snapshot(since=start.date() - timedelta(days=1), until=timezone.now().astimezone(UTC).date())


def funnel(body: dict) -> dict:  # type: ignore[type-arg]
    return {
        step["from_stage"]: (step["entered"], step["advanced"], step["rejected"], step["withdrawn"], step["rate"])
        for step in body["conversion"]
    } | {f"{step['from_stage']}:in_progress": step["in_progress"] for step in body["conversion"]}


def test_the_report_counts_conversion_over_decided_applications(login, recruiter, org, history):
    body = login(recruiter).get(URL).json()

    assert body["organization_ids"] == [org.pk]
    assert body["applications"] == 8
    assert body["hires"] == 3
    assert funnel(body) == {
        "applied": (8, 6, 0, 0, 1.0),
        "screening": (6, 5, 1, 0, 0.8333),
        "interview": (5, 4, 0, 0, 1.0),
        "offer": (4, 3, 0, 1, 0.75),
        "applied:in_progress": 2,
        "screening:in_progress": 0,
        "interview:in_progress": 1,
        "offer:in_progress": 0,
    }
    assert body["offer_acceptance"] == {"accepted": 3, "declined": 1, "rescinded": 0, "rate": 0.75}
    assert body["source_of_hire"] == {
        "career_site": 0,
        "job_board": 0,
        "referral": 2,
        "linkedin": 0,
        "agency": 1,
        "sourced": 0,
        "other": 0,
    }
    # Hired after 6, 10 and 20 days; the job opened 4 days before the first applications.
    assert body["time_to_hire"] == {"count": 3, "mean_days": 12.0, "median_days": 10.0, "p75_days": 15.0}
    assert body["time_to_fill"] == {"count": 1, "mean_days": 10.0, "median_days": 10.0, "p75_days": 10.0}


def test_a_day_range_counts_what_happened_in_it(login, recruiter, history, start):
    first = (start + timedelta(days=7)).date()
    last = (start + timedelta(days=19)).date()

    body = login(recruiter).get(URL, {"from": first.isoformat(), "to": last.isoformat()}).json()

    assert body["filters"]["date_from"] == first.isoformat()
    assert body["applications"] == 0
    assert body["hires"] == 1
    # Days 7 to 19: the first hire (day 10) and the agency's move to interview (10) and offer (15).
    assert funnel(body)["interview"] == (1, 1, 0, 0, 1.0)
    assert funnel(body)["offer"] == (1, 1, 0, 0, 1.0)
    # At the end of day 19 the agency's application waits at the offer stage.
    assert funnel(body)["offer:in_progress"] == 1
    assert body["time_to_hire"]["median_days"] == 10.0
    # The job's first hire was on day 6, before the range: no fill in it.
    assert body["time_to_fill"]["count"] == 0


def test_filters_by_job_department_and_recruiter(login, recruiter, org, open_job, history, start):
    client = login(recruiter)
    other_job = JobFactory(organization=org, department="Sales")
    pipeline(other_job, "referral", ("screening", 1), start=start)
    analytics_snapshot(since=start.date(), until=start.date() + timedelta(days=1))

    everything = client.get(URL).json()
    one_job = client.get(URL, {"job": open_job.pk}).json()
    engineering = client.get(URL, {"department": "Engineering"}).json()
    sales = client.get(URL, {"department": "Sales"}).json()
    mine = client.get(URL, {"recruiter": recruiter.pk}).json()

    assert everything["applications"] == 9
    assert one_job["applications"] == engineering["applications"] == mine["applications"] == 8
    assert sales["applications"] == 1
    assert sales["hires"] == 0


def test_the_other_organization_and_staff_see_their_scope(login, other_recruiter, staff, org, history):
    theirs = login(other_recruiter).get(URL).json()
    everyone = login(staff).get(URL).json()
    one = login(staff).get(URL, {"organization": org.pk}).json()

    assert theirs["applications"] == 1
    assert theirs["hires"] == 1
    assert everyone["organization_ids"] is None
    assert everyone["applications"] == 9
    assert everyone["hires"] == 4
    assert one["applications"] == 8


def test_a_job_of_another_organization_is_not_found(login, recruiter, other_open_job, history):
    response = login(recruiter).get(URL, {"job": other_open_job.pk})

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


def test_another_organization_is_not_found(login, recruiter, other_org, history):
    response = login(recruiter).get(URL, {"organization": other_org.pk})

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2026-13-01"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"from": "2026-03-02", "to": "2026-03-01"}, "from"),
        ({"from": "2000-01-01", "to": "2026-03-01"}, "from"),
        ({"job": "x"}, "job"),
        ({"job": "0"}, "job"),
        ({"recruiter": "-1"}, "recruiter"),
        ({"department": "d" * 121}, "department"),
        ({"since": "2026-03-01"}, "since"),
        ({"to": "0001-01-05"}, "to"),
        ({"to": ""}, "to"),
        ({"department": ""}, "department"),
        ({"to": "9999-12-31", "from": "9999-12-01"}, "from"),
    ],
)
def test_bad_filters_are_validation_errors(login, recruiter, history, query, field):
    response = login(recruiter).get(URL, query)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "VALIDATION_ERROR"
    assert field in body["details"]


def test_candidates_are_forbidden(login, candidate):
    response = login(candidate.user).get(URL)

    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN"


def test_the_figures_outlive_the_candidates(login, recruiter, history):
    client = login(recruiter)
    before = client.get(URL).json()

    # Erasure at its harshest: every candidate gone, and with them their applications and history.
    Candidate.objects.all().delete()
    after = client.get(URL).json()

    before.pop("generated_at")
    after.pop("generated_at")
    assert after == before
    assert after["hires"] == 3


def test_a_snapshot_run_again_writes_the_same_rows(history, start):
    def rows() -> tuple[list, list, list]:  # type: ignore[type-arg]
        stages = StageDayFact.objects.order_by("job_id", "day", "stage")
        totals = StageDayTotal.objects.order_by("organization_id", "day", "stage")
        hires = HireFact.objects.order_by("application_id")
        counts = ("entered", "advanced", "rejected", "withdrawn")
        return (
            list(stages.values_list("job_id", "day", "stage", *counts)),
            list(totals.values_list("organization_id", "day", "stage", *counts)),
            list(hires.values_list("application_id", "source", "applied_at", "hired_at", "job_opened_at")),
        )

    first = rows()
    result = analytics_snapshot(since=start.date() - timedelta(days=1), until=timezone.now().astimezone(UTC).date())
    again = rows()

    assert again == first
    assert result.hire_rows == 4
    assert len(first[2]) == 4
    assert first[1]


def test_a_hire_undone_later_loses_its_fact(open_job, start):
    hired = pipeline(open_job, "referral", ("screening", 1), ("interview", 2), ("offer", 3), ("hired", 4), start=start)
    analytics_snapshot(since=start.date(), until=(start + timedelta(days=4)).date())
    assert HireFact.objects.filter(application_id=hired.pk).exists()

    StageChangeFactory(
        application=hired, from_stage="hired", to_stage="offer", kind="undo", changed_at=start + timedelta(days=9)
    )
    analytics_snapshot(since=(start + timedelta(days=9)).date(), until=(start + timedelta(days=9)).date())

    assert not HireFact.objects.filter(application_id=hired.pk).exists()
    offer = StageDayFact.objects.filter(job=open_job, stage="offer")
    assert sum(offer.values_list("advanced", flat=True)) == 0
    assert sum(offer.values_list("entered", flat=True)) == 1


def test_a_snapshot_records_the_organizations_it_touched(org, open_job, start):
    pipeline(open_job, "referral", ("screening", 1), start=start)

    analytics_snapshot(since=start.date(), until=(start + timedelta(days=1)).date())

    event = OutboxEvent.objects.filter(type="analytics.snapshot_written").latest("id")
    assert event.data["organization_ids"] == [org.pk]
    # Day 0: applied entered; day 1: applied left for screening, screening entered.
    assert event.data["stage_rows"] == 3


def test_a_snapshot_of_no_days_is_refused(start):
    with pytest.raises(ValueError, match="after"):
        analytics_snapshot(since=start.date(), until=start.date() - timedelta(days=1))


def test_the_query_count_does_not_grow_with_the_data(login, recruiter, open_job, history, start):
    client = login(recruiter)
    with CaptureQueriesContext(connection) as before:
        assert client.get(URL, {"job": open_job.pk}).status_code == 200
    for _ in range(10):
        pipeline(open_job, "referral", ("screening", 1), ("interview", 2), ("offer", 3), ("hired", 4), start=start)
    analytics_snapshot(since=start.date(), until=(start + timedelta(days=5)).date())

    with CaptureQueriesContext(connection) as after:
        body = client.get(URL, {"job": open_job.pk}).json()

    assert body["hires"] == 13
    assert len(before) == len(after)


def test_a_member_of_two_organizations_sees_both(login, recruiter, other_org, history):
    MembershipFactory(user=recruiter, organization=other_org)

    body = login(recruiter).get(URL).json()

    assert body["applications"] == 9


def test_a_job_reopened_after_its_first_hire_fills_from_its_creation(login, recruiter, open_job, start):
    Job.objects.filter(pk=open_job.pk).update(created_at=start - timedelta(days=2), opened_at=start + timedelta(30))
    pipeline(open_job, "referral", ("screening", 1), ("interview", 2), ("offer", 3), ("hired", 4), start=start)
    analytics_snapshot(since=start.date(), until=timezone.now().astimezone(UTC).date())

    body = login(recruiter).get(URL).json()

    assert body["time_to_fill"] == {"count": 1, "mean_days": 6.0, "median_days": 6.0, "p75_days": 6.0}
