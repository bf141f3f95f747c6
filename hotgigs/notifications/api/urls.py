"""Routes of notifications and their preferences, mounted under /api/v1/ by hotgigs/urls.py."""

from django.urls import re_path

from hotgigs.notifications.api.views import (
    NotificationListView,
    NotificationMarkReadView,
    NotificationPreferencesView,
)

urlpatterns = [
    re_path(r"^notifications/?$", NotificationListView.as_view(), name="notification-list"),
    re_path(r"^notifications/read/?$", NotificationMarkReadView.as_view(), name="notification-mark-read"),
    re_path(r"^notifications/preferences/?$", NotificationPreferencesView.as_view(), name="notification-preferences"),
]
