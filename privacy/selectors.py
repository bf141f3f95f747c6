"""Reads of erasure receipts: staff only (``policies.may_read_audit_log``, the same people)."""

from django.db.models import QuerySet

from hotgigs.accounts import policies
from hotgigs.accounts.policies import Actor
from privacy.models import ErasureReceipt


def receipt_list(*, actor: Actor, candidate_id: int | None = None) -> QuerySet[ErasureReceipt]:
    """Receipts, newest first (of one candidate when named); none for anyone but staff."""
    if not policies.may_read_audit_log(actor):
        return ErasureReceipt.objects.none()
    receipts = ErasureReceipt.objects.all()
    if candidate_id is not None:
        receipts = receipts.filter(candidate_id=candidate_id)
    return receipts.order_by("-erased_at", "-id")
