"""Reads of notifications: a user's in-app notifications, email preferences, the email deliveries."""

from dataclasses import dataclass

from django.db.models import QuerySet

from hotgigs.accounts import policies
from hotgigs.accounts.models import User
from hotgigs.accounts.policies import Actor
from hotgigs.notifications.choices import DeliveryStatus, NotificationKind
from hotgigs.notifications.models import EmailDelivery, Notification, NotificationPreference


@dataclass(frozen=True)
class Preference:
    """Whether the actor gets emails of ``kind`` (``label`` says what the kind is)."""

    kind: str
    label: str
    email: bool


def preference_list(*, actor: User) -> list[Preference]:
    """Every kind, in declaration order, with the actor's choice (email on by default)."""
    chosen = dict(NotificationPreference.objects.filter(user_id=actor.pk).values_list("kind", "email"))
    return [Preference(kind=k.value, label=str(k.label), email=chosen.get(k.value, True)) for k in NotificationKind]


def email_delivery_list(*, actor: User) -> QuerySet[EmailDelivery]:
    """Deliveries the actor may see: all for staff, their own otherwise."""
    qs = EmailDelivery.objects.select_related("user")
    visible = policies.visible_rows(actor, owner="user_id")
    return qs.none() if visible is None else qs.filter(visible)


def notification_list(*, actor: Actor, unread: bool | None = None) -> QuerySet[Notification]:
    """The actor's own notifications, newest first; nobody sees anyone else's (staff neither)."""
    if not actor.is_authenticated:
        return Notification.objects.none()
    qs = Notification.objects.filter(user_id=actor.pk)
    if unread is True:
        qs = qs.filter(read_at__isnull=True)
    elif unread is False:
        qs = qs.filter(read_at__isnull=False)
    return qs.order_by("-created_at", "-id")


def emails_sent_about(*, application_ids: list[int]) -> QuerySet[EmailDelivery]:
    """The emails that went out about these applications (their ``context`` names the
    application; the caller has settled who may see them): for a timeline."""
    return EmailDelivery.objects.filter(status=DeliveryStatus.SENT, context__application_id__in=application_ids)
