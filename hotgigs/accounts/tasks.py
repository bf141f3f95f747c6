"""Housekeeping of accounts on Celery beat."""

from celery import shared_task

from hotgigs.accounts.throttle import login_throttle_purge

PURGE_LOGIN_THROTTLES = "accounts.purge_login_throttles"


@shared_task(name=PURGE_LOGIN_THROTTLES)
def purge_login_throttles() -> int:
    """Forget failed-login counters older than AUTH_LOGIN_FAILURE_WINDOW_SECONDS."""
    return login_throttle_purge()
