"""A URLconf for the Idempotency-Key tests: the real API plus a create that can fail midway."""

from django.conf import settings
from django.urls import path
from django.utils.text import slugify
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hotgigs import urls as project_urls
from hotgigs.accounts.models import Organization
from hotgigs.api.idempotency import idempotent


class CreateThenFailView(APIView):
    """Writes a row, then fails with an unexpected error while ``TEST_CREATE_FAILS`` is set."""

    scope_exempt = True

    @idempotent
    def post(self, request: Request) -> Response:
        organization = Organization.objects.create(name=request.data["name"], slug=slugify(request.data["name"]))
        if getattr(settings, "TEST_CREATE_FAILS", False):
            raise RuntimeError("the write failed after it started")
        return Response({"id": organization.pk}, status=201)


urlpatterns = [
    path("api/v1/test/create-then-fail", CreateThenFailView.as_view(), name="test-create-then-fail"),
    *project_urls.urlpatterns,
]

handler404 = project_urls.handler404
handler500 = project_urls.handler500
