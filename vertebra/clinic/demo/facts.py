"""The clinical facts of each demo case: what the clinic records, chosen so that the evaluation
(which reads only these recorded facts) reaches the rung the case illustrates.

The rungs follow docs/clinical/evaluation.md (clinical-reference §2.2–§2.6); no threshold is
set here, only facts on either side of the engine's own:

- recommended: an acute (MRI oedema) osteoporotic fracture at T1–L5, pain NRS ≥ 5 worsening
  despite optimal non-surgical care [LCD], [CCP2018], [SIR2014], no contraindication, no
  review flag, every screening fact recorded;
- incomplete: the referral letter's facts only (pain course and conservative care not yet
  assessed) → missing information;
- specialist review: distinct posterior-wall involvement (RC-RETROPULSION), or a lytic
  metastasis at the thoracolumbar junction whose SINS [SINS2010] is ≥ 7 (RC-INSTABILITY);
- not recommended: pain improving steadily on medical therapy (CI-IMPROVING), or an old
  fracture without marrow oedema on MRI (CI-NO-ACUTE-FRACTURE).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from enum import StrEnum


class Case(StrEnum):
    """What the evaluation of a demo case shows (and so how the physician decides)."""

    RECOMMENDED = "recommended"
    INCOMPLETE = "incomplete"
    REVIEW_POSTERIOR_WALL = "review_posterior_wall"
    REVIEW_METASTASIS = "review_metastasis"
    IMPROVING = "improving"
    NOT_ACUTE = "not_acute"


# Levels where osteoporotic fractures usually occur (mid-thoracic to upper lumbar).
LEVELS = ("T6", "T7", "T8", "T9", "T10", "T11", "T12", "L1", "L2", "L3", "L4")


def _heights(rng: random.Random, loss_percent: int) -> dict[str, Decimal]:
    reference = Decimal(rng.choice(("24.0", "26.0", "28.0", "30.0")))
    anterior = (reference * (100 - loss_percent) / 100).quantize(Decimal("0.1"))
    return {
        "height_anterior_mm": anterior,
        "height_middle_mm": (reference * Decimal("0.90")).quantize(Decimal("0.1")),
        "height_posterior_mm": (reference * Decimal("0.97")).quantize(Decimal("0.1")),
        "height_reference_mm": reference,
    }


def fractures(
    rng: random.Random, case: Case, *, imaged_on: dt.date, onset_on: dt.date
) -> list[dict[str, object]]:
    """The levels of the referral's imaging, in spine order."""
    if case == Case.REVIEW_METASTASIS:
        levels = ["T12"]
    else:
        levels = sorted(rng.sample(LEVELS, rng.choice((1, 1, 1, 2))), key=LEVELS.index)
    result = []
    for position, level in enumerate(levels):
        acute = case != Case.NOT_ACUTE
        data: dict[str, object] = {
            "level": level,
            "etiology": "osteoporotic",
            "high_energy_trauma": False,
            "onset_date": onset_on,
            "imaging_date": imaged_on,
            "mri_oedema": acute,
            "kyphotic_deformity": rng.random() < 0.4,
            "posterior_wall": "intact",
            "retropulsion": False,
            "canal_compromise_percent": Decimal(0),
            "epidural_extension": False,
            "intravertebral_cleft": False,
            "both_endplates": False,
            "tension_band_failure": False,
            # Height loss stays well short of vertebra plana (RC-SEVERE-COLLAPSE).
            **_heights(rng, rng.randint(15, 40)),
        }
        report = (
            f"MRI: acute compression fracture of {level}, STIR hyperintense marrow oedema."
            if acute
            else f"MRI: old healed wedge deformity of {level}, no marrow oedema on STIR."
        )
        if case == Case.REVIEW_POSTERIOR_WALL and position == 0:
            data["posterior_wall"] = "distinct"
            report += " CT: posterior wall involved over more than a fifth of its height."
        if case == Case.REVIEW_METASTASIS:
            # Junctional level (3) + mechanical pain (3) + lytic (2) + < 50 % collapse (2):
            # SINS 10, potentially unstable [SINS2010].
            data.update(
                etiology="metastasis",
                lesion="lytic",
                sins_pain="mechanical",
                sins_alignment="normal",
                sins_collapse="under_50",
                sins_posterolateral="none",
                kyphotic_deformity=False,
            )
            report = f"MRI: lytic metastasis of {level} (known breast cancer), < 50 % collapse."
        data["imaging_report"] = report
        result.append(data)
    return result


def referral_letter(rng: random.Random) -> dict[str, object]:
    """What a referral letter says: enough for a first look, not for a decision."""
    return {
        "pregnant": False,
        "pain_nrs": rng.randint(6, 9),
        "pain_attributable_to_fracture": True,
        "pain_duration_weeks": Decimal(rng.randint(2, 6)),
        "function_ambulation": rng.choice(("cane", "walker")),
    }


def assessment(rng: random.Random, case: Case, *, planned_on: dt.date | None) -> dict[str, object]:
    """The full clinical assessment at the consultation (every §2.1 screening fact)."""
    data: dict[str, object] = {
        "pregnant": False,
        "hospitalized": False,
        "asa_class": rng.randint(2, 3),
        "can_lie_prone": True,
        "pain_nrs": rng.randint(6, 9),
        "pain_trend": "worsening",
        "pain_duration_weeks": Decimal(rng.randint(3, 10)),
        "pain_attributable_to_fracture": True,
        "pain_radicular": False,
        "conservative_care_tried": True,
        "conservative_care_duration_weeks": Decimal(rng.randint(3, 8)),
        "function_rmdq": rng.randint(14, 22),
        "function_ambulation": rng.choice(("cane", "walker", "walker")),
        "neuro_deficit": False,
        "neuro_myelopathy": False,
        "infection_local": False,
        "infection_systemic": False,
        "coagulation_inr": Decimal(rng.choice(("1.0", "1.1", "1.2"))),
        "coagulation_platelets_10e9_per_l": Decimal(rng.randint(160, 340)),
        "coagulation_correctable": True,
        "coagulation_antithrombotics_reviewed": True,
        "allergies_pmma": False,
        "allergies_contrast": False,
        "allergies_local_anaesthetic": False,
        "allergies_antibiotics": False,
        "allergies_latex": False,
        "allergies_other": "",
        "bone_health_t_score": Decimal(rng.randint(-38, -25)) / 10,
        "bone_health_osteoporosis_treatment": rng.random() < 0.4,
        "bone_health_prior_vertebral_fractures": rng.randint(0, 2),
        "surgical_backup_available": True,
        "planned_procedure_date": planned_on,
    }
    # Weight and height from their own generator, seeded by facts drawn above, so the shared
    # sequence (and with it every story) stays as it was.
    seed = f"{data['function_rmdq']}/{data['coagulation_platelets_10e9_per_l']}"
    body = random.Random(seed)  # noqa: S311 - reproducible fiction
    data.update(
        weight_kg=Decimal(body.randint(450, 850)) / 10, height_cm=Decimal(body.randint(148, 178))
    )
    if case == Case.IMPROVING:
        data.update(pain_trend="improving", pain_nrs=rng.randint(4, 5), function_rmdq=9)
    if case == Case.REVIEW_METASTASIS:
        data.update(bone_health_t_score=None, bone_health_prior_vertebral_fractures=0)
    return data


def antithrombotic(rng: random.Random, *, consult_on: dt.date) -> dict[str, object] | None:
    """About one patient in four takes one; the GP has already stopped it before the visit."""
    if rng.random() >= 0.25:
        return None
    drug = rng.choice(("aspirin", "apixaban", "clopidogrel"))
    return {
        "drug": drug,
        "last_dose_date": consult_on - dt.timedelta(days=rng.randint(1, 3)),
        "last_dose_time": None,
        "intensity": "",
    }
