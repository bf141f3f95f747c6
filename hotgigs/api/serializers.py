"""Base classes for input serializers.

Unknown fields are rejected: a body with a key the endpoint does not accept answers
400 VALIDATION_ERROR naming the key (``details.<key>: ["Unknown field."]``). This is the
one documented way; it also makes attempts to set protected fields (organization,
status, created_by, role) fail loudly instead of being silently ignored.
"""

from typing import Any

from rest_framework import serializers


class StrictInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """Input serializer that refuses keys it does not declare."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({key: ["Unknown field."] for key in unknown})
        return super().to_internal_value(data)


class ErrorEnvelopeSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """Documents the error body for the OpenAPI schema."""

    code = serializers.ChoiceField(
        choices=[
            "VALIDATION_ERROR",
            "UNAUTHORIZED",
            "FORBIDDEN",
            "NOT_FOUND",
            "METHOD_NOT_ALLOWED",
            "CONFLICT",
            "RATE_LIMITED",
            "INTERNAL_ERROR",
            "SERVICE_UNAVAILABLE",
        ]
    )
    message = serializers.CharField()
    details = serializers.JSONField(allow_null=True)
