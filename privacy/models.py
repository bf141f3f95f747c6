from django.conf import settings
from django.db import models


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
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ("-erased_at", "-id")

    def __str__(self) -> str:
        return f"candidate {self.candidate_id} erased {self.erased_at:%Y-%m-%d %H:%M}"
