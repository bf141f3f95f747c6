from django.conf import settings
from django.db import models
from django.db.models import Q


class Note(models.Model):
    """A hiring team's note on a candidate (``application`` null) or on one of their applications.

    It belongs to one organization (an application's note to the job's organization) and is
    read by that organization's members and staff only, never by the candidate. ``body`` is
    stored as written and escaped wherever it is shown. ``mentions`` are the members the body
    names with ``@email``; each is told once per note (``activity.notify_mentions``).
    """

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    candidate = models.ForeignKey("candidates.Candidate", on_delete=models.CASCADE, related_name="+")
    application = models.ForeignKey(
        "applications.Application", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField()
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = (models.CheckConstraint(condition=~Q(body=""), name="activity_note_body_set"),)
        indexes = (
            models.Index(fields=("candidate", "organization", "-created_at"), name="activity_note_candidate"),
            models.Index(fields=("application", "-created_at"), name="activity_note_application"),
        )

    def __str__(self) -> str:
        return f"note {self.pk} on {self.application_id or self.candidate_id}"
