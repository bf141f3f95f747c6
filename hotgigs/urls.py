"""Top-level routes: the back office and the REST API.

The API lives under /api/v1/; the seed's unversioned paths (/api/jobs, …) route to the
current version. Anything else under /api/, /ws/, /health/ and /metrics answers the JSON
NOT_FOUND envelope; /ws/ itself over plain HTTP (no WebSocket upgrade) answers 426.
"""

from django.urls import include, path, re_path

from hotgigs.admin_site import admin_site
from hotgigs.api import views as api_views
from hotgigs.observability import views as health_views

urlpatterns = [
    path("admin/", admin_site.urls),
    path("health/live", health_views.live, name="health-live"),
    path("health/ready", health_views.ready, name="health-ready"),
    path("metrics", health_views.metrics_view, name="metrics"),
    path("api/v1/", include("hotgigs.api.urls", namespace="v1")),
    path("api/", include("hotgigs.api.urls", namespace="current")),
    path("ws/", api_views.websocket_over_http, name="ws-over-http"),
    re_path(r"^(?:api|ws|health)/|^metrics/", api_views.api_not_found),
]

handler400 = "hotgigs.api.views.handler400"
handler403 = "hotgigs.api.views.handler403"
handler404 = "hotgigs.api.views.handler404"
handler500 = "hotgigs.api.views.handler500"
