"""Routes of notification preferences, mounted under /api/v1/ by hotgigs/api/urls.py."""

from django.urls import re_path

from hotgigs.notifications.api.views import NotificationPreferencesView

urlpatterns = [
    re_path(r"^notifications/preferences/?$", NotificationPreferencesView.as_view(), name="notification-preferences"),
]
