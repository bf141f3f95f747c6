"""HTTP shapes of candidate profiles: the input a client sends and the representation it gets.

Input serializers check every shape (types, lengths, ranges, the email and phone formats,
skill levels, at most MAX_SKILLS skills) and hand ``candidates.services`` typed keyword
arguments; the services apply the business rules only (who may edit what, a unique email,
no skill listed twice). Unknown keys answer 400 VALIDATION_ERROR naming the key; that is
also how protected fields are refused: ``id``, ``user``, ``created_by``, a skill's
``source`` and the timestamps are not input fields.
"""

from typing import Any

from django.core.validators import RegexValidator
from rest_framework import serializers

from candidates.choices import (
    CONSENT_TEXTS,
    RESUME_CONTENT_TYPES,
    ConsentPurpose,
    DisabilityStatus,
    Gender,
    ParseStatus,
    RaceEthnicity,
    SkillLevel,
    SkillSource,
    VeteranStatus,
)
from candidates.services.profiles import MAX_SKILLS, PHONE_MESSAGE, PHONE_PATTERN
from hotgigs.api.serializers import StrictInputSerializer


class CandidateSkillInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=100)
    level = serializers.ChoiceField(choices=SkillLevel.choices, required=False)
    years = serializers.IntegerField(min_value=0, max_value=70, allow_null=True, required=False)


class CandidateInputSerializer(StrictInputSerializer):
    """Profile fields; every one optional (PATCH changes only what it names).

    On create, ``full_name`` and ``email`` are required for a sourced candidate and default
    to the caller's own for a candidate creating their own profile. ``skills``, when given,
    replaces the profile's skills (skills suggested from a resume stay). ``consent: true``
    records the time of consent; ``false`` withdraws it.
    """

    full_name = serializers.CharField(max_length=200, required=False)
    email = serializers.EmailField(max_length=254, required=False)
    phone = serializers.CharField(
        max_length=32,
        allow_blank=True,
        required=False,
        validators=[RegexValidator(PHONE_PATTERN, PHONE_MESSAGE)],
    )
    headline = serializers.CharField(max_length=200, allow_blank=True, required=False)
    summary = serializers.CharField(max_length=20_000, allow_blank=True, required=False)
    years_experience = serializers.IntegerField(min_value=0, max_value=70, required=False)
    location = serializers.CharField(max_length=200, allow_blank=True, required=False)
    open_to_remote = serializers.BooleanField(required=False)
    discoverable = serializers.BooleanField(required=False)
    consent = serializers.BooleanField(required=False)
    skills = CandidateSkillInputSerializer(many=True, required=False, max_length=MAX_SKILLS)  # type: ignore[call-arg]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # A PATCH makes nested fields optional too, but a skill always needs its name (the
        # message is the one the service gave before the serializer checked it).
        nameless = [
            f"Item {index}: name must be 1 to 100 characters."
            for index, skill in enumerate(attrs.get("skills") or [])
            if "name" not in skill
        ]
        if nameless:
            raise serializers.ValidationError({"skills": nameless})
        return attrs

    def service_data(self) -> dict[str, Any]:
        """The validated input as the keyword arguments of ``candidate_create`` / ``candidate_update``."""
        data: dict[str, Any] = dict(self.validated_data)
        if "skills" in data:
            data["skills"] = [dict(skill) for skill in data["skills"]]
        return data


class SourcedCandidateInputSerializer(CandidateInputSerializer):
    """A recruiter's new sourced profile: the profile fields, and the organization it is for
    (required only of a member of several organizations; it cannot change later)."""

    organization = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False)

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        if "organization" in data:
            data["organization_id"] = data.pop("organization")
        return data


class CandidateSkillSerializer(serializers.Serializer):  # type: ignore[type-arg]
    name = serializers.CharField()
    level = serializers.CharField()
    years = serializers.IntegerField(allow_null=True)
    source = serializers.ChoiceField(choices=SkillSource.choices)  # type: ignore[assignment]


class CandidateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """A profile as the API returns it (skills should be preloaded).

    Only the candidate themself, recruiters allowed to see the profile and staff ever
    receive it, so contact details are included.
    """

    id = serializers.IntegerField()
    organization_id = serializers.IntegerField(
        allow_null=True, help_text="The organization that sourced the profile; null for a self-registered one."
    )
    full_name = serializers.CharField()
    email = serializers.EmailField()
    phone = serializers.CharField(allow_blank=True)
    headline = serializers.CharField(allow_blank=True)
    summary = serializers.CharField(allow_blank=True)
    years_experience = serializers.IntegerField()
    location = serializers.CharField(allow_blank=True)
    open_to_remote = serializers.BooleanField()
    discoverable = serializers.BooleanField()
    consent_at = serializers.DateTimeField(allow_null=True)
    skills = CandidateSkillSerializer(many=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class ResumeUploadSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """Documents the multipart body of an upload (the service validates the file itself)."""

    file = serializers.FileField(help_text="PDF, DOCX or UTF-8 text; the type is read from the content.")


class ResumeSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """A resume file and how its parsing went (``parse_error`` says why a parse failed)."""

    id = serializers.IntegerField()
    candidate_id = serializers.IntegerField()
    original_filename = serializers.CharField(allow_blank=True)
    content_type = serializers.ChoiceField(choices=RESUME_CONTENT_TYPES)
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    parse_status = serializers.ChoiceField(choices=ParseStatus.choices)
    parse_error = serializers.CharField(allow_blank=True)
    uploaded_at = serializers.DateTimeField()
    parsed_at = serializers.DateTimeField(allow_null=True)


class ResumeDetailSerializer(ResumeSerializer):
    """A resume with the text extracted from it (empty until parsed)."""

    extracted_text = serializers.CharField(allow_blank=True)


class ResumeLinkSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """A short-lived download link; fetch it without a bearer token before ``expires_at``."""

    url = serializers.URLField()
    expires_at = serializers.DateTimeField()


class MergeInputSerializer(StrictInputSerializer):
    """The profile to merge into the one named in the path (both sourced by one organization)."""

    duplicate = serializers.IntegerField(min_value=1, max_value=2**31 - 1)


class MergeSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """A merge: which profile was merged into which, how many rows of each kind moved, and
    whether (and when) it was undone."""

    id = serializers.IntegerField()
    organization_id = serializers.IntegerField()
    survivor_id = serializers.IntegerField()
    duplicate_id = serializers.IntegerField()
    moved = serializers.SerializerMethodField(help_text="How many rows of each kind moved to the survivor.")
    merged_by_id = serializers.IntegerField(allow_null=True)
    merged_at = serializers.DateTimeField()
    undone_by_id = serializers.IntegerField(allow_null=True)
    undone_at = serializers.DateTimeField(allow_null=True)

    def get_moved(self, merge: Any) -> dict[str, int]:
        return {kind: len(rows) for kind, rows in merge.moved.items()}


class ConsentSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """One consent: its purpose, the wording's version, when and where it was given and withdrawn."""

    id = serializers.IntegerField()
    purpose = serializers.ChoiceField(choices=ConsentPurpose.choices)
    text_version = serializers.CharField()
    given_at = serializers.DateTimeField()
    given_source = serializers.CharField()
    withdrawn_at = serializers.DateTimeField(allow_null=True)
    withdrawn_source = serializers.CharField(allow_blank=True)


class ConsentTextSerializer(serializers.Serializer):  # type: ignore[type-arg]
    purpose = serializers.ChoiceField(choices=ConsentPurpose.choices)
    version = serializers.CharField()
    text = serializers.CharField()
    holds = serializers.BooleanField(help_text="Whether you agree to this purpose today.")


class ConsentsSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """The wordings in force (and whether each holds) and every consent given, newest first."""

    purposes = ConsentTextSerializer(many=True)
    history = ConsentSerializer(many=True)


class ConsentGiveSerializer(StrictInputSerializer):
    purpose = serializers.ChoiceField(choices=ConsentPurpose.choices)
    text_version = serializers.ChoiceField(
        choices=sorted({version for version, _ in CONSENT_TEXTS.values()}),
        help_text="The version of the wording agreed to: the purpose's current one (GET /candidates/me/consents).",
    )


class ConsentWithdrawSerializer(StrictInputSerializer):
    purpose = serializers.ChoiceField(choices=ConsentPurpose.choices)


class SelfIdentificationInputSerializer(StrictInputSerializer):
    """All four answers at once (PUT replaces); each may be ``declined``."""

    gender = serializers.ChoiceField(choices=Gender.choices)
    race_ethnicity = serializers.ChoiceField(choices=RaceEthnicity.choices)
    veteran_status = serializers.ChoiceField(choices=VeteranStatus.choices)
    disability_status = serializers.ChoiceField(choices=DisabilityStatus.choices)


class SelfIdentificationSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """Your answers; every field null when you have given none (or withdrew them)."""

    provided = serializers.BooleanField(help_text="Whether you have answered (declining a question is an answer).")
    gender = serializers.ChoiceField(choices=Gender.choices, allow_null=True)
    race_ethnicity = serializers.ChoiceField(choices=RaceEthnicity.choices, allow_null=True)
    veteran_status = serializers.ChoiceField(choices=VeteranStatus.choices, allow_null=True)
    disability_status = serializers.ChoiceField(choices=DisabilityStatus.choices, allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)
