"""Probability of a vertebral compression fracture [CCP2018] and WHO bone-density category
[WHO1994] (clinical-reference §3.5, §3.6). Pure functions; unknown inputs stay unknown."""

from __future__ import annotations

from dataclasses import astuple, dataclass, fields
from decimal import Decimal

from vertebra.evaluation.rules import thresholds as th

_OSTEOPOROSIS_T = Decimal("-2.5")
_NORMAL_T = Decimal("-1.0")
_MEN_FROM_AGE = 50


@dataclass(frozen=True, slots=True)
class VcfSigns:
    """The ten signs of §3.5 [CCP2018]; each True (present), False (absent) or None (unknown)."""

    severe_limitation_from_pain: bool | None = None
    pain_eased_by_rest: bool | None = None
    recent_minimal_trauma: bool | None = None
    pain_with_activity: bool | None = None
    osteoporosis_or_osteopenia: bool | None = None
    previous_vcf: bool | None = None
    chronic_corticosteroids: bool | None = None
    spinous_process_tenderness: bool | None = None
    pain_worse_changing_position: bool | None = None
    midline_back_pain: bool | None = None


VCF_SIGN_NAMES = tuple(field.name for field in fields(VcfSigns))


def vcf_category(count: int) -> str:
    """0–3 low, 4–6 intermediate, ≥ 7 high probability [CCP2018]."""
    if count <= th.VCF_LOW_MAX:
        return "low"
    if count <= th.VCF_INTERMEDIATE_MAX:
        return "intermediate"
    return "high"


@dataclass(frozen=True, slots=True)
class VcfProbability:
    count: int  # signs present
    unknown: int  # signs not assessed
    category: str | None  # None when the unknown signs could change the category
    lowest_category: str
    highest_category: str
    advanced_imaging: bool | None  # MRI preferred; None when it cannot be decided yet


def vcf_probability(signs: VcfSigns, severe_symptoms: bool | None) -> VcfProbability:
    """Count the signs; intermediate or high probability with severe symptoms → advanced
    imaging, MRI preferred [CCP2018]."""
    values = astuple(signs)
    count = sum(1 for value in values if value is True)
    unknown = sum(1 for value in values if value is None)
    lowest, highest = vcf_category(count), vcf_category(count + unknown)
    category = lowest if lowest == highest else None
    if lowest != "low" and severe_symptoms is True:
        advanced: bool | None = True
    elif highest == "low" or severe_symptoms is False:
        advanced = False
    else:
        advanced = None
    return VcfProbability(count, unknown, category, lowest, highest, advanced)


@dataclass(frozen=True, slots=True)
class WhoCategory:
    t_score: Decimal | None
    category: str | None  # normal | osteopenia | osteoporosis | severe_osteoporosis
    note: str


def _outside_reason(t_score: Decimal | None, sex: str | None, in_population: bool | None) -> str:
    """Why no WHO category is given, naming the fact that is actually missing [WHO1994]."""
    if in_population is False:
        if sex == "male":
            return (
                "a man under 50 is outside the WHO population (postmenopausal women, men aged "
                "50 or more)"
            )
        return "outside the WHO population (postmenopausal women, men aged 50 or more)"
    if sex == "female":
        shown = "; the T-score is reported without a category" if t_score is not None else ""
        return f"menopausal status is not recorded in the snapshot{shown}"
    if sex == "male":
        return "age not recorded (the WHO categories apply to men aged 50 or more)"
    if sex is None:
        return (
            "sex not recorded (the WHO categories apply to postmenopausal women and men aged "
            "50 or more)"
        )
    return (
        f"sex recorded as {sex}: the WHO categories apply to postmenopausal women and men aged "
        "50 or more"
    )


def who_bone_density(
    t_score: Decimal | None,
    *,
    sex: str | None,
    age_years: int | None,
    postmenopausal: bool | None,
    fragility_fracture: bool | None,
    fracture_establishes_osteoporosis: bool = True,
) -> WhoCategory:
    """WHO category for postmenopausal women and men aged 50 or more [WHO1994].

    T ≥ −1.0 normal; −2.5 < T < −1.0 osteopenia; T ≤ −2.5 osteoporosis, severe (established)
    with a fragility fracture. A vertebral fragility fracture establishes clinical osteoporosis
    whatever the T-score (check; ``fracture_establishes_osteoporosis``). Outside the population,
    or when it is unknown whether the patient belongs to it, the value is reported without a
    category.
    """
    if sex == "male":
        in_population = None if age_years is None else age_years >= _MEN_FROM_AGE
    elif sex == "female":
        in_population = postmenopausal
    else:
        in_population = None
    if in_population is not True:
        reason = _outside_reason(t_score, sex, in_population)
        return WhoCategory(t_score, None, f"no WHO category: {reason} [WHO1994]")
    if (
        fracture_establishes_osteoporosis
        and fragility_fracture is True
        and (t_score is None or t_score > _OSTEOPOROSIS_T)
    ):
        return WhoCategory(
            t_score,
            "osteoporosis",
            "clinical osteoporosis: a vertebral fragility fracture establishes it whatever the "
            "T-score [WHO1994] (check)",
        )
    if t_score is None:
        return WhoCategory(None, None, "no T-score recorded: order DXA [WHO1994]")
    if t_score >= _NORMAL_T:
        return WhoCategory(t_score, "normal", "T-score ≥ −1.0 [WHO1994]")
    if t_score > _OSTEOPOROSIS_T:
        return WhoCategory(t_score, "osteopenia", "−2.5 < T-score < −1.0 [WHO1994]")
    if fragility_fracture is True:
        return WhoCategory(
            t_score,
            "severe_osteoporosis",
            "T-score ≤ −2.5 with a fragility fracture: severe (established) osteoporosis [WHO1994]",
        )
    return WhoCategory(t_score, "osteoporosis", "T-score ≤ −2.5 [WHO1994]")
