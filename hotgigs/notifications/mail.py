"""Turn an :class:`EmailDelivery` into a message and hand it to Django's email backend.

Templates live in ``templates/notifications/email/<kind>.{subject.txt,txt,html}`` (``kind``
with dots as underscores); each gets the delivery's ``context`` plus the product name,
the link to the thing the email is about and the link to the preferences page. The
backend is whatever ``EMAIL_BACKEND`` says: the console by default, SMTP when
``EMAIL_HOST`` is set.
"""

import hashlib
import smtplib
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


def deliver(message: EmailMultiAlternatives) -> None:
    """Send through the configured backend; TransientError for what a retry may fix.

    Raises PermanentEmailError for a 5xx refusal and TransientError for a 4xx answer, a
    refused or dropped connection and a timeout (``EMAIL_TIMEOUT``).
    """
    try:
        with get_connection(fail_silently=False) as connection:
            sent = connection.send_messages([message])
    except smtplib.SMTPException as exc:
        if _is_permanent(exc):
            raise PermanentEmailError(f"{type(exc).__name__}: {exc}") from exc
        raise TransientError(f"{type(exc).__name__}: {exc}") from exc
    except OSError as exc:  # refused, reset, timed out, DNS
        raise TransientError(f"{type(exc).__name__}: {exc}") from exc
    if not sent:
        raise TransientError("the email backend accepted no message")
