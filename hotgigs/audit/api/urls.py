"""Routes of the audit log, mounted under /api/v1/ by hotgigs/urls.py."""

from django.urls import re_path

from hotgigs.audit.api.views import AccessRecordListView

urlpatterns = [
    re_path(r"^audit-records/?$", AccessRecordListView.as_view(), name="audit-record-list"),
]
