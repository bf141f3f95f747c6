"""Bearer JWT authentication with token-family revocation.

simplejwt verifies the signature with the pinned algorithm, the expiry, audience and
issuer. On top of that, a token whose family was revoked (logout, refresh-token reuse)
no longer authenticates.
"""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTAuthentication as SimpleJWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.tokens import Token

from hotgigs.accounts.tokens import FAMILY_CLAIM, family_is_active


class JWTAuthentication(SimpleJWTAuthentication):
    """``Authorization: Bearer <access token>``; answers 401 UNAUTHORIZED on any defect."""

    def authenticate(self, request: Request) -> tuple[Any, Token] | None:  # type: ignore[override]
        result = super().authenticate(request)
        if result is None:
            return None
        user, token = result
        family = token.get(FAMILY_CLAIM)
        if not family or not family_is_active(str(family)):
            raise InvalidToken({"detail": "Token has been revoked.", "code": "token_not_valid"})
        if not user.is_active:
            raise AuthenticationFailed("User is inactive.", code="user_inactive")
        return user, token


class JWTAuthenticationScheme(OpenApiAuthenticationExtension):
    """Describes the bearer scheme in the OpenAPI document."""

    target_class = JWTAuthentication
    name = "jwtAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "Access token from POST /api/v1/auth/token, sent as `Authorization: Bearer <token>`.",
        }
