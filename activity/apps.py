from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "activity"
    verbose_name = "Notes and activity"

    def ready(self) -> None:
        from activity import subscribers  # noqa: F401  (registers the outbox subscribers)
