"""The request's user acts in the database (row-level security, ``hotgigs/tenancy``)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from hotgigs import tenancy
from hotgigs.accounts import policies


class TenancyMiddleware:
    """Acts as the session's user (anonymous without one) for the whole request, then as whoever
    acted before. The API authenticates bearer tokens in the view, later: its authentication
    switches to the token's user (``hotgigs.api.authentication``) and this middleware's reset
    ends that too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with tenancy.acting_as(policies.database_identity(request.user)):  # type: ignore[arg-type]
            return self.get_response(request)
