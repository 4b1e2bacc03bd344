from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "vertebra.scheduling"
    label = "scheduling"
    verbose_name = "Booking"
