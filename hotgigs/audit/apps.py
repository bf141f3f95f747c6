from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "hotgigs.audit"
    label = "audit"
    verbose_name = "Audit log"
