"""HTTP shapes of the analytics endpoint: the query it accepts and the figures it returns."""

from datetime import UTC, date, timedelta
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from applications.choices import ACTIVE_STAGES, ApplicationStage
from hotgigs.api.serializers import StrictInputSerializer, StrictQuerySerializer, id_field
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


# --- analytics v2: the report from the daily snapshots ---------------------------------------

REPORT_DEFAULT_DAYS = 90
REPORT_MAX_DAYS = 3660
# Days outside these bounds are refused (the default range and the day after `to` must exist).
REPORT_EARLIEST = date(1970, 1, 1)
REPORT_LATEST = date(9000, 12, 31)


class DayRangeQuerySerializer(StrictQuerySerializer):
    """Query parameters with an optional ``from`` / ``to`` day range (``YYYY-MM-DD``, UTC,
    inclusive), each between 1970-01-01 and 9000-12-31, ``from`` not after ``to``; a blank
    value is refused, not ignored. Subclasses say what the days bound (``from_help``, ``to_help``)."""

    from_help = "First day (UTC), inclusive."
    to_help = "Last day (UTC), inclusive."

    def get_fields(self) -> dict[str, serializers.Field]:  # type: ignore[type-arg]
        # ``from`` is a Python keyword: declared here rather than as a class attribute.
        fields = super().get_fields()
        fields["from"] = serializers.DateField(required=False, help_text=self.from_help)
        fields["to"] = serializers.DateField(required=False, help_text=self.to_help)
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        for name in ("from", "to"):
            day = attrs.get(name)
            if day is not None and not REPORT_EARLIEST <= day <= REPORT_LATEST:
                raise serializers.ValidationError(
                    {name: [f"Must be between {REPORT_EARLIEST.isoformat()} and {REPORT_LATEST.isoformat()}."]}
                )
        if attrs.get("from") and attrs.get("to") and attrs["from"] > attrs["to"]:
            raise serializers.ValidationError({"from": ["Must not be after to."]})
        return attrs


class AnalyticsReportQuerySerializer(DayRangeQuerySerializer):
    """``?organization=&job=&department=&recruiter=&from=&to=``; every one optional, no other.

    ``from`` / ``to`` are days (``YYYY-MM-DD``, UTC, inclusive); ``to`` defaults to today and
    ``from`` to 89 days before ``to``; ``from`` may not be after ``to`` nor the range longer
    than 3660 days, and both lie between 1970-01-01 and 9000-12-31.
    """

    to_help = "Last day (UTC), inclusive; default today."

    organization = id_field(required=False, help_text="One of the caller's organizations (any, for staff).")
    job = id_field(required=False, help_text="One job of the scope (404 NOT_FOUND for any other).")
    department = serializers.CharField(
        required=False, max_length=120, help_text="The jobs' department, exactly as written on the job."
    )
    recruiter = id_field(required=False, help_text="The user who created the jobs (Job.created_by).")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        today = timezone.now().astimezone(UTC).date()
        date_to = attrs.get("to") or today
        date_from = attrs.get("from") or date_to - timedelta(days=REPORT_DEFAULT_DAYS - 1)
        if date_from > date_to:
            raise serializers.ValidationError({"from": ["Must not be after to."]})
        if (date_to - date_from).days + 1 > REPORT_MAX_DAYS:
            raise serializers.ValidationError({"from": [f"The range may span at most {REPORT_MAX_DAYS} days."]})
        return {**attrs, "from": date_from, "to": date_to}


class FunnelStepSerializer(serializers.Serializer):  # type: ignore[type-arg]
    from_stage = serializers.ChoiceField(choices=ApplicationStage.choices)
    to_stage = serializers.ChoiceField(choices=ApplicationStage.choices)
    entered = serializers.IntegerField(help_text="Applications that entered from_stage in the range.")
    advanced = serializers.IntegerField(help_text="Applications that left from_stage for to_stage in the range.")
    rejected = serializers.IntegerField(help_text="Applications rejected at from_stage in the range.")
    withdrawn = serializers.IntegerField(help_text="Applications withdrawn at from_stage in the range.")
    decided = serializers.IntegerField(help_text="advanced + rejected + withdrawn.")
    rate = serializers.FloatField(
        allow_null=True, help_text="advanced / decided (applications still in the stage do not count); null when 0."
    )
    in_progress = serializers.IntegerField(help_text="Applications in from_stage at the end of the range's last day.")


class OfferAcceptanceSerializer(serializers.Serializer):  # type: ignore[type-arg]
    accepted = serializers.IntegerField(help_text="Offers that ended in a hire in the range.")
    declined = serializers.IntegerField(help_text="Applications withdrawn at the offer stage in the range.")
    rescinded = serializers.IntegerField(help_text="Applications rejected at the offer stage in the range.")
    rate = serializers.FloatField(allow_null=True, help_text="accepted / (accepted + declined); null when 0.")


class DurationsSerializer(serializers.Serializer):  # type: ignore[type-arg]
    count = serializers.IntegerField()
    mean_days = serializers.FloatField(allow_null=True)
    median_days = serializers.FloatField(allow_null=True)
    p75_days = serializers.FloatField(allow_null=True, help_text="75th percentile (linear interpolation).")


class ReportFiltersSerializer(serializers.Serializer):  # type: ignore[type-arg]
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    job_id = serializers.IntegerField(allow_null=True)
    department = serializers.CharField(allow_null=True)
    recruiter_id = serializers.IntegerField(allow_null=True)


class AnalyticsReportSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """Figures from the daily snapshots (as fresh as the last snapshot run, at most ten
    minutes old): the day range and filters applied, and the figures."""

    organization_ids = serializers.ListField(child=serializers.IntegerField(), allow_null=True)
    generated_at = serializers.DateTimeField()
    filters = ReportFiltersSerializer()
    applications = serializers.IntegerField(help_text="Applications submitted in the range.")
    hires = serializers.IntegerField(help_text="Hires in the range (moves to hired not undone).")
    conversion = FunnelStepSerializer(many=True)
    offer_acceptance = OfferAcceptanceSerializer()
    source_of_hire = serializers.DictField(
        child=serializers.IntegerField(), help_text="Hires in the range per application source, every source listed."
    )
    time_to_hire = DurationsSerializer(help_text="Per hire in the range: days from submission to hire.")
    time_to_fill = DurationsSerializer(
        help_text="Per job whose first hire falls in the range: days from the job's opening to that hire."
    )


# --- the adverse-impact monitor ----------------------------------------------------------------

ADVERSE_IMPACT_DIMENSIONS = ("gender", "race", "veteran", "disability")


class AdverseImpactQuerySerializer(DayRangeQuerySerializer):
    """``?organization=&job=&stage=&from=&to=&dimension=&top=``; every one optional, no other.

    ``from`` / ``to`` bound the applications' submission (and the matches' scoring) day, UTC,
    inclusive; without them, all time. ``from`` may not be after ``to``.
    """

    from_help = "First submission day (UTC), inclusive."
    to_help = "Last submission day (UTC), inclusive."

    organization = id_field(required=False, help_text="One organization you administer (any, for staff).")
    job = id_field(required=False, help_text="One job of the scope (404 NOT_FOUND for any other); default every job.")
    stage = serializers.ChoiceField(
        required=False,
        choices=[str(stage) for stage in ACTIVE_STAGES],
        help_text="The step that starts at this stage (applied → screening, …, offer → hired); default every step.",
    )
    dimension = serializers.ChoiceField(
        required=False, choices=ADVERSE_IMPACT_DIMENSIONS, help_text="One self-identification dimension; default all."
    )
    top = serializers.IntegerField(
        required=False, min_value=1, max_value=100, help_text="Top ranks per job counted as top-ranked (default 10)."
    )


class GroupRateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    group = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    suppressed = serializers.BooleanField(help_text="Fewer than min_group_size considered: counts withheld.")
    considered = serializers.IntegerField(allow_null=True)
    selected = serializers.IntegerField(allow_null=True)
    rate = serializers.FloatField(allow_null=True, help_text="selected / considered.")
    impact_ratio = serializers.FloatField(allow_null=True, help_text="rate / the reference group's rate.")
    adverse = serializers.BooleanField(help_text="impact_ratio below the four-fifths threshold.")
    p_value = serializers.FloatField(
        allow_null=True, help_text="Fisher's exact test (two-sided) against the reference group."
    )


class ImpactTableSerializer(serializers.Serializer):  # type: ignore[type-arg]
    from_stage = serializers.CharField(help_text="A stage, or `scored` for the match ranks.")
    to_stage = serializers.CharField(help_text="The next stage, or `top_ranked` for the match ranks.")
    considered = serializers.IntegerField(help_text="Every considered application (or scored candidate).")
    groups = GroupRateSerializer(many=True)
    reference_group = serializers.CharField(allow_null=True, help_text="The compared group with the highest rate.")
    test = serializers.ChoiceField(choices=["fisher_exact", "chi_square"], allow_null=True)
    p_value = serializers.FloatField(allow_null=True)
    declined = serializers.IntegerField(help_text="Considered, declined to answer: counted, not compared.")
    not_provided = serializers.IntegerField(help_text="Considered, never answered: counted, not compared.")
    suppressed_groups = serializers.IntegerField()
    adverse = serializers.BooleanField()
    insufficient_sample = serializers.BooleanField()
    cautions = serializers.ListField(child=serializers.CharField())


class DimensionImpactSerializer(serializers.Serializer):  # type: ignore[type-arg]
    dimension = serializers.ChoiceField(choices=ADVERSE_IMPACT_DIMENSIONS)
    steps = ImpactTableSerializer(many=True)
    match_ranks = ImpactTableSerializer()


class ImpactFiltersSerializer(serializers.Serializer):  # type: ignore[type-arg]
    job_id = serializers.IntegerField(allow_null=True)
    stage = serializers.CharField(allow_null=True)
    date_from = serializers.DateField(allow_null=True)
    date_to = serializers.DateField(allow_null=True)
    dimensions = serializers.ListField(child=serializers.CharField())
    top = serializers.IntegerField()


class AdverseImpactSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """Selection rates per self-identified group, per step, and the match ranks' shares."""

    organization_ids = serializers.ListField(child=serializers.IntegerField(), allow_null=True)
    generated_at = serializers.DateTimeField()
    filters = ImpactFiltersSerializer()
    four_fifths = serializers.FloatField()
    min_group_size = serializers.IntegerField()
    caution_group_size = serializers.IntegerField()
    cautions = serializers.DictField(child=serializers.CharField(), help_text="What each caution code means.")
    dimensions = DimensionImpactSerializer(many=True)
