"""Celery tasks of the privacy app: thin, calling services."""

from celery import shared_task

from hotgigs import tenancy
from hotgigs.audit.choices import AccessChannel
from privacy.services import retention_purge


@shared_task(name="privacy.retention_purge", ignore_result=True)
@tenancy.system("beat: erase the candidates past their organizations' retention periods")
def retention_purge_task() -> int:
    """Erase the candidates the retention rule makes due (beat, daily), each with a receipt.

    Idempotent: an erased candidate is never due again. Returns how many were erased."""
    report = retention_purge(dry_run=False, channel=AccessChannel.SYSTEM)
    return len(report.erased)
