"""Writes of notifications: turn a domain event into in-app notifications and emails.

Domain apps' outbox subscribers (``applications/subscribers.py``, ``interviews/subscribers.py``,
…), running on Celery after the event committed, call :func:`notify`. It records the event
once (its key is unique), stores one in-app notification per recipient (recorded as a
``notification.created`` event, pushed on the ``notifications`` channel after commit) and
one :class:`EmailDelivery` per recipient who has not opted out of the kind, and queues
one ``notifications.send_emails`` for all the emails of the transaction after commit
(``notifications.send_email`` when there is one). :func:`email_delivery_send` is what
that task runs.

Delivery is at least once with one narrow exception chosen on purpose: a worker that dies
after the SMTP server accepted a message but before the row is marked ``sent`` leaves it
``sending``; once its claim is older than ``NOTIFICATIONS_EMAIL_CLAIM_SECONDS`` the sweeper
(``notifications.requeue_stale``) queues it again and it goes out a second time, with the
same ``Message-ID``. Losing an interview invitation costs more than a duplicate inside a
window one UPDATE wide; every other retry or redelivery finds the row ``sent`` or claimed
and sends nothing.
"""

import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from hotgigs.accounts.models import User
from hotgigs.errors import Conflict, ValidationFailed
from hotgigs.events import catalogue
from hotgigs.events.audiences import group_for_user
from hotgigs.events.outbox import Event, record_many
from hotgigs.notifications import mail
from hotgigs.notifications.calendar import CalendarEntry, calendar_ics, calendar_next_sequence, calendar_uid
from hotgigs.notifications.choices import DeliveryStatus, NotificationKind, RecipientRole
from hotgigs.notifications.models import EmailDelivery, Notification, NotificationEvent, NotificationPreference
from hotgigs.queueing import batch_on_commit, send_task_by_name
from hotgigs.resilience import TransientError, get_breaker

logger = logging.getLogger(__name__)

SEND_EMAIL = "notifications.send_email"
SEND_EMAILS = "notifications.send_emails"
MAX_EVENT_KEY = 200
_EMAILS_MUTED: ContextVar[bool] = ContextVar("hotgigs_emails_muted", default=False)


@contextmanager
def emails_muted() -> Iterator[None]:
    """No emails for what happens inside (demo seeding, imports of past data); in-app
    notifications are still written. Nothing is queued, so nothing goes out later either."""
    token = _EMAILS_MUTED.set(True)
    try:
        yield
    finally:
        _EMAILS_MUTED.reset(token)


# Only failures that say the mail server is unwell count against its circuit.
SMTP_BREAKER = "email.smtp"


def smtp_breaker() -> Any:
    return get_breaker(SMTP_BREAKER, failure_exceptions=(TransientError,))


def _queue_emails_on_commit(delivery_ids: list[int]) -> None:
    """Queue the emails once the transaction commits: one task for all a transaction wrote.

    A submission writes two or more (the candidate's receipt, the team's notice); one task
    sends them over one SMTP session instead of a task each. A broker that is down never
    fails the write: the rows stay ``pending`` and ``notifications.requeue_stale`` queues
    them later.
    """
    batch_on_commit(SEND_EMAILS, delivery_ids, single=SEND_EMAIL)


@transaction.atomic
def notification_create(*, user_id: int, kind: str, payload: dict[str, Any]) -> Notification:
    """Store a notification and push it on the user's ``notifications`` channel after commit.

    Raises ValidationFailed for a blank or over-long ``kind`` or a payload that is not an object.
    """
    return notifications_create(kind=kind, payloads={user_id: payload})[0]


def notifications_create(*, kind: str, payloads: dict[int, dict[str, Any]]) -> list[Notification]:
    """One notification of ``kind`` per user (user id → payload), each pushed on its user's channel.

    Written in two inserts and recorded as one batch of ``notification.created`` events
    (one lock, one push after commit), in the order of ``payloads``. Raises
    ValidationFailed, writing nothing, for a blank or over-long ``kind`` or a payload that
    is not an object.
    """
    if not isinstance(kind, str) or not kind.strip() or len(kind) > 64:
        raise ValidationFailed(details={"kind": ["Give a kind of 1 to 64 characters."]})
    if any(not isinstance(payload, dict) for payload in payloads.values()):
        raise ValidationFailed(details={"payload": ["Must be an object."]})
    return _notifications_write([(user_id, kind, payload) for user_id, payload in payloads.items()])


def _notifications_write(rows: Sequence[tuple[int, str, dict[str, Any]]]) -> list[Notification]:
    """Insert (user id, kind, payload) notifications and record their ``notification.created`` events."""
    if not rows:
        return []
    # Inside the caller's transaction no savepoint of its own is needed.
    with transaction.atomic(savepoint=False):
        notifications = Notification.objects.bulk_create(
            [Notification(user_id=user_id, kind=kind, payload=payload) for user_id, kind, payload in rows]
        )
        record_many(
            [
                Event(
                    type=catalogue.NOTIFICATION_CREATED,
                    data={"id": notification.pk, "kind": notification.kind, "payload": notification.payload},
                    audiences=[group_for_user(notification.user_id)],
                )
                for notification in notifications
            ]
        )
        return notifications


@transaction.atomic
def notification_mark_read(*, user_id: int, notification_ids: list[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when ``notification_ids`` is None).

    Returns how many changed; other users' notifications are never touched.
    """
    qs = Notification.objects.filter(user_id=user_id, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    return qs.update(read_at=timezone.now())


# The table name is the model's own (quoted); every value is a parameter.
_EVENT_CLAIM_SQL = (
    'INSERT INTO {table} ("key", "kind", "created_at") VALUES {values} '
    'ON CONFLICT ("key") DO NOTHING RETURNING "id", "key"'
)


def _events_claim(keys: Mapping[str, str], now: Any) -> dict[str, NotificationEvent]:
    """Insert the events' keys (key → kind); returns those inserted, by key (the others were
    notified before).

    One statement (``INSERT … ON CONFLICT DO NOTHING RETURNING``) for them all: no look-up
    first and no savepoint to catch a unique violation in, which a dispatch pays for every event.
    """
    values = ", ".join(["(%s, %s, %s)"] * len(keys))
    params: list[Any] = []
    for key, kind in keys.items():
        params += [key, kind, now]
    table = connection.ops.quote_name(NotificationEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(_EVENT_CLAIM_SQL.format(table=table, values=values), params)
        rows = cursor.fetchall()
    return {key: NotificationEvent(pk=pk, key=key, kind=keys[key], created_at=now) for pk, key in rows}


@dataclass(frozen=True)
class Notice:
    """One event to tell people about (see :func:`notify`)."""

    kind: str
    event_key: str
    recipients: Mapping[int, str]
    context: dict[str, Any]
    calendar: CalendarEntry | None = None


def _notice_errors(notice: Notice) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if notice.kind not in NotificationKind.values:
        errors["kind"] = [f"Must be one of: {', '.join(NotificationKind.values)}."]
    key = notice.event_key
    if not isinstance(key, str) or not key.strip() or len(key) > MAX_EVENT_KEY:
        errors["event_key"] = [f"Give a key of 1 to {MAX_EVENT_KEY} characters."]
    if not isinstance(notice.context, dict):
        errors["context"] = ["Must be an object."]
    if any(role not in RecipientRole.values for role in notice.recipients.values()):
        errors["recipients"] = [f"Roles must be among: {', '.join(RecipientRole.values)}."]
    return errors


def notify(
    *,
    kind: str,
    event_key: str,
    recipients: Mapping[int, str],
    context: dict[str, Any],
    calendar: CalendarEntry | None = None,
) -> NotificationEvent | None:
    """Tell ``recipients`` (user id → :class:`RecipientRole`) about one event, once per ``event_key``.

    Each active recipient gets an in-app notification whose payload is ``context`` plus
    ``role``; each who has an email address and has not opted out of ``kind`` gets one
    email, queued after commit. ``calendar`` attaches an ``.ics`` whose SEQUENCE this call
    raises. Returns the event, or None when ``event_key`` was already notified (then
    nothing is written). Raises ValidationFailed for an unknown kind or role, a blank or
    over-long key, or a context that is not an object.
    """
    notice = Notice(kind=kind, event_key=event_key, recipients=recipients, context=context, calendar=calendar)
    return notify_all([notice])[0]


def notify_all(notices: Sequence[Notice]) -> list[NotificationEvent | None]:
    """:func:`notify` for several events at once, in the statements of one.

    One event's consequences (a submission tells the candidate and the team) are written
    together: the keys claimed in one statement, the recipients and their opt-outs read in
    two, the notifications, their events and the emails inserted once each. Returns, in
    order, each notice's event or None when its key was already notified. Raises
    ValidationFailed, writing nothing, when any notice is invalid (its errors, or the first
    invalid one's, under ``details``), or when two notices share a key.
    """
    for notice in notices:
        errors = _notice_errors(notice)
        if errors:
            raise ValidationFailed(details=errors)
    keys = {notice.event_key: notice.kind for notice in notices}
    if len(keys) != len(notices):
        raise ValidationFailed(details={"event_key": ["Each notice needs a key of its own."]})
    if not notices:
        return []
    # Checked before the transaction, so a refusal leaves the caller's transaction usable;
    # inside the caller's transaction no savepoint of its own is needed.
    with transaction.atomic(savepoint=False):
        claimed = _events_claim(keys, timezone.now())
        for key in keys.keys() - claimed.keys():
            logger.info("event %s already notified", key, extra={"event_key": key})
        todo = [notice for notice in notices if notice.event_key in claimed]
        user_ids = sorted({user_id for notice in todo for user_id in notice.recipients})
        users = {
            user["pk"]: user
            for user in User.objects.filter(pk__in=user_ids, is_active=True).values("pk", "email", "full_name")
        }
        # Who opted out of which of these kinds' emails, in one read.
        opted_out = set(
            NotificationPreference.objects.filter(
                user_id__in=list(users), kind__in=sorted({notice.kind for notice in todo}), email=False
            )
            .order_by()
            .values_list("user_id", "kind")
        )
        notifications: list[tuple[int, str, dict[str, Any]]] = []
        deliveries = []
        for notice in todo:
            event = claimed[notice.event_key]
            ics = ""
            if notice.calendar is not None:
                sequence = calendar_next_sequence(calendar_uid(notice.calendar.key))
                ics = calendar_ics(notice.calendar, sequence=sequence)
            for user_id in sorted(notice.recipients):
                user = users.get(user_id)
                if user is None:
                    continue
                payload = {**notice.context, "role": notice.recipients[user_id]}
                notifications.append((user_id, notice.kind, payload))
                if (user_id, notice.kind) in opted_out or not user["email"] or _EMAILS_MUTED.get():
                    continue
                deliveries.append(
                    EmailDelivery(
                        idempotency_key=f"{notice.event_key}:{user_id}:{notice.kind}",
                        event=event,
                        user_id=user_id,
                        kind=notice.kind,
                        to_email=user["email"],
                        context={**payload, "to_name": user["full_name"] or user["email"]},
                        ics=ics,
                    )
                )
        _notifications_write(notifications)
        created = EmailDelivery.objects.bulk_create(deliveries)
        if created:
            _queue_emails_on_commit([delivery.pk for delivery in created])
        return [claimed.get(notice.event_key) for notice in notices]


def email_delivery_send(*, delivery_id: int) -> str:
    """Send one queued email unless it already went; returns what happened.

    ``"sent"``; ``"already_sent"``, ``"in_flight"`` (another worker holds a fresh claim),
    ``"failed"`` or ``"skipped"`` (nothing sent now); ``"gone"`` (no such row). The claim
    is committed before SMTP is contacted. Raises TransientError after recording the
    error (the row goes back to ``pending``) when a retry may help, CircuitOpenError while
    the SMTP circuit is open (nothing attempted, the claim released). A 5xx refusal marks
    the row ``failed`` for good.
    """
    now = timezone.now()
    # One read for the row and its recipient's opt-out; the claim below is what decides.
    delivery = (
        EmailDelivery.objects.filter(pk=delivery_id)
        .annotate(
            opted_out=Exists(
                NotificationPreference.objects.filter(user_id=OuterRef("user_id"), kind=OuterRef("kind"), email=False)
            )
        )
        .first()
    )
    if delivery is None:
        return "gone"
    if delivery.status == DeliveryStatus.PENDING and delivery.opted_out:  # type: ignore[attr-defined]
        EmailDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.SKIPPED, last_error="The user opted out of this kind of email."
        )
        return "skipped"
    stale = now - timedelta(seconds=settings.NOTIFICATIONS_EMAIL_CLAIM_SECONDS)
    claimable = Q(status=DeliveryStatus.PENDING) | Q(status=DeliveryStatus.SENDING, claimed_at__lt=stale)
    claimed = EmailDelivery.objects.filter(claimable, pk=delivery_id).update(
        status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        status = EmailDelivery.objects.filter(pk=delivery_id).values_list("status", flat=True).first()
        outcomes: dict[str, str] = {
            DeliveryStatus.SENT: "already_sent",
            DeliveryStatus.SENDING: "in_flight",
            DeliveryStatus.FAILED: "failed",
            DeliveryStatus.SKIPPED: "skipped",
        }
        return outcomes.get(status or "", "gone")
    # What an email says (recipient, kind, context, invitation) never changes after the row is
    # written, so the copy read before the claim is the one to send.
    try:
        message = mail.build_message(delivery)
        smtp_breaker().call(mail.deliver, message)
    except TransientError as exc:
        _release(delivery_id, status=DeliveryStatus.PENDING, error=str(exc))
        raise
    except mail.PermanentEmailError as exc:
        _release(delivery_id, status=DeliveryStatus.FAILED, error=str(exc))
        logger.warning("email %s refused for good", delivery_id, extra={"delivery_id": delivery_id})
        return "failed"
    except Exception as exc:
        # An open circuit or a bug: nothing went out, give the claim back for a later try.
        _release(delivery_id, status=DeliveryStatus.PENDING, error=f"{type(exc).__name__}: {exc}")
        raise
    EmailDelivery.objects.filter(pk=delivery_id).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error="", message_id=mail.message_id(delivery)
    )
    return "sent"


def _release(delivery_id: int, *, status: str, error: str) -> None:
    EmailDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.SENDING).update(
        status=status, last_error=error[:2000]
    )


def email_delivery_give_up(*, delivery_id: int, error: str) -> None:
    """Mark a delivery ``failed`` once its retries are spent (it stays visible in the admin)."""
    EmailDelivery.objects.filter(pk=delivery_id).exclude(status=DeliveryStatus.SENT).update(
        status=DeliveryStatus.FAILED, last_error=error[:2000]
    )


def email_delivery_resend(*, delivery: EmailDelivery) -> None:
    """Queue a ``failed`` delivery again (staff, once the mail server is fixed), after commit.

    Its key is unchanged, so it still goes out at most once more. Raises Conflict for any
    other status: a sent email is never sent twice on purpose, a pending one is on its way.
    """
    with transaction.atomic():
        updated = EmailDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.FAILED).update(
            status=DeliveryStatus.PENDING, claimed_at=None
        )
        if not updated:
            raise Conflict("Only a failed email can be sent again.", details={"status": delivery.status})
        _queue_emails_on_commit([delivery.pk])


def email_delivery_requeue_stale(*, older_than: timedelta | None = None, limit: int = 500) -> int:
    """Queue again the emails nobody finished: pending, or claimed by a worker that died.

    A row counts when it is ``pending`` and was created (or last claimed) more than
    ``older_than`` ago (default ``NOTIFICATIONS_EMAIL_REQUEUE_SECONDS``; longer than the
    retries' backoff), or ``sending`` with a claim older than the claim lease. Safe to run
    concurrently: sending re-checks the claim. Returns how many were queued.
    """
    now = timezone.now()
    if older_than is None:
        older_than = timedelta(seconds=settings.NOTIFICATIONS_EMAIL_REQUEUE_SECONDS)
    cutoff = now - older_than
    lease = now - timedelta(seconds=settings.NOTIFICATIONS_EMAIL_CLAIM_SECONDS)
    ids = list(
        EmailDelivery.objects.filter(
            Q(status=DeliveryStatus.PENDING, created_at__lt=cutoff, claimed_at__isnull=True)
            | Q(status=DeliveryStatus.PENDING, claimed_at__lt=cutoff)
            | Q(status=DeliveryStatus.SENDING, claimed_at__lt=lease)
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(send_task_by_name(SEND_EMAIL, [delivery_id]) for delivery_id in ids)


@transaction.atomic
def preferences_update(*, actor: User, email: Mapping[NotificationKind, bool]) -> None:
    """Switch email on or off per kind for the actor: ``{NotificationKind.INTERVIEW_SCHEDULED: False}``.

    Kinds not named keep their setting. The caller has checked the shape (the API's
    ``PreferencesUpdateSerializer`` refuses unknown kinds and non-booleans).
    """
    for kind, value in email.items():
        NotificationPreference.objects.update_or_create(user=actor, kind=kind, defaults={"email": value})


def notifications_personal_data_erase(*, user_id: int) -> dict[str, int]:
    """Delete what was sent to a login whose person is erased (privacy/services.py decides; no
    access check here): in-app notifications, email deliveries (address, context, invitation)
    and preferences."""
    notifications = Notification.objects.filter(user_id=user_id).delete()[1].get(Notification._meta.label, 0)
    emails = EmailDelivery.objects.filter(user_id=user_id).delete()[1].get(EmailDelivery._meta.label, 0)
    NotificationPreference.objects.filter(user_id=user_id).delete()
    return {"notifications": notifications, "emails": emails}
