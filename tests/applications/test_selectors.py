from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser

from applications.errors import ApplicationNotFound
from applications.selectors import (
    actor_is_hiring_team,
    application_get,
    application_history,
    application_list,
    application_time_in_stage,
)
from tests.factories import ApplicationFactory, CandidateFactory, StageChangeFactory

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def applications(open_job, other_open_job, candidate, other_candidate):
    return {
        "mine_here": ApplicationFactory(job=open_job, candidate=candidate),
        "mine_there": ApplicationFactory(job=other_open_job, candidate=candidate),
        "theirs_here": ApplicationFactory(job=open_job, candidate=other_candidate),
        "theirs_there": ApplicationFactory(job=other_open_job, candidate=other_candidate),
    }


def test_two_candidates_are_isolated(applications, candidate, other_candidate):
    assert set(application_list(actor=candidate.user)) == {applications["mine_here"], applications["mine_there"]}
    assert set(application_list(actor=other_candidate.user)) == {
        applications["theirs_here"],
        applications["theirs_there"],
    }


def test_two_organizations_are_isolated(applications, recruiter, other_recruiter):
    assert set(application_list(actor=recruiter)) == {applications["mine_here"], applications["theirs_here"]}
    assert set(application_list(actor=other_recruiter)) == {
        applications["mine_there"],
        applications["theirs_there"],
    }


def test_staff_sees_every_application(applications, staff):
    assert set(application_list(actor=staff)) == set(applications.values())


def test_anonymous_sees_no_application(applications):
    assert not application_list(actor=AnonymousUser()).exists()


def test_anonymous_sees_no_application_of_a_sourced_candidate_either(open_job, recruiter):
    # A sourced candidate has no user: "the candidate's own" must not match an actor without one.
    ApplicationFactory(job=open_job, candidate=CandidateFactory(user=None, created_by=recruiter))

    assert not application_list(actor=AnonymousUser()).exists()


def test_a_recruiter_who_applies_elsewhere_sees_their_own_application_too(applications, recruiter, other_open_job):
    own = ApplicationFactory(job=other_open_job, candidate=CandidateFactory(user=recruiter))

    assert set(application_list(actor=recruiter)) == {applications["mine_here"], applications["theirs_here"], own}


def test_the_hiring_team_is_staff_and_members_of_the_jobs_organization(applications, recruiter, other_recruiter, staff):
    application = applications["mine_here"]

    assert actor_is_hiring_team(actor=recruiter, application=application)
    assert actor_is_hiring_team(actor=staff, application=application)
    assert not actor_is_hiring_team(actor=other_recruiter, application=application)


def test_a_member_of_another_organization_applying_is_not_the_hiring_team(open_job, other_recruiter):
    own = ApplicationFactory(job=open_job, candidate=CandidateFactory(user=other_recruiter))

    assert application_get(actor=other_recruiter, application_id=own.pk) == own
    assert not actor_is_hiring_team(actor=other_recruiter, application=own)


@pytest.mark.parametrize(("actor_name", "key"), [("candidate", "theirs_here"), ("recruiter", "mine_there")])
def test_application_get_hides_invisible_rows(applications, candidate, recruiter, actor_name, key):
    actor = {"candidate": candidate.user, "recruiter": recruiter}[actor_name]

    with pytest.raises(ApplicationNotFound) as exc_info:
        application_get(actor=actor, application_id=applications[key].pk)

    assert exc_info.value.code == "NOT_FOUND"


def test_application_get_returns_a_visible_row(applications, recruiter):
    assert (
        application_get(actor=recruiter, application_id=applications["theirs_here"].pk) == applications["theirs_here"]
    )


def test_application_list_loads_job_and_candidate_in_one_query(applications, staff, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = list(application_list(actor=staff))
        _ = [(a.job.organization.name, a.candidate.full_name) for a in rows]


def _with_history(open_job, *moves: tuple[str, str, timedelta]):
    application = ApplicationFactory(job=open_job, stage=moves[-1][1] if moves else "applied", stage_changed_at=T0)
    for from_stage, to_stage, offset in moves:
        StageChangeFactory(application=application, from_stage=from_stage, to_stage=to_stage, changed_at=T0 + offset)
    return application


def test_history_is_oldest_first(open_job):
    application = _with_history(
        open_job, ("screening", "interview", timedelta(days=5)), ("applied", "screening", timedelta(days=2))
    )

    assert [c.to_stage for c in application_history(application=application)] == ["applied", "screening", "interview"]


def test_time_in_stage_of_an_active_application_runs_until_now(open_job):
    application = _with_history(
        open_job, ("applied", "screening", timedelta(days=2)), ("screening", "interview", timedelta(days=5))
    )
    now = T0 + timedelta(days=6, hours=12)

    spans = application_time_in_stage(application=application, now=now)

    assert [(s.stage, s.entered_at, s.left_at, s.duration) for s in spans] == [
        ("applied", T0, T0 + timedelta(days=2), timedelta(days=2)),
        ("screening", T0 + timedelta(days=2), T0 + timedelta(days=5), timedelta(days=3)),
        ("interview", T0 + timedelta(days=5), None, timedelta(days=1, hours=12)),
    ]


def test_time_in_stage_ends_at_a_terminal_stage(open_job):
    application = _with_history(
        open_job, ("applied", "screening", timedelta(hours=4)), ("screening", "rejected", timedelta(days=1))
    )

    spans = application_time_in_stage(application=application, now=T0 + timedelta(days=30))

    assert [(s.stage, s.duration) for s in spans] == [
        ("applied", timedelta(hours=4)),
        ("screening", timedelta(hours=20)),
        ("rejected", timedelta(0)),
    ]
    assert spans[-1].left_at == T0 + timedelta(days=1)


def test_time_in_stage_of_a_fresh_application(open_job):
    application = _with_history(open_job)

    spans = application_time_in_stage(application=application, now=T0 + timedelta(minutes=90))

    assert [(s.stage, s.left_at, s.duration) for s in spans] == [("applied", None, timedelta(minutes=90))]
