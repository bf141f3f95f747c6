"""HTTP shapes of jobs: the input a client sends and the representation it gets back.

Input is nested like the output (``requirements`` and ``salary`` are objects) and is
flattened into the keyword arguments ``jobs.services`` takes. Input serializers check
every shape (types, lengths, ranges, choices, the currency code, the requirements); the
services check only business rules (salary min ≤ max, a currency with a salary, no
duplicate skills), whose errors the view re-keys to these nested field names.

Unknown keys, at any level, answer 400 VALIDATION_ERROR naming the key. That is also how
protected fields are refused: ``id``, ``status``, ``created_by``, the timestamps — and
``organization`` except when creating — are not input fields, so a body carrying them is
rejected (never silently ignored). Status changes go through the close / open / archive
actions.
"""

from datetime import datetime
from typing import Any

from django.utils import timezone
from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers

from hotgigs.accounts.choices import HiringTeamRole
from hotgigs.api.serializers import StrictInputSerializer
from jobs.choices import EducationLevel, EmploymentType, JobStatus, RemotePolicy, SkillLevel
from jobs.models import Job
from jobs.services import CURRENCY_CODE, MAX_SALARY, MAX_SKILLS

# What a full replacement (PUT) resets an omitted optional field to: the create defaults.
FULL_DEFAULTS: dict[str, Any] = {
    "department": "",
    "location": "",
    "remote_policy": RemotePolicy.ONSITE.value,
    "employment_type": EmploymentType.FULL_TIME.value,
    "min_years_experience": 0,
    "education": EducationLevel.NONE.value,
    "skills": [],
    "salary_min": None,
    "salary_max": None,
    "salary_currency": "",
}

# Service field name → path of the input field it comes from.
SERVICE_FIELD_PATHS: dict[str, tuple[str, ...]] = {
    "skills": ("requirements", "skills"),
    "min_years_experience": ("requirements", "min_years_experience"),
    "education": ("requirements", "education"),
    "salary_min": ("salary", "min"),
    "salary_max": ("salary", "max"),
    "salary_currency": ("salary", "currency"),
}


class JobSkillInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=100)
    level = serializers.ChoiceField(choices=SkillLevel.choices, required=False)
    # The metaclass moves declared fields off the class, so this does not shadow Field.required.
    required = serializers.BooleanField(required=False)  # type: ignore[assignment]


class JobRequirementsInputSerializer(StrictInputSerializer):
    skills = JobSkillInputSerializer(many=True, required=False, max_length=MAX_SKILLS)  # type: ignore[call-arg]
    min_years_experience = serializers.IntegerField(min_value=0, max_value=50, required=False)
    education = serializers.ChoiceField(choices=EducationLevel.choices, required=False)


class SalaryInputSerializer(StrictInputSerializer):
    """A salary range: ``min`` ≤ ``max``; a currency (ISO 4217, e.g. EUR) whenever a figure is given."""

    min = serializers.IntegerField(min_value=0, max_value=MAX_SALARY, allow_null=True, required=False)
    max = serializers.IntegerField(min_value=0, max_value=MAX_SALARY, allow_null=True, required=False)
    currency = serializers.CharField(max_length=3, allow_blank=True, required=False)

    def validate_currency(self, value: str) -> str:
        code = value.upper()
        if code and not CURRENCY_CODE.match(code):
            raise serializers.ValidationError("Must be a three-letter ISO 4217 code such as USD.")
        return code


class SalaryPatchSerializer(SalaryInputSerializer):
    """A change to a job's salary: the keys given replace the stored ones, and the result must
    hold the same rules (``min`` ≤ ``max``, a currency with any figure)."""


class SalaryInputSchema(OpenApiSerializerExtension):
    """States the currency rule of a whole salary (create, replace) in the schema:
    either a currency is given, or no figure is."""

    target_class = SalaryInputSerializer

    def map_serializer(self, auto_schema: Any, direction: Any) -> Any:
        schema = auto_schema._map_basic_serializer(self.target, direction)
        # Absent or null: no number is both >= 0 (the field) and <= -1. (``enum: [null]`` would
        # read the same, but the enum hook would make a component of it.)
        no_figure = {"nullable": True, "maximum": -1}
        schema["anyOf"] = [
            {"required": ["currency"], "properties": {"currency": {"pattern": "^[A-Za-z]{3}$"}}},
            {"properties": {"min": no_figure, "max": no_figure}},
        ]
        return schema


class JobInputSerializer(StrictInputSerializer):
    """Fields of a job for update (PATCH: any subset; PUT: title and description required,
    other omitted fields reset to their defaults)."""

    title = serializers.CharField(max_length=255)
    description = serializers.CharField(max_length=50_000)
    department = serializers.CharField(max_length=120, allow_blank=True, required=False)
    location = serializers.CharField(max_length=200, allow_blank=True, required=False)
    remote_policy = serializers.ChoiceField(choices=RemotePolicy.choices, required=False)
    employment_type = serializers.ChoiceField(choices=EmploymentType.choices, required=False)
    requirements = JobRequirementsInputSerializer(required=False)
    salary = SalaryInputSerializer(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # A PATCH makes nested fields optional too, but a skill always needs its name (the
        # message is the one the service gave before the serializer checked it).
        skills = (attrs.get("requirements") or {}).get("skills") or []
        nameless = [
            f"Item {index}: name must be 1 to 100 characters." for index, s in enumerate(skills) if "name" not in s
        ]
        if nameless:
            raise serializers.ValidationError({"requirements": {"skills": nameless}})
        return attrs

    def service_data(self) -> dict[str, Any]:
        """The validated input as the keyword arguments of ``job_create`` / ``job_update``."""
        data: dict[str, Any] = dict(self.validated_data)
        requirements = data.pop("requirements", None) or {}
        salary = data.pop("salary", None) or {}
        for key in ("min_years_experience", "education"):
            if key in requirements:
                data[key] = requirements[key]
        if "skills" in requirements:
            data["skills"] = [dict(skill) for skill in requirements["skills"]]
        for key in ("min", "max", "currency"):
            if key in salary:
                data[f"salary_{key}"] = salary[key]
        if not self.partial:
            data = {**FULL_DEFAULTS, **data}
        return data


class JobPatchSerializer(JobInputSerializer):
    """Some fields of a job (PATCH): a ``salary`` object changes only the keys it names."""

    salary = SalaryPatchSerializer(required=False)


class JobCreateSerializer(JobInputSerializer):
    """A new job, created as a draft. ``organization`` may be omitted by members of exactly one
    organization; it must be one the caller belongs to (staff: any)."""

    organization = serializers.IntegerField(min_value=1, required=False)

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        data.pop("organization", None)
        return data


class OrganizationRefSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    name = serializers.CharField()


class JobSkillSerializer(serializers.Serializer):  # type: ignore[type-arg]
    name = serializers.CharField()
    level = serializers.ChoiceField(choices=SkillLevel.choices)
    required = serializers.BooleanField()  # type: ignore[assignment]


class JobRequirementsSerializer(serializers.Serializer):  # type: ignore[type-arg]
    skills = JobSkillSerializer(many=True)
    min_years_experience = serializers.IntegerField()
    education = serializers.ChoiceField(choices=EducationLevel.choices)


class SalarySerializer(serializers.Serializer):  # type: ignore[type-arg]
    min = serializers.IntegerField(source="salary_min", allow_null=True)
    max = serializers.IntegerField(source="salary_max", allow_null=True)
    currency = serializers.CharField(source="salary_currency", allow_blank=True)


class JobSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """A job as the API returns it (organization and skills must be preloaded)."""

    id = serializers.IntegerField()
    organization = OrganizationRefSerializer()
    title = serializers.CharField()
    description = serializers.CharField()
    department = serializers.CharField(allow_blank=True)
    location = serializers.CharField(allow_blank=True)
    remote_policy = serializers.ChoiceField(choices=RemotePolicy.choices)
    employment_type = serializers.ChoiceField(choices=EmploymentType.choices)
    requirements = JobRequirementsSerializer(source="*")
    salary = SalarySerializer(source="*")
    status = serializers.ChoiceField(choices=JobStatus.choices)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    opened_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)

    def to_representation(self, job: Job) -> dict[str, Any]:
        # The job board is the hottest read: building the dict directly is ~10x cheaper than
        # walking the nested fields above, which stay as the documented shape (OpenAPI).
        # tests/api/test_jobs.py checks this output against the field-by-field rendering.
        return {
            "id": job.pk,
            "organization": {"id": job.organization.pk, "name": job.organization.name},
            "title": job.title,
            "description": job.description,
            "department": job.department,
            "location": job.location,
            "remote_policy": job.remote_policy,
            "employment_type": job.employment_type,
            "requirements": {
                "skills": [{"name": s.name, "level": s.level, "required": s.required} for s in job.skills.all()],
                "min_years_experience": job.min_years_experience,
                "education": job.education,
            },
            "salary": {"min": job.salary_min, "max": job.salary_max, "currency": job.salary_currency},
            "status": job.status,
            "created_at": iso_datetime(job.created_at),
            "updated_at": iso_datetime(job.updated_at),
            "opened_at": iso_datetime(job.opened_at),
            "closed_at": iso_datetime(job.closed_at),
        }


def iso_datetime(value: datetime | None) -> str | None:
    """The same text DRF's DateTimeField renders (ISO 8601 in the current zone, ``Z`` for UTC)."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def nest_service_errors(details: dict[str, Any] | None) -> dict[str, Any] | None:
    """Re-key a service's field errors (``salary_max``) to the input's paths (``salary.max``)."""
    if not details:
        return details
    nested: dict[str, Any] = {}
    for key, value in details.items():
        path = SERVICE_FIELD_PATHS.get(key)
        if path is None:
            nested[key] = value
            continue
        outer, inner = path
        nested.setdefault(outer, {})[inner] = value
    return nested


# --- hiring teams ------------------------------------------------------------------------------


class HiringTeamInputSerializer(StrictInputSerializer):
    user_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    role = serializers.ChoiceField(choices=HiringTeamRole.choices)


class HiringTeamMemberSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """One person on a job's hiring team."""

    user_id = serializers.IntegerField()
    email = serializers.EmailField(source="user.email")
    name = serializers.SerializerMethodField()
    role = serializers.ChoiceField(choices=HiringTeamRole.choices)
    added_at = serializers.DateTimeField()

    def get_name(self, member: Any) -> str:
        return str(member.user.get_full_name() or member.user.email)
