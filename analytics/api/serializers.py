"""HTTP shapes of the analytics endpoint: the query it accepts and the figures it returns."""

from rest_framework import serializers

from applications.choices import ApplicationStage
from hotgigs.api.serializers import StrictInputSerializer, id_field
from interviews.choices import InterviewKind


class AnalyticsQuerySerializer(StrictInputSerializer):
    """``?organization=<id>``: one of the caller's organizations (any, for staff); no other parameter."""

    # Query strings carry only strings; the fields coerce them.
    strict_json_types = False

    organization = id_field(required=False)


class StageConversionSerializer(serializers.Serializer):  # type: ignore[type-arg]
    from_stage = serializers.ChoiceField(choices=ApplicationStage.choices)
    to_stage = serializers.ChoiceField(choices=ApplicationStage.choices)
    entered = serializers.IntegerField(help_text="Applications that ever entered from_stage.")
    advanced = serializers.IntegerField(help_text="Of those, how many went on to to_stage.")
    rate = serializers.FloatField(allow_null=True, help_text="advanced / entered; null when none entered.")


class TimeToHireSerializer(serializers.Serializer):  # type: ignore[type-arg]
    hires = serializers.IntegerField()
    mean_days = serializers.FloatField(allow_null=True)
    median_days = serializers.FloatField(allow_null=True)


class UpcomingInterviewSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    application_id = serializers.IntegerField()
    job_id = serializers.IntegerField()
    job_title = serializers.CharField()
    kind = serializers.ChoiceField(choices=InterviewKind.choices)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class UpcomingInterviewsSerializer(serializers.Serializer):  # type: ignore[type-arg]
    window_days = serializers.IntegerField()
    count = serializers.IntegerField()
    next = UpcomingInterviewSerializer(many=True)


class RejectionCountSerializer(serializers.Serializer):  # type: ignore[type-arg]
    code = serializers.CharField(allow_null=True, help_text="Null for rejections recorded before reasons existed.")
    label = serializers.CharField(allow_blank=True)  # type: ignore[assignment]
    count = serializers.IntegerField()


class AnalyticsSummarySerializer(serializers.Serializer):  # type: ignore[type-arg]
    """The figures for the caller's scope.

    ``organization_ids`` is null when the figures cover every organization (staff without
    ``?organization``). Stage and source maps list every stage / source, zeros included.
    ``avg_time_in_stage_seconds`` covers the active stages and counts only finished stays
    (null when no application has left the stage yet).
    """

    organization_ids = serializers.ListField(child=serializers.IntegerField(), allow_null=True)
    generated_at = serializers.DateTimeField()
    open_jobs = serializers.IntegerField()
    applications_by_stage = serializers.DictField(child=serializers.IntegerField())
    applications_by_source = serializers.DictField(child=serializers.IntegerField())
    conversion = StageConversionSerializer(many=True)
    avg_time_in_stage_seconds = serializers.DictField(child=serializers.FloatField(allow_null=True))
    time_to_hire = TimeToHireSerializer()
    upcoming_interviews = UpcomingInterviewsSerializer()
    rejections_by_reason = RejectionCountSerializer(
        many=True, help_text="Rejections per reason code, most first (in the scope, all time)."
    )
