"""Routes of data-subject requests, mounted under /api/v1/ by hotgigs/urls.py."""

from django.urls import re_path

from privacy.api.views import (
    CandidateErasureView,
    CandidateExportView,
    MyErasureView,
    MyExportView,
    ReceiptListView,
    RetentionDueView,
    RetentionView,
)

urlpatterns = [
    re_path(r"^candidates/me/export/?$", MyExportView.as_view(), name="candidate-me-export"),
    re_path(r"^candidates/me/erase/?$", MyErasureView.as_view(), name="candidate-me-erase"),
    re_path(r"^candidates/(?P<pk>[0-9]{1,18})/export/?$", CandidateExportView.as_view(), name="candidate-export"),
    re_path(r"^candidates/(?P<pk>[0-9]{1,18})/erase/?$", CandidateErasureView.as_view(), name="candidate-erase"),
    re_path(r"^erasure-receipts/?$", ReceiptListView.as_view(), name="erasure-receipt-list"),
    re_path(r"^organizations/(?P<pk>[0-9]{1,18})/retention/?$", RetentionView.as_view(), name="organization-retention"),
    re_path(
        r"^organizations/(?P<pk>[0-9]{1,18})/retention/due/?$",
        RetentionDueView.as_view(),
        name="organization-retention-due",
    ),
]
