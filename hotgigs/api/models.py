"""Tables of the API layer itself (not of any domain)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class IdempotencyKey(models.Model):
    """A client's ``Idempotency-Key`` on one endpoint and the first answer it got.

    The row is inserted in the same transaction as the write it guards and holds the answer
    (status, rendered body, headers) when that transaction commits, so a committed key always
    has its write and its answer, and a rolled-back request leaves no key. ``fingerprint`` is
    the SHA-256 of the canonical request (method, operation, path parameters, query, body);
    a retry must match it. Rows past ``expires_at`` no longer count and are purged by
    ``api.purge_idempotency_keys``. See ``hotgigs.api.idempotency``.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # "<METHOD> <url name>", e.g. "POST job-list": the operation, whatever its URL prefix.
    endpoint = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=64)
    # Null only inside the claiming transaction, before its answer is recorded.
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    body = models.BinaryField(default=b"")
    content_type = models.CharField(max_length=100, blank=True)
    # [[name, value], ...] of the headers the view set (Location, Retry-After, ...).
    headers = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("user", "key", "endpoint"), name="api_idempotency_key_unique"),
            models.CheckConstraint(condition=~models.Q(key=""), name="api_idempotency_key_set"),
        )

    def __str__(self) -> str:
        return f"{self.endpoint} {self.key} ({self.user_id})"
