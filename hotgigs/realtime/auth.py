"""Authenticating a WebSocket with the API's own access token.

Browsers cannot set ``Authorization`` on a WebSocket, so the token comes in the query string
(``/ws/?token=<access token>``); non-browser clients may send ``Authorization: Bearer <token>``
instead (it wins when both are present). The checks are the API's
(``hotgigs/api/authentication.py``): simplejwt verifies signature, pinned algorithm, expiry,
audience, issuer and token type; the user must exist and be active; the token family must
not be revoked.
"""

from dataclasses import dataclass
from urllib.parse import parse_qs

from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken

from hotgigs.accounts.identity import identity_get, identity_put
from hotgigs.accounts.models import User
from hotgigs.accounts.policies import actor_roles, remember_actor_roles
from hotgigs.accounts.scopes import parse_scope
from hotgigs.accounts.tokens import FAMILY_CLAIM, SCOPE_CLAIM, family_is_active
from hotgigs.api.authentication import JWTAuthentication

MAX_TOKEN_LENGTH = 4096


@dataclass(frozen=True)
class SocketIdentity:
    """Who holds the socket, what their token allows, and until when (Unix seconds)."""

    user: User
    scopes: tuple[str, ...]
    family: str
    expires_at: float


def token_from_scope(scope: dict) -> str | None:  # type: ignore[type-arg]
    """The raw access token of an ASGI WebSocket scope: the Bearer header, else ``?token=``."""
    for name, value in scope.get("headers", []):
        if name.lower() == b"authorization":
            parts = value.decode("latin-1").split()
            if len(parts) == 2 and parts[0].lower() == "bearer":
                return parts[1]
            return None
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    tokens = query.get("token")
    return tokens[0] if tokens else None


def authenticate_socket(raw_token: str | None) -> SocketIdentity | None:
    """The identity behind ``raw_token``, or None for a missing, invalid, expired or revoked one."""
    if not raw_token or len(raw_token) > MAX_TOKEN_LENGTH:
        return None
    backend = JWTAuthentication()
    try:
        token = backend.get_validated_token(raw_token.encode("latin-1"))
        user = backend.get_user(token)
    except (InvalidToken, AuthenticationFailed, UnicodeEncodeError):
        return None
    family = token.get(FAMILY_CLAIM)
    if not isinstance(user, User) or not user.is_active or not family or not family_is_active(str(family)):
        return None
    return SocketIdentity(
        user=user,
        scopes=parse_scope(str(token.get(SCOPE_CLAIM, ""))),
        family=str(family),
        expires_at=float(token["exp"]),
    )


def identity_is_current(identity: SocketIdentity) -> User | None:
    """A fresh copy of the socket's user while the family stands and the user is active, else None.

    Asked before every batch of subscribes and at every heartbeat, so it reads what the API's
    authentication reads (``hotgigs/accounts/identity.py``): the family's cached user and
    roles, which a revocation, a saved user or a membership change drops at once; only a miss
    costs the queries (and fills the cache for the next one).
    """
    cached = identity_get(identity.family)
    if cached is not None and cached[0].pk == identity.user.pk:
        user, roles = cached
        remember_actor_roles(user, roles)
        return user if user.is_active else None
    if not family_is_active(identity.family):
        return None
    fresh = User.objects.filter(pk=identity.user.pk, is_active=True).first()
    if fresh is not None:
        identity_put(identity.family, fresh, actor_roles(fresh))
    return fresh
