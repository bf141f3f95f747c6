from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "hotgigs.events"
    label = "events"
    verbose_name = "Domain events"
