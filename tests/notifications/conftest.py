"""A real SMTP server on loopback (aiosmtpd) and the settings that point Django's SMTP backend at it."""

import asyncio
import email
import email.policy
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from hotgigs.notifications.services import smtp_breaker
from tests.servers import free_port


class RecordingHandler:
    """Accepts every message, unless told to answer the first ones with ``replies`` or to stall.

    ``replies`` is a list of SMTP answers for the first DATA commands (e.g. ``"421 busy"``);
    ``stall_first`` seconds makes the first N DATA commands hang that long before answering.
    """

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[Any] = []
        self.replies: list[str] = []
        self.stalls: list[float] = []
        self.data_commands = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.data_commands += 1
        if self.stalls:
            await asyncio.sleep(self.stalls.pop(0))
            return "451 Too slow, try again"
        if self.replies:
            return self.replies.pop(0)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)  # type: ignore[arg-type]
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def to(self) -> list[str]:
        """Recipients of the accepted messages, in order of arrival."""
        return [rcpt for envelope in self.envelopes for rcpt in envelope.rcpt_tos]


@pytest.fixture
def smtp_server() -> Iterator[tuple[Controller, RecordingHandler]]:
    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, handler
    finally:
        controller.stop()


@pytest.fixture
def smtp(settings, smtp_server) -> RecordingHandler:  # type: ignore[no-untyped-def]
    """Django's SMTP backend, pointed at the loopback server; returns what the server received."""
    controller, handler = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = controller.hostname
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 1.0
    return handler


@pytest.fixture(autouse=True)
def _notification_settings(settings):  # type: ignore[no-untyped-def]
    settings.FRONTEND_URL = "https://app.hotgigs.test"
    settings.HOTGIGS_PRODUCT_NAME = "HotGigs"


@pytest.fixture(autouse=True)
def _fresh_smtp_circuit() -> Iterator[None]:
    # The circuit is process-wide (or shared through Redis); failures of one test must not
    # count in the next one.
    smtp_breaker().reset()
    yield
    smtp_breaker().reset()


def parts(message: EmailMessage) -> dict[str, Any]:
    """The text body, HTML body and calendar attachment of a received message."""
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    ics = [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]
    return {
        "text": text.get_content() if text else None,
        "html": html.get_content() if html else None,
        "ics": ics[0].get_content() if ics else None,
        "ics_part": ics[0] if ics else None,
    }
