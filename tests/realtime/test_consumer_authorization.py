"""Every subscription is authorized when it is made; refused ones deliver nothing."""

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from django.utils import timezone

from applications.services import application_move
from hotgigs.accounts.models import Membership
from interviews.services import feedback_submit
from jobs.services import job_create, job_open, job_update
from tests.factories import ApplicationFactory, CandidateFactory, InterviewFactory, JobFactory, MembershipFactory
from tests.realtime.conftest import call, connect, receive, subscribe, token_for

pytestmark = pytest.mark.django_db(transaction=True)


def _answers(token, *subscriptions):
    async def scenario():
        communicator = await connect(token)
        answers = [await subscribe(communicator, channel, **params) for channel, params in subscriptions]
        await communicator.disconnect()
        return answers

    return async_to_sync(scenario)()


@pytest.fixture
def world(org, other_org):
    recruiter_a = MembershipFactory(organization=org).user
    recruiter_b = MembershipFactory(organization=other_org).user
    candidate_x, candidate_y = CandidateFactory(), CandidateFactory()
    application_x = ApplicationFactory(job=JobFactory(organization=org), candidate=candidate_x)
    application_y = ApplicationFactory(job=JobFactory(organization=other_org), candidate=candidate_y)
    return {
        "org_a": org,
        "org_b": other_org,
        "recruiter_a": recruiter_a,
        "recruiter_b": recruiter_b,
        "candidate_x": candidate_x,
        "candidate_y": candidate_y,
        "application_x": application_x,
        "application_y": application_y,
    }


def test_candidate_matrix(world):
    token = token_for(world["candidate_x"].user)
    org_a = world["org_a"].pk

    answers = _answers(
        token,
        ("job_updates", {"scope": "board"}),
        ("application_status", {"scope": "mine"}),
        ("application_status", {"application_id": world["application_x"].pk}),
        ("interview_schedule", {"scope": "mine"}),
        ("notifications", {}),
        ("application_status", {"application_id": world["application_y"].pk}),
        ("application_status", {"application_id": 999_999_999}),
        ("job_updates", {"scope": "organization", "organization_id": org_a}),
        ("application_status", {"scope": "organization", "organization_id": org_a}),
        ("interview_schedule", {"scope": "organization", "organization_id": org_a}),
    )

    assert [a["type"] for a in answers[:5]] == ["ack"] * 5
    # Another candidate's application and one that does not exist look the same.
    assert [a["code"] for a in answers[5:7]] == ["NOT_FOUND", "NOT_FOUND"]
    assert [a["code"] for a in answers[7:]] == ["FORBIDDEN"] * 3
    assert answers[5]["channel"] == "application_status"
    assert answers[5]["params"] == {"application_id": world["application_y"].pk}


def test_recruiter_matrix(world):
    token = token_for(world["recruiter_a"])
    org_a, org_b = world["org_a"].pk, world["org_b"].pk

    answers = _answers(
        token,
        ("job_updates", {"scope": "organization", "organization_id": org_a}),
        ("application_status", {"scope": "organization", "organization_id": org_a}),
        ("interview_schedule", {"scope": "organization", "organization_id": org_a}),
        ("application_status", {"application_id": world["application_x"].pk}),
        ("job_updates", {"scope": "organization", "organization_id": org_b}),
        ("application_status", {"scope": "organization", "organization_id": org_b}),
        ("interview_schedule", {"scope": "organization", "organization_id": org_b}),
        ("application_status", {"application_id": world["application_y"].pk}),
    )

    assert [a["type"] for a in answers[:4]] == ["ack"] * 4
    assert [a["code"] for a in answers[4:]] == ["NOT_FOUND"] * 4


def test_staff_may_follow_any_organization(world, staff):
    answers = _answers(
        token_for(staff), ("job_updates", {"scope": "organization", "organization_id": world["org_b"].pk})
    )

    assert answers[0]["type"] == "ack"


@pytest.mark.parametrize(
    ("channel", "params", "scope"),
    [
        ("job_updates", {"scope": "board"}, "jobs:read"),
        ("application_status", {"scope": "mine"}, "applications:read"),
        ("interview_schedule", {"scope": "mine"}, "interviews:read"),
        ("notifications", {}, "notifications:read"),
    ],
)
def test_a_token_without_the_channels_scope_is_refused(world, channel, params, scope):
    token = token_for(world["candidate_x"].user, scopes=("candidates:read",))

    [answer] = _answers(token, (channel, params))

    assert answer["code"] == "FORBIDDEN"
    assert answer["details"] == {"required_scope": scope}


def test_refused_subscription_delivers_nothing(world):
    token = token_for(world["candidate_x"].user)
    application_y, recruiter_b = world["application_y"], world["recruiter_b"]

    async def scenario():
        communicator = await connect(token)
        refused = await subscribe(communicator, "application_status", application_id=application_y.pk)
        await call(application_move, actor=recruiter_b, application=application_y, to_stage="screening")
        silent = await communicator.receive_nothing(0.3)
        await communicator.disconnect()
        return refused, silent

    refused, silent = async_to_sync(scenario)()

    assert refused["code"] == "NOT_FOUND"
    assert silent


def test_board_never_carries_draft_jobs(world):
    recruiter_a, org_a = world["recruiter_a"], world["org_a"]
    token = token_for(world["candidate_x"].user)

    async def scenario():
        communicator = await connect(token)
        await subscribe(communicator, "job_updates", scope="board")
        job = await call(job_create, actor=recruiter_a, organization=org_a, title="Secret", description="x")
        await call(job_update, actor=recruiter_a, job=job, title="Still secret")
        silent = await communicator.receive_nothing(0.3)
        await call(job_open, actor=recruiter_a, job=job)
        [opened] = await receive(communicator, 1)
        await communicator.disconnect()
        return silent, opened, job

    silent, opened, job = async_to_sync(scenario)()

    assert silent
    assert opened["type"] == "job.opened"
    assert opened["data"]["id"] == job.pk


def test_recruiter_of_another_organization_hears_nothing(world):
    recruiter_a, org_a = world["recruiter_a"], world["org_a"]
    token_b = token_for(world["recruiter_b"])
    org_b = world["org_b"]

    async def scenario():
        communicator = await connect(token_b)
        for channel in ("job_updates", "application_status", "interview_schedule"):
            await subscribe(communicator, channel, scope="organization", organization_id=org_b.pk)
        job = await call(job_create, actor=recruiter_a, organization=org_a, title="A only", description="x")
        await call(job_open, actor=recruiter_a, job=job)
        await call(application_move, actor=recruiter_a, application=world["application_x"], to_stage="screening")
        silent = await communicator.receive_nothing(0.3)
        await communicator.disconnect()
        return silent

    assert async_to_sync(scenario)()


def test_candidate_mine_hears_only_their_own_applications(world):
    recruiter_a = world["recruiter_a"]
    other_application = ApplicationFactory(job=world["application_x"].job, candidate=world["candidate_y"])
    token = token_for(world["candidate_x"].user)

    async def scenario():
        communicator = await connect(token)
        await subscribe(communicator, "application_status", scope="mine")
        await call(application_move, actor=recruiter_a, application=other_application, to_stage="screening")
        await call(application_move, actor=recruiter_a, application=world["application_x"], to_stage="screening")
        [event] = await receive(communicator, 1)
        silent = await communicator.receive_nothing(0.3)
        await communicator.disconnect()
        return event, silent

    event, silent = async_to_sync(scenario)()

    assert event["data"]["id"] == world["application_x"].pk
    assert event["type"] == "application.stage_changed"
    assert silent


def test_feedback_reaches_recruiters_never_candidates(world):
    recruiter_a, org_a = world["recruiter_a"], world["org_a"]
    interview = InterviewFactory(
        application=world["application_x"],
        interviewers=[recruiter_a],
        starts_at=timezone.now() - timedelta(hours=2),
        ends_at=timezone.now() - timedelta(hours=1),
    )
    recruiter_token = token_for(recruiter_a)
    candidate_token = token_for(world["candidate_x"].user)

    async def scenario():
        team = await connect(recruiter_token)
        await subscribe(team, "interview_schedule", scope="organization", organization_id=org_a.pk)
        candidate = await connect(candidate_token)
        await subscribe(candidate, "interview_schedule", scope="mine")
        await call(feedback_submit, actor=recruiter_a, interview=interview, rating=4, recommendation="yes")
        [event] = await receive(team, 1)
        silent = await candidate.receive_nothing(0.3)
        await team.disconnect()
        await candidate.disconnect()
        return event, silent

    event, silent = async_to_sync(scenario)()

    assert event["type"] == "feedback.submitted"
    assert event["data"]["interview_id"] == interview.pk
    assert silent


def test_heartbeat_drops_a_subscription_the_user_lost(settings, world):
    settings.REALTIME_HEARTBEAT_SECONDS = 0.2
    recruiter_a, org_a = world["recruiter_a"], world["org_a"]
    colleague = MembershipFactory(organization=org_a).user
    token = token_for(recruiter_a)

    async def scenario():
        communicator = await connect(token)
        await subscribe(communicator, "application_status", scope="organization", organization_id=org_a.pk)
        await call(Membership.objects.filter(user=recruiter_a).delete)
        frames = [await communicator.receive_json_from()]
        while frames[-1]["type"] != "error":
            frames.append(await communicator.receive_json_from())
        await call(application_move, actor=colleague, application=world["application_x"], to_stage="screening")
        after = await communicator.receive_json_from()
        await communicator.disconnect()
        return frames[-1], after

    error, after = async_to_sync(scenario)()

    # With no membership left the user recruits for no organization: organization channels are refused.
    assert error["code"] == "FORBIDDEN"
    assert error["subscription"] == f"application_status.org.{org_a.pk}"
    assert after["type"] == "heartbeat"


def test_a_membership_gained_after_connecting_counts(world):
    recruiter_a, org_b = world["recruiter_a"], world["org_b"]
    token = token_for(recruiter_a)

    async def scenario():
        communicator = await connect(token)
        before = await subscribe(communicator, "job_updates", scope="organization", organization_id=org_b.pk)
        await call(MembershipFactory, organization=org_b, user=recruiter_a)
        after = await subscribe(communicator, "job_updates", scope="organization", organization_id=org_b.pk)
        await communicator.disconnect()
        return before, after

    before, after = async_to_sync(scenario)()

    assert before["code"] == "NOT_FOUND"
    assert after["type"] == "ack"


def test_subscribes_sent_at_once_are_each_answered_in_order(world):
    """A client sends its subscribes without waiting for the acks (the server answers those
    that wait together): each gets its own answer, in the order sent, refusals included."""
    token = token_for(world["recruiter_a"])
    org_a, org_b = world["org_a"].pk, world["org_b"].pk
    mine = ApplicationFactory(job=JobFactory(organization=world["org_a"]))
    sent = [
        ("application_status", {"application_id": world["application_x"].pk}),
        ("application_status", {"application_id": world["application_y"].pk}),
        ("job_updates", {"scope": "organization", "organization_id": org_a}),
        ("application_status", {"application_id": mine.pk}),
        ("job_updates", {"scope": "organization", "organization_id": org_b}),
        ("application_status", {"application_id": world["application_x"].pk}),
        ("application_status", {"scope": "organization", "organization_id": org_a}),
        ("nope", {}),
    ]

    async def scenario():
        communicator = await connect(token)
        for channel, params in sent:
            await communicator.send_json_to({"action": "subscribe", "channel": channel, "params": params})
        answers = await receive(communicator, len(sent))
        await communicator.disconnect()
        return answers

    answers = async_to_sync(scenario)()

    assert [(a["type"], a.get("code"), a.get("channel"), a.get("params")) for a in answers] == [
        ("ack", None, channel, params) if ok else ("error", code, channel, params)
        for (channel, params), (ok, code) in zip(
            sent,
            [
                (True, None),
                (False, "NOT_FOUND"),
                (True, None),
                (True, None),
                (False, "NOT_FOUND"),
                (True, None),
                (True, None),
                (False, "VALIDATION_ERROR"),
            ],
            strict=True,
        )
    ]
