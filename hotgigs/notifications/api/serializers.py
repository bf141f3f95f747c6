"""HTTP shapes of notification preferences."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from hotgigs.api.serializers import StrictInputSerializer
from hotgigs.notifications.choices import NotificationKind


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
