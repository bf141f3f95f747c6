from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "hotgigs.notifications"
    label = "notifications"
    verbose_name = "Notifications and email"
