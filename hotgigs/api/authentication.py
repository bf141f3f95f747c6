"""Bearer JWT authentication with token-family revocation.

simplejwt verifies the signature with the pinned algorithm, the expiry, audience and
issuer. On top of that, a token whose family was revoked (logout, refresh-token reuse)
no longer authenticates.

The rate-limit middleware validates the same bearer token before DRF runs (to count per
user); it leaves the validated token on the request (:func:`remember_validated_token`) and
authentication reuses it instead of checking the signature and claims a second time. On
Redis it also reads the token family's cached identity in the same round trip as its
counters (:func:`identity_prefetch_key`, :func:`remember_prefetched_identity`), so a cached
read costs one Redis round trip fewer.

**Verified once per process.** Decoding a token is most of the CPU an authenticated cached
read costs (PyJWT checks every character of each segment in Python), and a client sends the
same access token with every request for its whole lifetime. So each process remembers the
tokens it verified (:func:`_verified`, the last ``TOKEN_MEMO_SIZE``), keyed by their exact
bytes: the same bytes under the same key and settings verify the same way every time. What
can change with time is checked again on every use: the expiry (an expired token goes
through the full check and is refused as before), and, in :meth:`JWTAuthentication.get_user`,
the family's revocation and the user's state. A settings change (tests) empties the memo.
"""

import copy
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.core.signals import setting_changed
from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTAuthentication as SimpleJWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken, TokenError
from rest_framework_simplejwt.tokens import Token
from rest_framework_simplejwt.utils import aware_utcnow

from hotgigs import tenancy
from hotgigs.accounts.identity import identity_cache_key, identity_from_stored, identity_get, identity_put
from hotgigs.accounts.models import TokenFamily, User
from hotgigs.accounts.selectors import actor_roles, database_identity, remember_actor_roles
from hotgigs.accounts.tokens import FAMILY_CLAIM

_VALIDATED = "_hotgigs_validated_token"
_PREFETCHED = "_hotgigs_prefetched_identity"
# Tokens verified by this process, by their bytes: a few thousand live logins per process.
TOKEN_MEMO_SIZE = 2048
_VERIFIER = SimpleJWTAuthentication()


@lru_cache(maxsize=TOKEN_MEMO_SIZE)
def _verified(raw: bytes) -> Token:
    """``raw`` fully verified (signature, type, audience, issuer, expiry); raises when it is not.
    Errors are not remembered, so a bad token is checked in full every time."""
    return SimpleJWTAuthentication.get_validated_token(_VERIFIER, raw)


def _forget_verified_tokens(**kwargs: Any) -> None:
    _verified.cache_clear()


setting_changed.connect(_forget_verified_tokens, dispatch_uid="hotgigs.api.authentication.verified_tokens")


def remember_validated_token(request: HttpRequest, raw: bytes, token: Token) -> None:
    """Keep ``token``, validated from ``raw``, for the rest of this request."""
    setattr(request, _VALIDATED, (raw, token))


def validated_family(request: HttpRequest) -> str | None:
    """The token family of the access token validated for ``request`` (None: no valid token)."""
    remembered = getattr(request, _VALIDATED, None)
    family = remembered[1].get(FAMILY_CLAIM) if remembered is not None else None
    return str(family) if family else None


def identity_prefetch_key(request: HttpRequest) -> str | None:
    """The cache key of the identity of the token validated for ``request``, or None."""
    family = validated_family(request)
    return None if family is None else identity_cache_key(family)


def remember_prefetched_identity(request: HttpRequest, value: bytes | None) -> None:
    """Keep the raw identity entry read at :func:`identity_prefetch_key` (None: there was none)."""
    remembered = getattr(request, _VALIDATED, None)
    if remembered is not None:
        setattr(request, _PREFETCHED, (remembered[0], value))


class JWTAuthentication(SimpleJWTAuthentication):
    """``Authorization: Bearer <access token>``; answers 401 UNAUTHORIZED on any defect."""

    def __init__(self) -> None:
        # DRF makes an instance per request; simplejwt's looked the user model up each time.
        self.user_model = User

    def get_validated_token(self, raw_token: bytes) -> Token:
        """The verified token of ``raw_token`` (raises InvalidToken like simplejwt's).

        A token this process verified before is not decoded again: only its expiry is checked.
        The caller gets its own copy, so nothing it changes reaches the next request.
        """
        token = _verified(bytes(raw_token))
        # Now, not when the memo was made (a Token's own current_time is its construction time).
        now = aware_utcnow()
        try:
            token.check_exp(current_time=now)
        except TokenError:
            return super().get_validated_token(raw_token)  # expired: refused with simplejwt's message
        own = copy.copy(token)
        own.payload = dict(token.payload)
        own.current_time = now
        return own

    def get_validated_token_for(self, request: Request, raw: bytes) -> Token:
        """The token validated from ``raw``, reusing the rate limiter's validation of it."""
        remembered = getattr(request._request, _VALIDATED, None)
        if remembered is not None and remembered[0] == raw:
            return remembered[1]  # type: ignore[no-any-return]
        return self.get_validated_token(raw)

    def authenticate(self, request: Request) -> tuple[User, Token] | None:  # type: ignore[override]
        header = self.get_header(request)
        if header is None:
            return None
        raw = self.get_raw_token(header)
        if raw is None:
            return None
        validated = self.get_validated_token_for(request, raw)
        prefetched = getattr(request._request, _PREFETCHED, None)
        if prefetched is not None and prefetched[0] == raw:
            user = self.get_user(validated, stored=prefetched[1])
        else:
            user = self.get_user(validated)
        # The token's user acts in the database for the rest of the request (the tenancy
        # middleware restores the identity before it when the response is done).
        tenancy.act_as(database_identity(user))
        return user, validated

    def get_user(self, validated_token: Token, *, stored: bytes | None | bool = False) -> User:  # type: ignore[override]
        """The token's active user, read together with its family's state in one query.

        ``stored``: the raw cached identity the rate limiter already read for this token (None:
        it found none); by default the identity cache is asked here.
        """
        family = validated_token.get(FAMILY_CLAIM)
        user_id = validated_token.get("user_id")
        if not family or user_id is None:
            raise InvalidToken({"detail": "Token has no family or user.", "code": "token_not_valid"})
        cached = identity_get(str(family)) if stored is False else identity_from_stored(stored)  # type: ignore[arg-type]
        if cached is not None and str(cached[0].pk) == str(user_id):
            user, roles = cached
            remember_actor_roles(user, roles)
            return user
        try:
            user = User.objects.annotate(
                family_active=Exists(
                    TokenFamily.objects.filter(pk=family, user_id=OuterRef("pk"), revoked_at__isnull=True)
                )
            ).get(pk=user_id)
        except (User.DoesNotExist, ValueError, ValidationError):
            raise AuthenticationFailed("User not found.", code="user_not_found") from None
        if not user.family_active:  # type: ignore[attr-defined]
            raise InvalidToken({"detail": "Token has been revoked.", "code": "token_not_valid"})
        if not user.is_active:
            raise AuthenticationFailed("User is inactive.", code="user_inactive")
        identity_put(str(family), user, actor_roles(user))
        return user


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
