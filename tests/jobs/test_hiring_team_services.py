"""``jobs.services.hiring_team_set`` / ``hiring_team_remove`` and the reach they give (issue 16, item 6)."""

import pytest

from hotgigs.accounts import policies
from hotgigs.accounts.models import User
from hotgigs.errors import Forbidden
from hotgigs.events.models import OutboxEvent
from jobs.errors import HiringTeamMemberNotFound, InvalidHiringTeam
from jobs.models import HiringTeamMember
from jobs.selectors import hiring_team_list, job_list
from jobs.services import hiring_team_remove, hiring_team_set
from tests.factories import JobFactory, MembershipFactory, OrganizationFactory, UserFactory
from tests.seats import build_seats


@pytest.fixture
def seats(db):  # type: ignore[no-untyped-def]
    return build_seats()


def fresh(user: User) -> User:
    """The user as a new request sees them (roles and team reach are memoised per object)."""
    return User.objects.get(pk=user.pk)


def test_a_recruiter_builds_a_team_and_the_event_says_so(seats):
    job = JobFactory(organization=seats.org)

    member = hiring_team_set(actor=seats.recruiter, job=job, user_id=seats.manager.pk, role="hiring_manager")

    assert (member.user_id, member.role, member.organization_id) == (seats.manager.pk, "hiring_manager", seats.org.pk)
    event = OutboxEvent.objects.get(type="job.team_changed")
    assert event.data == {
        "id": job.pk,
        "organization_id": seats.org.pk,
        "user_id": seats.manager.pk,
        "role": "hiring_manager",
        "change": "added",
    }
    assert job.pk in policies.team_reach(fresh(seats.manager)).managed_jobs


def test_changing_a_part_and_setting_the_same_part(seats):
    job = JobFactory(organization=seats.org)
    hiring_team_set(actor=seats.recruiter, job=job, user_id=seats.manager.pk, role="interviewer")

    hiring_team_set(actor=seats.recruiter, job=job, user_id=seats.manager.pk, role="hiring_manager")
    hiring_team_set(actor=seats.recruiter, job=job, user_id=seats.manager.pk, role="hiring_manager")

    assert list(OutboxEvent.objects.filter(type="job.team_changed").values_list("data__change", flat=True)) == [
        "added",
        "changed",
    ]
    assert HiringTeamMember.objects.get(job=job).role == "hiring_manager"


def test_removing_takes_the_reach_away(seats):
    hiring_team_remove(actor=seats.recruiter, job=seats.job_a, user_id=seats.manager.pk)

    assert seats.job_a.pk not in policies.team_reach(fresh(seats.manager)).jobs
    assert not job_list(actor=fresh(seats.manager)).exists()
    assert OutboxEvent.objects.filter(type="job.team_changed", data__change="removed").exists()
    with pytest.raises(HiringTeamMemberNotFound):
        hiring_team_remove(actor=seats.recruiter, job=seats.job_a, user_id=seats.manager.pk)


@pytest.mark.parametrize(
    ("who", "role"),
    [
        ("panelist", "hiring_manager"),  # an interviewer seat only interviews
        ("panelist", "recruiter"),
        ("manager", "recruiter"),  # a hiring manager seat manages or interviews
        ("outsider", "interviewer"),  # no seat
        ("elsewhere", "interviewer"),  # a seat in another organization
        ("inactive", "interviewer"),
        ("manager", "owner"),  # no such part
    ],
)
def test_refused_members_change_nothing(seats, who, role):
    people = {
        "panelist": seats.panelist,
        "manager": seats.manager,
        "outsider": UserFactory(),
        "elsewhere": MembershipFactory(organization=OrganizationFactory()).user,
        "inactive": MembershipFactory(organization=seats.org, user=UserFactory(is_active=False)).user,
    }
    job = JobFactory(organization=seats.org)

    with pytest.raises(InvalidHiringTeam):
        hiring_team_set(actor=seats.recruiter, job=job, user_id=people[who].pk, role=role)

    assert not HiringTeamMember.objects.filter(job=job).exists()
    assert not OutboxEvent.objects.filter(type="job.team_changed").exists()


def test_one_hiring_manager_per_job(seats):
    second = MembershipFactory(organization=seats.org, role="hiring_manager").user

    with pytest.raises(InvalidHiringTeam):
        hiring_team_set(actor=seats.recruiter, job=seats.job_a, user_id=second.pk, role="hiring_manager")

    assert list(hiring_team_list(job=seats.job_a).filter(role="hiring_manager").values_list("user_id", flat=True)) == [
        seats.manager.pk
    ]


@pytest.mark.parametrize("who", ["manager", "interviewer", "other"])
def test_only_full_seats_and_staff_change_teams(seats, who):
    actor = seats.manager if who != "other" else MembershipFactory(organization=OrganizationFactory()).user
    if who == "interviewer":
        actor = seats.interviewer

    with pytest.raises(Forbidden):
        hiring_team_set(actor=actor, job=seats.job_b, user_id=seats.panelist.pk, role="interviewer")
    with pytest.raises(Forbidden):
        hiring_team_remove(actor=actor, job=seats.job_a, user_id=seats.interviewer.pk)

    assert HiringTeamMember.objects.filter(job=seats.job_a).count() == 3


def test_staff_change_teams(seats, staff):
    hiring_team_set(actor=staff, job=seats.job_b, user_id=seats.panelist.pk, role="interviewer")

    assert HiringTeamMember.objects.filter(job=seats.job_b, user=seats.panelist).exists()


def test_a_team_part_in_an_organization_one_left_reaches_nothing(seats):
    seats.manager.memberships.all().delete()

    assert policies.team_reach(fresh(seats.manager)).jobs == frozenset()
    assert not policies.may_approve_offer(fresh(seats.manager), organization_id=seats.org.pk, job_id=seats.job_a.pk)


def test_the_policy_reach_of_each_seat(seats):
    manager = policies.team_reach(fresh(seats.manager))
    interviewer = policies.team_reach(fresh(seats.interviewer))
    panelist = policies.team_reach(fresh(seats.panelist))
    recruiter = policies.team_reach(fresh(seats.recruiter))

    assert manager.managed_jobs == {seats.job_a.pk}
    assert manager.hiring_manager_of == {seats.job_a.pk}
    assert interviewer.managed_jobs == frozenset()
    assert interviewer.interviewed_jobs == {seats.job_a.pk}
    assert panelist.jobs == frozenset()
    assert panelist.panel_applications == {seats.app_b.pk}
    # A full seat reaches the whole organization; its team parts add no reach.
    assert recruiter.jobs == frozenset()
    assert recruiter.panel_applications == frozenset()
    assert policies.organization_ids(fresh(seats.manager)) == frozenset()
    assert policies.member_organization_ids(fresh(seats.manager)) == {seats.org.pk}
    # Row-level security stays at the organization grain: every seat is of the organization.
    assert policies.database_identity(fresh(seats.interviewer)).organization_ids == {seats.org.pk}


def test_a_hiring_manager_whose_seat_became_an_interviewer_seat_only_interviews(seats):
    seats.manager.memberships.update(role="interviewer")
    manager = fresh(seats.manager)

    reach = policies.team_reach(manager)

    assert reach.managed_jobs == frozenset()
    assert reach.interviewed_jobs == {seats.job_a.pk}
    assert not policies.may_approve_offer(manager, organization_id=seats.org.pk, job_id=seats.job_a.pk)
    assert not policies.may_manage_job(manager, organization_id=seats.org.pk, job_id=seats.job_a.pk)
