"""WebSocket test helpers: the /ws/ stack as hotgigs/asgi.py builds it, on the in-memory layer."""

from datetime import timedelta
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from rest_framework_simplejwt.tokens import AccessToken

from hotgigs.accounts.tokens import token_issue_for_user
from hotgigs.realtime.origin import OriginValidator
from hotgigs.realtime.routing import websocket_urlpatterns

APPLICATION = OriginValidator(URLRouter(websocket_urlpatterns))
ORIGIN = (b"origin", b"http://localhost")


@pytest.fixture(autouse=True)
def _realtime_settings(settings):  # type: ignore[no-untyped-def]
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.REALTIME_HEARTBEAT_SECONDS = 0


def token_for(user, *, scopes: tuple[str, ...] | None = None, lifetime: timedelta | None = None) -> str:  # type: ignore[no-untyped-def]
    """An access token of a fresh family; ``lifetime`` re-signs it to expire that long from now."""
    access = token_issue_for_user(user=user, scopes=scopes).access_token
    if lifetime is None:
        return access
    token = AccessToken(access)  # type: ignore[arg-type]
    token.set_exp(lifetime=lifetime)
    return str(token)


def socket(token: str | None = None, *, headers: list[tuple[bytes, bytes]] | None = None) -> WebsocketCommunicator:
    path = f"/ws/?token={token}" if token else "/ws/"
    return WebsocketCommunicator(APPLICATION, path, headers=[ORIGIN, *(headers or [])])


async def connect(token: str) -> WebsocketCommunicator:
    communicator = socket(token)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def send(communicator: WebsocketCommunicator, action: str, channel: str | None = None, **params: Any) -> None:
    message: dict[str, Any] = {"action": action}
    if channel is not None:
        message["channel"] = channel
        message["params"] = params
    await communicator.send_json_to(message)


async def subscribe(communicator: WebsocketCommunicator, channel: str, **params: Any) -> dict[str, Any]:
    """Subscribe and return the answer (an ack or an error)."""
    await send(communicator, "subscribe", channel, **params)
    return await communicator.receive_json_from()


async def receive(communicator: WebsocketCommunicator, count: int, timeout: float = 2) -> list[dict[str, Any]]:
    return [await communicator.receive_json_from(timeout=timeout) for _ in range(count)]


async def call(function: Any, /, **kwargs: Any) -> Any:
    """Run a sync service or factory from the test's event loop."""
    return await database_sync_to_async(function)(**kwargs)


async def closed_with(communicator: WebsocketCommunicator, timeout: float = 2) -> int | None:
    """Read frames until the close; return its code."""
    while True:
        output = await communicator.receive_output(timeout)
        if output["type"] == "websocket.close":
            return output.get("code")
