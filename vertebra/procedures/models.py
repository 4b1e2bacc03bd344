"""Patient information texts (versioned), consents (clinical-reference §4.5, §6), the
pre-procedure checklist (§2.5) and the procedure record (§4.1–§4.4)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
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


class SedationLevel(models.TextChoices):
    LOCAL_ONLY = "local_only", "Local anaesthetic only"
    MODERATE = "moderate", "Conscious (moderate) sedation"
    DEEP = "deep", "Deep sedation"
    GENERAL = "general", "General anaesthesia"


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
    # What was explained (issue 14 §6): the level(s), the sedation, the alternatives, and who
    # explained the risks (a physician, or a role the clinic allows: a setting,
    # VERTEBRA_CONSENT_EXPLAINER_ROLES).
    levels = models.JSONField(
        "Level(s) consented", default=list, blank=True, help_text='e.g. ["L1"], in spine order.'
    )
    sedation_planned = models.CharField(
        "Anaesthesia / sedation planned", max_length=12, choices=SedationLevel.choices, blank=True
    )
    alternatives_discussed = models.TextField("Alternatives discussed", blank=True)
    explained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="Risks explained by",
    )
    has_capacity = models.BooleanField("The patient has capacity to consent", null=True, blank=True)
    interpreter_used = models.BooleanField("Interpreter used", null=True, blank=True)
    interpreter_name = models.CharField("Interpreter (name, language)", max_length=200, blank=True)

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


class FoodKind(models.TextChoices):
    """§4.1a [ASAFAST2017]: a light meal, or fried or fatty food or meat (longer fast)."""

    LIGHT = "light", "Light meal"
    FATTY = "fatty", "Fried or fatty food, or meat"


class ItemKind(models.TextChoices):
    """Safety items block until answered; documentation items (PRE-BMD) are tracked and shown,
    and block only where the clinic sets them to (§4.1a)."""

    SAFETY = "safety", "Safety check"
    DOCUMENTATION = "documentation", "Documentation"


class Checklist(BaseModel):
    """The pre-procedure checklist of a referral, filled from its latest evaluation's
    preconditions (clinical-reference §2.5) and the clinic's own items; nurses complete it."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="checklists")
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="checklists")
    evaluation = models.ForeignKey(
        "evaluation.Evaluation", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    # Fasting before sedation, recorded on the day (§4.1a [ASAFAST2017]).
    last_clear_liquid_at = models.DateTimeField(null=True, blank=True)
    last_food_at = models.DateTimeField(null=True, blank=True)
    last_food_kind = models.CharField(max_length=10, choices=FoodKind.choices, blank=True)

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
    kind = models.CharField(max_length=20, choices=ItemKind.choices, default=ItemKind.SAFETY)
    # What the evaluation's rule found (an ItemStatus value; blank for the clinic's own items):
    # marking "met" an item the rule found not met is a physician's decision with a reason.
    rule_result = models.CharField(max_length=20, choices=ItemStatus.choices, blank=True)
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
        documentation_blocks = settings.VERTEBRA_CHECKLIST_DOCUMENTATION_BLOCKS
        if self.kind == ItemKind.DOCUMENTATION and not documentation_blocks:
            return False
        return self.status in (ItemStatus.NOT_MET, ItemStatus.UNKNOWN) and not self.override_reason


class OverrideKind(models.TextChoices):
    GO_AHEAD = "go_ahead", "Go ahead without it (item not met)"
    MET_AGAINST_RULE = "met_against_rule", "Marked met against the rule's result"


class ChecklistOverride(models.Model):
    """Every physician's override of a checklist item, kept for the quality lead (append-only:
    a later change of the item does not remove it)."""

    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="overrides")
    kind = models.CharField(max_length=20, choices=OverrideKind.choices)
    reason = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(reason=""), name="procedures_override_has_reason"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.reason[:40]}"


# --- The procedure record (clinical-reference §4.1–§4.4) -------------------------------------


class ProcedureStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    SIGNED = "signed", "Signed"


class Position(models.TextChoices):
    PRONE = "prone", "Prone"
    OTHER = "other", "Other (say which in the team notes)"


class AsaClass(models.IntegerChoices):
    """ASA physical status I–V (the "E" suffix is `asa_emergency`). VI, the brain-dead organ
    donor, has no place in this pathway."""

    I = 1, "ASA I"  # noqa: E741
    II = 2, "ASA II"
    III = 3, "ASA III"
    IV = 4, "ASA IV"
    V = 5, "ASA V"


class Modality(models.TextChoices):
    FLUOROSCOPY_SINGLE = "fluoroscopy_single", "Single-plane fluoroscopy"
    FLUOROSCOPY_BIPLANE = "fluoroscopy_biplane", "Biplane fluoroscopy"
    CT = "ct", "CT"
    CONE_BEAM_CT = "cone_beam_ct", "Cone-beam CT"


class Approach(models.TextChoices):
    UNIPEDICULAR = "unipedicular", "Transpedicular, unipedicular"
    BIPEDICULAR = "bipedicular", "Transpedicular, bipedicular"
    PARAPEDICULAR = "parapedicular", "Parapedicular / extrapedicular"
    POSTEROLATERAL = "posterolateral", "Posterolateral"


class Side(models.TextChoices):
    LEFT = "left", "Left"
    RIGHT = "right", "Right"
    BOTH = "both", "Both"


class Viscosity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class LeakageFinding(models.TextChoices):
    """Blank means not assessed: never read as "no leakage"."""

    NONE = "none", "No leakage"
    PRESENT = "present", "Leakage (each leak recorded)"


class LeakType(models.TextChoices):
    """[YEOM2003], with the commonly added type D."""

    B = "B", "B: basivertebral vein (posterior; can reach the canal)"
    S = "S", "S: segmental veins (can embolise to the lungs)"
    C = "C", "C: cortical defect (disc, paravertebral tissue, canal, foramen)"
    D = "D", "D: intradiscal"


class LeakLocation(models.TextChoices):
    """§4.3."""

    INTRADISCAL = "intradiscal", "Intradiscal"
    PARAVERTEBRAL = "paravertebral", "Paravertebral soft tissue"
    EPIDURAL = "epidural", "Epidural / canal"
    FORAMINAL = "foraminal", "Foraminal"
    VENOUS = "venous", "Venous (segmental / paravertebral plexus)"
    CENTRAL_VENOUS = "central_venous", "Inferior vena cava / azygos / pulmonary"
    NEEDLE_TRACT = "needle_tract", "Needle tract"


class AdverseEventKind(models.TextChoices):
    """The pre-populated list of §4.4."""

    TRANSIENT_PAIN = "transient_pain", "Transient pain increase"
    FEVER = "fever", "Fever"
    HAEMATOMA = "haematoma", "Haematoma"
    RIB_PEDICLE_FRACTURE = "rib_pedicle_fracture", "Rib or pedicle fracture"
    SYMPTOMATIC_LEAKAGE = (
        "symptomatic_leakage",
        "Symptomatic leakage (radiculopathy, myelopathy)",
    )
    PULMONARY_EMBOLISM = "pulmonary_embolism", "Pulmonary cement embolism"
    INFECTION = "infection", "Infection / spondylodiscitis"
    CEMENT_IMPLANTATION = (
        "cement_implantation",
        "Bone-cement implantation syndrome (hypotension, hypoxia)",
    )
    PNEUMOTHORAX = "pneumothorax", "Pneumothorax"
    DURAL_TEAR = "dural_tear", "Dural tear"
    NEW_FRACTURE = "new_fracture", "New fracture"
    DEATH = "death", "Death"
    OTHER = "other", "Other (describe)"


class SirGrade(models.IntegerChoices):
    """[SIRAE2017]."""

    MILD = 1, "1 mild: no or nominal therapy, may include overnight observation"
    MODERATE = 2, "2 moderate: IV medication, transfusion, minor intervention"
    SEVERE = 3, "3 severe: admission or stay > 24 h, ICU, major intervention"
    LIFE_THREATENING = 4, "4 life-threatening or disabling"
    DEATH = 5, "5 death"


class CirseGrade(models.IntegerChoices):
    """[CIRSEAE2017], optional beside the SIR grade."""

    G1 = 1, "CIRSE 1"
    G2 = 2, "CIRSE 2"
    G3 = 3, "CIRSE 3"
    G4 = 4, "CIRSE 4"
    G5 = 5, "CIRSE 5"
    G6 = 6, "CIRSE 6"


class MedicationKind(models.TextChoices):
    LOCAL_ANAESTHETIC = "local_anaesthetic", "Local anaesthetic"
    SEDATION = "sedation", "Sedation / analgesia"
    ANTIBIOTIC = "antibiotic", "Prophylactic antibiotic"
    OTHER = "other", "Other"


class DoseUnit(models.TextChoices):
    MG = "mg", "mg"
    MICROGRAM = "µg", "µg"
    G = "g", "g"
    ML = "mL", "mL"
    IU = "IU", "IU"


class NeuroCheck(models.TextChoices):
    UNCHANGED = "unchanged", "Unchanged from baseline"
    NEW_DEFICIT = "new_deficit", "New deficit (describe)"


class RecoveryScale(models.TextChoices):
    ALDRETE = "aldrete", "Modified Aldrete"
    PADSS = "padss", "PADSS"


class Disposition(models.TextChoices):
    HOME = "home", "Home the same day"
    ADMITTED = "admitted", "Admitted (say why)"


def _user(related_name: str = "+", *, null: bool = True) -> models.ForeignKey:  # type: ignore[type-arg]
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=null,
        blank=null,
        on_delete=models.PROTECT,
        related_name=related_name,
    )


def _maybe(label: str) -> models.BooleanField:  # type: ignore[type-arg]
    """None is "not recorded", distinct from no."""
    return models.BooleanField(label, null=True, blank=True)


class ProcedureRecord(ClinicalRecord):
    """One vertebroplasty session (§4.1). Created by "start procedure" through the gate (a valid
    consent and a ready checklist, or a physician's emergency override); edited while in
    progress; signed by the operator, after which nothing about it changes (the database
    refuses it too): corrections are addenda."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="procedures")
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="procedures")
    status = models.CharField(
        max_length=20, choices=ProcedureStatus.choices, default=ProcedureStatus.IN_PROGRESS
    )
    # The gate, as it stood when the procedure started.
    consent = models.ForeignKey(Consent, null=True, blank=True, on_delete=models.PROTECT)
    checklist = models.ForeignKey(Checklist, null=True, blank=True, on_delete=models.PROTECT)
    gate_blocking = models.JSONField(
        default=list,
        blank=True,
        help_text="What blocked the start, overridden by the reason below.",
    )
    emergency_override_reason = models.TextField(blank=True)
    emergency_override_by = _user()
    # Team and times.
    operator = _user(null=False)
    team = models.TextField("Team (names and roles)", blank=True)
    started_at = models.DateTimeField("Procedure start")
    # The booked procedure appointment, as found at start (scheduling is a sibling layer: its
    # public id and time are copied, never a foreign key; see record/booking.py).
    booked_appointment_id = models.UUIDField(null=True, blank=True)
    booked_starts_at = models.DateTimeField("Booked for", null=True, blank=True)
    ended_at = models.DateTimeField("Procedure end", null=True, blank=True)
    # 1. Patient preparation.
    position = models.CharField(max_length=10, choices=Position.choices, blank=True)
    time_out_done = _maybe("Time-out / safety checklist done")
    sedation_level = models.CharField(
        "Anaesthesia / sedation", max_length=12, choices=SedationLevel.choices, blank=True
    )
    asa_class = models.PositiveSmallIntegerField(
        "ASA class",
        choices=AsaClass.choices,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    asa_emergency = models.BooleanField("ASA E (emergency)", null=True, blank=True)
    monitoring = models.CharField(
        "Monitoring", max_length=200, blank=True, help_text="e.g. SpO₂, ECG, NIBP, capnography"
    )
    # 2. Imaging guidance and dose (stored units: s, Gy·cm², mGy; rules/dose.py).
    modality = models.CharField(max_length=20, choices=Modality.choices, blank=True)
    fluoroscopy_time_s = models.DecimalField(
        "Fluoroscopy time (s)", max_digits=9, decimal_places=1, null=True, blank=True
    )
    kap_gy_cm2 = models.DecimalField(
        "Kerma-area product (Gy·cm²)", max_digits=12, decimal_places=4, null=True, blank=True
    )
    kar_mgy = models.DecimalField(
        "Reference air kerma Ka,r (mGy)", max_digits=12, decimal_places=3, null=True, blank=True
    )
    dose_as_entered = models.JSONField(
        default=dict,
        blank=True,
        help_text="Each dose field as entered, with its conversion (§4.2).",
    )
    # 3. Levels (ProcedureLevel rows); more than 3 needs a reason [LCD].
    levels_reason = models.TextField("Reason for more than 3 levels", blank=True)
    no_adverse_events = _maybe("No adverse event occurred")
    # 4. Post-procedure care.
    observation_start = models.DateTimeField(null=True, blank=True)
    observation_end = models.DateTimeField(null=True, blank=True)
    neuro_check = models.CharField(
        "Neurological check", max_length=12, choices=NeuroCheck.choices, blank=True
    )
    neuro_note = models.TextField("Neurological findings", blank=True)
    recovery_scale = models.CharField(max_length=8, choices=RecoveryScale.choices, blank=True)
    recovery_score = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    discharged_at = models.DateTimeField("Discharge time", null=True, blank=True)
    discharge_criteria_met = _maybe("Discharge criteria met")
    disposition = models.CharField(max_length=10, choices=Disposition.choices, blank=True)
    admission_reason = models.TextField(blank=True)
    follow_up_plan = models.TextField(
        "Follow-up plan (internal: not printed for the patient)", blank=True
    )
    antithrombotic_restart_on = models.DateField(
        "Restart the held antithrombotic(s) on",
        null=True,
        blank=True,
        help_text="Printed for the patient; left empty, the leaflet says to ask the doctor.",
    )
    # Signing: who, when, and what was computed from the record then (kept, never recomputed).
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = _user()
    signed_summary = models.JSONField(
        default=dict, blank=True, help_text="Codes, dose flag and the settings used, as at signing."
    )

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral"],
                condition=models.Q(status="in_progress", record_status="active"),
                name="procedures_one_open_record_per_referral",
            ),
            models.CheckConstraint(
                condition=models.Q(status="in_progress")
                | (models.Q(signed_at__isnull=False) & models.Q(signed_by__isnull=False)),
                name="procedures_signed_has_signer",
            ),
            models.CheckConstraint(
                condition=~models.Q(gate_blocking=[]) | models.Q(emergency_override_reason=""),
                name="procedures_override_only_when_blocked",
            ),
        ]

    def __str__(self) -> str:
        return f"Procedure of {self.started_at:%Y-%m-%d} ({self.get_status_display()})"

    @property
    def is_signed(self) -> bool:
        return self.status == ProcedureStatus.SIGNED


class ProcedureLevel(ClinicalRecord):
    """One level treated, in the order treated (the first decides the CPT code, §4.6)."""

    procedure = models.ForeignKey(ProcedureRecord, on_delete=models.PROTECT, related_name="levels")
    position = models.PositiveSmallIntegerField()
    level = models.CharField(max_length=3)
    fracture = models.ForeignKey(
        "patients.Fracture", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approach = models.CharField(max_length=16, choices=Approach.choices, blank=True)
    side = models.CharField("Side(s)", max_length=5, choices=Side.choices, blank=True)
    needle_gauge = models.PositiveSmallIntegerField(
        "Needle gauge (G)", null=True, blank=True, help_text="typically 10–13 G"
    )
    cavity_creation = models.BooleanField(
        "Augmentation with cavity creation (kyphoplasty)", default=False
    )
    biopsy_taken = _maybe("Biopsy taken")
    cement_product = models.CharField("Cement (PMMA product)", max_length=120, blank=True)
    cement_viscosity = models.CharField(max_length=6, choices=Viscosity.choices, blank=True)
    cement_lot = models.CharField("Cement lot number", max_length=60, blank=True)
    cement_expiry = models.DateField("Cement expiry", null=True, blank=True)
    volume_ml = models.DecimalField(
        "Cement volume (mL)", max_digits=5, decimal_places=2, null=True, blank=True
    )
    volume_confirmed = models.BooleanField(
        "Volume outside 0.5–15 mL confirmed as mL", default=False
    )
    leakage = models.CharField(max_length=8, choices=LeakageFinding.choices, blank=True)

    class Meta:
        ordering = ["procedure", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "level"],
                condition=models.Q(record_status="active"),
                name="procedures_level_once_per_session",
            ),
            models.CheckConstraint(
                condition=models.Q(volume_ml__isnull=True) | models.Q(volume_ml__gt=0),
                name="procedures_volume_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.level


class CementLeak(ClinicalRecord):
    """One cement leak at a level, classified by [YEOM2003] and located (§4.3)."""

    level = models.ForeignKey(ProcedureLevel, on_delete=models.PROTECT, related_name="leaks")
    leak_type = models.CharField("Type", max_length=1, choices=LeakType.choices)
    location = models.CharField(max_length=16, choices=LeakLocation.choices)
    symptomatic = models.BooleanField()
    action_taken = models.TextField(blank=True)

    class Meta:
        ordering = ["level", "id"]

    def __str__(self) -> str:
        return f"{self.leak_type} {self.location}"


class AdverseEvent(ClinicalRecord):
    """An adverse event of the session, graded on the SIR scale [SIRAE2017] (and optionally
    CIRSE [CIRSEAE2017])."""

    procedure = models.ForeignKey(
        ProcedureRecord, on_delete=models.PROTECT, related_name="adverse_events"
    )
    kind = models.CharField("Event", max_length=24, choices=AdverseEventKind.choices)
    description = models.TextField(blank=True)
    sir_grade = models.PositiveSmallIntegerField("SIR grade", choices=SirGrade.choices)
    cirse_grade = models.PositiveSmallIntegerField(
        "CIRSE grade", choices=CirseGrade.choices, null=True, blank=True
    )
    level = models.CharField("Level (if any)", max_length=3, blank=True)
    treatment = models.TextField("Action / treatment", blank=True)

    class Meta:
        ordering = ["procedure", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} (SIR {self.sir_grade})"


class Medication(ClinicalRecord):
    """A drug given during the session: local anaesthetic, sedation, antibiotic (§4.1 step 1)."""

    procedure = models.ForeignKey(
        ProcedureRecord, on_delete=models.PROTECT, related_name="medications"
    )
    kind = models.CharField(max_length=20, choices=MedicationKind.choices)
    agent = models.CharField(max_length=120)
    concentration = models.CharField(
        max_length=40, blank=True, help_text="e.g. 1 % (local anaesthetic)"
    )
    dose = models.DecimalField(max_digits=9, decimal_places=3)
    dose_unit = models.CharField(max_length=4, choices=DoseUnit.choices)
    route = models.CharField(max_length=40, blank=True, help_text="e.g. IV, subcutaneous")
    given_at = models.DateTimeField("Given at", null=True, blank=True)

    class Meta:
        ordering = ["procedure", "given_at", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(dose__gt=0), name="procedures_dose_positive")
        ]

    def __str__(self) -> str:
        return f"{self.agent} {self.dose} {self.dose_unit}"


class VitalSigns(ClinicalRecord):
    """One set of observations after the procedure (§4.1 step 4). Only the limits the scales
    themselves set are checked (SpO₂ up to 100 %, NRS 0–10): the reference gives no others."""

    procedure = models.ForeignKey(
        ProcedureRecord, on_delete=models.PROTECT, related_name="vital_signs"
    )
    taken_at = models.DateTimeField()
    systolic_mmhg = models.PositiveSmallIntegerField("Systolic (mmHg)", null=True, blank=True)
    diastolic_mmhg = models.PositiveSmallIntegerField("Diastolic (mmHg)", null=True, blank=True)
    heart_rate_bpm = models.PositiveSmallIntegerField("Heart rate (/min)", null=True, blank=True)
    spo2_percent = models.PositiveSmallIntegerField(
        "SpO₂ (%)", null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    respiratory_rate_per_min = models.PositiveSmallIntegerField(
        "Respiratory rate (/min)", null=True, blank=True
    )
    temperature_c = models.DecimalField(
        "Temperature (°C)", max_digits=3, decimal_places=1, null=True, blank=True
    )
    pain_nrs = models.PositiveSmallIntegerField(
        "Pain (NRS 0–10)", null=True, blank=True, validators=[MaxValueValidator(10)]
    )

    class Meta:
        ordering = ["procedure", "taken_at", "id"]
        verbose_name_plural = "vital signs"

    def __str__(self) -> str:
        return f"Vital signs at {self.taken_at:%H:%M}"


class ProcedureAddendum(BaseModel):
    """A correction or addition to a signed record: who, when, why. Never edited."""

    procedure = models.ForeignKey(ProcedureRecord, on_delete=models.PROTECT, related_name="addenda")
    author = _user(null=False)
    reason = models.TextField("Why")
    text = models.TextField("Addendum")

    class Meta:
        ordering = ["procedure", "created_at", "id"]
        verbose_name_plural = "procedure addenda"

    def __str__(self) -> str:
        return f"Addendum of {self.created_at:%Y-%m-%d %H:%M}"
