"""HTTP shapes of notifications."""

from typing import Any

from rest_framework import serializers

from hotgigs.api.serializers import StrictInputSerializer
from hotgigs.realtime.models import Notification

MAX_MARK_IDS = 500


class NotificationSerializer(serializers.ModelSerializer[Notification]):
    """One notification as the client renders it; ``read`` is ``read_at`` being set."""

    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ("id", "kind", "payload", "created_at", "read_at", "read")
        read_only_fields = fields

    def get_read(self, notification: Notification) -> bool:
        return notification.read_at is not None


class NotificationMarkReadSerializer(StrictInputSerializer):
    """Either ``ids`` (the notifications to mark) or ``all: true`` (every unread one)."""

    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        min_length=1,
        max_length=MAX_MARK_IDS,
        required=False,
    )
    all = serializers.BooleanField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("ids" in attrs) == bool(attrs.get("all")):
            raise serializers.ValidationError({"ids": ["Give either ids or all: true."]})
        return attrs


class NotificationMarkReadResultSerializer(serializers.Serializer):  # type: ignore[type-arg]
    updated = serializers.IntegerField(help_text="How many notifications changed from unread to read.")
