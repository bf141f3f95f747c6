from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TenancyConfig(AppConfig):
    name = "hotgigs.tenancy"
    label = "tenancy"
    verbose_name = "Tenancy"

    def ready(self) -> None:
        from hotgigs.tenancy import celery, roles  # noqa: F401  (signal handlers)

        post_migrate.connect(_grant_after_migrate, dispatch_uid="hotgigs.tenancy.grant")


def _grant_after_migrate(using: str = "default", **kwargs: Any) -> None:
    """Once migrations ran (as the owner), the application's role may use what they made."""
    from django.db import connections

    from hotgigs.tenancy import roles

    roles.grant_app_role(connections[using])
