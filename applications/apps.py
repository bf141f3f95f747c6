from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = "Applications and pipeline"

    def ready(self) -> None:
        from applications import subscribers  # noqa: F401  (registers the outbox subscribers)
