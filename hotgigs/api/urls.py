"""The kernel's own endpoints of the REST API: auth, the OpenAPI document and its docs.

``hotgigs/urls.py`` (wiring) mounts them, with every app's router, as version 1 of the API
at /api/v1/ and, for the seed's paths (/api/jobs, …), at /api/.
"""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from hotgigs.api import views
from hotgigs.api.docs import docs_view

auth_urlpatterns = [
    path("auth/token", views.TokenView.as_view(), name="auth-token"),
    path("auth/refresh", views.RefreshView.as_view(), name="auth-refresh"),
    path("auth/revoke", views.RevokeView.as_view(), name="auth-revoke"),
    path("auth/me", views.MeView.as_view(), name="auth-me"),
]

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path("docs/", docs_view, name="docs"),
]
