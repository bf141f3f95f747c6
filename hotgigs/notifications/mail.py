"""Turn an :class:`EmailDelivery` into a message and hand it to Django's email backend.

Templates live in ``templates/notifications/email/<kind>.{subject.txt,txt,html}`` (``kind``
with dots as underscores); each gets the delivery's ``context`` plus the product name,
the link to the thing the email is about and the link to the preferences page. The
backend is whatever ``EMAIL_BACKEND`` says: the console by default, SMTP when
``EMAIL_HOST`` is set.
"""

import contextlib
import hashlib
import smtplib
import threading
import time
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string

from hotgigs.notifications.models import EmailDelivery
from hotgigs.resilience import TransientError


class PermanentEmailError(Exception):
    """The server refused this message for good (a 5xx answer): retrying cannot help."""


def template_base(kind: str) -> str:
    return f"notifications/email/{kind.replace('.', '_')}"


def link(path: str) -> str:
    """An absolute link into the frontend (``FRONTEND_URL`` + ``path``)."""
    return settings.FRONTEND_URL.rstrip("/") + "/" + path.lstrip("/")


def render_email(*, kind: str, context: dict[str, Any], to_name: str = "") -> tuple[str, str, str]:
    """``(subject, text, html)`` of one email of ``kind``."""
    full = {
        **context,
        "product_name": settings.HOTGIGS_PRODUCT_NAME,
        "to_name": to_name,
        "link": link(str(context.get("path", "/"))),
        "preferences_link": link("/settings/notifications"),
    }
    base = template_base(kind)
    subject = " ".join(render_to_string(f"{base}.subject.txt", full).split())
    return subject, render_to_string(f"{base}.txt", full), render_to_string(f"{base}.html", full)


def message_id(delivery: EmailDelivery) -> str:
    """The same ``Message-ID`` on every attempt, so a rare duplicate is recognisable as one."""
    digest = hashlib.sha256(delivery.idempotency_key.encode()).hexdigest()[:32]
    host = urlsplit(settings.FRONTEND_URL).hostname or "hotgigs.localhost"
    return f"<{digest}@{host}>"


def build_message(delivery: EmailDelivery) -> EmailMultiAlternatives:
    subject, text, html = render_email(
        kind=delivery.kind, context=delivery.context, to_name=str(delivery.context.get("to_name", ""))
    )
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[delivery.to_email],
        headers={"Message-ID": message_id(delivery), "X-HotGigs-Kind": delivery.kind},
    )
    message.attach_alternative(html, "text/html")
    if delivery.ics:
        method = "CANCEL" if "METHOD:CANCEL" in delivery.ics else "REQUEST"
        message.attach("invite.ics", delivery.ics, f"text/calendar; method={method}; charset=UTF-8")
    return message


def _is_permanent(exc: smtplib.SMTPException) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    code = getattr(exc, "smtp_code", None)
    return isinstance(code, int) and code >= 500


# One open connection per thread (a worker process sends one email at a time), reused while
# the settings that made it stay the same and it is younger than this: SMTP servers drop idle
# sessions, and providers limit how often a client may connect.
CONNECTION_MAX_AGE_SECONDS = 60.0
_local = threading.local()


def _connection_key() -> tuple[Any, ...]:
    return tuple(
        getattr(settings, name, None)
        for name in (
            "EMAIL_BACKEND",
            "EMAIL_HOST",
            "EMAIL_PORT",
            "EMAIL_HOST_USER",
            "EMAIL_HOST_PASSWORD",
            "EMAIL_USE_TLS",
            "EMAIL_USE_SSL",
            "EMAIL_TIMEOUT",
        )
    )


def _open_connection() -> tuple[Any, bool]:
    """This thread's open connection, and whether it was already open (reused)."""
    key = _connection_key()
    held = getattr(_local, "held", None)
    if held is not None:
        connection, held_key, opened_at = held
        if held_key == key and time.monotonic() - opened_at < CONNECTION_MAX_AGE_SECONDS:
            return connection, True
        close_connection()
    connection = get_connection(fail_silently=False)
    connection.open()
    _local.held = (connection, key, time.monotonic())
    return connection, False


def close_connection() -> None:
    """Close and forget this thread's connection (after an error, or when it is too old)."""
    held = getattr(_local, "held", None)
    _local.held = None
    if held is not None:
        with contextlib.suppress(Exception):  # it is being thrown away
            held[0].close()


def deliver(message: EmailMultiAlternatives) -> None:
    """Send through the configured backend; TransientError for what a retry may fix.

    The connection stays open for the next email. A reused connection the server has
    dropped in the meantime is opened again once, at once. Raises PermanentEmailError for
    a 5xx refusal and TransientError for a 4xx answer, a refused or dropped connection and
    a timeout (``EMAIL_TIMEOUT``); the connection is closed after any error.
    """
    for _ in range(2):
        reused = False
        try:
            connection, reused = _open_connection()
            sent = connection.send_messages([message])
        except smtplib.SMTPServerDisconnected as exc:
            close_connection()
            if reused:
                continue
            raise TransientError(f"{type(exc).__name__}: {exc}") from exc
        except smtplib.SMTPException as exc:
            close_connection()
            if _is_permanent(exc):
                raise PermanentEmailError(f"{type(exc).__name__}: {exc}") from exc
            raise TransientError(f"{type(exc).__name__}: {exc}") from exc
        except OSError as exc:  # refused, reset, timed out, DNS
            close_connection()
            # A reset or broken pipe on a reused connection is a session the server dropped;
            # a timeout may have delivered the message, so it is left to the task's retry.
            if reused and not isinstance(exc, TimeoutError):
                continue
            raise TransientError(f"{type(exc).__name__}: {exc}") from exc
        if not sent:
            close_connection()
            raise TransientError("the email backend accepted no message")
        return
    raise TransientError("the SMTP server closed the connection twice")
