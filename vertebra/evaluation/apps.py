from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "vertebra.evaluation"
    label = "evaluation"
    verbose_name = "Candidate evaluation"
