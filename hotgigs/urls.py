"""Top-level routes: the back office and the REST API.

This module is wiring: the one place of the kernel that names the domain apps' routes.
The API lives under /api/v1/; the seed's unversioned paths (/api/jobs, …) route to the
current version. Anything else under /api/, /ws/, /health/ and /metrics answers the JSON
NOT_FOUND envelope; /ws/ itself over plain HTTP (no WebSocket upgrade) answers 426.
"""

from django.urls import URLPattern, URLResolver, include, path, re_path

from candidates.api.views import RegisterView
from hotgigs.admin_site import admin_site
from hotgigs.api import urls as kernel_api_urls
from hotgigs.api import views as api_views
from hotgigs.observability import views as health_views

# Version 1 of the REST API: the kernel's auth endpoints, sign-up, the schema and docs, and
# every app's router. Mounted twice below, so a tuple (patterns, app_name) rather than a module.
api_v1: tuple[list[URLPattern | URLResolver], str] = (
    [
        *kernel_api_urls.auth_urlpatterns,
        path("auth/register", RegisterView.as_view(), name="auth-register"),
        *kernel_api_urls.urlpatterns,
        path("", include("jobs.api.urls")),
        path("", include("privacy.api.urls")),
        path("", include("candidates.api.urls")),
        path("", include("applications.api.urls")),
        path("", include("interviews.api.urls")),
        path("", include("analytics.api.urls")),
        path("", include("activity.api.urls")),
        path("", include("hotgigs.webhooks.api.urls")),
        path("", include("hotgigs.notifications.api.urls")),
        path("", include("hotgigs.audit.api.urls")),
    ],
    "api",
)

urlpatterns = [
    path("admin/", admin_site.urls),
    path("health/live", health_views.live, name="health-live"),
    path("health/ready", health_views.ready, name="health-ready"),
    path("metrics", health_views.metrics_view, name="metrics"),
    path("api/v1/", include(api_v1, namespace="v1")),
    path("api/", include(api_v1, namespace="current")),
    path("ws/", api_views.websocket_over_http, name="ws-over-http"),
    re_path(r"^(?:api|ws|health)/|^metrics/", api_views.api_not_found),
]

handler400 = "hotgigs.api.views.handler400"
handler403 = "hotgigs.api.views.handler403"
handler404 = "hotgigs.api.views.handler404"
handler500 = "hotgigs.api.views.handler500"
