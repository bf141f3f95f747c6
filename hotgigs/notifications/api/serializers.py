"""HTTP shapes of notifications (the list, marking them read) and of email preferences."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from hotgigs.api.serializers import StrictInputSerializer
from hotgigs.notifications.choices import NotificationKind, RecipientRole
from hotgigs.notifications.models import Notification

MAX_MARK_IDS = 500


class NotificationPayloadSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """What the client needs to render a notification (documents the stored ``payload``).

    ``role`` says why the user hears of it and ``path`` where the app shows it; the other keys
    depend on the kind (applications: ``application_id``, ``job_title``, stages; interviews:
    ``interview_id``, ``starts_at``, ``when``, …). Kinds may add keys in later versions.
    """

    role = serializers.ChoiceField(choices=RecipientRole.choices)
    path = serializers.CharField(help_text="Where the app shows the subject, e.g. /applications/12.")
    application_id = serializers.IntegerField(required=False)
    job_id = serializers.IntegerField(required=False)
    interview_id = serializers.IntegerField(required=False)
    job_title = serializers.CharField(required=False)
    organization_name = serializers.CharField(required=False)
    candidate_name = serializers.CharField(required=False)
    from_stage = serializers.CharField(required=False)
    to_stage = serializers.CharField(required=False)
    from_stage_label = serializers.CharField(required=False)
    to_stage_label = serializers.CharField(required=False)
    starts_at = serializers.DateTimeField(required=False)
    ends_at = serializers.DateTimeField(required=False)
    timezone = serializers.CharField(required=False)
    when = serializers.CharField(required=False)
    interview_kind_label = serializers.CharField(required=False)
    location = serializers.CharField(required=False, allow_blank=True)
    meeting_url = serializers.CharField(required=False, allow_blank=True)


@extend_schema_field(NotificationPayloadSerializer)
class NotificationPayloadField(serializers.JSONField):
    """The stored payload, rendered as stored (every key, not only the documented ones)."""


class NotificationSerializer(serializers.ModelSerializer[Notification]):
    """One notification as the client renders it; ``read`` is ``read_at`` being set."""

    kind = serializers.ChoiceField(choices=NotificationKind.choices, read_only=True)
    payload = NotificationPayloadField(read_only=True)
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


class PreferenceSerializer(serializers.Serializer):  # type: ignore[type-arg]
    kind = serializers.ChoiceField(choices=NotificationKind.choices)
    label = serializers.CharField()  # type: ignore[assignment]
    email = serializers.BooleanField(help_text="Whether emails of this kind are sent; in-app ones always are.")


class PreferencesSerializer(serializers.Serializer):  # type: ignore[type-arg]
    preferences = PreferenceSerializer(many=True)


@extend_schema_field(
    {
        "type": "object",
        "properties": {kind: {"type": "boolean"} for kind in NotificationKind.values},
        "additionalProperties": False,
        "minProperties": 1,
    }
)
class EmailPreferencesField(serializers.DictField):  # type: ignore[type-arg]
    """Kind → whether to get its emails."""


class PreferencesUpdateSerializer(StrictInputSerializer):
    """``{"email": {"<kind>": true|false, ...}}``; kinds not named keep their setting."""

    email = EmailPreferencesField(child=serializers.BooleanField(), allow_empty=False)

    def validate_email(self, value: dict[str, bool]) -> dict[str, bool]:
        unknown = sorted(set(value) - set(NotificationKind.values))
        if unknown:
            raise serializers.ValidationError([f"Unknown kinds: {', '.join(unknown)}."])
        return value
