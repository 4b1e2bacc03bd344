from django.apps import AppConfig


class FhirConfig(AppConfig):
    name = "vertebra.fhir"
    label = "fhir"
    verbose_name = "FHIR R4"
