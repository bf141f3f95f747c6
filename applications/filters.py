"""Query-string filters of the applications list.

Filters only narrow what the selector already allows the actor to see; they never widen it.
"""

from applications.choices import ApplicationStage
from applications.models import Application
from hotgigs.api.filters import AwareDateTimeFilter, ChoicesFilter, FilterSet, IdFilter


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
