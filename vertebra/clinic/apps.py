from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "vertebra.clinic"
    label = "clinic"
    verbose_name = "Vertebra clinic (composition)"
