"""Base classes for input serializers, and the small shapes several apps' serializers share.

Unknown fields are rejected: a body with a key the endpoint does not accept answers
400 VALIDATION_ERROR naming the key (``details.<key>: ["Unknown field."]``). This is the
one documented way; it also makes attempts to set protected fields (organization,
status, created_by, role) fail loudly instead of being silently ignored.

JSON values must have the type the schema gives them: a string field refuses ``5``, a
boolean ``0`` or ``"yes"``, an integer ``"5"`` or ``true`` (DRF alone would coerce them).
"""

from typing import Any

from rest_framework import serializers

from hotgigs.api.schema import MAX_ID


def json_type_error(field: serializers.Field, value: Any) -> str | None:  # type: ignore[type-arg]
    """Why ``value`` does not have the JSON type ``field`` documents, or None when it does."""
    if value is None:
        return None  # allow_null decides
    if isinstance(field, serializers.ChoiceField):
        return None if isinstance(value, str) else "Expected a string."
    if isinstance(field, serializers.BooleanField):
        return None if isinstance(value, bool) else "Expected true or false."
    if isinstance(field, serializers.IntegerField):
        return None if isinstance(value, int) and not isinstance(value, bool) else "Expected a whole number."
    if isinstance(field, serializers.CharField):
        return None if isinstance(value, str) else "Expected a string."
    if isinstance(field, serializers.ListField):
        if not isinstance(value, list):
            return "Expected a list."
        child = field.child
        problems = [json_type_error(child, item) for item in value] if child is not None else []
        return next((f"Item {index}: {problem}" for index, problem in enumerate(problems) if problem), None)
    if isinstance(field, serializers.DictField):
        if not isinstance(value, dict):
            return "Expected an object."
        problems = [json_type_error(field.child, item) for item in value.values()]
        return next((problem for problem in problems if problem), None)
    return None


class StrictInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """Input serializer that refuses keys it does not declare and values of another JSON type."""

    # Query-string serializers read strings and leave the coercion to the fields.
    strict_json_types = True

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({key: ["Unknown field."] for key in unknown})
            if self.strict_json_types:
                wrong = {
                    name: problem
                    for name, field in self.fields.items()
                    if name in data and (problem := json_type_error(field, data[name]))
                }
                if wrong:
                    raise serializers.ValidationError({name: [problem] for name, problem in wrong.items()})
        return super().to_internal_value(data)


class StrictQuerySerializer(StrictInputSerializer):
    """Query parameters: strings the fields coerce, unknown names refused, and a blank value
    (``?name=``) refused rather than read as absent, as DRF would."""

    strict_json_types = False

    def to_internal_value(self, data: Any) -> Any:
        if hasattr(data, "get"):
            names: list[str] = list(self.fields)
            blank = sorted(name for name in names if name in data and data.get(name) == "")
            if blank:
                raise serializers.ValidationError({name: ["May not be blank."] for name in blank})
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


def id_field(**kwargs: Any) -> serializers.IntegerField:
    """A reference to a row by id (positive, fits 64 bits)."""
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


# The job and candidate of an application, as an application and its interviews render them
# (one component of the schema each, whichever app's serializer nests them).


class ApplicationJobSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    title = serializers.CharField()
    organization_id = serializers.IntegerField()


class ApplicationCandidateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    full_name = serializers.CharField()
