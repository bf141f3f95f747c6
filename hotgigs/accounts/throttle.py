"""Per-account login protection: exponential back-off after repeated failures, from any address.

The rate limiter counts requests per client address; an attacker with many addresses
escapes it. This throttle counts failed logins per email address instead:
``AUTH_LOGIN_FREE_FAILURES`` failures in a row cost nothing, and each one after that makes
the next attempt wait ``AUTH_LOGIN_BACKOFF_BASE_SECONDS`` doubled per further failure, up to
``AUTH_LOGIN_BACKOFF_MAX_SECONDS``. While an address must wait, every login for it, right
password included, answers 429 RATE_LIMITED with ``Retry-After``.

Each attempt is charged *before* the password is checked, under a row lock, so concurrent
guesses are counted one after the other and cannot all slip through an open window; a
successful login refunds by clearing the row. The key is a hash of the address whether or
not an account uses it, so the answers are the same for unknown addresses (no enumeration).
"""

import hashlib
import logging
import math
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from hotgigs.accounts.errors import LoginThrottled
from hotgigs.accounts.models import LoginThrottle

logger = logging.getLogger(__name__)


def _key(email: str) -> str:
    return hashlib.sha256((email or "").strip().lower().encode("utf-8", "replace")).hexdigest()


def login_backoff_seconds(failures: int) -> int:
    """How long the next attempt must wait after ``failures`` failures in a row (0: no wait)."""
    over = failures - settings.AUTH_LOGIN_FREE_FAILURES
    if over <= 0:
        return 0
    base = settings.AUTH_LOGIN_BACKOFF_BASE_SECONDS
    return int(min(base * 2 ** min(over - 1, 32), settings.AUTH_LOGIN_BACKOFF_MAX_SECONDS))


def login_charge(*, email: str) -> None:
    """Count one login attempt for ``email`` before its password is checked (committed at once).

    Raises LoginThrottled (RATE_LIMITED, ``details.retry_after``) while the address must wait;
    then nothing is counted.
    """
    now = timezone.now()
    window = timedelta(seconds=settings.AUTH_LOGIN_FAILURE_WINDOW_SECONDS)
    with transaction.atomic():
        row, _ = LoginThrottle.objects.select_for_update().get_or_create(key=_key(email))
        if row.locked_until is not None and row.locked_until > now:
            wait = max(1, math.ceil((row.locked_until - now).total_seconds()))
            logger.warning("auth.login_throttled", extra={"failures": row.failures, "retry_after": wait})
            raise LoginThrottled(details={"scope": "account", "retry_after": wait})
        if row.last_failure_at is not None and now - row.last_failure_at > window:
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        wait = login_backoff_seconds(row.failures)
        row.locked_until = now + timedelta(seconds=wait) if wait else None
        row.save(update_fields=["failures", "last_failure_at", "locked_until"])


def login_succeeded(*, email: str) -> None:
    """Clear ``email``'s failures after a successful login (the charge is refunded)."""
    LoginThrottle.objects.filter(key=_key(email)).delete()


def login_throttle_purge() -> int:
    """Delete rows whose last failure is older than the failure window; returns how many."""
    cutoff = timezone.now() - timedelta(seconds=settings.AUTH_LOGIN_FAILURE_WINDOW_SECONDS)
    deleted, _ = LoginThrottle.objects.filter(last_failure_at__lt=cutoff).delete()
    return deleted
