"""The dashboard on the admin index: the recruiting figures, each a link to the list it counts.

Recruiters and organization admins see their organizations' figures; platform staff see the
figures of every organization (the same scope the analytics API gives them) above the app
list, which stays below the dashboard for everyone. The figures come from
``analytics.selectors.recruiting_dashboard`` (a fixed number of queries), and every link
opens an admin changelist filtered with the admin's own list filters, so the list shows
the rows behind the figure. Below them, the pipeline report from the daily snapshots
(``analytics.selectors.analytics_report``: conversion over decided applications, offer
acceptance, time to hire and to fill) for a day range and department chosen in a form.
"""

from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from analytics.selectors import (
    FUNNEL,
    AnalyticsReport,
    RecruitingDashboard,
    ReportFilters,
    analytics_report,
    recruiting_dashboard,
)
from applications.choices import ApplicationSource, ApplicationStage
from hotgigs.accounts import policies
from hotgigs.admin_site import admin_site
from interviews.choices import InterviewStatus
from jobs.choices import JobStatus
from workspace.charts import Bar, bar_chart

# "Applications this week" uses the admin's own "Past 7 days" bounds (DateFieldListFilter):
# from local midnight seven days ago to tomorrow's, so the linked list shows the same rows.
RECENT_DAYS = 7


def _list_url(name: str, **filters: object) -> str:
    base = reverse(f"admin:{name}_changelist")
    return f"{base}?{urlencode({key: str(value) for key, value in filters.items()})}" if filters else base


def _applications_url(**filters: object) -> str:
    return _list_url("applications_application", **filters)


def recent_window(now: datetime) -> tuple[datetime, datetime]:
    """Local midnight seven days ago and tomorrow's: the admin's "Past 7 days"."""
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return today - timedelta(days=RECENT_DAYS), today + timedelta(days=1)


REPORT_DAYS = 90
REPORT_MAX_DAYS = 3660
REPORT_EARLIEST = date(1970, 1, 1)
REPORT_LATEST = date(9000, 12, 31)


class ReportForm(forms.Form):
    """The report's filters on the dashboard (``?from=&to=&department=``, all optional)."""

    date_from = forms.DateField(required=False, label="From")
    date_to = forms.DateField(required=False, label="To")
    department = forms.CharField(required=False, max_length=120, label="Department")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("date_from"), data.get("date_to")
        if any(day and not REPORT_EARLIEST <= day <= REPORT_LATEST for day in (first, last)):
            raise forms.ValidationError(f"Days lie between {REPORT_EARLIEST} and {REPORT_LATEST}.")
        if first and last and first > last:
            raise forms.ValidationError("“From” must not be after “To”.")
        if first and last and (last - first).days + 1 > REPORT_MAX_DAYS:
            raise forms.ValidationError(f"The range may span at most {REPORT_MAX_DAYS} days.")
        return data


def report_context(request: HttpRequest, now: datetime) -> dict[str, Any]:
    """The snapshot report (``analytics.selectors.analytics_report``) for the dashboard's filters.

    Bad filters are shown as errors on the form and the default range (the last 90 days, UTC)
    is reported instead, so a mistyped date never hides the dashboard.
    """
    today = now.astimezone(UTC).date()
    params = {name: request.GET.get(key, "") for key, name in (("from", "date_from"), ("to", "date_to"))}
    params["department"] = request.GET.get("department", "")
    form = ReportForm(params)
    data = form.cleaned_data if form.is_valid() else {}
    last = data.get("date_to") or today
    first = data.get("date_from") or last - timedelta(days=REPORT_DAYS - 1)
    if first > last:
        first = last - timedelta(days=REPORT_DAYS - 1)
    filters = ReportFilters(date_from=first, date_to=last, department=data.get("department") or None)
    report: AnalyticsReport = analytics_report(actor=request.user, filters=filters, now=now)
    stage_label = dict(ApplicationStage.choices)
    return {
        "form": form,
        "filters": filters,
        "report": report,
        "steps": [
            {**asdict(step), "from_label": stage_label[step.from_stage], "to_label": stage_label[step.to_stage]}
            for step in report.conversion
        ],
    }


def dashboard_context(request: HttpRequest, now: datetime) -> dict[str, Any]:
    """The figures, charts and links of the dashboard for the user of ``request``."""
    # Whole seconds: the interview list's link carries ``now`` and must count the same rows.
    now = now.replace(microsecond=0)
    since, until = recent_window(now)
    figures: RecruitingDashboard = recruiting_dashboard(
        actor=request.user, recent_since=since, recent_until=until, now=now
    )
    summary = figures.summary
    stage_label = dict(ApplicationStage.choices)
    source_label = dict(ApplicationSource.choices)
    reached = {row.from_stage: row.entered for row in summary.conversion}
    reached[ApplicationStage.HIRED] = summary.conversion[-1].advanced if summary.conversion else 0
    conversion = {row.from_stage: row.rate for row in summary.conversion}

    funnel: list[dict[str, Any]] = [
        {
            "stage": stage,
            "label": stage_label[stage],
            "count": summary.applications_by_stage.get(stage, 0),
            "reached": reached.get(stage, 0),
            "rate": conversion.get(stage),
            "href": _applications_url(stage__exact=stage),
        }
        for stage in FUNNEL
    ]
    ended: list[dict[str, Any]] = [
        {
            "label": stage_label[stage],
            "count": summary.applications_by_stage.get(stage, 0),
            "href": _applications_url(stage__exact=stage),
        }
        for stage in (ApplicationStage.REJECTED, ApplicationStage.WITHDRAWN)
    ]
    sources: list[dict[str, Any]] = [
        {
            "label": source_label[source],
            "count": figures.hires_by_source.get(source, 0),
            "applications": summary.applications_by_source.get(source, 0),
            "href": _applications_url(stage__exact=ApplicationStage.HIRED, source__exact=source),
        }
        for source in ApplicationSource.values
    ]
    upcoming_until = now + summary.upcoming_interviews.window_days * timedelta(days=1)
    interviews_url = _list_url(
        "interviews_interview",
        status__exact=InterviewStatus.SCHEDULED,
        starts_at__gte=now,
        starts_at__lt=upcoming_until,
    )
    return {
        "all_organizations": summary.organization_ids is None,
        "organization_count": len(summary.organization_ids or ()),
        "open_jobs": summary.open_jobs,
        "open_jobs_url": _list_url("jobs_job", status__exact=JobStatus.OPEN),
        "recent_applications": figures.applications_recent,
        "recent_days": RECENT_DAYS,
        "recent_url": _applications_url(created_at__gte=since, created_at__lt=until),
        "time_to_hire": summary.time_to_hire,
        "hires_url": _applications_url(stage__exact=ApplicationStage.HIRED),
        "upcoming": summary.upcoming_interviews,
        "upcoming_url": interviews_url,
        "funnel": funnel,
        "ended": ended,
        "funnel_chart": bar_chart(
            "funnel", "Applications per stage", [Bar(row["label"], row["count"], row["href"]) for row in funnel]
        ),
        "report": report_context(request, now),
        "sources": sources,
        "sources_chart": bar_chart(
            "sources", "Hires per source", [Bar(row["label"], row["count"], row["href"]) for row in sources]
        ),
    }


def dashboard_index(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> TemplateResponse:
    """The admin index: the dashboard, then the admin's app list (as ``AdminSite.index`` builds it)."""
    context = {
        **admin_site.each_context(request),
        "title": admin_site.index_title,
        "subtitle": None,
        "app_list": admin_site.get_app_list(request),
        # Limited seats (hiring managers, interviewers) get no analytics: no figures at all.
        "dashboard": dashboard_context(request, timezone.now()) if policies.may_read_analytics(request.user) else None,  # type: ignore[arg-type]
        # Staff (None: every organization) and organizations' admins: a link to the retention page.
        "manages_retention": policies.retention_organization_ids(request.user) != frozenset(),  # type: ignore[arg-type]
        "adverse_impact": policies.may_read_adverse_impact_anywhere(request.user),  # type: ignore[arg-type]
        **(extra_context or {}),
    }
    request.current_app = admin_site.name
    return TemplateResponse(request, "workspace/dashboard.html", context)
