"""One SMTP connection per worker thread, reused across emails, reopened when it cannot be."""

from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.core.mail import EmailMultiAlternatives

from hotgigs.notifications import mail
from tests.notifications.conftest import RecordingHandler
from tests.servers import free_port


class CountingHandler(RecordingHandler):
    """Also counts SMTP sessions (one EHLO per connection)."""

    def __init__(self) -> None:
        super().__init__()
        self.sessions = 0

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        self.sessions += 1
        session.host_name = hostname
        return responses


def start(port: int) -> tuple[Controller, CountingHandler]:
    handler = CountingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, handler


@pytest.fixture
def point_at(settings):  # type: ignore[no-untyped-def]
    def _point(port: int) -> None:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 2.0

    return _point


@pytest.fixture(autouse=True)
def _no_connection_left() -> Iterator[None]:
    mail.close_connection()
    yield
    mail.close_connection()


def message(n: int) -> EmailMultiAlternatives:
    return EmailMultiAlternatives(subject=f"Hello {n}", body="Body", to=[f"person{n}@example.test"])


def test_emails_in_a_row_share_one_connection(point_at):
    controller, handler = start(free_port())
    try:
        point_at(controller.port)
        for n in range(3):
            mail.deliver(message(n))
    finally:
        controller.stop()

    assert handler.to() == ["person0@example.test", "person1@example.test", "person2@example.test"]
    assert handler.sessions == 1


def test_a_connection_the_server_dropped_is_opened_again_at_once(point_at):
    port = free_port()
    first, first_handler = start(port)
    point_at(port)
    mail.deliver(message(1))
    first.stop()  # the server goes away, as an idle timeout or a restart would do
    second, second_handler = start(port)
    try:
        mail.deliver(message(2))
    finally:
        second.stop()

    assert first_handler.to() == ["person1@example.test"]
    assert second_handler.to() == ["person2@example.test"]


def test_new_settings_get_a_new_connection(point_at):
    a, a_handler = start(free_port())
    b, b_handler = start(free_port())
    try:
        point_at(a.port)
        mail.deliver(message(1))
        point_at(b.port)
        mail.deliver(message(2))
    finally:
        a.stop()
        b.stop()

    assert a_handler.to() == ["person1@example.test"]
    assert b_handler.to() == ["person2@example.test"]


def test_an_old_connection_is_replaced(point_at, monkeypatch):
    controller, handler = start(free_port())
    try:
        point_at(controller.port)
        mail.deliver(message(1))
        monkeypatch.setattr(mail, "CONNECTION_MAX_AGE_SECONDS", 0.0)
        mail.deliver(message(2))
    finally:
        controller.stop()

    assert handler.sessions == 2
    assert len(handler.messages) == 2
