"""Events reach /ws/ after commit, in order, once; replay since an id fills what was missed."""

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from django.db import transaction
from django.utils import timezone

from applications.services import application_move
from hotgigs.events.models import OutboxEvent
from hotgigs.notifications.services import notification_create
from hotgigs.realtime import events
from hotgigs.realtime.services import outbox_prune
from jobs.services import job_close, job_create, job_open, job_update
from tests.factories import ApplicationFactory, CandidateFactory, JobFactory, MembershipFactory
from tests.realtime.conftest import call, connect, receive, subscribe, token_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def team(org):
    recruiter = MembershipFactory(organization=org).user
    return recruiter, token_for(recruiter)


def _draft(recruiter, org, title="Platform engineer"):
    return job_create(actor=recruiter, organization=org, title=title, description="Build things.")


def test_event_arrives_after_commit_with_its_shape(org, team):
    recruiter, token = team

    async def scenario():
        communicator = await connect(token)
        ack = await subscribe(communicator, "job_updates", scope="organization", organization_id=org.pk)
        job = await call(_draft, recruiter=recruiter, org=org)
        [event] = await receive(communicator, 1)
        await communicator.disconnect()
        return ack, event, job

    ack, event, job = async_to_sync(scenario)()

    assert set(event) == {"id", "channel", "type", "data", "ts", "subscriptions"}
    assert event["channel"] == "job_updates"
    assert event["type"] == "job.created"
    assert event["data"]["id"] == job.pk
    assert event["data"]["status"] == "draft"
    assert event["subscriptions"] == [ack["subscription"]]
    assert event["id"] == OutboxEvent.objects.get(type="job.created").pk


class Boom(Exception):
    pass


def _update_then_fail(recruiter, job):
    with transaction.atomic():
        job_update(actor=recruiter, job=job, title="Never happened")
        raise Boom


def test_nothing_arrives_for_a_rolled_back_change(org, team):
    recruiter, token = team
    job = JobFactory(organization=org)

    async def scenario():
        communicator = await connect(token)
        await subscribe(communicator, "job_updates", scope="organization", organization_id=org.pk)
        with pytest.raises(Boom):
            await call(_update_then_fail, recruiter=recruiter, job=job)
        silent = await communicator.receive_nothing(0.3)
        await communicator.disconnect()
        return silent

    assert async_to_sync(scenario)()
    assert not OutboxEvent.objects.exists()


def test_events_arrive_in_id_order(org, team):
    recruiter, token = team

    async def scenario():
        communicator = await connect(token)
        await subscribe(communicator, "job_updates", scope="organization", organization_id=org.pk)
        job = await call(_draft, recruiter=recruiter, org=org)
        await call(job_update, actor=recruiter, job=job, title="Renamed")
        await call(job_open, actor=recruiter, job=job)
        await call(job_close, actor=recruiter, job=job)
        received = await receive(communicator, 4)
        await communicator.disconnect()
        return received

    received = async_to_sync(scenario)()

    assert [e["type"] for e in received] == ["job.created", "job.updated", "job.opened", "job.closed"]
    ids = [e["id"] for e in received]
    assert ids == sorted(ids)
    assert len(set(ids)) == 4


def test_replay_since_an_id_then_live_without_gaps_or_duplicates(org, other_org, team):
    recruiter, token = team
    other_recruiter = MembershipFactory(organization=other_org).user

    async def scenario():
        first = await connect(token)
        ack = await subscribe(first, "job_updates", scope="organization", organization_id=org.pk)
        job = await call(_draft, recruiter=recruiter, org=org)
        [seen] = await receive(first, 1)
        await first.disconnect()

        # While disconnected: two events of this organization and one of another.
        await call(job_update, actor=recruiter, job=job, title="While away")
        await call(_draft, recruiter=other_recruiter, org=other_org, title="Not yours")
        await call(job_open, actor=recruiter, job=job)

        second = await connect(token)
        again = await subscribe(second, "job_updates", scope="organization", organization_id=org.pk, since=seen["id"])
        replayed = await receive(second, 2)
        await call(job_close, actor=recruiter, job=job)
        [live] = await receive(second, 1)
        silent = await second.receive_nothing(0.3)
        await second.disconnect()
        return ack, seen, again, replayed, live, silent

    ack, seen, again, replayed, live, silent = async_to_sync(scenario)()

    assert again["type"] == "ack"
    assert again["subscription"] == ack["subscription"]
    assert [e["type"] for e in replayed] == ["job.updated", "job.opened"]
    assert live["type"] == "job.closed"
    ids = [seen["id"]] + [e["id"] for e in replayed] + [live["id"]]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert all(e["data"]["organization_id"] == org.pk for e in [*replayed, live])
    assert silent


def test_replay_is_limited_and_says_so(settings, org, team):
    settings.REALTIME_REPLAY_LIMIT = 2
    recruiter, token = team

    async def scenario():
        job = await call(_draft, recruiter=recruiter, org=org)
        start = await call(lambda: OutboxEvent.objects.get(type="job.created").pk)
        for title in ("One", "Two", "Three"):
            await call(job_update, actor=recruiter, job=job, title=title)
        communicator = await connect(token)
        await subscribe(communicator, "job_updates", scope="organization", organization_id=org.pk, since=start)
        replayed = await receive(communicator, 3)
        await call(job_open, actor=recruiter, job=job)
        [live] = await receive(communicator, 1)
        await communicator.disconnect()
        return replayed, live

    replayed, live = async_to_sync(scenario)()

    assert [e["data"]["title"] for e in replayed[:2]] == ["One", "Two"]
    assert replayed[2]["type"] == "replay_truncated"
    assert replayed[2]["reason"] == "limit"
    assert replayed[2]["last_id"] == replayed[1]["id"]
    assert live["type"] == "job.opened"


def _pruned_history(recruiter, org) -> list[int]:
    """Four events of the organization's job updates, the first two pruned: the ids kept."""
    job = _draft(recruiter, org)
    for title in ("One", "Two", "Three"):
        job_update(actor=recruiter, job=job, title=title)
    ids = list(OutboxEvent.objects.order_by("pk").values_list("pk", flat=True))
    assert ids == list(range(ids[0], ids[0] + 4))
    OutboxEvent.objects.filter(pk__in=ids[:2]).update(created_at=timezone.now() - timedelta(days=10))
    assert outbox_prune(older_than=timedelta(days=1)) == 2
    return ids[2:]


async def _resume(token: str, org_id: int, since: int, count: int) -> tuple[list[dict], bool]:  # type: ignore[type-arg]
    """Subscribe with ``since``; the ``count`` frames after the ack, and whether nothing followed."""
    communicator = await connect(token)
    await subscribe(communicator, "job_updates", scope="organization", organization_id=org_id, since=since)
    frames = await receive(communicator, count)
    silent = await communicator.receive_nothing(0.3)
    await communicator.disconnect()
    return frames, silent


def test_replay_from_before_a_pruned_event_says_expired(org, team):
    recruiter, token = team
    kept = _pruned_history(recruiter, org)
    since = kept[0] - 2

    frames, silent = async_to_sync(_resume)(token, org.pk, since, len(kept) + 1)

    assert [frame["id"] for frame in frames[:-1]] == kept
    notice = frames[-1]
    assert (notice["type"], notice["reason"], notice["last_id"]) == ("replay_truncated", "expired", kept[-1])
    assert silent


@pytest.mark.parametrize(("before_oldest", "already_seen"), [(1, 0), (0, 1)])
def test_replay_from_the_last_pruned_event_or_later_is_complete(org, team, before_oldest, already_seen):
    recruiter, token = team
    kept = _pruned_history(recruiter, org)
    since = kept[0] - before_oldest

    frames, silent = async_to_sync(_resume)(token, org.pk, since, len(kept) - already_seen)

    assert [frame["id"] for frame in frames] == kept[already_seen:]
    assert silent


def test_replay_sends_nothing_the_subscriber_may_not_see(org, other_org, team):
    recruiter, token = team
    other_recruiter = MembershipFactory(organization=other_org).user

    async def scenario():
        mine = await call(_draft, recruiter=recruiter, org=org)
        since = await call(lambda: OutboxEvent.objects.get(data__id=mine.pk).pk)
        await call(_draft, recruiter=other_recruiter, org=other_org, title="Theirs")
        communicator = await connect(token)
        await subscribe(communicator, "job_updates", scope="organization", organization_id=org.pk, since=since - 1)
        replayed = await receive(communicator, 1)
        silent = await communicator.receive_nothing(0.3)
        await communicator.disconnect()
        return mine, replayed, silent

    mine, replayed, silent = async_to_sync(scenario)()

    assert [e["data"]["id"] for e in replayed] == [mine.pk]
    assert silent


def test_an_event_in_two_subscriptions_arrives_once(org):
    recruiter = MembershipFactory(organization=org).user
    candidate = CandidateFactory()
    application = ApplicationFactory(job=JobFactory(organization=org), candidate=candidate)
    token = token_for(candidate.user)

    async def scenario():
        communicator = await connect(token)
        mine = await subscribe(communicator, "application_status", scope="mine")
        one = await subscribe(communicator, "application_status", application_id=application.pk)
        await call(application_move, actor=recruiter, application=application, to_stage="screening")
        [event] = await receive(communicator, 1)
        silent = await communicator.receive_nothing(0.3)
        await communicator.disconnect()
        return mine, one, event, silent

    mine, one, event, silent = async_to_sync(scenario)()

    assert event["type"] == "application.stage_changed"
    assert sorted(event["subscriptions"]) == sorted([mine["subscription"], one["subscription"]])
    assert silent


def test_a_lost_push_is_repaired_from_the_outbox(org, team, monkeypatch):
    recruiter, token = team
    real_send = events._send
    dropped = []

    def lossy_send(batch):
        if not dropped:
            dropped.extend(message["id"] for _, message, _ in batch)
            return
        real_send(batch)

    async def scenario():
        communicator = await connect(token)
        await subscribe(communicator, "job_updates", scope="organization", organization_id=org.pk)
        monkeypatch.setattr(events, "_send", lossy_send)
        job = await call(_draft, recruiter=recruiter, org=org)
        silent = await communicator.receive_nothing(0.3)
        await call(job_open, actor=recruiter, job=job)
        received = await receive(communicator, 2)
        await communicator.disconnect()
        return silent, received

    silent, received = async_to_sync(scenario)()

    assert silent
    assert [e["type"] for e in received] == ["job.created", "job.opened"]
    assert received[0]["id"] == dropped[0]


def test_notification_create_pushes_on_notifications(candidate):
    token = token_for(candidate.user)
    bystander = CandidateFactory()

    async def scenario():
        communicator = await connect(token)
        await subscribe(communicator, "notifications")
        await call(notification_create, user_id=bystander.user.pk, kind="interview.scheduled", payload={})
        notification = await call(
            notification_create, user_id=candidate.user.pk, kind="interview.scheduled", payload={"interview_id": 3}
        )
        [event] = await receive(communicator, 1)
        silent = await communicator.receive_nothing(0.3)
        await communicator.disconnect()
        return notification, event, silent

    notification, event, silent = async_to_sync(scenario)()

    assert event["channel"] == "notifications"
    assert event["type"] == "notification.created"
    assert event["data"] == {"id": notification.pk, "kind": "interview.scheduled", "payload": {"interview_id": 3}}
    assert silent
