"""Kernel API views: authentication endpoints and the JSON error pages.

Every error under ``/api/``, ``/ws/``, ``/health/`` and ``/metrics`` is the envelope
``{code, message, details}`` (404, 400, 403, 500 and CSRF refusals here; 405 from each
view); elsewhere (the admin) Django's own pages.
"""

import logging
import sys
from typing import Any

from django.core.validators import RegexValidator
from django.http import HttpRequest, HttpResponse
from django.views import csrf, defaults
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hotgigs import database
from hotgigs.accounts import policies, tokens
from hotgigs.accounts.choices import MembershipRole
from hotgigs.accounts.selectors import actor_roles, organization_list
from hotgigs.api.errors import ENVELOPE_PATH_PREFIXES, database_unavailable_response, error_response
from hotgigs.api.middleware import current_request_id
from hotgigs.api.permissions import token_scopes
from hotgigs.api.serializers import ErrorEnvelopeSerializer, StrictInputSerializer

logger = logging.getLogger(__name__)

ERRORS = {code: OpenApiResponse(ErrorEnvelopeSerializer) for code in (400, 401, 403, 404, 409, 429)}


class TokenRequestSerializer(StrictInputSerializer):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)
    device_id = serializers.CharField(
        max_length=tokens.MAX_DEVICE_ID,
        required=False,
        allow_blank=True,
        validators=[RegexValidator(tokens.DEVICE_ID_PATTERN, tokens.DEVICE_ID_MESSAGE)],
    )
    scope = serializers.CharField(max_length=1024, required=False, allow_blank=True)


class RefreshRequestSerializer(StrictInputSerializer):
    refresh_token = serializers.CharField(max_length=4096)


class RevokeRequestSerializer(StrictInputSerializer):
    refresh_token = serializers.CharField(max_length=4096, required=False)


class TokenResponseSerializer(serializers.Serializer):  # type: ignore[type-arg]
    access_token = serializers.CharField()
    refresh_token = serializers.CharField()
    expires_in = serializers.IntegerField()
    token_type = serializers.CharField()
    scope = serializers.CharField(allow_blank=True)
    jti = serializers.CharField()
    device_id = serializers.CharField(allow_blank=True)


class PublicAuthView(APIView):
    permission_classes = (AllowAny,)
    authentication_classes = ()
    scope_exempt = True


class TokenView(PublicAuthView):
    """Log in with email and password; optionally name the device and narrow the scope."""

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenResponseSerializer, **ERRORS}, auth=[])
    def post(self, request: Request) -> Response:
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        pair = tokens.token_issue(**data.validated_data)
        return Response(pair.as_dict())


class RefreshView(PublicAuthView):
    """Rotate a refresh token; reusing a rotated one revokes its whole family."""

    @extend_schema(request=RefreshRequestSerializer, responses={200: TokenResponseSerializer, **ERRORS}, auth=[])
    def post(self, request: Request) -> Response:
        data = RefreshRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        pair = tokens.token_refresh(refresh_token=data.validated_data["refresh_token"])
        return Response(pair.as_dict())


class RevokeView(APIView):
    """Log out: revoke the family of the given refresh token, or of the calling access token."""

    scope_exempt = True

    @extend_schema(request=RevokeRequestSerializer, responses={204: None, **ERRORS})
    def post(self, request: Request) -> Response:
        data = RevokeRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        refresh = data.validated_data.get("refresh_token")
        if refresh:
            tokens.token_revoke(refresh_token=refresh, user=request.user)  # type: ignore[arg-type]
        else:
            tokens.token_revoke(family_id=str(request.auth.get(tokens.FAMILY_CLAIM)))  # type: ignore[union-attr]
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeOrganizationSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """An organization the user belongs to, and their role in it."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.ChoiceField(choices=MembershipRole.choices)


class MeResponseSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField(allow_blank=True)
    is_staff = serializers.BooleanField()
    organizations = MeOrganizationSerializer(many=True)
    scope = serializers.CharField(allow_blank=True)


class MeView(APIView):
    """Who the token belongs to: the user, their organizations and roles, and the token's scope."""

    scope_exempt = True

    @extend_schema(responses={200: MeResponseSerializer, **ERRORS})
    def get(self, request: Request) -> Response:
        user = request.user
        roles = actor_roles(user)
        orgs = organization_list(actor=user).filter(pk__in=roles) if roles else []
        return Response(
            {
                "id": user.pk,
                "email": user.email,  # type: ignore[union-attr]
                "full_name": user.full_name,  # type: ignore[union-attr]
                "is_staff": policies.is_staff(user),
                "organizations": [{"id": o.pk, "name": o.name, "role": roles[o.pk]} for o in orgs],
                "scope": " ".join(token_scopes(request)),
            }
        )


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(ENVELOPE_PATH_PREFIXES)


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """JSON NOT_FOUND under the envelope prefixes, Django's page elsewhere."""
    if _is_api(request):
        return error_response("NOT_FOUND", "No such endpoint or resource.")
    return defaults.page_not_found(request, exception)  # type: ignore[arg-type]


def handler500(request: HttpRequest) -> HttpResponse:
    """JSON INTERNAL_ERROR under the envelope prefixes (with the request id), Django's page elsewhere.

    Django calls it while the exception is being handled (under ASGI too: asgiref re-raises
    it in the thread that renders the error), so a database that could not serve a plain view
    or a middleware in time (the admin, a session read) is told apart: 503 with Retry-After,
    the envelope under the envelope prefixes, a short page elsewhere. (DRF views answer it in
    their exception handler.)
    """
    exc = sys.exc_info()[1]
    if exc is not None and database.is_unavailable(exc):
        return database_unavailable_response(request, exc)
    if _is_api(request):
        return error_response(
            "INTERNAL_ERROR", f"An internal error occurred. Quote request id {current_request_id()} when reporting it."
        )
    return defaults.server_error(request)


def handler400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return error_response("VALIDATION_ERROR", "Bad request.")
    return defaults.bad_request(request, exception)  # type: ignore[arg-type]


def handler403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return error_response("FORBIDDEN", "Forbidden.")
    return defaults.permission_denied(request, exception)  # type: ignore[arg-type]


@csrf_exempt
def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Catch-all for unknown URLs under the JSON prefixes (works whatever DEBUG is)."""
    return error_response("NOT_FOUND", "No such endpoint or resource.")


@csrf_exempt
def websocket_over_http(request: HttpRequest) -> HttpResponse:
    """``/ws/`` reached by a plain HTTP request (no WebSocket upgrade): 426 naming the protocol.

    The ASGI server routes real upgrades to the Channels consumer; anything that gets here
    is a client that forgot to upgrade (or a WSGI server, which cannot). Handshakes are GETs.
    """
    if request.method != "GET":
        response = error_response("METHOD_NOT_ALLOWED", f"Method {request.method} is not allowed here.")
        response["Allow"] = "GET"
        return response
    response = error_response(
        "VALIDATION_ERROR", "This endpoint speaks WebSocket: open it with a WebSocket upgrade.", status=426
    )
    response["Upgrade"] = "websocket"
    response["Connection"] = "Upgrade"
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF refusals under /api/ use the envelope; the admin keeps Django's page."""
    if _is_api(request):
        return error_response("FORBIDDEN", "CSRF verification failed.", {"reason": reason})
    return csrf.csrf_failure(request, reason)
