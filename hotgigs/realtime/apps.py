from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "hotgigs.realtime"
    label = "realtime"
    verbose_name = "Realtime"
