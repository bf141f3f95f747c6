from rest_framework import serializers

from hotgigs.api.serializers import StrictInputSerializer, StrictQuerySerializer
from privacy.choices import (
    ERASE_CONFIRMATION,
    RETENTION_MAX_DAYS,
    RETENTION_MIN_DAYS,
    RETENTION_SOON_DAYS,
    RETENTION_WINDOW_MAX_DAYS,
)
from privacy.models import ErasureReceipt, RetentionSetting
from privacy.selectors import RetentionCase


class ErasureRequestSerializer(StrictInputSerializer):
    confirm = serializers.ChoiceField(
        choices=[ERASE_CONFIRMATION], help_text='"ERASE": erasure cannot be undone, so it is asked for in words.'
    )


class ErasureReceiptSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """What was erased and how much of each kind, when and by whom; never the data."""

    erased_by = serializers.IntegerField(source="erased_by_id", allow_null=True)

    class Meta:
        model = ErasureReceipt
        fields = (
            "id",
            "candidate_id",
            "erased_at",
            "erased_by",
            "erased_by_email",
            "requested_by_candidate",
            "channel",
            "reason",
            "detail",
            "counts",
        )
        read_only_fields = fields


class PersonalDataSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """Documents the export (a JSON object; see privacy/services.py for what each part holds)."""

    format = serializers.CharField()
    generated_at = serializers.DateTimeField()
    candidate_id = serializers.IntegerField()
    account = serializers.DictField(allow_null=True)
    profile = serializers.DictField()
    skills = serializers.ListField(child=serializers.DictField())
    consents = serializers.ListField(child=serializers.DictField())
    self_identification = serializers.DictField(
        allow_null=True, help_text="Your voluntary self-identification answers (null: none given)."
    )
    resumes = serializers.ListField(child=serializers.DictField())
    applications = serializers.ListField(child=serializers.DictField())
    interviews = serializers.ListField(child=serializers.DictField())
    notifications = serializers.ListField(child=serializers.DictField())


class RetentionInputSerializer(StrictInputSerializer):
    retention_days = serializers.IntegerField(
        min_value=RETENTION_MIN_DAYS,
        max_value=RETENTION_MAX_DAYS,
        allow_null=True,
        help_text=f"Days a candidate without activity is kept ({RETENTION_MIN_DAYS}–{RETENTION_MAX_DAYS}); "
        "null keeps candidates until they or staff erase them.",
    )


class RetentionSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """An organization's retention period and who set it last (null: never set, candidates kept)."""

    organization_id = serializers.IntegerField()
    retention_days = serializers.IntegerField(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)
    updated_by = serializers.IntegerField(allow_null=True)

    @staticmethod
    def of(organization_id: int, setting: RetentionSetting | None) -> dict[str, object]:
        return {
            "organization_id": organization_id,
            "retention_days": setting.retention_days if setting else None,
            "updated_at": setting.updated_at if setting else None,
            "updated_by": setting.updated_by_id if setting else None,
        }


class RetentionDueQuerySerializer(StrictQuerySerializer):
    within_days = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=RETENTION_WINDOW_MAX_DAYS,
        help_text=f"Also list candidates who become due within this many days (0–{RETENTION_WINDOW_MAX_DAYS}, "
        f"default {RETENTION_SOON_DAYS}); 0 lists only those due now.",
    )


class RetentionCaseSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """One candidate the retention period makes due (a ``privacy.selectors.RetentionCase``),
    now or within the window asked for. Context: ``now``, and ``others`` (whether the reader
    may learn how many organizations hold the candidate: staff only)."""

    candidate_id = serializers.IntegerField()
    due = serializers.SerializerMethodField(help_text="True: the next daily purge erases them.")
    due_at = serializers.DateTimeField()
    last_activity = serializers.DateTimeField()
    idle_days = serializers.IntegerField()
    retention_days = serializers.IntegerField(help_text="The period that decides (the longest of the holders').")
    why = serializers.SerializerMethodField(help_text="The rule in words.")

    def get_due(self, case: RetentionCase) -> bool:
        return case.is_due(self.context["now"])

    def get_why(self, case: RetentionCase) -> str:
        return case.why(others=self.context["others"])


class RetentionDueSerializer(serializers.Serializer):  # type: ignore[type-arg]
    organization_id = serializers.IntegerField()
    within_days = serializers.IntegerField()
    count = serializers.IntegerField()
    results = RetentionCaseSerializer(many=True)
