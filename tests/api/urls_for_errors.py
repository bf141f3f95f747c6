"""A URLconf for error-layer tests: the real API plus views that fail on purpose."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import connection, transaction
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


def suspicious_django_view(request):  # type: ignore[no-untyped-def]
    raise SuspiciousOperation("secret internal detail")


def forbidden_django_view(request):  # type: ignore[no-untyped-def]
    raise PermissionDenied("secret internal detail")


# Plain Django views that fail under every prefix whose errors must be the envelope.
FAILING = {"explode": exploding_django_view, "bad-request": suspicious_django_view, "forbidden": forbidden_django_view}
PREFIXES = ("api/v1", "api", "ws", "health", "metrics")


def run_past_statement_timeout() -> None:
    """A statement PostgreSQL cancels for running past its (tiny, local) statement timeout."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 50")
        cursor.execute("SELECT pg_sleep(2)")


class SlowQueryView(APIView):
    scope_exempt = True
    authentication_classes = ()
    permission_classes = ()

    def get(self, request):  # type: ignore[no-untyped-def]
        run_past_statement_timeout()
        return Response({"ok": True})


class BadQueryView(APIView):
    scope_exempt = True
    authentication_classes = ()
    permission_classes = ()

    def get(self, request):  # type: ignore[no-untyped-def]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT secret_column FROM no_such_table")
        return Response({"ok": True})


def slow_query_django_view(request):  # type: ignore[no-untyped-def]
    run_past_statement_timeout()


urlpatterns = [
    path("api/v1/test/explode", ExplodingView.as_view()),
    path("api/v1/test/undeclared", UndeclaredScopeView.as_view()),
    path("api/v1/test/explode-plain", exploding_django_view),
    *(path(f"{prefix}/test/{kind}", view) for prefix in PREFIXES for kind, view in FAILING.items()),
    path("api/v1/test/slow-query", SlowQueryView.as_view()),
    path("api/v1/test/bad-query", BadQueryView.as_view()),
    path("api/v1/test/slow-query-plain", slow_query_django_view),
    path("health/slow-query", slow_query_django_view),
    path("back-office/slow-query", slow_query_django_view),
    *project_urls.urlpatterns,
]

handler400 = project_urls.handler400
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500
