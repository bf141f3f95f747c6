"""The project's routes plus a view that fails, for the error-rate tests."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from hotgigs.urls import urlpatterns as project_urlpatterns


def boom(request: HttpRequest, pk: int) -> HttpResponse:
    raise RuntimeError("boom")


urlpatterns = [path("test-boom/<int:pk>", boom, name="test-boom"), *project_urlpatterns]

handler400 = "hotgigs.api.views.handler400"
handler403 = "hotgigs.api.views.handler403"
handler404 = "hotgigs.api.views.handler404"
handler500 = "hotgigs.api.views.handler500"
