from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.fields.json import KeyTransform

from hotgigs.notifications.choices import DeliveryStatus, NotificationKind


class NotificationPreference(models.Model):
    """One user's choice for one kind of notification: email on or off.

    No row means the default, email on. In-app notifications are always stored (they are
    the user's record of what happened); only email is opted out of.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=64, choices=NotificationKind.choices)
    email = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("user", "kind")
        constraints = (
            models.UniqueConstraint(fields=("user", "kind"), name="notifications_preference_one_per_kind"),
            models.CheckConstraint(
                condition=Q(kind__in=NotificationKind.values), name="notifications_preference_kind_valid"
            ),
        )

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: email {'on' if self.email else 'off'}"


class NotificationEvent(models.Model):
    """A domain event that was turned into notifications, once: ``key`` is unique.

    ``notify`` inserts the key first; a second call with the same key (a beat task that runs
    twice, a retried service) finds it and notifies nobody again.
    """

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=64, choices=NotificationKind.choices)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return self.key


class CalendarSequence(models.Model):
    """The iCalendar ``SEQUENCE`` of one calendar entry (``uid``), raised on every update.

    Calendar clients apply an update only when its sequence is higher than the one they
    hold, so a reschedule or a cancellation must carry a higher number than the invitation.
    """

    uid = models.CharField(max_length=200, unique=True)
    sequence = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.uid} #{self.sequence}"


class EmailDelivery(models.Model):
    """One email to one user about one event, and what became of it.

    ``idempotency_key`` (event key + recipient + kind) is unique: however often the task is
    retried or redelivered, at most one row exists and it is sent once it is ``sent``. The
    task claims the row (``sending``, ``claimed_at``) before talking to SMTP and marks it
    ``sent`` once the server accepted the message; see ``tasks.send_email`` for the crash
    window between the two. ``context`` is what the templates render; ``ics`` the calendar
    attachment, if any, built when the event happened.
    """

    idempotency_key = models.CharField(max_length=255, unique=True)
    event = models.ForeignKey(NotificationEvent, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=64, choices=NotificationKind.choices)
    to_email = models.EmailField(max_length=254)
    context = models.JSONField(default=dict, blank=True)
    ics = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    message_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name_plural = "email deliveries"
        indexes = (
            models.Index(fields=("status", "created_at"), name="notifications_delivery_status"),
            # The emails sent about an application, for its activity timeline (activity.selectors).
            models.Index(
                KeyTransform("application_id", "context"),
                name="notifications_delivery_about",
                condition=Q(status=DeliveryStatus.SENT),
            ),
        )
        constraints = (
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values), name="notifications_delivery_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=DeliveryStatus.SENT) | Q(sent_at__isnull=False),
                name="notifications_delivery_sent_has_time",
            ),
        )

    def __str__(self) -> str:
        return f"{self.kind} → {self.to_email} ({self.status})"


class Notification(models.Model):
    """A message for one user, shown in the app and pushed on their ``notifications`` channel.

    ``kind`` names the event (``application.stage_changed``, a name of
    ``hotgigs.events.catalogue``); ``payload`` carries what the client needs to render it.
    ``read_at`` is null until the user marks it read. (The table keeps the name it had when
    the model lived in ``hotgigs.realtime``.)
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=64)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "realtime_notification"
        ordering = ("-created_at", "-id")
        indexes = (models.Index(fields=("user", "read_at", "-created_at"), name="realtime_notif_user_unread"),)
        constraints = (models.CheckConstraint(condition=~models.Q(kind=""), name="realtime_notification_kind_set"),)

    def __str__(self) -> str:
        return f"{self.kind} → {self.user_id}"
