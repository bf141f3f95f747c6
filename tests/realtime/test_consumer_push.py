"""A pushed event reaches each socket without waiting for the database thread."""

import asyncio
import threading

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from hotgigs.realtime import events
from tests.factories import MembershipFactory
from tests.realtime.conftest import connect, subscribe, token_for


@pytest.mark.django_db(transaction=True)
def test_a_push_does_not_wait_for_the_database_thread(org):
    """One event reaches every socket of a process at once: none of them queues for the database."""
    recruiter = MembershipFactory(organization=org).user
    token = token_for(recruiter)
    release = threading.Event()

    def busy_database_work() -> None:
        release.wait(timeout=10)

    async def scenario():  # type: ignore[no-untyped-def]
        communicator = await connect(token)
        await subscribe(communicator, "job_updates", scope="organization", organization_id=org.pk)
        busy = asyncio.ensure_future(database_sync_to_async(busy_database_work)())
        try:
            await events._push(
                get_channel_layer(),
                [
                    (
                        [events.channel_group("job_updates", events.group_for_organization(org.pk))],
                        {"id": 10**9, "channel": "job_updates", "type": "job.updated", "data": {}, "ts": "t"},
                        {},
                    )
                ],
            )
            event = await communicator.receive_json_from(timeout=2)
        finally:
            release.set()
            await busy
        await communicator.disconnect()
        return event

    event = async_to_sync(scenario)()

    assert event["id"] == 10**9
