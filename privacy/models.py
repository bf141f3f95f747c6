from django.conf import settings
from django.db import models
from django.db.models import Q

from privacy.choices import RETENTION_MAX_DAYS, RETENTION_MIN_DAYS, ErasureReason


class ErasureReceipt(models.Model):
    """The record that a candidate's personal data was erased: when, by whom, at whose request and
    how much of each kind (``counts``: ``{"resumes": 2, "notes": 3, ...}``), never the data itself.

    ``candidate_id`` names the profile row, which stays (anonymous) so its applications keep the
    funnel's figures; it carries no foreign key so a receipt outlives any later removal.
    ``erased_by_email`` keeps who erased, should that account go.
    """

    candidate_id = models.BigIntegerField(db_index=True)
    erased_at = models.DateTimeField()
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    erased_by_email = models.CharField(max_length=254, blank=True)
    requested_by_candidate = models.BooleanField(
        default=False, help_text="The person erased their own data (rather than staff answering a request)."
    )
    channel = models.CharField(max_length=10)
    reason = models.CharField(
        max_length=10,
        choices=ErasureReason.choices,
        default=ErasureReason.REQUEST,
        help_text="A data-subject request, or an organization's retention period (erased by the system).",
    )
    detail = models.CharField(
        max_length=300, blank=True, help_text="Which retention rule applied and how long the candidate was idle."
    )
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ("-erased_at", "-id")
        constraints = (
            models.CheckConstraint(condition=Q(reason__in=ErasureReason.values), name="privacy_receipt_reason_valid"),
        )

    def __str__(self) -> str:
        return f"candidate {self.candidate_id} erased {self.erased_at:%Y-%m-%d %H:%M}"


class RetentionSetting(models.Model):
    """How long an organization keeps candidates without activity (``retention_days``; empty:
    until they or staff erase them). No row is the same as empty. Set by the organization's admins
    or staff (``privacy.services.retention_set``); applied daily by ``retention_purge``."""

    organization = models.OneToOneField("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    retention_days = models.PositiveIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("organization",)
        constraints = (
            models.CheckConstraint(
                condition=Q(retention_days__isnull=True)
                | Q(retention_days__gte=RETENTION_MIN_DAYS, retention_days__lte=RETENTION_MAX_DAYS),
                name="privacy_retention_days_range",
            ),
        )

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.retention_days or 'forever'} days"
