from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "hotgigs.webhooks"
    label = "webhooks"
    verbose_name = "Outbound webhooks"
