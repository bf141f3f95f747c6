"""The message protocol of /ws/: acks, pings, unsubscribes and validation errors."""

import json

import pytest
from asgiref.sync import async_to_sync

from jobs.services import job_open
from tests.factories import JobFactory, MembershipFactory
from tests.realtime.conftest import call, connect, send, subscribe, token_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_ping_answers_pong(candidate):
    token = token_for(candidate.user)

    async def scenario():
        communicator = await connect(token)
        await send(communicator, "ping")
        pong = await communicator.receive_json_from()
        await communicator.disconnect()
        return pong

    pong = async_to_sync(scenario)()

    assert pong["type"] == "pong"
    assert set(pong) == {"type", "ts"}


def test_subscribe_is_acknowledged_with_its_key(candidate):
    token = token_for(candidate.user)

    async def scenario():
        communicator = await connect(token)
        ack = await subscribe(communicator, "job_updates", scope="board")
        again = await subscribe(communicator, "job_updates", scope="board")
        await communicator.disconnect()
        return ack, again

    ack, again = async_to_sync(scenario)()

    assert ack == {
        "type": "ack",
        "action": "subscribe",
        "channel": "job_updates",
        "params": {"scope": "board"},
        "subscription": "job_updates.job_board",
    }
    assert again == ack


def test_after_unsubscribe_nothing_arrives(org):
    recruiter = MembershipFactory(organization=org).user
    job = JobFactory(organization=org, status="draft")
    token = token_for(recruiter)

    async def scenario():
        communicator = await connect(token)
        await subscribe(communicator, "job_updates", scope="organization", organization_id=org.pk)
        await send(communicator, "unsubscribe", "job_updates", scope="organization", organization_id=org.pk)
        ack = await communicator.receive_json_from()
        await call(job_open, actor=recruiter, job=job)
        silent = await communicator.receive_nothing(0.3)
        await communicator.disconnect()
        return ack, silent

    ack, silent = async_to_sync(scenario)()

    assert ack["type"] == "ack"
    assert ack["action"] == "unsubscribe"
    assert ack["subscription"] == f"job_updates.org.{org.pk}"
    assert silent


BAD_MESSAGES = {
    "not json": "{nope",
    "a list": json.dumps([1, 2]),
    "unknown action": json.dumps({"action": "publish", "channel": "notifications"}),
    "no action": json.dumps({"channel": "notifications"}),
    "unknown top-level key": json.dumps({"action": "ping", "extra": 1}),
    "unknown channel": json.dumps({"action": "subscribe", "channel": "payroll"}),
    "params not an object": json.dumps({"action": "subscribe", "channel": "notifications", "params": [1]}),
    "unknown param": json.dumps({"action": "subscribe", "channel": "notifications", "params": {"user_id": 2}}),
    "board on another channel": json.dumps(
        {"action": "subscribe", "channel": "application_status", "params": {"scope": "board"}}
    ),
    "no scope": json.dumps({"action": "subscribe", "channel": "job_updates", "params": {}}),
    "organization without id": json.dumps(
        {"action": "subscribe", "channel": "job_updates", "params": {"scope": "organization"}}
    ),
    "negative id": json.dumps(
        {"action": "subscribe", "channel": "application_status", "params": {"application_id": -3}}
    ),
    "id as text": json.dumps(
        {"action": "subscribe", "channel": "application_status", "params": {"application_id": "3"}}
    ),
    "since as bool": json.dumps({"action": "subscribe", "channel": "notifications", "params": {"since": True}}),
    "too long": json.dumps({"action": "ping", "channel": "x" * 9000}),
    "nested arrays 1000 deep": "[" * 1000 + "]" * 1000,
    "nested objects 1000 deep": '{"a":' * 1000 + "1" + "}" * 1000,
    "unclosed 4000 deep": "[" * 4000,
}


@pytest.mark.parametrize("text", BAD_MESSAGES.values(), ids=BAD_MESSAGES.keys())
def test_bad_messages_answer_validation_error_and_keep_the_socket(candidate, text):
    token = token_for(candidate.user)

    async def scenario():
        communicator = await connect(token)
        await communicator.send_to(text_data=text)
        error = await communicator.receive_json_from()
        await send(communicator, "ping")
        pong = await communicator.receive_json_from()
        await communicator.disconnect()
        return error, pong

    error, pong = async_to_sync(scenario)()

    assert error["type"] == "error"
    assert error["code"] == "VALIDATION_ERROR"
    assert set(error) >= {"message", "details"}
    assert pong["type"] == "pong"


def test_binary_frames_are_refused(candidate):
    token = token_for(candidate.user)

    async def scenario():
        communicator = await connect(token)
        await communicator.send_to(bytes_data=b"\x00\x01")
        error = await communicator.receive_json_from()
        await communicator.disconnect()
        return error

    assert async_to_sync(scenario)()["code"] == "VALIDATION_ERROR"


def test_subscriptions_per_socket_are_capped(settings, candidate):
    settings.REALTIME_MAX_SUBSCRIPTIONS = 2
    token = token_for(candidate.user)

    async def scenario():
        communicator = await connect(token)
        first = await subscribe(communicator, "notifications")
        second = await subscribe(communicator, "job_updates", scope="board")
        third = await subscribe(communicator, "application_status", scope="mine")
        await communicator.disconnect()
        return first, second, third

    first, second, third = async_to_sync(scenario)()

    assert first["type"] == second["type"] == "ack"
    assert third["code"] == "VALIDATION_ERROR"


def test_a_message_nested_past_the_depth_limit_is_refused_and_the_socket_stays_open(settings, candidate):
    settings.API_MAX_JSON_DEPTH = 8
    token = token_for(candidate.user)
    too_deep = {"action": "subscribe", "channel": "notifications", "params": {"a": [[[[[[[[1]]]]]]]]}}
    at_limit = {"action": "subscribe", "channel": "notifications", "params": {"a": [[[[[1]]]]]}}

    async def scenario():
        communicator = await connect(token)
        await communicator.send_json_to(too_deep)
        refused = await communicator.receive_json_from()
        await communicator.send_json_to(at_limit)
        parsed = await communicator.receive_json_from()
        await send(communicator, "ping")
        pong = await communicator.receive_json_from()
        await communicator.disconnect()
        return refused, parsed, pong

    refused, parsed, pong = async_to_sync(scenario)()

    assert refused == {
        "type": "error",
        "code": "VALIDATION_ERROR",
        "message": refused["message"],
        "details": {"max_depth": 8},
    }
    # Within the limit the message is read, and refused for what it says (an unknown param).
    assert parsed["code"] == "VALIDATION_ERROR"
    assert parsed["details"] != {"max_depth": 8}
    assert parsed["action"] == "subscribe"
    assert pong["type"] == "pong"
