"""Query-string filters of the job list.

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

import django_filters
from django.db.models import Exists, F, IntegerField, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from hotgigs.api.filters import (
    BooleanFilter,
    ChoicesFilter,
    FilterSet,
    IntegerFilter,
    TextValuesFilter,
    search_terms,
)
from jobs.choices import EmploymentType, JobStatus, RemotePolicy
from jobs.models import Job, JobSkill
from jobs.services import normalize_skill_name


def normalized_values(values: list[str] | None) -> list[str]:
    """Skill names as the database keys them (the filter field already bounded their number)."""
    return list(dict.fromkeys(normalize_skill_name(value) for value in values or []))


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


# Jobs without a salary sort as 0, so the cursor's position field is never null.
SALARY_SORT = Coalesce(F("salary_max"), F("salary_min"), Value(0), output_field=IntegerField())
