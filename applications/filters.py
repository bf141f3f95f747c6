"""Query-string filters of the applications list, and the strict filter types other lists reuse.

Filters only narrow what the selector already allows the actor to see; they never widen it.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from applications.choices import ApplicationStage
from applications.models import Application
from hotgigs.api.filters import ChoicesFilter, FilterSet

# Ids above the largest 64-bit integer cannot name a row; refusing them up front keeps
# databases that cannot even compare such numbers (SQLite) from failing.
MAX_ID = 2**63 - 1


# PostgreSQL refuses offsets of 16 hours or more (real zones span -12:00 to +14:00).
MAX_UTC_OFFSET = timedelta(hours=16)


class AwareDateTimeField(forms.Field):
    """An ISO 8601 date-time that must carry a UTC offset (a naive time is ambiguous).

    The offset must be within ±15:59, and the instant is returned in UTC, so an answer never
    depends on how a database treats offsets or years past 9999 in UTC.
    """

    default_error_messages = {  # noqa: RUF012
        "invalid": "Enter an ISO 8601 date and time.",
        "naive": "Include a UTC offset, e.g. 2030-01-31T09:00:00Z.",
        "offset": "The UTC offset must be within ±15:59.",
        "range": "The time is out of range once converted to UTC.",
    }

    def to_python(self, value: Any) -> datetime | None:
        if value in self.empty_values:
            return None
        try:
            parsed = parse_datetime(str(value).strip())
        except ValueError:
            parsed = None
        if parsed is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        offset = parsed.utcoffset()
        if offset is None:
            raise ValidationError(self.error_messages["naive"], code="naive")
        if abs(offset) >= MAX_UTC_OFFSET:
            raise ValidationError(self.error_messages["offset"], code="offset")
        try:
            return parsed.astimezone(UTC)
        except OverflowError:
            raise ValidationError(self.error_messages["range"], code="range") from None


@extend_schema_field(OpenApiTypes.DATETIME)
class AwareDateTimeFilter(django_filters.Filter):
    """Compares a date-time column with an offset-carrying ISO 8601 value."""

    field_class = AwareDateTimeField


@extend_schema_field(OpenApiTypes.INT64)
class IdFilter(django_filters.NumberFilter):
    """A row id: a positive whole number."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class ApplicationFilter(FilterSet):
    """``?job=&stage=&stage=&candidate=&created_after=&created_before=`` (``stage`` also
    comma-separated; see hotgigs/api/filters.py)."""

    job = IdFilter(field_name="job_id")
    candidate = IdFilter(field_name="candidate_id")
    stage = ChoicesFilter(choices=ApplicationStage.choices, label="Any of these stages.")
    created_after = AwareDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = AwareDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Application
        fields = ("job", "candidate", "stage", "created_after", "created_before")
