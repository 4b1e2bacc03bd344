"""Build the candidate snapshot of clinical-reference §2.1 from a referral's stored record.

Only facts that were assessed are written: an absent key means "not assessed", which the rule
engine reports as missing, never as normal. Decimals stay decimals (the engine compares exactly).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

from vertebra.core.timeutil import age_in_years
from vertebra.patients.models import Anticoagulant, ClinicalAssessment, Fracture, Patient

# §2.1 group → (snapshot key, model field) for the clinical assessment.
ASSESSMENT_GROUPS: dict[str, tuple[tuple[str, str], ...]] = {
    "patient": (
        ("pregnant", "pregnant"),
        ("hospitalized", "hospitalized"),
        ("asa_class", "asa_class"),
        ("can_lie_prone", "can_lie_prone"),
    ),
    "pain": (
        ("nrs", "pain_nrs"),
        ("trend", "pain_trend"),
        ("duration_weeks", "pain_duration_weeks"),
        ("attributable_to_fracture", "pain_attributable_to_fracture"),
        ("radicular", "pain_radicular"),
    ),
    "conservative_care": (
        ("tried", "conservative_care_tried"),
        ("duration_weeks", "conservative_care_duration_weeks"),
        ("non_ambulatory_due_to_pain", "conservative_care_non_ambulatory_due_to_pain"),
        ("physical_therapy_intolerable", "conservative_care_physical_therapy_intolerable"),
        ("analgesic_side_effects", "conservative_care_analgesic_side_effects"),
    ),
    "function": (("rmdq", "function_rmdq"), ("ambulation", "function_ambulation")),
    "neuro": (("deficit", "neuro_deficit"), ("myelopathy", "neuro_myelopathy")),
    "infection": (("local", "infection_local"), ("systemic", "infection_systemic")),
    "coagulation": (
        ("inr", "coagulation_inr"),
        ("platelets_10e9_per_l", "coagulation_platelets_10e9_per_l"),
        ("correctable", "coagulation_correctable"),
        ("crcl_ml_min", "coagulation_crcl_ml_min"),
    ),
    "allergies": (
        ("pmma", "allergies_pmma"),
        ("contrast", "allergies_contrast"),
        ("local_anaesthetic", "allergies_local_anaesthetic"),
    ),
    "bone_health": (
        ("t_score", "bone_health_t_score"),
        ("osteoporosis_treatment", "bone_health_osteoporosis_treatment"),
        ("prior_vertebral_fractures", "bone_health_prior_vertebral_fractures"),
        ("chronic_corticosteroids", "bone_health_chronic_corticosteroids"),
    ),
}
FRACTURE_KEYS: tuple[str, ...] = (
    "etiology",
    "high_energy_trauma",
    "onset_date",
    "mri_oedema",
    "bone_scan_uptake",
    "kyphotic_deformity",
    "height_loss_progression",
    "posterior_wall",
    "retropulsion",
    "canal_compromise_percent",
    "epidural_extension",
    "intravertebral_cleft",
    "cortical_disruption",
    "both_endplates",
    "tension_band_failure",
    "lesion",
)
HEIGHT_KEYS = (
    ("anterior", "height_anterior_mm"),
    ("middle", "height_middle_mm"),
    ("posterior", "height_posterior_mm"),
    ("reference", "height_reference_mm"),
)
SINS_KEYS = (
    ("pain", "sins_pain"),
    ("alignment", "sins_alignment"),
    ("collapse", "sins_collapse"),
    ("posterolateral", "sins_posterolateral"),
)


def _assessed(value: Any) -> bool:
    return value is not None and value != ""


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _group(instance: Any, pairs: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    return {
        key: _json_value(getattr(instance, field))
        for key, field in pairs
        if _assessed(getattr(instance, field))
    }


def _drug(drug: Anticoagulant) -> dict[str, Any]:
    entry: dict[str, Any] = {"drug": drug.drug}
    if drug.last_dose_date is not None:
        entry["last_dose_date"] = drug.last_dose_date.isoformat()
    if drug.last_dose_time is not None:
        entry["last_dose_time"] = drug.last_dose_time.strftime("%H:%M")
    if drug.intensity:
        entry["intensity"] = drug.intensity
    return entry


def _fracture(fracture: Fracture) -> dict[str, Any]:
    entry: dict[str, Any] = {"level": fracture.level}
    entry.update(_group(fracture, tuple((k, k) for k in FRACTURE_KEYS)))
    heights = _group(fracture, HEIGHT_KEYS)
    if heights:
        entry["heights_mm"] = heights
    sins = _group(fracture, SINS_KEYS)
    if sins:
        entry["sins"] = sins
    return entry


def build_snapshot(
    *,
    patient: Patient,
    assessment: ClinicalAssessment,
    fractures: list[Fracture],
    anticoagulants: list[Anticoagulant],
    on: dt.date,
) -> dict[str, Any]:
    """The §2.1 document for one referral as recorded on date `on` (age is computed then)."""
    snapshot: dict[str, Any] = {}
    for group, pairs in ASSESSMENT_GROUPS.items():
        values = _group(assessment, pairs)
        if group == "patient":
            values = {
                "age_years": age_in_years(patient.birth_date, on),
                **({"sex": patient.sex} if patient.sex else {}),
                **values,
            }
        if group == "coagulation" and assessment.coagulation_antithrombotics_reviewed:
            values["anticoagulants"] = [_drug(d) for d in anticoagulants]
        if values:
            snapshot[group] = values
    if _assessed(assessment.surgical_backup_available):
        snapshot["surgical_backup_available"] = assessment.surgical_backup_available
    if assessment.planned_procedure_date is not None:
        snapshot["planned_procedure_date"] = assessment.planned_procedure_date.isoformat()
    snapshot["fractures"] = [_fracture(f) for f in fractures]
    return snapshot


# --- Exact storage ---------------------------------------------------------------------------
# Decimals are written as JSON numbers digit for digit (never through binary floats), so a
# stored snapshot read back with snapshot_loads is exactly what was evaluated.
_MARK = "\u0000decimal:"
_MARKED = re.compile(r'"\\u0000decimal:([^"]+)"')


def _mark_decimals(value: Any) -> Any:
    if isinstance(value, Decimal):
        return _MARK + str(value)
    if isinstance(value, dict):
        return {k: _mark_decimals(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mark_decimals(v) for v in value]
    return value


def snapshot_dumps(snapshot: Any) -> str:
    text = json.dumps(_mark_decimals(snapshot), sort_keys=True, ensure_ascii=True)
    return _MARKED.sub(lambda m: m.group(1), text)


def snapshot_loads(text: str) -> Any:
    return json.loads(text, parse_float=Decimal)
