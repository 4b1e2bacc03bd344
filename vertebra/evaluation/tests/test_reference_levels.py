"""The per-level findings of docs/clinical/evaluation.md (§2.2, §2.4–§2.6 of the reference), each
checked whole: rule id, kind, status, level, the exact message a clinician reads, and the source
keys. The expected messages are written out literally from the documented rules and the
reference's facts (levels T1–L5, 2/3 collapse, SINS ≥ 7, OF 4/5, the leakage odds ratios);
each branch of each rule is reached, both sides of each condition.

Each test starts from one target level (BASE: an acute osteoporotic L1, every per-level fact
recorded and normal: Genant grade 2, OF2) and changes only the facts under test.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from vertebra.evaluation.rules import Finding, RuleSettings, evaluate, parse_snapshot
from vertebra.evaluation.tests.rule_caches import clear_rule_caches

D = Decimal
DELETE = object()

# Source keys as the documentation lists them per rule.
SRC_INDICATION = "[LCD], [CCP2018], [SIR2014]"
SRC_CONTRA = "[LCD], [SIR2014], [ACRPP], [CIRSE2017]"
SRC_INSTABILITY = "[LCD], [SIR2014], [ACRPP], [CIRSE2017], [OF2018], [SINS2010]"
SRC_COLLAPSE = "[LCD], [SIR2014], [ACRPP], [CIRSE2017], [GENANT1993]"
SRC_IMAGING = "[CCP2018], [CIRSE2017]"
SRC_LEAKAGE = "[LEAK2017], [YEOM2003]"

RELATIVE = "relative_contraindication"
PRECONDITION = "precondition"
MISSING_INFORMATION = "missing_information"
RISK = "risk"

IF_ACUTE = "If this level proves acute: "
CONSULT = "; surgical consultation before augmentation."
RETRO_ADVICE = (
    ": risk of canal leakage or cord compression; get a surgical or multidisciplinary opinion."
)
LEAK_ADVICE = " Advice: high-viscosity cement, careful lateral fluoroscopy."
MRI = "MRI with STIR to show marrow oedema (bone scan, SPECT/CT or CT when MRI is impossible)"
MRI_NEOPLASTIC = "MRI with STIR to show marrow oedema, and the lesion type (lytic, mixed, blastic)"

FRACTURE: dict[str, Any] = {
    "level": "L1",
    "etiology": "osteoporotic",
    "high_energy_trauma": False,
    "onset_date": "2026-11-01",
    "mri_oedema": True,
    # (28 − 20) / 28 = 28.6 %: Genant grade 2, deformed, below 2/3.
    "heights_mm": {"anterior": 20, "middle": 22, "posterior": 27, "reference": 28},
    "kyphotic_deformity": False,
    "height_loss_progression": False,
    "posterior_wall": "intact",
    "retropulsion": False,
    "canal_compromise_percent": 0,
    "epidural_extension": False,
    "intravertebral_cleft": False,
    "cortical_disruption": False,
    "both_endplates": False,
    "tension_band_failure": False,
}

PATIENT: dict[str, Any] = {
    "patient": {"age_years": 70, "sex": "female", "pregnant": False, "hospitalized": False},
    "pain": {"nrs": 7, "trend": "worsening", "attributable_to_fracture": True},
    "conservative_care": {"tried": True},
    "planned_procedure_date": "2026-12-10",
}

UNKNOWN_ACUITY = {"mri_oedema": DELETE}  # no MRI, no bone scan: acuity unknown
METASTASIS = {"etiology": "metastasis", "lesion": "lytic"}


@pytest.fixture(autouse=True)
def _cold_caches() -> Iterator[None]:
    clear_rule_caches()
    yield
    clear_rule_caches()


def fracture(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(FRACTURE)
    for key, value in changes.items():
        if value is DELETE:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def findings(
    fractures: list[dict[str, Any]], settings: RuleSettings | None = None
) -> tuple[Finding, ...]:
    data = copy.deepcopy(PATIENT)
    data["fractures"] = fractures
    return evaluate(parse_snapshot(data), settings or RuleSettings()).findings


def one(rule: str, settings: RuleSettings | None = None, **changes: Any) -> Finding:
    level = changes.get("level", "L1")
    found = [
        f for f in findings([fracture(**changes)], settings) if f.rule == rule and f.level == level
    ]
    assert len(found) == 1, (rule, found)
    return found[0]


def expect(
    rule: str, kind: str, status: str, level: str, text: str, source: str
) -> tuple[str, str, str, str, str, str]:
    return (rule, kind, status, level, f"{text} {source}", source)


def as_tuple(item: Finding) -> tuple[str, str, str, str | None, str, str]:
    return (item.rule, item.kind, item.status, item.level, item.message, item.source)


# --- RC-LEVEL-RANGE: an acute level outside T1–L5 (§2.2, §2.3) ------------------------------


@pytest.mark.parametrize(
    ("changes", "kind", "status", "text"),
    [
        ({}, RELATIVE, "absent", "L1 lies within T1–L5."),
        ({"mri_oedema": False}, RELATIVE, "absent", "L1 lies within T1–L5."),
        (UNKNOWN_ACUITY, RELATIVE, "absent", "L1 lies within T1–L5."),
        (
            {"level": "C5"},
            RELATIVE,
            "present",
            "C5 is acute but outside T1–L5: not a target here; needs a specialist opinion.",
        ),
        (
            {"level": "S1", "mri_oedema": False},
            RELATIVE,
            "absent",
            "S1 is outside T1–L5 but not acute.",
        ),
        (
            {"level": "C7", **UNKNOWN_ACUITY},
            PRECONDITION,
            "missing",
            "C7 is outside T1–L5 and its acuity is unknown: image it before deciding.",
        ),
        ({"level": "T1"}, RELATIVE, "absent", "T1 lies within T1–L5."),
        ({"level": "L5"}, RELATIVE, "absent", "L5 lies within T1–L5."),
        (
            {"level": "S1"},
            RELATIVE,
            "present",
            "S1 is acute but outside T1–L5: not a target here; needs a specialist opinion.",
        ),
    ],
)
def test_level_range(changes: dict[str, Any], kind: str, status: str, text: str) -> None:
    level = changes.get("level", "L1")
    assert as_tuple(one("RC-LEVEL-RANGE", **changes)) == expect(
        "RC-LEVEL-RANGE", kind, status, level, text, SRC_INDICATION
    )


# --- RC-HIGH-ENERGY-TRAUMA at a target level (§2.3) ------------------------------------------

TRAUMA = "High-energy trauma: outside the fragility-fracture pathway; specialist opinion."


@pytest.mark.parametrize(
    ("changes", "kind", "status", "text"),
    [
        ({}, RELATIVE, "absent", "No high-energy trauma."),
        ({"high_energy_trauma": True}, RELATIVE, "present", TRAUMA),
        (
            {"high_energy_trauma": DELETE},
            PRECONDITION,
            "missing",
            "Ask about the mechanism of injury (high-energy trauma?).",
        ),
        (
            {"high_energy_trauma": True, **UNKNOWN_ACUITY},
            PRECONDITION,
            "missing",
            IF_ACUTE + TRAUMA,
        ),
        (
            {"high_energy_trauma": False, **UNKNOWN_ACUITY},
            RELATIVE,
            "absent",
            "No high-energy trauma.",
        ),
        (
            {"high_energy_trauma": True, "etiology": "traumatic"},
            RELATIVE,
            "present",
            TRAUMA,
        ),
    ],
)
def test_high_energy_trauma(changes: dict[str, Any], kind: str, status: str, text: str) -> None:
    assert as_tuple(one("RC-HIGH-ENERGY-TRAUMA", **changes)) == expect(
        "RC-HIGH-ENERGY-TRAUMA", kind, status, "L1", text, SRC_INDICATION
    )


def test_no_review_flags_at_a_level_that_is_not_a_target() -> None:
    for changes in ({"level": "C5"}, {"mri_oedema": False}):
        rules = {f.rule for f in findings([fracture(high_energy_trauma=True, **changes)])}
        assert "RC-HIGH-ENERGY-TRAUMA" not in rules
        assert "RC-INSTABILITY" not in rules
        assert "PRE-BIOPSY" not in rules


# --- RC-RETROPULSION (§2.4): fragment, distinct wall (> 1/5), canal compromise > setting -----


@pytest.mark.parametrize(
    ("changes", "kind", "status", "text"),
    [
        (
            {},
            RELATIVE,
            "absent",
            "No retropulsion, posterior wall not distinctly involved, canal compromise ≤ 0 %.",
        ),
        (
            {"posterior_wall": "minor"},
            RELATIVE,
            "absent",
            "No retropulsion, posterior wall not distinctly involved, canal compromise ≤ 0 %.",
        ),
        ({"retropulsion": True}, RELATIVE, "present", "retropulsed fragment" + RETRO_ADVICE),
        (
            {"posterior_wall": "distinct"},
            RELATIVE,
            "present",
            "distinct posterior-wall involvement" + RETRO_ADVICE,
        ),
        (
            {"canal_compromise_percent": D("0.1")},
            RELATIVE,
            "present",
            "canal compromise 0.1 %" + RETRO_ADVICE,
        ),
        (
            {"retropulsion": True, "posterior_wall": "distinct", "canal_compromise_percent": 30},
            RELATIVE,
            "present",
            "retropulsed fragment, distinct posterior-wall involvement, canal compromise 30 %"
            + RETRO_ADVICE,
        ),
        (
            # A present reason is reported alone, the unknown ones are not listed with it.
            {"retropulsion": True, "posterior_wall": DELETE, "canal_compromise_percent": DELETE},
            RELATIVE,
            "present",
            "retropulsed fragment" + RETRO_ADVICE,
        ),
        (
            {"retropulsion": DELETE},
            PRECONDITION,
            "missing",
            "Describe on CT/MRI: retropulsion (retropulsion and posterior-wall check).",
        ),
        (
            {"retropulsion": DELETE, "posterior_wall": DELETE, "canal_compromise_percent": DELETE},
            PRECONDITION,
            "missing",
            "Describe on CT/MRI: retropulsion, posterior wall, canal compromise % "
            "(retropulsion and posterior-wall check).",
        ),
        (
            {"retropulsion": True, **UNKNOWN_ACUITY},
            PRECONDITION,
            "missing",
            IF_ACUTE + "retropulsed fragment" + RETRO_ADVICE,
        ),
    ],
)
def test_retropulsion(changes: dict[str, Any], kind: str, status: str, text: str) -> None:
    assert as_tuple(one("RC-RETROPULSION", **changes)) == expect(
        "RC-RETROPULSION", kind, status, "L1", text, SRC_CONTRA
    )


@pytest.mark.parametrize(
    ("canal", "status", "text"),
    [
        (
            10,
            "absent",
            "No retropulsion, posterior wall not distinctly involved, canal compromise ≤ 10 %.",
        ),
        (D("10.5"), "present", "canal compromise 10.5 %" + RETRO_ADVICE),
    ],
)
def test_retropulsion_canal_setting(canal: Any, status: str, text: str) -> None:
    settings = RuleSettings(canal_compromise_max_percent=D(10))
    found = one("RC-RETROPULSION", settings, canal_compromise_percent=canal)
    assert as_tuple(found) == expect("RC-RETROPULSION", RELATIVE, status, "L1", text, SRC_CONTRA)


# --- RC-EPIDURAL (§2.4) ----------------------------------------------------------------------

EPIDURAL = "Tumour extends into the epidural space: multidisciplinary/surgical opinion."


@pytest.mark.parametrize(
    ("changes", "kind", "status", "text"),
    [
        ({}, RELATIVE, "absent", "No epidural tumour extension."),
        ({"epidural_extension": True}, RELATIVE, "present", EPIDURAL),
        ({"epidural_extension": True, **METASTASIS}, RELATIVE, "present", EPIDURAL),
        (
            {"epidural_extension": DELETE},
            PRECONDITION,
            "missing",
            "Check MRI for epidural tumour extension.",
        ),
        (
            {"epidural_extension": True, **UNKNOWN_ACUITY},
            PRECONDITION,
            "missing",
            IF_ACUTE + EPIDURAL,
        ),
    ],
)
def test_epidural(changes: dict[str, Any], kind: str, status: str, text: str) -> None:
    assert as_tuple(one("RC-EPIDURAL", **changes)) == expect(
        "RC-EPIDURAL", kind, status, "L1", text, SRC_CONTRA
    )


# --- RC-SEVERE-COLLAPSE: height loss ≥ 2/3 of the expected height, exactly (§2.4, §3.1) -----


def plana(percent: str, at_least: bool = False) -> str:
    bound = "at least " if at_least else ""
    return (
        f"Severe collapse (vertebra plana): height loss {bound}{percent} %, ≥ 2/3 of the expected "
        "height; technically difficult, get a specialist opinion."
    )


BELOW = "Height loss below 2/3 of the expected height (no vertebra plana)."
INCOMPLETE = (
    "Vertebral heights incomplete: measure anterior, middle and posterior heights and the "
    "expected height to rule out a collapse ≥ 2/3."
)


def no_reference(percent: str) -> str:
    return (
        f"Height loss at least {percent} % without a reference height: measure the expected "
        "height from the adjacent vertebrae to rule out a collapse ≥ 2/3."
    )


@pytest.mark.parametrize(
    ("heights", "kind", "status", "text"),
    [
        # (28 − 20) / 28 = 28.6 %
        (
            {"anterior": 20, "middle": 22, "posterior": 27, "reference": 28},
            RELATIVE,
            "absent",
            BELOW,
        ),
        # (27 − 9) / 27 = 2/3 exactly → 66.7 %: vertebra plana
        (
            {"anterior": 9, "middle": 20, "posterior": 27, "reference": 27},
            RELATIVE,
            "present",
            plana("66.7"),
        ),
        # (27 − 10) / 27 = 63.0 % < 2/3
        (
            {"anterior": 10, "middle": 20, "posterior": 27, "reference": 27},
            RELATIVE,
            "absent",
            BELOW,
        ),
        # (30 − 5) / 30 = 83.3 %
        (
            {"anterior": 5, "middle": 20, "posterior": 27, "reference": 30},
            RELATIVE,
            "present",
            plana("83.3"),
        ),
        # no reference: the largest height (27) stands in; 18/27 ≥ 2/3 → present, "at least"
        ({"anterior": 9, "middle": 20, "posterior": 27}, RELATIVE, "present", plana("66.7", True)),
        # no reference, lower bound (27 − 20) / 27 = 25.9 % < 2/3 → measure the expected height
        (
            {"anterior": 20, "middle": 22, "posterior": 27},
            PRECONDITION,
            "missing",
            no_reference("25.9"),
        ),
        # a height missing: no Genant grade
        ({"anterior": 20, "posterior": 27, "reference": 28}, PRECONDITION, "missing", INCOMPLETE),
    ],
)
def test_severe_collapse(heights: dict[str, Any], kind: str, status: str, text: str) -> None:
    assert as_tuple(one("RC-SEVERE-COLLAPSE", heights_mm=heights)) == expect(
        "RC-SEVERE-COLLAPSE", kind, status, "L1", text, SRC_COLLAPSE
    )


def test_severe_collapse_heights_not_recorded() -> None:
    assert as_tuple(one("RC-SEVERE-COLLAPSE", heights_mm=DELETE)) == expect(
        "RC-SEVERE-COLLAPSE", PRECONDITION, "missing", "L1", INCOMPLETE, SRC_COLLAPSE
    )


def test_severe_collapse_at_a_level_that_may_prove_acute() -> None:
    heights = {"anterior": 9, "middle": 20, "posterior": 27, "reference": 27}
    found = one("RC-SEVERE-COLLAPSE", heights_mm=heights, **UNKNOWN_ACUITY)
    assert as_tuple(found) == expect(
        "RC-SEVERE-COLLAPSE", PRECONDITION, "missing", "L1", IF_ACUTE + plana("66.7"), SRC_COLLAPSE
    )


# --- RC-INSTABILITY: OF 4/5 [OF2018], or SINS ≥ 7 at a neoplastic level [SINS2010] (§2.4) ----


def absent_flag(detail: str) -> str:
    return f"No instability flag: {detail}."


def flag(detail: str) -> str:
    return f"Instability: {detail}{CONSULT}"


def not_assessable(detail: str) -> str:
    return f"Instability not assessable: {detail}."


@pytest.mark.parametrize(
    ("changes", "kind", "status", "text"),
    [
        ({}, RELATIVE, "absent", absent_flag("OF type OF2")),
        ({"posterior_wall": "distinct"}, RELATIVE, "absent", absent_flag("OF type OF3")),
        ({"both_endplates": True}, RELATIVE, "present", flag("OF type OF4")),
        ({"tension_band_failure": True}, RELATIVE, "present", flag("OF type OF5")),
        ({"etiology": "unknown", "both_endplates": True}, RELATIVE, "present", flag("OF type OF4")),
        # OF2 or OF5: one of them unstable → cannot be assessed
        (
            {"tension_band_failure": DELETE},
            PRECONDITION,
            "missing",
            not_assessable("OF type one of OF2, OF5"),
        ),
        (
            {"tension_band_failure": DELETE, "both_endplates": DELETE},
            PRECONDITION,
            "missing",
            not_assessable("OF type one of OF2, OF4, OF5"),
        ),
        # OF4 or OF5: both unstable → present
        (
            {"tension_band_failure": DELETE, "both_endplates": True},
            RELATIVE,
            "present",
            flag("OF type one of OF4, OF5"),
        ),
        # traumatic: the frame is read with the OF criteria, but it is not an OF type
        ({"etiology": "traumatic"}, RELATIVE, "absent", absent_flag("frame (OF criteria) OF2")),
        (
            {"etiology": "traumatic", "tension_band_failure": True},
            RELATIVE,
            "present",
            flag("frame (OF criteria) OF5"),
        ),
        (
            {"etiology": "haemangioma", "tension_band_failure": DELETE},
            PRECONDITION,
            "missing",
            not_assessable("frame (OF criteria) one of OF2, OF5"),
        ),
        (
            {"both_endplates": True, **UNKNOWN_ACUITY},
            PRECONDITION,
            "missing",
            IF_ACUTE + flag("OF type OF4"),
        ),
        # a SINS at an osteoporotic level is shown but raises nothing (§2.4, 1.2.0)
        (
            {
                "sins": {
                    "pain": "mechanical",
                    "alignment": "subluxation",
                    "collapse": "over_50",
                    "posterolateral": "bilateral",
                }
            },
            RELATIVE,
            "absent",
            absent_flag("OF type OF2"),
        ),
    ],
)
def test_instability_of_type(changes: dict[str, Any], kind: str, status: str, text: str) -> None:
    assert as_tuple(one("RC-INSTABILITY", **changes)) == expect(
        "RC-INSTABILITY", kind, status, "L1", text, SRC_INSTABILITY
    )


def test_instability_setting_of5_only() -> None:
    settings = RuleSettings(instability_of_types=("OF5",))
    found = one("RC-INSTABILITY", settings, both_endplates=True)
    assert as_tuple(found) == expect(
        "RC-INSTABILITY", RELATIVE, "absent", "L1", absent_flag("OF type OF4"), SRC_INSTABILITY
    )


def sins(**values: str) -> dict[str, str]:
    return values


FULL_NONE = {"alignment": "normal", "collapse": "none", "posterolateral": "none"}


@pytest.mark.parametrize(
    ("changes", "kind", "status", "text"),
    [
        # L1 junctional 3 + lytic 2 + mechanical pain 3 = 8 ≥ 7
        (
            {"sins": sins(pain="mechanical", **FULL_NONE)},
            RELATIVE,
            "present",
            flag("SINS 8"),
        ),
        # L1 3 + lytic 2 + occasional 1 = 6: stable
        ({"sins": sins(pain="occasional", **FULL_NONE)}, RELATIVE, "absent", absent_flag("SINS 6")),
        # L1 3 + lytic 2 + occasional 1 + unilateral 1 = 7: the threshold
        (
            {
                "sins": sins(
                    pain="occasional",
                    alignment="normal",
                    collapse="none",
                    posterolateral="unilateral",
                )
            },
            RELATIVE,
            "present",
            flag("SINS 7"),
        ),
        # L3 mobile 2 + lytic 2 + mechanical 3 = 7
        (
            {"level": "L3", "sins": sins(pain="mechanical", **FULL_NONE)},
            RELATIVE,
            "present",
            flag("SINS 7"),
        ),
        # min 8 with components missing: present already
        (
            {"sins": sins(pain="mechanical")},
            RELATIVE,
            "present",
            flag("SINS 8–18, not recorded: alignment, collapse, posterolateral"),
        ),
        # blastic 0, L1 3, pain none, alignment, collapse none; posterolateral missing: 3–6
        (
            {
                "lesion": "blastic",
                "mri_oedema": True,
                "sins": sins(pain="none", alignment="normal", collapse="none"),
            },
            RELATIVE,
            "absent",
            absent_flag("SINS 3–6, not recorded: posterolateral"),
        ),
        # max exactly 7 (4–7): cannot tell → missing information (SINS gates consultation)
        (
            {
                "lesion": "blastic",
                "mri_oedema": True,
                "sins": sins(pain="occasional", alignment="normal", collapse="none"),
            },
            MISSING_INFORMATION,
            "missing",
            not_assessable("SINS 4–7, not recorded: posterolateral; complete the SINS"),
        ),
        # no SINS recorded: L1 3 + lytic 2 = 5, up to 5 + 3 + 4 + 3 + 3 = 18
        (
            {},
            MISSING_INFORMATION,
            "missing",
            not_assessable(
                "SINS 5–18, not recorded: pain, alignment, collapse, posterolateral; "
                "complete the SINS"
            ),
        ),
    ],
)
def test_instability_sins(changes: dict[str, Any], kind: str, status: str, text: str) -> None:
    level = changes.get("level", "L1")
    assert as_tuple(one("RC-INSTABILITY", **{**METASTASIS, **changes})) == expect(
        "RC-INSTABILITY", kind, status, level, text, SRC_INSTABILITY
    )


def test_instability_myeloma_lesion_unknown() -> None:
    # Myeloma, lesion type unknown, MRI oedema (acute): L1 3 + lesion 0–2 + occasional 1 = 4–6.
    found = one("RC-INSTABILITY", etiology="myeloma", sins=sins(pain="occasional", **FULL_NONE))
    assert as_tuple(found) == expect(
        "RC-INSTABILITY",
        RELATIVE,
        "absent",
        "L1",
        absent_flag("SINS 4–6, not recorded: lesion"),
        SRC_INSTABILITY,
    )


# --- PRE-IMAGING (§2.5): unknown acuity → MRI with STIR; posterior wall unknown at a target → CT


@pytest.mark.parametrize(
    ("changes", "status", "text"),
    [
        ({}, "absent", "Imaging sufficient for this level."),
        ({"posterior_wall": DELETE}, "missing", "CT to assess the posterior wall."),
        (UNKNOWN_ACUITY, "missing", MRI + "."),
        # a level that may prove acute is not a target yet: MRI first, no CT
        ({"posterior_wall": DELETE, **UNKNOWN_ACUITY}, "missing", MRI + "."),
        (
            {"etiology": "metastasis", "lesion": DELETE, **UNKNOWN_ACUITY},
            "missing",
            MRI_NEOPLASTIC + ".",
        ),
        # acute but outside T1–L5, or in range and not acute: not a target, no CT
        ({"level": "C5", "posterior_wall": DELETE}, "absent", "Imaging sufficient for this level."),
        (
            {"mri_oedema": False, "posterior_wall": DELETE},
            "absent",
            "Imaging sufficient for this level.",
        ),
        ({"level": "S1", **UNKNOWN_ACUITY}, "missing", MRI + "."),
    ],
)
def test_imaging(changes: dict[str, Any], status: str, text: str) -> None:
    level = changes.get("level", "L1")
    assert as_tuple(one("PRE-IMAGING", **changes)) == expect(
        "PRE-IMAGING", PRECONDITION, status, level, text, SRC_IMAGING
    )


def test_imaging_ct_setting_off() -> None:
    settings = RuleSettings(ct_when_posterior_wall_unknown=False)
    found = one("PRE-IMAGING", settings, posterior_wall=DELETE)
    assert as_tuple(found) == expect(
        "PRE-IMAGING",
        PRECONDITION,
        "absent",
        "L1",
        "Imaging sufficient for this level.",
        SRC_IMAGING,
    )


# --- PRE-BIOPSY (§2.5): etiology unknown or not recorded, or malignancy → biopsy --------------


@pytest.mark.parametrize(
    ("changes", "status", "text"),
    [
        ({}, "absent", "Etiology osteoporotic: no biopsy needed for the decision."),
        (
            {"etiology": "traumatic"},
            "absent",
            "Etiology traumatic: no biopsy needed for the decision.",
        ),
        (
            {"etiology": "haemangioma"},
            "absent",
            "Etiology haemangioma: no biopsy needed for the decision.",
        ),
        ({"etiology": "unknown"}, "present", "Etiology unknown: biopsy during the procedure."),
        (
            {"etiology": DELETE},
            "present",
            "Etiology not recorded (handled as unknown): record it; biopsy during the procedure.",
        ),
        (
            METASTASIS,
            "present",
            "Malignancy (metastasis): biopsy during the procedure unless histology is already "
            "confirmed.",
        ),
        (
            {"etiology": "myeloma", "lesion": "mixed"},
            "present",
            "Malignancy (myeloma): biopsy during the procedure unless histology is already "
            "confirmed.",
        ),
    ],
)
def test_biopsy(changes: dict[str, Any], status: str, text: str) -> None:
    assert as_tuple(one("PRE-BIOPSY", **changes)) == expect(
        "PRE-BIOPSY", PRECONDITION, status, "L1", text, SRC_CONTRA
    )


# --- RISK-CEMENT-LEAKAGE (§2.6) at a target level [LEAK2017], [YEOM2003] ----------------------

CLEFT = "intravertebral cleft (OR 1.40) [LEAK2017]"
CORTICAL = "cortical disruption (OR 5.56) [LEAK2017]"
WALL = "posterior-wall involvement: canal leakage [YEOM2003]"


@pytest.mark.parametrize(
    ("changes", "factors"),
    [
        ({"intravertebral_cleft": True}, [CLEFT]),
        ({"cortical_disruption": True}, [CORTICAL]),
        ({"posterior_wall": "minor"}, [WALL]),
        ({"posterior_wall": "distinct"}, [WALL]),
        ({"retropulsion": True}, [WALL]),
        ({"intravertebral_cleft": True, "cortical_disruption": True}, [CLEFT, CORTICAL]),
        (
            {"intravertebral_cleft": True, "cortical_disruption": True, "retropulsion": True},
            [CLEFT, CORTICAL, WALL],
        ),
        ({"cortical_disruption": True, "posterior_wall": "minor"}, [CORTICAL, WALL]),
    ],
)
def test_leakage(changes: dict[str, Any], factors: list[str]) -> None:
    text = f"Cement leakage risk factors: {'; '.join(factors)}." + LEAK_ADVICE
    assert as_tuple(one("RISK-CEMENT-LEAKAGE", **changes)) == expect(
        "RISK-CEMENT-LEAKAGE", RISK, "present", "L1", text, SRC_LEAKAGE
    )


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"intravertebral_cleft": DELETE, "cortical_disruption": DELETE, "retropulsion": DELETE},
        {"intravertebral_cleft": True, "level": "C5"},
        {"intravertebral_cleft": True, "mri_oedema": False},
    ],
)
def test_no_leakage_risk(changes: dict[str, Any]) -> None:
    rules = [f.rule for f in findings([fracture(**changes)])]
    assert "RISK-CEMENT-LEAKAGE" not in rules
