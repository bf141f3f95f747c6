"""Top-level routes: the back office, and the API as it lands."""

from django.urls import path

from hotgigs.admin_site import admin_site

urlpatterns = [
    path("admin/", admin_site.urls),
]
