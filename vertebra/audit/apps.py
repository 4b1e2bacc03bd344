from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "vertebra.audit"
    label = "audit"
    verbose_name = "Audit trail"
