"""Issuing, rotating and revoking API tokens (JWTs from djangorestframework-simplejwt).

The response shape of the contract is built here:
``{access_token, refresh_token, expires_in, token_type, scope, jti, device_id}``.
Refresh tokens rotate: each is blacklisted when used, and presenting a used one again
revokes its whole :class:`TokenFamily`, except the token rotated last within a few seconds of
its rotation (a second tab), which answers the same new pair.
"""

import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenBackendError, TokenError
from rest_framework_simplejwt.state import token_backend as jwt_backend
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import RefreshToken

from hotgigs.accounts.models import TokenFamily, User
from hotgigs.accounts.scopes import parse_scope, scopes_for_user
from hotgigs.accounts.throttle import login_charge, login_succeeded
from hotgigs.errors import DomainError, ValidationFailed

logger = logging.getLogger(__name__)

FAMILY_CLAIM = "fam"
SCOPE_CLAIM = "scope"
DEVICE_CLAIM = "device_id"
MAX_DEVICE_ID = 128
# No control characters or line separators (they would forge log lines); the API schema states
# this same pattern, so what the document allows the server accepts.
DEVICE_ID_PATTERN = r"^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]*$"
DEVICE_ID_MESSAGE = f"At most {MAX_DEVICE_ID} characters, none of them a control character or line separator."


class InvalidCredentials(DomainError):
    code = "UNAUTHORIZED"
    default_message = "Email or password is incorrect."


class InvalidToken(DomainError):
    code = "UNAUTHORIZED"
    default_message = "The token is invalid, expired or revoked."


class InvalidScope(ValidationFailed):
    default_message = "The requested scope is not allowed for this user."


@dataclass(frozen=True)
class TokenPair:
    """What the token endpoints answer."""

    access_token: str
    refresh_token: str
    expires_in: int
    scope: str
    jti: str
    device_id: str
    token_type: str = "Bearer"  # noqa: S105 - the OAuth token type, not a secret

    def as_dict(self) -> dict[str, Any]:
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_in": self.expires_in,
            "token_type": self.token_type,
            "scope": self.scope,
            "jti": self.jti,
            "device_id": self.device_id,
        }


def _pair(refresh: RefreshToken, family: TokenFamily) -> TokenPair:
    access = refresh.access_token
    lifetime = settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"]
    return TokenPair(
        access_token=str(access),
        refresh_token=str(refresh),
        expires_in=int(lifetime.total_seconds()),
        scope=family.scope,
        jti=str(access["jti"]),
        device_id=family.device_id,
    )


def _new_refresh(user: User, family: TokenFamily) -> RefreshToken:
    refresh = RefreshToken.for_user(user)
    refresh[FAMILY_CLAIM] = str(family.pk)
    refresh[SCOPE_CLAIM] = family.scope
    refresh[DEVICE_CLAIM] = family.device_id
    return refresh


def _clean_device_id(device_id: Any) -> str:
    if device_id is None:
        return ""
    if not isinstance(device_id, str) or len(device_id) > MAX_DEVICE_ID or not re.search(DEVICE_ID_PATTERN, device_id):
        raise ValidationFailed(details={"device_id": [DEVICE_ID_MESSAGE]})
    return device_id


def token_issue(*, email: str, password: str, device_id: str | None = None, scope: str | None = None) -> TokenPair:
    """Log in: check the credentials and start a new token family.

    ``scope`` narrows the role's scopes; asking for one the role lacks raises InvalidScope
    (VALIDATION_ERROR). Wrong credentials or an inactive user raise InvalidCredentials, the
    same for an unknown address. After repeated failures for one address, from any client
    address, LoginThrottled (RATE_LIMITED) until its back-off has passed (``throttle``).
    """
    device = _clean_device_id(device_id)
    email = (email or "").strip().lower()
    # Committed before the password is checked, so a failure stays counted.
    login_charge(email=email)
    user = authenticate(username=email, password=password)
    if not isinstance(user, User) or not user.is_active:
        raise InvalidCredentials()
    login_succeeded(email=email)
    allowed = scopes_for_user(user)
    if scope:
        requested = parse_scope(scope)
        extra = [s for s in requested if s not in allowed]
        if extra:
            raise InvalidScope(details={"scope": [f"Not allowed: {' '.join(extra)}."]})
        granted = tuple(s for s in allowed if s in requested)
    else:
        granted = allowed
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    return token_issue_for_user(user=user, device_id=device, scopes=granted)


@transaction.atomic
def token_issue_for_user(*, user: User, device_id: str = "", scopes: tuple[str, ...] | None = None) -> TokenPair:
    """Start a token family for a user whose identity is already established.

    ``scopes`` defaults to everything the role allows; it must be a subset of that.
    Used by :func:`token_issue` after checking the password, and by staff tooling.
    """
    allowed = scopes_for_user(user)
    granted = allowed if scopes is None else tuple(s for s in allowed if s in scopes)
    family = TokenFamily.objects.create(user=user, device_id=_clean_device_id(device_id), scope=" ".join(granted))
    return _pair(_new_refresh(user, family), family)


def _decode_refresh(raw: str) -> RefreshToken:
    """A refresh token whose signature, algorithm, expiry, audience, issuer and type are verified.

    The blacklist is deliberately not consulted here: :func:`token_refresh` must see a used
    token (to revoke its family), so simplejwt's own ``verify()``, which refuses blacklisted
    tokens, cannot be used. The signature is checked by the token backend instead; the payload
    is trusted only after that.
    """
    if not isinstance(raw, str) or not raw:
        raise InvalidToken()
    try:
        jwt_backend.decode(raw, verify=True)  # type: ignore[arg-type]
        token = RefreshToken(raw, verify=False)  # type: ignore[arg-type]
        token.check_exp()
        token.verify_token_type()
    except (TokenError, TokenBackendError):
        raise InvalidToken() from None
    if not token.get(FAMILY_CLAIM) or not token.get("jti"):
        raise InvalidToken()
    return token


def _revoke_family(family: TokenFamily, reason: str) -> None:
    if family.revoked_at is None:
        family.revoked_at = timezone.now()
        family.revoke_reason = reason
        family.save(update_fields=["revoked_at", "revoke_reason"])


def token_refresh(*, refresh_token: str) -> TokenPair:
    """Rotate a refresh token: blacklist it and issue a new pair in the same family.

    The token rotated last, presented again within ``AUTH_REFRESH_REUSE_GRACE_SECONDS`` of its
    rotation, answers the pair it was already exchanged for (two tabs refreshing at once both
    stay logged in). Any other reuse of a rotated token revokes the whole family (the
    revocation is committed) and raises InvalidToken, as does an expired, forged or revoked
    token.
    """
    token = _decode_refresh(refresh_token)
    jti = str(token["jti"])
    with transaction.atomic():
        # Lock the family so two concurrent refreshes of one token are decided one after the other.
        family = TokenFamily.objects.select_for_update().filter(pk=token[FAMILY_CLAIM]).select_related("user").first()
        if family is None or family.revoked_at is not None or not family.user.is_active:
            raise InvalidToken()
        if not BlacklistedToken.objects.filter(token__jti=jti).exists():
            token.blacklist()
            pair = _pair(_new_refresh(family.user, family), family)
            family.last_rotated_at = timezone.now()
            family.rotated_jti = jti
            family.rotated_pair = pair.as_dict()
            family.save(update_fields=["last_rotated_at", "rotated_jti", "rotated_pair"])
            return pair
        if _within_reuse_grace(family, jti):
            logger.info("auth.refresh_reused_within_grace", extra={"user_id": family.user_id, "family": str(family.pk)})
            return TokenPair(**family.rotated_pair)  # type: ignore[arg-type]
        _revoke_family(family, "reuse")
    logger.warning("auth.refresh_reuse_detected", extra={"user_id": family.user_id, "family": str(family.pk)})
    raise InvalidToken()


def _within_reuse_grace(family: TokenFamily, jti: str) -> bool:
    grace = timedelta(seconds=settings.AUTH_REFRESH_REUSE_GRACE_SECONDS)
    return (
        bool(family.rotated_pair)
        and family.rotated_jti == jti
        and family.last_rotated_at is not None
        and timezone.now() - family.last_rotated_at <= grace
    )


@transaction.atomic
def token_revoke(*, refresh_token: str | None = None, family_id: str | None = None, user: User | None = None) -> None:
    """Log out: revoke the family of the given refresh token (or of the current access token).

    Raises InvalidToken for a token that cannot be read. Revoking twice is harmless.
    """
    if refresh_token is not None:
        token = _decode_refresh(refresh_token)
        family_id = str(token[FAMILY_CLAIM])
        if user is not None and str(token["user_id"]) != str(user.pk):
            raise InvalidToken()
    if family_id is None:
        raise InvalidToken()
    family = TokenFamily.objects.select_for_update().filter(pk=family_id).first()
    if family is None:
        raise InvalidToken()
    _revoke_family(family, "logout")


def family_is_active(family_id: str) -> bool:
    """True while the family exists and has not been revoked (checked on every request)."""
    return TokenFamily.objects.filter(pk=family_id, revoked_at__isnull=True).exists()
