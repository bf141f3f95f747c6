from django.apps import AppConfig


class ObservabilityConfig(AppConfig):
    name = "hotgigs.observability"
    label = "observability"
    verbose_name = "Observability"

    def ready(self) -> None:
        from hotgigs.observability import celery_signals, metrics  # noqa: F401  (connects the task signals)

        metrics.mark_ready()
