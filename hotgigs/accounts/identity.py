"""A short-lived cache of who a token belongs to, so most requests skip two queries.

Authenticating a request needs the user (active?), its token family (revoked?) and its
memberships (which organizations, which role). Those change rarely, and every change goes
through a model save, so they are cached per token family for ``AUTH_CACHE_SECONDS``
(default 60) and dropped the moment any of them changes: a revoked family, a saved user,
a membership added, changed or removed, an organization saved. The signal receivers below
do that; signals are used here only for cache invalidation, never for domain flow.

The key is the family's UUID, which is never reused, so an entry can only ever describe the
one login it was made for.
"""

import copy
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from hotgigs.accounts.models import Membership, Organization, TokenFamily, User

_PREFIX = "auth:identity:"


def _key(family_id: str) -> str:
    return f"{_PREFIX}{family_id}"


def identity_get(family_id: str) -> tuple[User, dict[int, str]] | None:
    """The cached (user, roles) of an active family, or None."""
    if settings.AUTH_CACHE_SECONDS <= 0:
        return None
    try:
        entry: Any = cache.get(_key(family_id))
    except Exception:  # a cache outage must not stop authentication
        return None
    if not entry:
        return None
    return entry["user"], entry["roles"]


def identity_cache_key(family_id: str) -> str | None:
    """The entry's key as the default cache stores it, so another round trip to the same Redis
    can read it (the rate limiter's); None when the identity cache is off."""
    if settings.AUTH_CACHE_SECONDS <= 0:
        return None
    return str(cache.make_key(_key(family_id)))


# Raw stored identities → what they decode to. A login sends the same token, so reads the same
# bytes, with every request until its identity changes; unpickling a user each time cost more
# than the rest of authentication. Same bytes, same decoded state: the memo never answers for
# bytes it did not decode, and each caller gets its own copies.
_DECODED_LIMIT = 1024
_decoded: dict[bytes, tuple[User, dict[int, str]]] = {}


def identity_from_stored(value: bytes | None) -> tuple[User, dict[int, str]] | None:
    """:func:`identity_get`'s answer from the raw value read at :func:`identity_cache_key`."""
    if value is None:
        return None
    decoded = _decoded.get(value)
    if decoded is None:
        try:
            entry: Any = cache.client.decode(value)  # type: ignore[attr-defined]  # django-redis
        except Exception:
            return None
        if not entry:
            return None
        decoded = (entry["user"], entry["roles"])
        if len(_decoded) >= _DECODED_LIMIT:
            _decoded.clear()
        _decoded[value] = decoded
    user, roles = decoded
    return copy.copy(user), dict(roles)


def identity_put(family_id: str, user: User, roles: dict[int, str]) -> None:
    """Remember an active family's user and roles (only outside a transaction: the rows read
    inside one may never commit)."""
    if settings.AUTH_CACHE_SECONDS <= 0 or transaction.get_connection().in_atomic_block:
        return
    try:
        cache.set(_key(family_id), {"user": user, "roles": roles}, timeout=settings.AUTH_CACHE_SECONDS)
    except Exception:
        return


def forget_families(family_ids: list[str]) -> None:
    """Drop the cached identities of these families, now and again once the transaction commits
    (so a request racing the change cannot re-cache the old state)."""
    if not family_ids:
        return
    keys = [_key(str(fid)) for fid in family_ids]

    def drop() -> None:
        try:
            cache.delete_many(keys)
        except Exception:
            return

    drop()
    transaction.on_commit(drop, robust=True)


def _families_of(user_ids: list[int]) -> list[str]:
    return [
        str(pk)
        for pk in TokenFamily.objects.filter(user_id__in=user_ids, revoked_at__isnull=True).values_list("pk", flat=True)
    ]


@receiver(post_save, sender=TokenFamily, dispatch_uid="identity_family_saved")
def _family_saved(sender: type[TokenFamily], instance: TokenFamily, **kwargs: Any) -> None:
    forget_families([str(instance.pk)])


@receiver(post_save, sender=User, dispatch_uid="identity_user_saved")
def _user_saved(sender: type[User], instance: User, update_fields: Any = None, **kwargs: Any) -> None:
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    forget_families(_families_of([instance.pk]))


@receiver(post_save, sender=Membership, dispatch_uid="identity_membership_saved")
@receiver(post_delete, sender=Membership, dispatch_uid="identity_membership_deleted")
def _membership_changed(sender: type[Membership], instance: Membership, **kwargs: Any) -> None:
    forget_families(_families_of([instance.user_id]))


@receiver(post_save, sender=Organization, dispatch_uid="identity_organization_saved")
def _organization_saved(sender: type[Organization], instance: Organization, **kwargs: Any) -> None:
    forget_families(_families_of(list(instance.memberships.values_list("user_id", flat=True))))
