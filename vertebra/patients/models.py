"""Patients, referrals (episodes of care), fractured levels and the clinical assessment.

The fields of ClinicalAssessment and Fracture are the facts of clinical-reference §2.1 with the
same names (grouped by a prefix where §2.1 nests them: `pain.nrs` → `pain_nrs`), units and
ranges. NULL always means "not assessed", which is different from "no"; the ranges are also
database constraints so no path can store an impossible value.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from vertebra.core.models import ClinicalRecord, RecordStatus


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"


class Patient(ClinicalRecord):
    mrn = models.CharField("MRN", max_length=40, unique=True)
    family_name = models.CharField(max_length=100)
    given_name = models.CharField(max_length=100)
    birth_date = models.DateField()
    sex = models.CharField(max_length=10, choices=Sex.choices, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    # Lower-cased, accent-free names and MRN: accent-insensitive search on SQLite and PostgreSQL.
    search_text = models.CharField(max_length=300, editable=False, db_index=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="patient",
        help_text="The portal login of this patient, if any.",
    )

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        indexes = [models.Index(fields=["birth_date"])]

    def __str__(self) -> str:
        return f"{self.family_name}, {self.given_name} ({self.mrn})"

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class ReferralStatus(models.TextChoices):
    REFERRED = "referred", "Referred"
    EVALUATING = "evaluating", "Evaluating"
    DECIDED = "decided", "Decided"
    SCHEDULED = "scheduled", "Scheduled"
    TREATED = "treated", "Treated"
    IN_FOLLOW_UP = "in_follow_up", "In follow-up"
    CLOSED = "closed", "Closed"


class Referral(ClinicalRecord):
    """One episode of care, from referral to the end of follow-up."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="referrals")
    referring_clinician = models.CharField(max_length=200)
    reason = models.TextField()
    referral_date = models.DateField()
    status = models.CharField(
        max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.REFERRED
    )

    class Meta:
        ordering = ["-referral_date", "-id"]
        indexes = [
            models.Index(fields=["status", "record_status", "referral_date"]),
            # The worklist's default view: open referrals, oldest first.
            models.Index(
                fields=["referral_date", "id"],
                condition=Q(record_status=RecordStatus.ACTIVE) & ~Q(status="closed"),
                name="referral_open_oldest_idx",
            ),
            # The worklist's count per status: an index-only scan of this narrow index instead
            # of reading every referral row (a third of the time at 20,000 referrals).
            models.Index(
                fields=["status"],
                condition=Q(record_status=RecordStatus.ACTIVE),
                name="referral_active_status_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Referral {self.referral_date} ({self.get_status_display()})"


class ReferralStatusChange(models.Model):
    """The pathway history of a referral: every move, by whom, when and why."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=ReferralStatus.choices)
    to_status = models.CharField(max_length=20, choices=ReferralStatus.choices)
    reason = models.TextField(blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


# --- §2.1 vocabularies (the strings are the snapshot's) ------------------------------------


class PainTrend(models.TextChoices):
    WORSENING = "worsening", "Worsening"
    STABLE = "stable", "Stable"
    IMPROVING = "improving", "Improving"


class Ambulation(models.TextChoices):
    INDEPENDENT = "independent", "Independent"
    CANE = "cane", "Cane"
    WALKER = "walker", "Walker"
    WHEELCHAIR = "wheelchair", "Wheelchair"
    BEDBOUND = "bedbound", "Bed-bound"


class Intensity(models.TextChoices):
    PROPHYLACTIC = "prophylactic", "Prophylactic"
    THERAPEUTIC = "therapeutic", "Therapeutic"


class Etiology(models.TextChoices):
    OSTEOPOROTIC = "osteoporotic", "Osteoporotic"
    METASTASIS = "metastasis", "Metastasis"
    MYELOMA = "myeloma", "Myeloma"
    HAEMANGIOMA = "haemangioma", "Haemangioma"
    TRAUMATIC = "traumatic", "Traumatic"
    UNKNOWN = "unknown", "Unknown"


class PosteriorWall(models.TextChoices):
    INTACT = "intact", "Intact"
    MINOR = "minor", "Minor (< 1/5 of the wall)"
    DISTINCT = "distinct", "Distinct (> 1/5 of the wall)"


class Lesion(models.TextChoices):
    LYTIC = "lytic", "Lytic"
    MIXED = "mixed", "Mixed"
    BLASTIC = "blastic", "Blastic"


class SinsPain(models.TextChoices):
    MECHANICAL = "mechanical", "Mechanical"
    OCCASIONAL = "occasional", "Occasional, not mechanical"
    NONE = "none", "Pain-free lesion"


class SinsAlignment(models.TextChoices):
    SUBLUXATION = "subluxation", "Subluxation / translation"
    DE_NOVO_DEFORMITY = "de_novo_deformity", "De novo deformity (kyphosis/scoliosis)"
    NORMAL = "normal", "Normal"


class SinsCollapse(models.TextChoices):
    OVER_50 = "over_50", "≥ 50 % collapse"
    UNDER_50 = "under_50", "< 50 % collapse"
    NONE_OVER_50_INVOLVED = "none_over_50_involved", "No collapse, > 50 % of body involved"
    NONE = "none", "None of the above"


class SinsPosterolateral(models.TextChoices):
    BILATERAL = "bilateral", "Bilateral"
    UNILATERAL = "unilateral", "Unilateral"
    NONE = "none", "None"


SPINE_LEVELS: tuple[str, ...] = (
    *(f"C{i}" for i in range(1, 8)),
    *(f"T{i}" for i in range(1, 13)),
    *(f"L{i}" for i in range(1, 6)),
    "S1",
)
LEVEL_CHOICES = [(level, level) for level in SPINE_LEVELS]


def _nullable_bool(label: str) -> models.BooleanField[bool | None, bool | None]:
    return models.BooleanField(label, null=True, blank=True)


def _positive(value: Decimal) -> None:
    if value is not None and value <= 0:
        raise ValidationError("Must be greater than 0.")


NON_NEGATIVE = [MinValueValidator(0)]
# Plain sanity limits for adults (not clinical thresholds): a value outside is a typing or unit
# error (pounds, inches, metres).
WEIGHT_KG_RANGE = (20, 300)
HEIGHT_CM_RANGE = (100, 230)
WEIGHT_KG = [
    MinValueValidator(WEIGHT_KG_RANGE[0], "Weight below 20 kg: check the value and unit."),
    MaxValueValidator(WEIGHT_KG_RANGE[1], "Weight above 300 kg: check the value and unit."),
]
HEIGHT_CM = [
    MinValueValidator(HEIGHT_CM_RANGE[0], "Height below 100 cm: check the value and unit."),
    MaxValueValidator(HEIGHT_CM_RANGE[1], "Height above 230 cm: check the value and unit."),
]
PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


def _decimal(
    label: str,
    digits: int = 6,
    places: int = 2,
    validators: list | None = None,  # type: ignore[type-arg]
) -> models.DecimalField:  # type: ignore[type-arg]
    return models.DecimalField(
        label,
        max_digits=digits,
        decimal_places=places,
        null=True,
        blank=True,
        validators=validators or [],
    )


def _small_int(label: str, low: int, high: int | None) -> models.PositiveSmallIntegerField:  # type: ignore[type-arg]
    validators: list[Any] = [MinValueValidator(low)]
    if high is not None:
        validators.append(MaxValueValidator(high))
    return models.PositiveSmallIntegerField(label, null=True, blank=True, validators=validators)


class ClinicalAssessment(ClinicalRecord):
    """The patient-level facts of §2.1 for one referral (one row per referral)."""

    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="assessment")
    # patient.*
    pregnant = _nullable_bool("Pregnant")
    hospitalized = _nullable_bool("Hospitalized")
    asa_class = _small_int("ASA class", 1, 6)
    can_lie_prone = _nullable_bool("Can lie prone")
    # pain.*
    pain_nrs = _small_int("Pain NRS (0–10)", 0, 10)
    pain_trend = models.CharField(
        "Pain trend under optimal non-surgical care",
        max_length=12,
        choices=PainTrend.choices,
        blank=True,
    )
    pain_duration_weeks = _decimal("Pain duration (weeks)", validators=NON_NEGATIVE)
    pain_attributable_to_fracture = _nullable_bool("Pain attributable to the imaged fracture")
    pain_radicular = _nullable_bool("Radicular pain")
    # conservative_care.*
    conservative_care_tried = _nullable_bool("Optimal non-surgical management tried")
    conservative_care_duration_weeks = _decimal(
        "Non-surgical management (weeks)", validators=NON_NEGATIVE
    )
    conservative_care_non_ambulatory_due_to_pain = _nullable_bool(
        "Non-ambulatory due to pain despite 24 h of analgesia"
    )
    conservative_care_physical_therapy_intolerable = _nullable_bool(
        "Physical therapy intolerable because of pain"
    )
    conservative_care_analgesic_side_effects = _nullable_bool("Unacceptable analgesic side effects")
    # function.*
    function_rmdq = _small_int("RMDQ (0–24)", 0, 24)
    function_ambulation = models.CharField(
        "Ambulation", max_length=12, choices=Ambulation.choices, blank=True
    )
    # neuro.*
    neuro_deficit = _nullable_bool("New neurological deficit attributable to the fracture")
    neuro_myelopathy = _nullable_bool("Myelopathy")
    # infection.*
    infection_local = _nullable_bool("Local infection at a target level")
    infection_systemic = _nullable_bool("Untreated systemic infection")
    # coagulation.*
    coagulation_inr = _decimal("INR", 5, 2, [_positive])
    coagulation_platelets_10e9_per_l = _decimal("Platelets (×10⁹/L)", 6, 1, NON_NEGATIVE)
    coagulation_correctable = _nullable_bool("Coagulopathy correctable")
    # Without this, an empty antithrombotic list would read as "takes none" when nobody asked.
    coagulation_antithrombotics_reviewed = _nullable_bool("Antithrombotic medication reviewed")
    coagulation_crcl_ml_min = _decimal("Creatinine clearance (mL/min)", 6, 1, NON_NEGATIVE)
    # allergies.*
    allergies_pmma = _nullable_bool("Allergy to PMMA bone cement / opacifier")
    allergies_contrast = _nullable_bool("Allergy to iodinated contrast")
    allergies_local_anaesthetic = _nullable_bool("Allergy to local anaesthetic")
    # Not read by the rules (§2.1 has no such facts), but the team must see them: prophylactic
    # antibiotics, gloves and drapes, sedation drugs.
    allergies_antibiotics = _nullable_bool("Allergy to antibiotics")
    allergies_latex = _nullable_bool("Allergy to latex")
    allergies_other = models.CharField(
        "Other allergies",
        max_length=200,
        blank=True,
        help_text="Agent and reaction, e.g. “morphine: rash”. Leave empty if none.",
    )
    # Body measures for sedation and drug dosing. On the assessment, not the patient: they are
    # measured for this episode (weight changes) and versioned and audited with it.
    weight_kg = _decimal("Weight (kg)", 4, 1, WEIGHT_KG)
    height_cm = _decimal("Height (cm)", 4, 1, HEIGHT_CM)
    # bone_health.*
    bone_health_t_score = _decimal("Lowest DXA T-score", 4, 1)
    bone_health_osteoporosis_treatment = _nullable_bool("On anti-osteoporosis treatment")
    bone_health_prior_vertebral_fractures = _small_int("Prior vertebral fractures", 0, None)
    bone_health_chronic_corticosteroids = _nullable_bool("Chronic corticosteroids")
    # top level
    surgical_backup_available = _nullable_bool("Surgical back-up available")
    planned_procedure_date = models.DateField("Planned procedure date", null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(asa_class__isnull=True) | Q(asa_class__gte=1, asa_class__lte=6),
                name="assessment_asa_1_6",
            ),
            models.CheckConstraint(
                condition=Q(pain_nrs__isnull=True) | Q(pain_nrs__gte=0, pain_nrs__lte=10),
                name="assessment_nrs_0_10",
            ),
            models.CheckConstraint(
                condition=Q(function_rmdq__isnull=True) | Q(function_rmdq__lte=24),
                name="assessment_rmdq_0_24",
            ),
            models.CheckConstraint(
                condition=Q(pain_duration_weeks__isnull=True) | Q(pain_duration_weeks__gte=0),
                name="assessment_pain_weeks_nonneg",
            ),
            models.CheckConstraint(
                condition=Q(conservative_care_duration_weeks__isnull=True)
                | Q(conservative_care_duration_weeks__gte=0),
                name="assessment_care_weeks_nonneg",
            ),
            models.CheckConstraint(
                condition=Q(coagulation_inr__isnull=True) | Q(coagulation_inr__gt=0),
                name="assessment_inr_positive",
            ),
            models.CheckConstraint(
                condition=Q(coagulation_platelets_10e9_per_l__isnull=True)
                | Q(coagulation_platelets_10e9_per_l__gte=0),
                name="assessment_platelets_nonneg",
            ),
            models.CheckConstraint(
                condition=Q(coagulation_crcl_ml_min__isnull=True)
                | Q(coagulation_crcl_ml_min__gte=0),
                name="assessment_crcl_nonneg",
            ),
            models.CheckConstraint(
                condition=Q(weight_kg__isnull=True)
                | Q(weight_kg__gte=WEIGHT_KG_RANGE[0], weight_kg__lte=WEIGHT_KG_RANGE[1]),
                name="assessment_weight_kg_plausible",
            ),
            models.CheckConstraint(
                condition=Q(height_cm__isnull=True)
                | Q(height_cm__gte=HEIGHT_CM_RANGE[0], height_cm__lte=HEIGHT_CM_RANGE[1]),
                name="assessment_height_cm_plausible",
            ),
        ]

    def __str__(self) -> str:
        return f"Clinical assessment for {self.referral}"


class Anticoagulant(ClinicalRecord):
    """One antithrombotic the patient takes (coagulation.anticoagulants[] of §2.1)."""

    assessment = models.ForeignKey(
        ClinicalAssessment, on_delete=models.PROTECT, related_name="anticoagulants"
    )
    drug = models.CharField(max_length=80)
    last_dose_date = models.DateField(null=True, blank=True)
    last_dose_time = models.TimeField(null=True, blank=True)
    intensity = models.CharField(max_length=12, choices=Intensity.choices, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.drug


class Fracture(ClinicalRecord):
    """One vertebral level considered in a referral, with its imaging findings (§2.1)."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="fractures")
    level = models.CharField(max_length=3, choices=LEVEL_CHOICES)
    etiology = models.CharField(max_length=12, choices=Etiology.choices, blank=True)
    high_energy_trauma = _nullable_bool("High-energy trauma")
    onset_date = models.DateField(null=True, blank=True)
    imaging_date = models.DateField("Imaging date", null=True, blank=True)
    imaging_report = models.TextField("Imaging findings (free text)", blank=True)
    mri_oedema = _nullable_bool("MRI marrow oedema (T1 hypo, STIR hyper)")
    bone_scan_uptake = _nullable_bool("Bone scan / SPECT-CT uptake")
    height_anterior_mm = _decimal("Anterior height (mm)", 5, 1, NON_NEGATIVE)
    height_middle_mm = _decimal("Middle height (mm)", 5, 1, NON_NEGATIVE)
    height_posterior_mm = _decimal("Posterior height (mm)", 5, 1, NON_NEGATIVE)
    height_reference_mm = _decimal("Reference (expected) height (mm)", 5, 1, [_positive])
    kyphotic_deformity = _nullable_bool("Kyphotic deformity")
    height_loss_progression = _nullable_bool("Height loss progression on follow-up imaging")
    posterior_wall = models.CharField(max_length=10, choices=PosteriorWall.choices, blank=True)
    retropulsion = _nullable_bool("Retropulsed fragment")
    canal_compromise_percent = _decimal("Canal compromise (%)", 5, 1, PERCENT)
    epidural_extension = _nullable_bool("Epidural tumour extension")
    intravertebral_cleft = _nullable_bool("Intravertebral cleft")
    cortical_disruption = _nullable_bool("Cortical disruption")
    both_endplates = _nullable_bool("Both endplates involved")
    tension_band_failure = _nullable_bool("Tension-band failure (distraction/rotation)")
    lesion = models.CharField(max_length=8, choices=Lesion.choices, blank=True)
    sins_pain = models.CharField("SINS pain", max_length=12, choices=SinsPain.choices, blank=True)
    sins_alignment = models.CharField(
        "SINS alignment", max_length=20, choices=SinsAlignment.choices, blank=True
    )
    sins_collapse = models.CharField(
        "SINS collapse", max_length=24, choices=SinsCollapse.choices, blank=True
    )
    sins_posterolateral = models.CharField(
        "SINS posterolateral involvement",
        max_length=12,
        choices=SinsPosterolateral.choices,
        blank=True,
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            # Each level at most once per referral (among records not entered in error).
            models.UniqueConstraint(
                fields=["referral", "level"],
                condition=Q(record_status=RecordStatus.ACTIVE),
                name="fracture_level_once_per_referral",
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gte": 0}),
                    name=f"fracture_{name}_nonneg",
                )
                for name in ("height_anterior_mm", "height_middle_mm", "height_posterior_mm")
            ),
            models.CheckConstraint(
                condition=Q(height_reference_mm__isnull=True) | Q(height_reference_mm__gt=0),
                name="fracture_reference_positive",
            ),
            models.CheckConstraint(
                condition=Q(canal_compromise_percent__isnull=True)
                | Q(canal_compromise_percent__gte=0, canal_compromise_percent__lte=100),
                name="fracture_canal_0_100",
            ),
        ]

    def __str__(self) -> str:
        return self.level
