"""Query-string filters of the candidate list (all optional, combined with AND).

- ``skill`` — skill names, repeated or comma-separated (``skill=python&skill=django``,
  ``skill=python,django``; see hotgigs/api/filters.py), compared normalized
  (case and spacing ignored); a candidate must have *every* listed skill (from the profile
  or a resume).
- ``min_years_experience`` / ``max_years_experience`` — inclusive bounds on years of experience.
- ``location`` — case-insensitive substring of the location.
- ``open_to_remote`` — true / false.
- ``search`` — words that must each appear in the name, headline or summary (case-insensitive).
"""

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet

from candidates.models import Candidate, CandidateSkill
from candidates.services.profiles import normalize_skill_name
from hotgigs.api.filters import BooleanFilter, FilterSet, IntegerFilter, TextValuesFilter, search_terms


class CandidateFilter(FilterSet):
    """See the module docstring for the meaning of each parameter."""

    skill = TextValuesFilter(method="filter_skill", max_length=100, label="Skill names; all must be present.")
    min_years_experience = IntegerFilter(field_name="years_experience", lookup_expr="gte", min_value=0, max_value=70)
    max_years_experience = IntegerFilter(field_name="years_experience", lookup_expr="lte", min_value=0, max_value=70)
    location = django_filters.CharFilter(field_name="location", lookup_expr="icontains", max_length=200)
    open_to_remote = BooleanFilter()
    search = django_filters.CharFilter(
        method="filter_search", max_length=200, label="Words in name, headline or summary."
    )

    class Meta:
        model = Candidate
        fields = ()

    def filter_skill(self, queryset: QuerySet[Candidate], name: str, value: list[str]) -> QuerySet[Candidate]:
        for key in dict.fromkeys(normalize_skill_name(item) for item in value or []):
            queryset = queryset.filter(
                Exists(CandidateSkill.objects.filter(candidate_id=OuterRef("pk"), normalized_name=key))
            )
        return queryset

    def filter_search(self, queryset: QuerySet[Candidate], name: str, value: str) -> QuerySet[Candidate]:
        for term in search_terms(value):
            queryset = queryset.filter(
                Q(full_name__icontains=term) | Q(headline__icontains=term) | Q(summary__icontains=term)
            )
        return queryset
