"""Query-string filters of the job list, and an ordering backend that cursor pagination accepts.

Filters (all optional, combined with AND):

- ``status`` — one status or several, repeated (``status=open&status=closed``) or
  comma-separated (``status=open,closed``); any of them matches.
- ``remote_policy`` — exactly one of onsite / hybrid / remote.
- ``remote`` — ``true``: jobs that can be done at least partly remotely (remote_policy remote
  or hybrid); ``false``: on-site jobs only.
- ``employment_type`` — one employment type.
- ``location`` — case-insensitive substring of the location.
- ``skill`` — skill names, repeated or comma-separated (``skill=python&skill=django``,
  ``skill=python,django``), compared normalized (case and spacing ignored); a job must ask
  for *every* listed skill.
- ``salary_min`` / ``salary_max`` — the job's salary range must overlap the given range. A job
  with only one bound counts as that single figure; jobs that state no salary are left out
  whenever either parameter is given.
- ``organization`` — organization id (within what the actor may see anyway).
- ``search`` — words that must each appear in the title or the description (case-insensitive).

Multi-value and repeated parameters follow the API's one convention (hotgigs/api/filters.py).
"""

from collections.abc import Mapping
from typing import Any

import django_filters
from django import forms
from django.db.models import Exists, F, IntegerField, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.filters import BaseFilterBackend
from rest_framework.request import Request

from hotgigs.api.filters import BooleanFilter, ChoicesFilter, FilterSet, TextValuesFilter
from hotgigs.errors import ValidationFailed
from jobs.choices import EmploymentType, JobStatus, RemotePolicy
from jobs.models import Job, JobSkill
from jobs.services import normalize_skill_name

MAX_SEARCH_TERMS = 10


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(django_filters.NumberFilter):
    """A whole number (NumberFilter alone accepts and documents decimals)."""

    field_class = forms.IntegerField


def normalized_values(values: list[str] | None) -> list[str]:
    """Skill names as the database keys them (the filter field already bounded their number)."""
    return list(dict.fromkeys(normalize_skill_name(value) for value in values or []))


def search_terms(value: str) -> list[str]:
    """The words of a ``search`` parameter (at most MAX_SEARCH_TERMS)."""
    terms = value.split()
    if len(terms) > MAX_SEARCH_TERMS:
        raise ValidationFailed(details={"search": [f"At most {MAX_SEARCH_TERMS} words."]})
    return terms


class JobFilter(FilterSet):
    """See the module docstring for the meaning of each parameter."""

    status = ChoicesFilter(choices=JobStatus.choices, field_name="status", label="Any of these statuses.")
    remote_policy = django_filters.ChoiceFilter(choices=RemotePolicy.choices)
    remote = BooleanFilter(method="filter_remote", label="Remote or hybrid (true) / on-site (false).")
    employment_type = django_filters.ChoiceFilter(choices=EmploymentType.choices)
    location = django_filters.CharFilter(field_name="location", lookup_expr="icontains", max_length=200)
    skill = TextValuesFilter(method="filter_skill", max_length=100, label="Skill names; all must be asked for.")
    salary_min = IntegerFilter(method="filter_salary_min", min_value=0)
    salary_max = IntegerFilter(method="filter_salary_max", min_value=0)
    organization = IntegerFilter(field_name="organization_id", min_value=1)
    search = django_filters.CharFilter(method="filter_search", max_length=200, label="Words in title or description.")

    class Meta:
        model = Job
        fields = ()

    def filter_remote(self, queryset: QuerySet[Job], name: str, value: bool) -> QuerySet[Job]:
        remote = (RemotePolicy.REMOTE, RemotePolicy.HYBRID)
        if value:
            return queryset.filter(remote_policy__in=remote)
        return queryset.exclude(remote_policy__in=remote)

    def filter_skill(self, queryset: QuerySet[Job], name: str, value: list[str]) -> QuerySet[Job]:
        for key in normalized_values(value):
            queryset = queryset.filter(Exists(JobSkill.objects.filter(job_id=OuterRef("pk"), normalized_name=key)))
        return queryset

    def filter_salary_min(self, queryset: QuerySet[Job], name: str, value: int) -> QuerySet[Job]:
        # The job's top figure must reach the asked minimum.
        top = Coalesce(F("salary_max"), F("salary_min"))
        return queryset.alias(_salary_top=top).filter(_salary_top__gte=value)

    def filter_salary_max(self, queryset: QuerySet[Job], name: str, value: int) -> QuerySet[Job]:
        # The job's bottom figure must not exceed the asked maximum.
        bottom = Coalesce(F("salary_min"), F("salary_max"))
        return queryset.alias(_salary_bottom=bottom).filter(_salary_bottom__lte=value)

    def filter_search(self, queryset: QuerySet[Job], name: str, value: str) -> QuerySet[Job]:
        for term in search_terms(value):
            queryset = queryset.filter(Q(title__icontains=term) | Q(description__icontains=term))
        return queryset


class CursorOrderingFilter(BaseFilterBackend):
    """``?ordering=<field>`` or ``?ordering=-<field>`` over the fields a view allows.

    The view declares ``ordering_fields``: a mapping of public name to the model field or
    annotation that sorts it, and optionally ``ordering_annotations`` for those
    annotations. One field only, followed by ``id`` as tie-breaker, because cursor
    pagination positions itself on the first field (which must therefore be never null).
    An unknown or empty value answers 400 VALIDATION_ERROR; without the parameter the
    pagination's default (newest first) applies.
    """

    ordering_param = "ordering"

    @staticmethod
    def _fields(view: Any) -> Mapping[str, str]:
        return getattr(view, "ordering_fields", {})

    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: Any) -> tuple[str, ...] | None:
        raw = request.query_params.get(self.ordering_param)
        if raw is None:
            return None
        descending = raw.strip().startswith("-")
        name = raw.strip().removeprefix("-")
        target = self._fields(view).get(name) if name else None
        if target is None:
            allowed = sorted(self._fields(view))
            raise ValidationFailed(
                details={self.ordering_param: [f"Must be one of: {', '.join(allowed)} (prefix - for descending)."]}
            )
        sign = "-" if descending else ""
        return (f"{sign}{target}", f"{sign}id")

    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> QuerySet[Any]:
        ordering = self.get_ordering(request, queryset, view)
        if ordering is None:
            return queryset
        annotations: Mapping[str, Any] = getattr(view, "ordering_annotations", {})
        field = ordering[0].removeprefix("-")
        if field in annotations:
            queryset = queryset.annotate(**{field: annotations[field]})
        return queryset.order_by(*ordering)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        names = sorted(self._fields(view))
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": "Sort by one field, - for descending. Default: newest first.",
                "schema": {"type": "string", "enum": [*names, *(f"-{n}" for n in names)]},
            }
        ]


# Jobs without a salary sort as 0, so the cursor's position field is never null.
SALARY_SORT = Coalesce(F("salary_max"), F("salary_min"), Value(0), output_field=IntegerField())
