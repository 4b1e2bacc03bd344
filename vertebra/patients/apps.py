from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "vertebra.patients"
    label = "patients"
    verbose_name = "Patients and referrals"
