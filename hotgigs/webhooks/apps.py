from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "hotgigs.webhooks"
    label = "webhooks"
    verbose_name = "Outbound webhooks"

    def ready(self) -> None:
        from hotgigs.webhooks import subscribers  # noqa: F401  (registers the outbox subscriber)
