"""Realtime for limited seats (issue 16, item 6): an interviewer or hiring manager seat follows
the applications it reaches, never an organization-wide channel nor another job's rows."""

import pytest

from hotgigs.accounts.models import User
from hotgigs.accounts.scopes import APPLICATIONS_READ, INTERVIEWS_READ, JOBS_READ
from hotgigs.errors import DomainError
from hotgigs.realtime.subscriptions import subscription_parse, subscriptions_authorize
from tests.seats import build_seats

SCOPES = (JOBS_READ, APPLICATIONS_READ, INTERVIEWS_READ)


@pytest.fixture
def seats(db):  # type: ignore[no-untyped-def]
    return build_seats()


def answers(user: User, wanted: list[tuple[str, dict[str, object]]]) -> list[str | None]:
    actor = User.objects.get(pk=user.pk)
    subscriptions = [subscription_parse(user_id=user.pk, channel=channel, params=params) for channel, params in wanted]
    found = subscriptions_authorize(actor=actor, scopes=SCOPES, subscriptions=subscriptions)
    return [error.code if isinstance(error, DomainError) else None for error in found]


@pytest.mark.parametrize("who", ["manager", "interviewer", "panelist"])
def test_limited_seats_get_no_organization_channel(seats, who):
    organization = {"scope": "organization", "organization_id": seats.org.pk}

    assert answers(
        getattr(seats, who),
        [("job_updates", organization), ("application_status", organization), ("interview_schedule", organization)],
    ) == ["FORBIDDEN", "FORBIDDEN", "FORBIDDEN"]


def test_a_recruiter_keeps_the_organization_channels(seats):
    organization = {"scope": "organization", "organization_id": seats.org.pk}

    assert answers(seats.recruiter, [("job_updates", organization), ("application_status", organization)]) == [
        None,
        None,
    ]


@pytest.mark.parametrize(
    ("who", "allowed", "refused"),
    [("manager", "app_a", "app_b"), ("interviewer", "app_a", "app_b"), ("panelist", "app_b", "app_a")],
)
def test_limited_seats_follow_only_the_applications_they_reach(seats, who, allowed, refused):
    wanted = [
        ("application_status", {"application_id": getattr(seats, allowed).pk}),
        ("application_status", {"application_id": getattr(seats, refused).pk}),
        ("application_status", {"application_id": seats.other_app.pk}),
        ("interview_schedule", {"scope": "mine"}),
    ]

    assert answers(getattr(seats, who), wanted) == [None, "NOT_FOUND", "NOT_FOUND", None]
