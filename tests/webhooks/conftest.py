"""Webhook fixtures: a verifying loopback receiver, private targets allowed, fresh breakers."""

import uuid

import pytest

from tests.webhooks.receiver import Receiver


@pytest.fixture
def receiver():  # type: ignore[no-untyped-def]
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _webhook_settings(settings):  # type: ignore[no-untyped-def]
    """The receiver lives on loopback; each test gets circuits of its own and short timeouts."""
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOKS_TIMEOUT = 2.0
    settings.WEBHOOKS_CONNECT_TIMEOUT = 1.0
    settings.CIRCUIT_BREAKER_KEY_PREFIX = f"hotgigs:cb:test:{uuid.uuid4().hex}"
