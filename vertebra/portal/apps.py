from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "vertebra.portal"
    label = "portal"
    verbose_name = "Patient portal"
