"""HTTP shapes of interviews and feedback: input shapes and output rendering.

The input serializers check the shapes the OpenAPI schema can state (types, lengths, choices,
aware datetimes); the services keep the rest: a link that is a valid http(s) URL and a time
zone the zone database knows (which the schema cannot state, so a schema-driven client learns
them from the 400), future times, durations, a place or link for the kind, the organization's
interviewers, overlaps.

The interview output is the same for everyone; the hiring team's internal fields
(``cancel_reason``, ``scheduled_by_id``) are null for a candidate, and feedback is
never part of it (it has its own endpoint, for the hiring team only).
"""

from datetime import datetime
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from hotgigs.api.schema import NOT_BLANK_PATTERN
from hotgigs.api.serializers import (
    ApplicationCandidateSerializer,
    ApplicationJobSerializer,
    StrictInputSerializer,
    id_field,
)
from interviews.choices import InterviewKind, InterviewStatus, Recommendation
from interviews.models import Interview
from interviews.selectors import actor_may_read_feedback
from interviews.services import (
    MAX_ATTRIBUTE_DESCRIPTION,
    MAX_ATTRIBUTES,
    MAX_ROUND_NAME,
    MAX_ROUNDS,
    MAX_SCORE,
    MIN_SCORE,
    AttributeRating,
    AttributeSpec,
    RoundSpec,
)


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date-time that must carry a UTC offset.

    DRF would quietly read a naive time in the server's zone; an interview booked for
    "09:00" with no zone is ambiguous, so it is refused instead.
    """

    default_error_messages = {  # noqa: RUF012
        **serializers.DateTimeField.default_error_messages,
        "naive": "Include a UTC offset, e.g. 2030-01-31T09:00:00Z.",
    }

    def enforce_timezone(self, value: datetime) -> datetime:
        if timezone.is_naive(value):
            self.fail("naive")
        return super().enforce_timezone(value)


# --- input ------------------------------------------------------------------------------------


class InterviewScheduleSerializer(StrictInputSerializer):
    application_id = id_field()
    kind = serializers.ChoiceField(choices=InterviewKind.choices)
    starts_at = AwareDateTimeField()
    ends_at = AwareDateTimeField()
    interviewer_ids = serializers.ListField(child=id_field(), max_length=100)
    location = serializers.CharField(max_length=255, required=False, allow_blank=True, trim_whitespace=False)
    meeting_url = serializers.CharField(max_length=500, required=False, allow_blank=True, trim_whitespace=False)
    timezone = serializers.CharField(max_length=64, required=False)
    round_id = id_field(required=False, help_text="A round of the job's interview plan this interview belongs to.")


class InterviewRescheduleSerializer(StrictInputSerializer):
    """New times; ``interviewer_ids`` replaces the panel when given, keeps it otherwise."""

    starts_at = AwareDateTimeField()
    ends_at = AwareDateTimeField()
    interviewer_ids = serializers.ListField(child=id_field(), max_length=100, required=False)


class InterviewCancelSerializer(StrictInputSerializer):
    reason = serializers.CharField(max_length=2_000, required=False, allow_blank=True, trim_whitespace=False)


class InterviewOutcomeSerializer(StrictInputSerializer):
    status = serializers.ChoiceField(choices=[InterviewStatus.COMPLETED, InterviewStatus.NO_SHOW])


class AttributeRatingInputSerializer(StrictInputSerializer):
    attribute_id = id_field(help_text="An attribute of the interview round's scorecard.")
    score = serializers.IntegerField(min_value=MIN_SCORE, max_value=MAX_SCORE, help_text="1 (poor) to 4 (strong).")
    note = serializers.CharField(max_length=2_000, required=False, allow_blank=True, trim_whitespace=False)


class FeedbackSubmitSerializer(StrictInputSerializer):
    rating = serializers.IntegerField(
        min_value=1,
        max_value=5,
        help_text="1 (poor) to 5 (excellent): the interviewer's overall rating, kept beside the scorecard's "
        "attribute scores (not derived from them).",
    )
    recommendation = serializers.ChoiceField(choices=Recommendation.choices)
    notes = serializers.CharField(max_length=10_000, required=False, allow_blank=True, trim_whitespace=False)
    ratings = serializers.ListField(
        child=AttributeRatingInputSerializer(),
        max_length=MAX_ATTRIBUTES,
        required=False,
        help_text="One score per attribute of the interview round's scorecard (required when it has attributes).",
    )


def feedback_ratings(fields: dict[str, Any]) -> list[AttributeRating]:
    """The service's attribute ratings from a parsed feedback body."""
    return [
        AttributeRating(attribute_id=item["attribute_id"], score=item["score"], note=item.get("note", ""))
        for item in fields.get("ratings", [])
    ]


# --- output -----------------------------------------------------------------------------------


class PersonSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    full_name = serializers.CharField(source="get_full_name")


class InterviewSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """An interview. ``cancel_reason`` and ``scheduled_by_id`` are internal: null for the candidate."""

    id = serializers.IntegerField()
    application_id = serializers.IntegerField()
    job = ApplicationJobSerializer(source="application.job")
    candidate = ApplicationCandidateSerializer(source="application.candidate")
    kind = serializers.ChoiceField(choices=InterviewKind.choices)
    status = serializers.ChoiceField(choices=InterviewStatus.choices)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    timezone = serializers.CharField()
    location = serializers.CharField(allow_blank=True)
    meeting_url = serializers.CharField(allow_blank=True)
    interviewers = PersonSerializer(many=True)
    round_id = serializers.IntegerField(allow_null=True, help_text="The round of the job's interview plan, if any.")
    created_at = serializers.DateTimeField()
    cancel_reason = serializers.SerializerMethodField()
    scheduled_by_id = serializers.SerializerMethodField()

    def _internal(self, interview: Interview) -> bool:
        return actor_may_read_feedback(actor=self.context["request"].user, interview=interview)

    @extend_schema_field(serializers.CharField(allow_null=True, allow_blank=True))
    def get_cancel_reason(self, interview: Interview) -> str | None:
        return interview.cancel_reason if self._internal(interview) else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_scheduled_by_id(self, interview: Interview) -> int | None:
        return interview.scheduled_by_id if self._internal(interview) else None


class FeedbackRatingSerializer(serializers.Serializer):  # type: ignore[type-arg]
    attribute_id = serializers.IntegerField(
        allow_null=True, help_text="Null once the attribute was dropped from the plan."
    )
    attribute = serializers.CharField(source="attribute_name")
    score = serializers.IntegerField(help_text="1 (poor) to 4 (strong).")
    note = serializers.CharField(allow_blank=True)


class FeedbackSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    interview_id = serializers.IntegerField()
    interviewer = PersonSerializer()
    rating = serializers.IntegerField(help_text="The overall rating, 1–5.")
    recommendation = serializers.ChoiceField(choices=Recommendation.choices)
    notes = serializers.CharField(allow_blank=True)
    ratings = FeedbackRatingSerializer(many=True, help_text="The scorecard: one score per attribute of the round.")
    submitted_at = serializers.DateTimeField()


class AttributeScoreSerializer(serializers.Serializer):  # type: ignore[type-arg]
    interviewer = PersonSerializer()
    score = serializers.IntegerField()
    note = serializers.CharField(allow_blank=True)


class AttributeSummarySerializer(serializers.Serializer):  # type: ignore[type-arg]
    round_id = serializers.IntegerField(allow_null=True)
    round_name = serializers.CharField(allow_blank=True)
    name = serializers.CharField()
    mean = serializers.FloatField(allow_null=True)
    scores = AttributeScoreSerializer(many=True)


class ScorecardSummarySerializer(serializers.Serializer):  # type: ignore[type-arg]
    feedback_count = serializers.IntegerField()
    withheld = serializers.BooleanField(
        help_text="True while the caller sits on the application's panel and has not submitted their own "
        "feedback: the others' is hidden until then."
    )
    recommendations = serializers.DictField(child=serializers.IntegerField(), help_text="Count per recommendation.")
    rating_mean = serializers.FloatField(allow_null=True, help_text="Mean overall rating (1–5).")
    attributes = AttributeSummarySerializer(many=True)


class ApplicationFeedbackSerializer(serializers.Serializer):  # type: ignore[type-arg]
    application_id = serializers.IntegerField()
    feedback = FeedbackSerializer(many=True)
    summary = ScorecardSummarySerializer()


def schedule_arguments(fields: dict[str, Any]) -> dict[str, Any]:
    """The service's keyword arguments from a parsed schedule body (the API says ``timezone``)."""
    return {
        "kind": fields["kind"],
        "starts_at": fields["starts_at"],
        "ends_at": fields["ends_at"],
        "interviewer_ids": fields["interviewer_ids"],
        "location": fields.get("location", ""),
        "meeting_url": fields.get("meeting_url", ""),
        "tz_name": fields.get("timezone", "UTC"),
        "round_id": fields.get("round_id"),
    }


class RoundAttributeSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    position = serializers.IntegerField()


class InterviewRoundSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    name = serializers.CharField()
    position = serializers.IntegerField()
    attributes = RoundAttributeSerializer(many=True, help_text="The round's scorecard, in order.")


class InterviewPlanSerializer(serializers.Serializer):  # type: ignore[type-arg]
    job_id = serializers.IntegerField()
    rounds = InterviewRoundSerializer(many=True)


class AttributeInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=MAX_ROUND_NAME)
    description = serializers.CharField(
        max_length=MAX_ATTRIBUTE_DESCRIPTION, required=False, allow_blank=True, trim_whitespace=False
    )


class RoundInputSerializer(StrictInputSerializer):
    id = id_field(required=False, help_text="One of the job's rounds, to rename it.")
    name = serializers.CharField(max_length=MAX_ROUND_NAME)
    attributes = serializers.ListField(
        child=AttributeInputSerializer(),
        max_length=MAX_ATTRIBUTES,
        required=False,
        help_text="The scorecard's attributes in order; left out, the round keeps its current ones.",
    )


_NAME_SCHEMA = {"type": "string", "minLength": 1, "maxLength": MAX_ROUND_NAME, "pattern": NOT_BLANK_PATTERN}
# A round is its name (the endpoint's first version) or an object (RoundInputSerializer), spelt
# out here because a schema of one of two shapes cannot name a serializer.
ROUND_INPUT_SCHEMA = {
    "oneOf": [
        _NAME_SCHEMA,
        {
            "type": "object",
            "properties": {
                "id": {"type": "integer", "minimum": 1, "maximum": 9223372036854775807, "format": "int64"},
                "name": _NAME_SCHEMA,
                "attributes": {
                    "type": "array",
                    "maxItems": MAX_ATTRIBUTES,
                    "items": {
                        "type": "object",
                        "properties": {
                            "name": _NAME_SCHEMA,
                            "description": {"type": "string", "maxLength": MAX_ATTRIBUTE_DESCRIPTION},
                        },
                        "required": ["name"],
                        "additionalProperties": False,
                    },
                },
            },
            "required": ["name"],
            "additionalProperties": False,
        },
    ]
}


@extend_schema_field(ROUND_INPUT_SCHEMA)
class RoundInputField(serializers.Field):  # type: ignore[type-arg]
    """A round: an object (``RoundInputSerializer``), or just its name as a string (the first
    version of this endpoint), which keeps the round's scorecard as it is."""

    def to_internal_value(self, data: Any) -> RoundSpec:
        if isinstance(data, str):
            if "\x00" in data:
                raise serializers.ValidationError("Null characters are not allowed.")
            if len(data) > MAX_ROUND_NAME:
                raise serializers.ValidationError(f"Ensure this field has no more than {MAX_ROUND_NAME} characters.")
            return RoundSpec(name=data)
        if not isinstance(data, dict):
            raise serializers.ValidationError("Expected a round's name or an object.")
        round_input = RoundInputSerializer(data=data)
        round_input.is_valid(raise_exception=True)
        fields = round_input.validated_data
        attributes = fields.get("attributes")
        return RoundSpec(
            name=fields["name"],
            id=fields.get("id"),
            attributes=None
            if attributes is None
            else [AttributeSpec(name=a["name"], description=a.get("description", "")) for a in attributes],
        )

    def to_representation(self, value: Any) -> Any:
        return value


class InterviewPlanInputSerializer(StrictInputSerializer):
    rounds = serializers.ListField(child=RoundInputField(), max_length=MAX_ROUNDS, allow_empty=True)
