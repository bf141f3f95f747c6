"""Routes of notifications, mounted under /api/v1/ by hotgigs/api/urls.py."""

from django.urls import re_path

from hotgigs.realtime.api.views import NotificationListView, NotificationMarkReadView

urlpatterns = [
    re_path(r"^notifications/?$", NotificationListView.as_view(), name="notification-list"),
    re_path(r"^notifications/read/?$", NotificationMarkReadView.as_view(), name="notification-mark-read"),
]
