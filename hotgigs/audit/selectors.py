"""Reads of the audit log: staff only (``policies.may_read_audit_log``); everyone else sees none."""

from datetime import datetime

from django.db.models import QuerySet

from hotgigs.accounts import policies
from hotgigs.accounts.policies import Actor
from hotgigs.audit.models import AccessRecord


def access_list(
    *,
    actor: Actor,
    candidate_id: int | None = None,
    actor_id: int | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AccessRecord]:
    """Access records, newest first, narrowed by the filters given; empty for anyone but staff."""
    if not policies.may_read_audit_log(actor):
        return AccessRecord.objects.none()
    records = AccessRecord.objects.all()
    if candidate_id is not None:
        records = records.filter(candidate_id=candidate_id)
    if actor_id is not None:
        records = records.filter(actor_id=actor_id)
    if action:
        records = records.filter(action=action)
    if since is not None:
        records = records.filter(at__gte=since)
    if until is not None:
        records = records.filter(at__lt=until)
    return records.order_by("-at", "-id")
