from django.db import models


class AccessAction(models.TextChoices):
    """What an actor did with a person's data."""

    VIEWED = "viewed", "viewed"
    CHANGED = "changed", "changed"
    EXPORTED = "exported", "exported"
    ERASED = "erased", "erased"


class AccessChannel(models.TextChoices):
    """Where the access came from."""

    API = "api", "API"
    ADMIN = "admin", "back office"
    COMMAND = "command", "staff command"
    SYSTEM = "system", "scheduled job"
