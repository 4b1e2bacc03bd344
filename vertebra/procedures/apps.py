from django.apps import AppConfig


class ProceduresConfig(AppConfig):
    name = "vertebra.procedures"
    label = "procedures"
    verbose_name = "Consent and procedure"
