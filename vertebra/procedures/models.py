"""Patient information texts (versioned) and consents (clinical-reference §4.5, §6)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from vertebra.core.models import BaseModel, ClinicalRecord
from vertebra.patients.models import Patient, Referral


class PatientInformation(BaseModel):
    """A version of a text patients read before consenting. Never edited once saved: a new
    version is a new row, so every consent keeps exactly the text it showed."""

    topic = models.SlugField(max_length=40)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    published_on = models.DateField()

    class Meta:
        ordering = ["topic", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "version"], name="procedures_info_version")
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version}, {self.published_on:%Y-%m-%d})"


class ConsentRisk(models.TextChoices):
    """The risks to discuss at consent, with the figures of clinical-reference §4.5."""

    CEMENT_LEAKAGE = (
        "cement_leakage",
        "Cement leakage, with possible nerve injury or embolism (most leaks are silent; "
        "symptomatic < 1 %)",
    )
    PULMONARY_EMBOLISM = (
        "pulmonary_embolism",
        "Pulmonary cement embolism (1.9 % on CT screening, mostly silent) [PCE2021]",
    )
    INFECTION = "infection", "Infection"
    BLEEDING = "bleeding", "Bleeding"
    ALLERGY = "allergy", "Allergic reaction to cement or contrast"
    NEW_FRACTURE = (
        "new_fracture",
        "New fractures in adjacent vertebrae (13.4 % pooled) [REFX2022]",
    )
    RADIATION = "radiation", "Radiation exposure"


class ConsentStatus(models.TextChoices):
    VALID = "valid", "Valid"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Consent(ClinicalRecord):
    """The patient's consent to vertebroplasty for a referral: the information version shown,
    the risks discussed, the questions asked, the patient's typed name and confirmation, the
    staff witness and the time. Withdrawal is recorded (who, when, why); nothing is deleted."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consents")
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="consents")
    information = models.ForeignKey(PatientInformation, on_delete=models.PROTECT)
    risks_discussed = models.JSONField(help_text="ConsentRisk values, in the order listed.")
    questions = models.TextField(blank=True, help_text="The patient's questions and the answers.")
    patient_typed_name = models.CharField(max_length=200)
    patient_confirmed = models.BooleanField()
    witness = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField()
    status = models.CharField(
        max_length=20, choices=ConsentStatus.choices, default=ConsentStatus.VALID
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawal_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-signed_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(patient_confirmed=True), name="procedures_consent_confirmed"
            ),
            models.CheckConstraint(
                condition=models.Q(status="valid")
                | (~models.Q(withdrawal_reason="") & models.Q(withdrawn_at__isnull=False)),
                name="procedures_withdrawal_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"Consent of {self.signed_at:%Y-%m-%d %H:%M} ({self.status})"

    @property
    def risks_not_discussed(self) -> list[str]:
        return [label for value, label in ConsentRisk.choices if value not in self.risks_discussed]

    @property
    def risk_labels(self) -> list[str]:
        labels = dict(ConsentRisk.choices)
        return [labels[value] for value in self.risks_discussed if value in labels]


class ItemStatus(models.TextChoices):
    MET = "met", "Met"
    NOT_MET = "not_met", "Not met"
    UNKNOWN = "unknown", "Not checked yet"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class Checklist(BaseModel):
    """The pre-procedure checklist of a referral, filled from its latest evaluation's
    preconditions (clinical-reference §2.5) and the clinic's own items; nurses complete it."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="checklists")
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="checklists")
    evaluation = models.ForeignKey(
        "evaluation.Evaluation", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Checklist of {self.created_at:%Y-%m-%d %H:%M}"


class ChecklistItem(BaseModel):
    """One item: its status with who checked it, or an override with a reason. An item not met
    (or not checked) blocks the start of the procedure unless it is overridden."""

    checklist = models.ForeignKey(Checklist, on_delete=models.PROTECT, related_name="items")
    position = models.PositiveSmallIntegerField()
    key = models.CharField(max_length=60)  # an evaluation rule id, or the clinic item's key
    label = models.TextField()
    source = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=ItemStatus.choices, default=ItemStatus.UNKNOWN)
    note = models.TextField(blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    override_reason = models.TextField(blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    overridden_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["checklist", "position"]
        constraints = [
            models.UniqueConstraint(fields=["checklist", "position"], name="procedures_item_once")
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.status}"

    @property
    def blocks(self) -> bool:
        return self.status in (ItemStatus.NOT_MET, ItemStatus.UNKNOWN) and not self.override_reason
