"""Query-string filters of the interviews list; they only narrow what the selector allows."""

import django_filters

from applications.filters import AwareDateTimeFilter, IdFilter
from interviews.choices import InterviewStatus
from interviews.models import Interview


class InterviewFilter(django_filters.FilterSet):
    """``?starts_after=&starts_before=&status=&status=&interviewer=&application=``.

    ``starts_after`` is inclusive and ``starts_before`` exclusive, so consecutive windows
    never count an interview twice.
    """

    starts_after = AwareDateTimeFilter(field_name="starts_at", lookup_expr="gte")
    starts_before = AwareDateTimeFilter(field_name="starts_at", lookup_expr="lt")
    status = django_filters.MultipleChoiceFilter(choices=InterviewStatus.choices)
    interviewer = IdFilter(field_name="interviewers__id")
    application = IdFilter(field_name="application_id")

    class Meta:
        model = Interview
        fields = ("starts_after", "starts_before", "status", "interviewer", "application")
