"""Stored evaluations, the physician's final decision, and the clinic's rule settings.

An evaluation keeps exactly what it read and used (snapshot, rule-set version, settings) and what
it concluded, so any past recommendation can be reproduced. Evaluations are never edited.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from vertebra.core.models import BaseModel


class Decision(models.TextChoices):
    RECOMMENDED = "recommended", "Recommended"
    SPECIALIST_REVIEW = "specialist_review", "Specialist review"
    INCOMPLETE = "incomplete", "Incomplete"
    NOT_RECOMMENDED = "not_recommended", "Not recommended"


class Evaluation(BaseModel):
    referral = models.ForeignKey(
        "patients.Referral", on_delete=models.PROTECT, related_name="evaluations"
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="evaluations"
    )
    evaluated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    evaluated_on = models.DateField(help_text="The clinic date the snapshot describes.")
    # Canonical JSON text with decimals written exactly (see evaluation.snapshot.snapshot_dumps).
    snapshot = models.TextField()
    ruleset_version = models.CharField(max_length=40)
    settings_used = models.JSONField()
    result = models.JSONField()
    decision = models.CharField(max_length=20, choices=Decision.choices)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["patient", "created_at"])]

    def __str__(self) -> str:
        return f"Evaluation {self.created_at:%Y-%m-%d}: {self.decision}"


class FinalChoice(models.TextChoices):
    PROCEED = "proceed", "Proceed with vertebroplasty"
    DO_NOT_PROCEED = "do_not_proceed", "Do not proceed"


class FinalDecision(BaseModel):
    """The physician's decision on an evaluation: agreeing, or departing with a reason."""

    evaluation = models.OneToOneField(
        Evaluation, on_delete=models.PROTECT, related_name="final_decision"
    )
    choice = models.CharField(max_length=20, choices=FinalChoice.choices)
    agrees_with_recommendation = models.BooleanField()
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(agrees_with_recommendation=True) | ~models.Q(reason=""),
                name="final_decision_departure_has_reason",
            )
        ]

    def __str__(self) -> str:
        stance = "agrees" if self.agrees_with_recommendation else "departs"
        return f"{self.get_choice_display()} ({stance})"


class RuleSettingsVersion(models.Model):
    """Each saved version of the clinic's rule settings; the newest is in force."""

    values = models.JSONField()
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    saved_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"Rule settings v{self.pk}"
