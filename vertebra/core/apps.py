from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "vertebra.core"
    label = "core"
    verbose_name = "Vertebra core"
