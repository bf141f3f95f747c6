"""The analytics report on the demo data equals an independent recomputation.

The module seeds the demo once (tens of seconds), writes the snapshots for its whole history,
and every test compares ``GET /api/v1/analytics/report`` with figures worked out here in
plain Python from the raw rows (applications, their stage history, jobs): each history is
replayed (an undo takes back the move before it), then counted. None of the report's SQL,
none of its helpers. The seeded rows live in a transaction rolled back when the module ends.
"""

import statistics
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from analytics.services import analytics_snapshot
from applications.models import Application, StageChange
from demo.seed import seed_demo
from hotgigs import tenancy
from hotgigs.accounts.models import Organization
from jobs.models import Job
from tests.factories import MembershipFactory

URL = "/api/v1/analytics/report"
FUNNEL = ["applied", "screening", "interview", "offer", "hired"]
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Move:
    application_id: int
    job_id: int
    source: str
    from_stage: str
    to_stage: str
    at: datetime


@dataclass(frozen=True)
class Demo:
    moves: list[Move]  # the moves that stand (undone ones removed), every application's
    jobs: dict[int, dict[str, Any]]  # id -> organization_id, department, created_by_id, opened
    today: date


def _replay() -> list[Move]:
    sources = dict(Application.objects.values_list("pk", "source"))
    jobs = dict(Application.objects.values_list("pk", "job_id"))
    stacks: dict[int, list[Move]] = {}
    for change in StageChange.objects.order_by("application_id", "changed_at", "id"):
        stack = stacks.setdefault(change.application_id, [])
        if change.kind == "undo":
            stack.pop()
            continue
        app = change.application_id
        stack.append(Move(app, jobs[app], sources[app], change.from_stage, change.to_stage, change.changed_at))
    return [move for stack in stacks.values() for move in stack]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> Iterator[Demo]:  # type: ignore[no-untyped-def]
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHER),
        tenancy.system("test setup: the demo data and its snapshots"),
        transaction.atomic(),
    ):
        seed_demo()
        today = timezone.now().astimezone(UTC).date()
        analytics_snapshot(since=today - timedelta(days=3 * 365), until=today)
        jobs = {
            row["pk"]: {**row, "opened": row["opened_at"] or row["created_at"]}
            for row in Job.objects.values(
                "pk", "organization_id", "department", "created_by_id", "opened_at", "created_at"
            )
        }
        yield Demo(_replay(), jobs, today)
        transaction.set_rollback(True)


def _day(at: datetime) -> date:
    return at.astimezone(UTC).date()


def recompute(demo: Demo, *, job_ids: set[int], first: date, last: date) -> dict[str, Any]:
    """The report's figures for these jobs and days, from the replayed histories."""
    moves = [move for move in demo.moves if move.job_id in job_ids and _day(move.at) <= last]
    in_range = [move for move in moves if _day(move.at) >= first]
    entered = Counter(move.to_stage for move in in_range)
    left = Counter((move.from_stage, move.to_stage) for move in in_range)
    current: dict[int, str] = {}
    for move in sorted(moves, key=lambda m: m.at):
        current[move.application_id] = move.to_stage
    still = Counter(current.values())
    conversion = []
    for stage, following in pairwise(FUNNEL):
        advanced, rejected = left[(stage, following)], left[(stage, "rejected")]
        withdrawn = left[(stage, "withdrawn")]
        decided = advanced + rejected + withdrawn
        conversion.append(
            {
                "from_stage": stage,
                "to_stage": following,
                "entered": entered[stage],
                "advanced": advanced,
                "rejected": rejected,
                "withdrawn": withdrawn,
                "decided": decided,
                "rate": round(advanced / decided, 4) if decided else None,
                "in_progress": still[stage],
            }
        )
    submitted = {move.application_id: move.at for move in demo.moves if move.from_stage == ""}
    hires = [move for move in in_range if move.to_stage == "hired"]
    first_hires: dict[int, datetime] = {}
    for move in demo.moves:
        if move.to_stage == "hired" and move.job_id in job_ids:
            first_hires[move.job_id] = min(first_hires.get(move.job_id, move.at), move.at)
    fills = [
        (hired - demo.jobs[job_id]["opened"]).total_seconds() / 86_400
        for job_id, hired in first_hires.items()
        if first <= _day(hired) <= last
    ]
    offer_answers = left[("offer", "hired")] + left[("offer", "withdrawn")]
    return {
        "applications": entered["applied"],
        "hires": len(hires),
        "conversion": conversion,
        "offer_acceptance": {
            "accepted": left[("offer", "hired")],
            "declined": left[("offer", "withdrawn")],
            "rescinded": left[("offer", "rejected")],
            "rate": round(left[("offer", "hired")] / offer_answers, 4) if offer_answers else None,
        },
        "source_of_hire": dict(Counter(move.source for move in hires)),
        "time_to_hire": _durations([(m.at - submitted[m.application_id]).total_seconds() / 86_400 for m in hires]),
        "time_to_fill": _durations(fills),
    }


def _durations(days: list[float]) -> dict[str, Any]:
    if not days:
        return {"count": 0, "mean_days": None, "median_days": None, "p75_days": None}
    p75 = statistics.quantiles(days, n=4, method="inclusive")[2] if len(days) > 1 else days[0]
    return {
        "count": len(days),
        "mean_days": pytest.approx(statistics.fmean(days), abs=0.006),
        "median_days": pytest.approx(statistics.median(days), abs=0.006),
        "p75_days": pytest.approx(p75, abs=0.006),
    }


def report(login: Any, user: Any, **query: Any) -> dict[str, Any]:
    response = login(user).get(URL, query)
    assert response.status_code == 200, response.content
    body = response.json()
    body["source_of_hire"] = {source: n for source, n in body["source_of_hire"].items() if n}
    return {
        key: body[key]
        for key in (
            "applications",
            "hires",
            "conversion",
            "offer_acceptance",
            "source_of_hire",
            "time_to_hire",
            "time_to_fill",
        )
    }


def test_the_demo_has_something_to_count(demo):
    assert sum(move.to_stage == "hired" for move in demo.moves) >= 10
    assert {move.to_stage for move in demo.moves} >= {"rejected", "withdrawn", "hired"}


def test_each_organization_over_all_its_history(demo, login):
    for organization in Organization.objects.order_by("pk"):
        member = MembershipFactory(organization=organization).user
        job_ids = {pk for pk, job in demo.jobs.items() if job["organization_id"] == organization.pk}
        first = demo.today - timedelta(days=3 * 365)

        expected = recompute(demo, job_ids=job_ids, first=first, last=demo.today)

        assert report(login, member, **{"from": first.isoformat()}) == expected, organization.name


def test_staff_over_the_last_30_days(demo, login, staff):
    first = demo.today - timedelta(days=29)

    expected = recompute(demo, job_ids=set(demo.jobs), first=first, last=demo.today)

    assert report(login, staff, **{"from": first.isoformat()}) == expected


def test_a_window_in_the_past(demo, login, staff):
    first, last = demo.today - timedelta(days=120), demo.today - timedelta(days=45)

    expected = recompute(demo, job_ids=set(demo.jobs), first=first, last=last)

    assert report(login, staff, **{"from": first.isoformat(), "to": last.isoformat()}) == expected


def test_one_department_and_one_recruiter(demo, login, staff):
    first = demo.today - timedelta(days=3 * 365)
    hired_jobs = Counter(demo.jobs[move.job_id]["department"] for move in demo.moves if move.to_stage == "hired")
    department = hired_jobs.most_common(1)[0][0]
    recruiter_id = Counter(job["created_by_id"] for job in demo.jobs.values() if job["created_by_id"]).most_common(1)[
        0
    ][0]

    by_department = recompute(
        demo, job_ids={pk for pk, j in demo.jobs.items() if j["department"] == department}, first=first, last=demo.today
    )
    by_recruiter = recompute(
        demo,
        job_ids={pk for pk, j in demo.jobs.items() if j["created_by_id"] == recruiter_id},
        first=first,
        last=demo.today,
    )

    assert report(login, staff, department=department, **{"from": first.isoformat()}) == by_department
    assert report(login, staff, recruiter=recruiter_id, **{"from": first.isoformat()}) == by_recruiter
