"""Query-string filters of the applications list, and the strict filter types other lists reuse.

Filters only narrow what the selector already allows the actor to see; they never widen it.
"""

from datetime import UTC, datetime
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


# The instants a filter can name beyond what Python represents in UTC (year 1 to 9999).
_EARLIEST = datetime.min.replace(tzinfo=UTC)
_LATEST = datetime.max.replace(tzinfo=UTC)


class AwareDateTimeField(forms.Field):
    """An ISO 8601 date-time that must carry a UTC offset (a naive time is ambiguous).

    Any offset RFC 3339 allows (up to ±23:59) is taken, and the instant is handed on in UTC:
    PostgreSQL refuses offsets of 16 hours or more, and a value that leaves years 1-9999 once
    in UTC (``0001-01-01T00:00:00+05:00``) becomes the earliest or latest instant, which a
    ``>=`` / ``<`` comparison treats exactly as the real one, since no row lies beyond it.
    """

    default_error_messages = {  # noqa: RUF012
        "invalid": "Enter an ISO 8601 date and time.",
        "naive": "Include a UTC offset, e.g. 2030-01-31T09:00:00Z.",
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
        if parsed.utcoffset() is None:
            raise ValidationError(self.error_messages["naive"], code="naive")
        try:
            return parsed.astimezone(UTC)
        except OverflowError:
            return _EARLIEST if parsed.year == _EARLIEST.year else _LATEST


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
