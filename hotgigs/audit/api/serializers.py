from rest_framework import serializers

from hotgigs.audit.choices import AccessAction
from hotgigs.audit.models import AccessRecord


class AccessRecordSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    actor = serializers.IntegerField(source="actor_id", allow_null=True)

    class Meta:
        model = AccessRecord
        fields = ("id", "at", "actor", "actor_email", "candidate_id", "action", "channel", "detail")
        read_only_fields = fields


class AccessQuerySerializer(serializers.Serializer):  # type: ignore[type-arg]
    """The list's filters; the pagination refuses any other parameter."""

    candidate = serializers.IntegerField(min_value=1, required=False)
    actor = serializers.IntegerField(min_value=1, required=False)
    action = serializers.ChoiceField(choices=AccessAction.choices, required=False)
    since = serializers.DateTimeField(required=False)
    until = serializers.DateTimeField(required=False)
