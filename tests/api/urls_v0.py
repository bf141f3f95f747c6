"""A URLconf for versioning tests: the real API, plus the same API mounted as a v0."""

from django.urls import include, path

from hotgigs import urls as project_urls

urlpatterns = [
    path("api/v0/", include(project_urls.api_v1, namespace="v0")),
    *project_urls.urlpatterns,
]

handler404 = project_urls.handler404
handler500 = project_urls.handler500
