"""The candidate snapshot (clinical-reference §2.1) as frozen dataclasses.

Every fact is optional: ``None`` means "not assessed", which the rules report as missing and
never treat as normal. Numbers are ``Decimal`` (exact); dates are ``datetime.date``. Build
snapshots with ``parse_snapshot`` (snapshot.py), which validates every field.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

# §2.1 enumerations, in the order the reference lists them.
SEXES = ("female", "male", "other")
PAIN_TRENDS = ("worsening", "stable", "improving")
AMBULATION = ("independent", "cane", "walker", "wheelchair", "bedbound")
INTENSITIES = ("prophylactic", "therapeutic")
ETIOLOGIES = ("osteoporotic", "metastasis", "myeloma", "haemangioma", "traumatic", "unknown")
POSTERIOR_WALL = ("intact", "minor", "distinct")
LESIONS = ("lytic", "mixed", "blastic")
SINS_PAIN = ("mechanical", "occasional", "none")
SINS_ALIGNMENT = ("subluxation", "de_novo_deformity", "normal")
SINS_COLLAPSE = ("over_50", "under_50", "none_over_50_involved", "none")
SINS_POSTEROLATERAL = ("bilateral", "unilateral", "none")

# Levels the snapshot accepts (§2.1), in anatomical order.
LEVELS: tuple[str, ...] = (
    *(f"C{n}" for n in range(1, 8)),
    *(f"T{n}" for n in range(1, 13)),
    *(f"L{n}" for n in range(1, 6)),
    "S1",
)
LEVEL_INDEX = {name: index for index, name in enumerate(LEVELS)}
# A level is a target only inside T1–L5 (§2.2).
TREATABLE_LEVELS = frozenset(LEVELS[LEVEL_INDEX["T1"] : LEVEL_INDEX["L5"] + 1])
THORACIC_LEVELS = frozenset(f"T{n}" for n in range(1, 13))
# Thoracolumbar junction T11–L2, a new-fracture risk factor [REFX2022].
THORACOLUMBAR_JUNCTION = frozenset(("T11", "T12", "L1", "L2"))
# The spinal deformity index sums Genant grades over T4–L4 [GENANT1993].
SDI_LEVELS = frozenset(LEVELS[LEVEL_INDEX["T4"] : LEVEL_INDEX["L4"] + 1])

NEOPLASTIC_ETIOLOGIES = frozenset(("metastasis", "myeloma"))
# §2.2: criterion 4 (IND-PAIN-COURSE) is not applied to these.
NO_COURSE_ETIOLOGIES = frozenset(("metastasis", "myeloma", "haemangioma"))
# §2.2: OF type and OF score only for osteoporotic or unknown etiology.
OF_ETIOLOGIES = frozenset(("osteoporotic", "unknown"))


@dataclass(frozen=True, slots=True)
class PatientFacts:
    age_years: int | None = None
    sex: str | None = None
    pregnant: bool | None = None
    hospitalized: bool | None = None
    asa_class: int | None = None
    can_lie_prone: bool | None = None


@dataclass(frozen=True, slots=True)
class PainFacts:
    nrs: int | None = None
    trend: str | None = None
    duration_weeks: Decimal | None = None
    attributable_to_fracture: bool | None = None
    radicular: bool | None = None


@dataclass(frozen=True, slots=True)
class ConservativeCareFacts:
    tried: bool | None = None
    duration_weeks: Decimal | None = None
    non_ambulatory_due_to_pain: bool | None = None
    physical_therapy_intolerable: bool | None = None
    analgesic_side_effects: bool | None = None


@dataclass(frozen=True, slots=True)
class FunctionFacts:
    rmdq: int | None = None
    ambulation: str | None = None


@dataclass(frozen=True, slots=True)
class NeuroFacts:
    deficit: bool | None = None
    myelopathy: bool | None = None


@dataclass(frozen=True, slots=True)
class InfectionFacts:
    local: bool | None = None
    systemic: bool | None = None


@dataclass(frozen=True, slots=True)
class Antithrombotic:
    drug: str
    last_dose_date: dt.date | None = None
    last_dose_time: dt.time | None = None
    intensity: str | None = None


@dataclass(frozen=True, slots=True)
class CoagulationFacts:
    inr: Decimal | None = None
    platelets_10e9_per_l: Decimal | None = None
    correctable: bool | None = None
    crcl_ml_min: Decimal | None = None
    # None: medication not reviewed; () reviewed and none taken.
    anticoagulants: tuple[Antithrombotic, ...] | None = None


@dataclass(frozen=True, slots=True)
class AllergyFacts:
    pmma: bool | None = None
    contrast: bool | None = None
    local_anaesthetic: bool | None = None


@dataclass(frozen=True, slots=True)
class BoneHealthFacts:
    t_score: Decimal | None = None
    osteoporosis_treatment: bool | None = None
    prior_vertebral_fractures: int | None = None
    chronic_corticosteroids: bool | None = None


@dataclass(frozen=True, slots=True)
class Heights:
    """Vertebral body heights in mm; ``reference`` is the expected (intact) height."""

    anterior: Decimal | None = None
    middle: Decimal | None = None
    posterior: Decimal | None = None
    reference: Decimal | None = None


@dataclass(frozen=True, slots=True)
class SinsFacts:
    pain: str | None = None
    alignment: str | None = None
    collapse: str | None = None
    posterolateral: str | None = None


@dataclass(frozen=True, slots=True)
class FractureFacts:
    level: str
    etiology: str | None = None
    high_energy_trauma: bool | None = None
    onset_date: dt.date | None = None
    mri_oedema: bool | None = None
    bone_scan_uptake: bool | None = None
    heights_mm: Heights | None = None
    kyphotic_deformity: bool | None = None
    height_loss_progression: bool | None = None
    posterior_wall: str | None = None
    retropulsion: bool | None = None
    canal_compromise_percent: Decimal | None = None
    epidural_extension: bool | None = None
    intravertebral_cleft: bool | None = None
    cortical_disruption: bool | None = None
    both_endplates: bool | None = None
    tension_band_failure: bool | None = None
    lesion: str | None = None
    sins: SinsFacts | None = None


@dataclass(frozen=True, slots=True)
class CandidateSnapshot:
    patient: PatientFacts = PatientFacts()
    pain: PainFacts = PainFacts()
    conservative_care: ConservativeCareFacts = ConservativeCareFacts()
    function: FunctionFacts = FunctionFacts()
    neuro: NeuroFacts = NeuroFacts()
    infection: InfectionFacts = InfectionFacts()
    coagulation: CoagulationFacts = CoagulationFacts()
    allergies: AllergyFacts = AllergyFacts()
    bone_health: BoneHealthFacts = BoneHealthFacts()
    surgical_backup_available: bool | None = None
    planned_procedure_date: dt.date | None = None
    # None: not assessed (absent key); () an explicitly empty list. Both leave acuity missing.
    fractures: tuple[FractureFacts, ...] | None = None
