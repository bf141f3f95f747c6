"""A URLconf for error-layer tests: the real API plus views that fail on purpose."""

from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from hotgigs import urls as project_urls


class ExplodingView(APIView):
    scope_exempt = True
    authentication_classes = ()
    permission_classes = ()

    def get(self, request):  # type: ignore[no-untyped-def]
        raise RuntimeError("secret internal detail")


class UndeclaredScopeView(APIView):
    def get(self, request):  # type: ignore[no-untyped-def]
        return Response({"ok": True})


def exploding_django_view(request):  # type: ignore[no-untyped-def]
    raise RuntimeError("secret internal detail")


urlpatterns = [
    path("api/v1/test/explode", ExplodingView.as_view()),
    path("api/v1/test/undeclared", UndeclaredScopeView.as_view()),
    path("api/v1/test/explode-plain", exploding_django_view),
    *project_urls.urlpatterns,
]

handler404 = project_urls.handler404
handler500 = project_urls.handler500
