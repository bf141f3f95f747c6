"""The seed_demo management command.

Seeding takes tens of seconds, so the module seeds once — twice, in fact, to prove the
second run creates nothing — and every test reads that one data set. The rows live in a
transaction that is rolled back when the module ends, so no other test sees them.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO
from itertools import pairwise

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from applications.choices import STAGE_TRANSITIONS, ApplicationStage
from applications.models import Application, StageChange
from candidates.models import Candidate, SelfIdentification
from demo.seed import count_rows
from hotgigs import tenancy
from hotgigs.accounts.models import Membership, Organization, User
from hotgigs.events.models import OutboxEvent
from hotgigs.notifications.choices import NotificationKind
from hotgigs.notifications.models import EmailDelivery, Notification
from interviews.choices import InterviewStatus
from interviews.models import Feedback, Interview, InterviewRound, RoundAttribute
from jobs.choices import JobStatus
from jobs.models import Job

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The mark makes pytest-django set up the test database even when this module runs alone
# (it creates only the databases some collected test asks for); the module's own
# transaction, below, holds the seeded rows.
pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Seeded:
    first_counts: dict[str, int]
    second_counts: dict[str, int]
    first_output: str
    second_output: str


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Iterator[Seeded]:  # type: ignore[no-untyped-def]
    # Module-scoped, so it runs before the suite's per-test system identity (tests/conftest.py):
    # the counts are taken as the system too, declared, or row-level security shows no rows.
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHER),
        tenancy.system("test setup: the seeded module's counts"),
        transaction.atomic(),
    ):
        first, second = StringIO(), StringIO()
        call_command("seed_demo", "--base-url", "http://localhost:8765", stdout=first)
        first_counts = count_rows()
        call_command("seed_demo", "--quiet", stdout=second)
        yield Seeded(first_counts, count_rows(), first.getvalue(), second.getvalue())
        transaction.set_rollback(True)


def test_seed_meets_the_minimums_in_every_stage(seeded: Seeded) -> None:
    assert Organization.objects.count() >= 3
    for organization in Organization.objects.all():
        roles = list(Membership.objects.filter(organization=organization).values_list("role", flat=True))
        assert roles.count("org_admin") >= 1
        assert roles.count("recruiter") >= 2
    assert Job.objects.count() >= 60
    assert {JobStatus.DRAFT, JobStatus.OPEN, JobStatus.CLOSED} <= set(Job.objects.values_list("status", flat=True))
    assert Application.objects.filter(candidate__user__isnull=True).exists()
    assert User.objects.filter(is_staff=True, is_superuser=True, email__endswith="demo.hotgigs.test").exists()
    assert set(Application.objects.values_list("stage", flat=True)) == set(ApplicationStage.values)
    assert seeded.first_counts["candidates"] >= 300
    assert seeded.first_counts["jobs"] >= 60


def test_interviews_in_every_state_with_feedback_after_they_started(seeded: Seeded) -> None:
    now = timezone.now()
    statuses = set(Interview.objects.values_list("status", flat=True))
    assert {InterviewStatus.SCHEDULED, InterviewStatus.COMPLETED, InterviewStatus.CANCELLED} <= statuses
    assert not Interview.objects.filter(status=InterviewStatus.SCHEDULED, starts_at__lte=now).exists()
    assert not Interview.objects.filter(status=InterviewStatus.COMPLETED, starts_at__gt=now).exists()
    assert Feedback.objects.exists()
    assert all(f.submitted_at >= f.interview.starts_at for f in Feedback.objects.select_related("interview"))


def test_jobs_have_interview_plans_with_scorecards_and_feedback_rates_them(seeded: Seeded) -> None:
    with tenancy.system("test: reading the seeded plans"):
        jobs = Job.objects.count()
        planned = InterviewRound.objects.values("job_id").distinct().count()
        attributes = RoundAttribute.objects.count()
        unrounded = Interview.objects.filter(round__isnull=True).count()
        rated = Feedback.objects.filter(ratings__isnull=False).distinct().count()
        feedback = Feedback.objects.count()
    assert planned == jobs
    assert attributes > 0
    assert unrounded == 0
    assert rated == feedback > 0


def test_every_history_is_a_legal_chain_in_time_order(seeded: Seeded) -> None:
    histories: dict[int, list[StageChange]] = {}
    for change in StageChange.objects.order_by("application_id", "id"):
        histories.setdefault(change.application_id, []).append(change)
    applications = dict(Application.objects.values_list("pk", "stage"))
    assert set(histories) == set(applications)
    illegal = []
    for application_id, changes in histories.items():
        stages = [changes[0].from_stage, *(c.to_stage for c in changes)]
        legal = (
            stages[:2] == ["", ApplicationStage.APPLIED]
            and all(c.from_stage == p.to_stage for p, c in pairwise(changes))
            and all(c.to_stage in STAGE_TRANSITIONS[c.from_stage] for c in changes[1:])
            and all(p.changed_at < c.changed_at for p, c in pairwise(changes))
            and stages[-1] == applications[application_id]
        )
        if not legal:
            illegal.append((application_id, stages))
    assert illegal == []


def test_second_run_creates_nothing(seeded: Seeded) -> None:
    assert seeded.second_counts == seeded.first_counts
    created_lines = [line.split() for line in seeded.second_output.splitlines() if line[:1].isalpha()]
    assert all(words[-1] == "0" for words in created_lines if words[-1].isdigit())


def test_output_lists_logins_that_authenticate(seeded: Seeded) -> None:
    lines = seeded.first_output.splitlines()
    emails = [line.split()[-2] for line in lines if "@" in line and "http://localhost:8765/" in line]

    assert settings.HOTGIGS_DEMO_PASSWORD in seeded.first_output
    assert "http://localhost:8765/admin/" in seeded.first_output
    assert len(emails) >= 9
    for email in emails:
        assert authenticate(email=email, password=settings.HOTGIGS_DEMO_PASSWORD) is not None, email


def test_the_logins_come_last_and_point_at_the_server_it_was_told(seeded: Seeded) -> None:
    lines = seeded.first_output.rstrip().splitlines()
    header = next(n for n, line in enumerate(lines) if "Demo logins" in line)

    assert all("@" in line for line in lines[header + 1 : -1])
    assert lines[-1].startswith("Every other demo user")
    assert "8000" not in seeded.first_output
    # Without --base-url: the address `manage.py runserver` and `make run` use by default.
    assert "http://127.0.0.1:8000/admin/" in seeded.second_output
    assert any(line.startswith("Demo data ready in") for line in lines[:header])


def test_the_history_is_dispatched_muted_and_leaves_no_email_for_a_worker(seeded: Seeded) -> None:
    # A worker dispatching the seeded events later, outside the mute, would email every
    # demo user; seeding dispatches them itself: in-app notifications, no email.
    assert not OutboxEvent.objects.filter(dispatch_due_at__isnull=False).exists()
    assert Notification.objects.filter(kind=NotificationKind.APPLICATION_STAGE_CHANGED).exists()
    assert not EmailDelivery.objects.exists()


def test_each_organization_has_limited_seats_on_hiring_teams_and_approved_offers(seeded: Seeded) -> None:
    from applications.models import OfferApproval
    from jobs.models import HiringTeamMember

    for organization in Organization.objects.all():
        roles = list(Membership.objects.filter(organization=organization).values_list("role", flat=True))
        assert roles.count("hiring_manager") == 1
        assert roles.count("interviewer") == 1
        managed = set(
            HiringTeamMember.objects.filter(organization=organization, role="hiring_manager").values_list(
                "job_id", flat=True
            )
        )
        assert managed
        assert HiringTeamMember.objects.filter(organization=organization, role="interviewer").exists()
        # Every application of a managed job that reached an offer went through the approval.
        offered = Application.objects.filter(
            job_id__in=managed, stage_changes__to_stage=ApplicationStage.OFFER
        ).distinct()
        for application in offered:
            assert OfferApproval.objects.filter(application=application, decision="approve").exists()
    assert "hiring manager" in seeded.first_output
    assert "interviewer" in seeded.first_output


def test_a_share_of_the_candidates_self_identify_some_declining(seeded: Seeded) -> None:
    answered = SelfIdentification.objects.all()
    with_login = Candidate.objects.filter(user__isnull=False).count()
    # About 70% of the candidates with a login answer; none of the sourced ones (no login) can.
    assert 0.5 * with_login < answered.count() < 0.9 * with_login
    assert not answered.filter(candidate__user__isnull=True).exists()
    assert answered.filter(gender="declined").exists()
    assert answered.filter(disability_status="declined").exists()
    assert answered.filter(gender="female").exists()
    assert answered.filter(gender="male").exists()
