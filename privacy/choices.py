from django.db import models

# What a person types to confirm an erasure (the API's body and the back office's form).
ERASE_CONFIRMATION = "ERASE"


class ErasureReason(models.TextChoices):
    """Why a candidate's data was erased: a data-subject request, or the organization's retention."""

    REQUEST = "request", "data-subject request"
    RETENTION = "retention", "retention period passed"


# An organization's retention period (``RetentionSetting.retention_days``): from 30 days (a
# shorter one would erase candidates between two steps of an ordinary hiring process) to ten
# years; empty means candidates are kept until they or staff erase them.
RETENTION_MIN_DAYS = 30
RETENTION_MAX_DAYS = 3650
# The back office lists candidates due now and those due within this many days.
RETENTION_SOON_DAYS = 30
# ``GET /organizations/{id}/retention/due?within_days=`` looks at most this far ahead.
RETENTION_WINDOW_MAX_DAYS = 365
