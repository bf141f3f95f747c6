"""Celery tasks of the API layer: thin, idempotent."""

from celery import shared_task

from hotgigs.api.idempotency import idempotency_key_purge


@shared_task(name="api.purge_idempotency_keys", ignore_result=True)
def purge_idempotency_keys() -> int:
    """Delete Idempotency-Key rows past ``IDEMPOTENCY_KEY_TTL`` (beat, hourly)."""
    return idempotency_key_purge()
