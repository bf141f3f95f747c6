from django.conf import settings
from django.db import models


class Notification(models.Model):
    """A message for one user, shown in the app and pushed on their ``notifications`` channel.

    ``kind`` names the event (``application.stage_changed``); ``payload`` carries what the
    client needs to render it. ``read_at`` is null until the user marks it read.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=64)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = (models.Index(fields=("user", "read_at", "-created_at"), name="realtime_notif_user_unread"),)
        constraints = (models.CheckConstraint(condition=~models.Q(kind=""), name="realtime_notification_kind_set"),)

    def __str__(self) -> str:
        return f"{self.kind} → {self.user_id}"
