from rest_framework import serializers

from hotgigs.api.serializers import StrictInputSerializer
from privacy.choices import ERASE_CONFIRMATION
from privacy.models import ErasureReceipt


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
