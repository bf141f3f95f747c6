"""A mention reaches the member's socket through the pipeline; a note never reaches the candidate's."""

import pytest
from asgiref.sync import async_to_sync
from django.core import mail

from activity.services import note_create
from hotgigs.notifications.models import EmailDelivery, Notification
from tests.realtime.conftest import call, connect, receive, subscribe, token_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _in_memory_layer(settings):  # type: ignore[no-untyped-def]
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.REALTIME_HEARTBEAT_SECONDS = 0


def test_a_mention_is_pushed_to_the_member_and_the_note_to_the_team_only(recruiter, colleague, application, org):
    tokens = [token_for(user) for user in (colleague, recruiter, application.candidate.user)]

    def write():  # type: ignore[no-untyped-def]
        return note_create(actor=recruiter, application=application, body="@ana@acme.test please call them")

    async def scenario():  # type: ignore[no-untyped-def]
        member, team, candidate = [await connect(token) for token in tokens]
        await subscribe(member, "notifications")
        await subscribe(team, "application_status", scope="organization", organization_id=org.pk)
        for channel, params in (("notifications", {}), ("application_status", {"application_id": application.pk})):
            await subscribe(candidate, channel, **params)
        note = await call(write)
        to_member = await receive(member, 1)
        to_team = await receive(team, 1)
        silent = await candidate.receive_nothing(0.5)
        for socket in (member, team, candidate):
            await socket.disconnect()
        return note, to_member, to_team, silent

    note, to_member, to_team, silent = async_to_sync(scenario)()

    assert to_member[0]["type"] == "notification.created"
    assert to_member[0]["data"]["kind"] == "note.mentioned"
    assert to_member[0]["data"]["payload"]["note_id"] == note.pk
    assert to_team[0]["type"] == "note.created"
    assert to_team[0]["data"]["id"] == note.pk
    assert silent
    assert Notification.objects.filter(user=colleague, kind="note.mentioned").count() == 1
    assert EmailDelivery.objects.filter(user=colleague, kind="note.mentioned", status="sent").count() == 1
    assert [message.to for message in mail.outbox] == [["ana@acme.test"]]
