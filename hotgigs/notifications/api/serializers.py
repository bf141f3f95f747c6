"""HTTP shapes of notification preferences."""

from rest_framework import serializers

from hotgigs.api.serializers import StrictInputSerializer
from hotgigs.notifications.choices import NotificationKind


class PreferenceSerializer(serializers.Serializer):  # type: ignore[type-arg]
    kind = serializers.ChoiceField(choices=NotificationKind.choices)
    label = serializers.CharField()  # type: ignore[assignment]
    email = serializers.BooleanField(help_text="Whether emails of this kind are sent; in-app ones always are.")


class PreferencesSerializer(serializers.Serializer):  # type: ignore[type-arg]
    preferences = PreferenceSerializer(many=True)


class PreferencesUpdateSerializer(StrictInputSerializer):
    """``{"email": {"<kind>": true|false, ...}}``; kinds not named keep their setting."""

    email = serializers.DictField(child=serializers.BooleanField(), allow_empty=False)

    def validate_email(self, value: dict[str, bool]) -> dict[str, bool]:
        unknown = sorted(set(value) - set(NotificationKind.values))
        if unknown:
            raise serializers.ValidationError([f"Unknown kinds: {', '.join(unknown)}."])
        return value
