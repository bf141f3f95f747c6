from django.conf import settings
from django.db import models
from django.db.models import Q

from hotgigs.audit.choices import AccessAction, AccessChannel


class AccessRecord(models.Model):
    """One access to a candidate's personal data: who, what, from where, when.

    Append-only: a PostgreSQL trigger (migration 0001) refuses every UPDATE and DELETE, for the
    application's role and the owner alike. ``candidate_id`` and ``actor`` carry no foreign key
    constraint, so a record outlives the profile (erased, or deleted) and the account that
    acted; ``actor_email`` keeps who it was. Written by :func:`hotgigs.audit.services.access_record`
    with one INSERT.
    """

    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_email = models.CharField(max_length=254, blank=True)
    candidate_id = models.BigIntegerField()
    action = models.CharField(max_length=10, choices=AccessAction.choices)
    channel = models.CharField(max_length=10, choices=AccessChannel.choices)
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ("-at", "-id")
        constraints = (
            models.CheckConstraint(condition=Q(action__in=AccessAction.values), name="audit_access_action_valid"),
            models.CheckConstraint(condition=Q(channel__in=AccessChannel.values), name="audit_access_channel_valid"),
        )
        indexes = (
            models.Index(fields=("candidate_id", "-at"), name="audit_access_candidate"),
            models.Index(fields=("actor", "-at"), name="audit_access_actor"),
            models.Index(fields=("-at",), name="audit_access_at"),
        )

    def __str__(self) -> str:
        return f"{self.actor_email or 'system'} {self.action} candidate {self.candidate_id}"
