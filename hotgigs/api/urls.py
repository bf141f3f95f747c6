"""Version 1 of the REST API: the auth endpoints and every app's router.

Mounted at /api/v1/ and, for the seed's paths (/api/jobs, …), at /api/.
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from candidates.api import views as candidate_views
from hotgigs.api import views
from hotgigs.api.docs import docs_view

app_name = "api"

urlpatterns = [
    path("auth/token", views.TokenView.as_view(), name="auth-token"),
    path("auth/refresh", views.RefreshView.as_view(), name="auth-refresh"),
    path("auth/revoke", views.RevokeView.as_view(), name="auth-revoke"),
    path("auth/me", views.MeView.as_view(), name="auth-me"),
    path("auth/register", candidate_views.RegisterView.as_view(), name="auth-register"),
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path("docs/", docs_view, name="docs"),
    path("", include("jobs.api.urls")),
    path("", include("candidates.api.urls")),
    path("", include("applications.api.urls")),
    path("", include("interviews.api.urls")),
    path("", include("analytics.api.urls")),
    path("", include("hotgigs.realtime.api.urls")),
    path("", include("hotgigs.webhooks.api.urls")),
    path("", include("hotgigs.notifications.api.urls")),
]
