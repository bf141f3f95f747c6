"""Routes of this app's REST resources, mounted under /api/v1/ by hotgigs/api/urls.py."""

from django.urls import re_path

from analytics.api.views import AdverseImpactView, AnalyticsReportView, AnalyticsView

urlpatterns = [
    re_path(r"^analytics/?$", AnalyticsView.as_view(), name="analytics"),
    re_path(r"^analytics/report/?$", AnalyticsReportView.as_view(), name="analytics-report"),
    re_path(r"^analytics/adverse-impact/?$", AdverseImpactView.as_view(), name="analytics-adverse-impact"),
]
