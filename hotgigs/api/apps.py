from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "hotgigs.api"
    label = "api"
    verbose_name = "REST API"
