"""Writes of the audit log: one INSERT per access, nothing else (records are never changed)."""

from django.utils import timezone

from hotgigs.accounts import policies
from hotgigs.accounts.policies import Actor
from hotgigs.audit.choices import AccessAction, AccessChannel
from hotgigs.audit.models import AccessRecord


def access_record(
    *,
    actor: Actor | None,
    candidate_id: int,
    action: AccessAction,
    channel: AccessChannel,
    detail: str = "",
) -> None:
    """Append that ``actor`` (None: the system) did ``action`` with candidate ``candidate_id``'s
    data through ``channel``. One INSERT in the caller's transaction: it commits with the change it
    records (and a read's record commits with the request)."""
    user = actor if actor is not None and actor.is_authenticated else None
    AccessRecord.objects.create(
        at=timezone.now(),
        actor_id=user.pk if user is not None else None,
        actor_email=getattr(user, "email", "") or "",
        candidate_id=candidate_id,
        action=action,
        channel=channel,
        detail=detail[:200],
    )


def access_record_by_other(
    *,
    actor: Actor,
    candidate_id: int,
    candidate_user_id: int | None,
    action: AccessAction,
    channel: AccessChannel,
    detail: str = "",
) -> None:
    """:func:`access_record`, unless ``actor`` is the person themself (``policies.is_audited_access``):
    the one call of every read or change of a profile, its resumes or its timeline by someone else."""
    if policies.is_audited_access(actor, candidate_user_id=candidate_user_id):
        access_record(actor=actor, candidate_id=candidate_id, action=action, channel=channel, detail=detail)
