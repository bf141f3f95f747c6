"""/ws/ authenticates with the API's access token; every failure closes with 4401."""

import time
from datetime import timedelta

import jwt
import pytest
from asgiref.sync import async_to_sync
from django.db import transaction
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken

from hotgigs.accounts.models import TokenFamily
from hotgigs.accounts.tokens import FAMILY_CLAIM, token_issue_for_user, token_revoke
from tests.factories import UserFactory
from tests.realtime.conftest import closed_with, connect, receive, send, socket, token_for

pytestmark = pytest.mark.django_db(transaction=True)


async def _closes_4401(communicator) -> dict:
    connected, _ = await communicator.connect()
    assert connected  # accepted first, so the close code reaches the client
    error = await communicator.receive_json_from()
    assert await closed_with(communicator) == 4401
    await communicator.disconnect()
    return error


def test_no_token_closes_4401():
    error = async_to_sync(_closes_4401)(socket())

    assert error["type"] == "error"
    assert error["code"] == "UNAUTHORIZED"


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "x" * 5000])
def test_invalid_token_closes_4401(token):
    error = async_to_sync(_closes_4401)(socket(token))

    assert error["code"] == "UNAUTHORIZED"


def test_expired_token_closes_4401():
    token = AccessToken(token_for(UserFactory()))
    token.set_exp(from_time=timezone.now() - timedelta(hours=2), lifetime=timedelta(hours=1))

    async_to_sync(_closes_4401)(socket(str(token)))


def test_refresh_token_is_not_an_access_token():
    refresh = token_issue_for_user(user=UserFactory()).refresh_token

    async_to_sync(_closes_4401)(socket(refresh))


def test_token_signed_with_another_key_closes_4401():
    claims = AccessToken(token_for(UserFactory())).payload
    forged = jwt.encode(claims, "another-secret-key-of-enough-length-000000", algorithm="HS256")

    async_to_sync(_closes_4401)(socket(forged))


def test_revoked_family_closes_4401():
    token = token_for(UserFactory())
    TokenFamily.objects.filter(pk=AccessToken(token)[FAMILY_CLAIM]).update(revoked_at=timezone.now())

    async_to_sync(_closes_4401)(socket(token))


def test_inactive_user_closes_4401():
    user = UserFactory()
    token = token_for(user)
    user.is_active = False
    user.save()

    async_to_sync(_closes_4401)(socket(token))


def test_bearer_header_authenticates():
    token = token_for(UserFactory())

    async def scenario():
        communicator = socket(headers=[(b"authorization", f"Bearer {token}".encode())])
        connected, _ = await communicator.connect()
        await send(communicator, "ping")
        pong = await communicator.receive_json_from()
        await communicator.disconnect()
        return connected, pong

    connected, pong = async_to_sync(scenario)()

    assert connected
    assert pong["type"] == "pong"


def test_token_expiring_while_connected_closes_4401():
    token = token_for(UserFactory(), lifetime=timedelta(seconds=2))

    async def scenario():
        communicator = await connect(token)
        await send(communicator, "ping")
        pong = await communicator.receive_json_from()
        started = time.monotonic()
        error = await communicator.receive_json_from(timeout=4)
        code = await closed_with(communicator)
        await communicator.disconnect()
        return pong, error, code, time.monotonic() - started

    pong, error, code, waited = async_to_sync(scenario)()

    assert pong["type"] == "pong"
    assert error["code"] == "UNAUTHORIZED"
    assert code == 4401
    assert waited < 3


def test_heartbeat_and_revocation_while_connected(settings):
    settings.REALTIME_HEARTBEAT_SECONDS = 0.2
    token = token_for(UserFactory())

    async def scenario():
        communicator = await connect(token)
        [heartbeat] = await receive(communicator, 1)
        await _revoke(token)
        error = await communicator.receive_json_from()
        code = await closed_with(communicator)
        await communicator.disconnect()
        return heartbeat, error, code

    heartbeat, error, code = async_to_sync(scenario)()

    assert heartbeat["type"] == "heartbeat"
    assert "ts" in heartbeat
    assert error["code"] == "UNAUTHORIZED"
    assert code == 4401


async def _revoke(token: str) -> None:
    """Log out as POST /auth/revoke does (which also drops the family's cached identity)."""
    from channels.db import database_sync_to_async

    family = str(AccessToken(token)[FAMILY_CLAIM])  # type: ignore[arg-type]

    def revoke() -> None:
        with transaction.atomic():
            token_revoke(family_id=family)

    await database_sync_to_async(revoke)()
