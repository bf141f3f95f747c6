"""Query-string filters of the interviews list; they only narrow what the selector allows."""

from hotgigs.api.filters import AwareDateTimeFilter, ChoicesFilter, FilterSet, IdFilter
from interviews.choices import InterviewStatus
from interviews.models import Interview


class InterviewFilter(FilterSet):
    """``?starts_after=&starts_before=&status=&status=&interviewer=&application=`` (``status``
    also comma-separated; see hotgigs/api/filters.py).

    ``starts_after`` is inclusive and ``starts_before`` exclusive, so consecutive windows
    never count an interview twice.
    """

    starts_after = AwareDateTimeFilter(field_name="starts_at", lookup_expr="gte")
    starts_before = AwareDateTimeFilter(field_name="starts_at", lookup_expr="lt")
    status = ChoicesFilter(choices=InterviewStatus.choices, label="Any of these statuses.")
    interviewer = IdFilter(field_name="interviewers__id")
    application = IdFilter(field_name="application_id")

    class Meta:
        model = Interview
        fields = ("starts_after", "starts_before", "status", "interviewer", "application")
