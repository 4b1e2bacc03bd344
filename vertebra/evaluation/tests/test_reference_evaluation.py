"""Every threshold of clinical-reference §2–§3 that the evaluation rules implement, checked just
below, at and just above its boundary, with expectations read from the reference (never from
the engine's output): the two sides of each boundary must give different results.

Each test starts from one complete snapshot that the reference recommends (BASE: an outpatient
of 70 with worsening pain NRS 7 at an acute osteoporotic L1, every screening fact recorded and
normal) and changes only the facts under test.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from vertebra.evaluation.rules import (
    EvaluationResult,
    Finding,
    RuleSettings,
    evaluate,
    parse_snapshot,
)
from vertebra.evaluation.tests.rule_caches import clear_rule_caches

D = Decimal

BASE: dict[str, Any] = {
    "patient": {
        "age_years": 70,
        "sex": "female",
        "pregnant": False,
        "hospitalized": False,
        "asa_class": 2,
        "can_lie_prone": True,
    },
    "pain": {
        "nrs": 7,
        "trend": "worsening",
        "duration_weeks": 4,
        "attributable_to_fracture": True,
        "radicular": False,
    },
    "conservative_care": {
        "tried": True,
        "duration_weeks": 4,
        "non_ambulatory_due_to_pain": False,
        "physical_therapy_intolerable": False,
        "analgesic_side_effects": False,
    },
    "function": {"rmdq": 12, "ambulation": "walker"},
    "neuro": {"deficit": False, "myelopathy": False},
    "infection": {"local": False, "systemic": False},
    "coagulation": {
        "inr": D("1.0"),
        "platelets_10e9_per_l": 250,
        "correctable": True,
        "anticoagulants": [],
    },
    "allergies": {"pmma": False, "contrast": False, "local_anaesthetic": False},
    "bone_health": {
        "t_score": D("-2.0"),
        "osteoporosis_treatment": True,
        "prior_vertebral_fractures": 0,
        "chronic_corticosteroids": False,
    },
    "surgical_backup_available": True,
    "planned_procedure_date": "2026-12-10",
    "fractures": [
        {
            "level": "L1",
            "etiology": "osteoporotic",
            "high_energy_trauma": False,
            "onset_date": "2026-11-01",
            "mri_oedema": True,
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
    ],
}


@pytest.fixture(autouse=True)
def _cold_caches() -> Iterator[None]:
    """Every test sees the rules compute afresh: the engine's memo tables and caches are
    emptied, so that no result remembered by an earlier test can hide what this one checks."""
    _clear()
    yield
    _clear()


def _clear() -> None:
    clear_rule_caches()


def snapshot(**changes: Any) -> dict[str, Any]:
    """BASE with changes given as dotted paths: snapshot(**{"pain.nrs": 4})."""
    data = copy.deepcopy(BASE)
    for path, value in changes.items():
        *parents, last = path.split(".")
        node: Any = data
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if value is _DELETE:
            del node[last]
        elif isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return data


_DELETE = object()


def run(data: dict[str, Any], settings: RuleSettings | None = None) -> EvaluationResult:
    return evaluate(parse_snapshot(data), settings or RuleSettings())


def only(result: EvaluationResult, rule: str, level: str | None = None) -> Finding:
    found = [f for f in result.findings if f.rule == rule and f.level == level]
    assert len(found) == 1, (rule, level, found)
    return found[0]


def listed(result: EvaluationResult, rule: str) -> list[Finding]:
    return [f for f in result.findings if f.rule == rule]


def status(data: dict[str, Any], rule: str, level: str | None = None) -> tuple[str, str]:
    finding = only(run(data), rule, level)
    return finding.kind, finding.status


def test_the_base_case_is_recommended() -> None:
    result = run(snapshot())
    assert result.decision == "recommended"
    assert status(snapshot(), "RC-AGE-UNDER-18") == ("relative_contraindication", "absent")


# --- §2.3 RC-AGE-UNDER-18: age < 18 ------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "expected", "decision"),
    [
        (0, "present", "specialist_review"),
        (16, "present", "specialist_review"),
        (17, "present", "specialist_review"),
        (18, "absent", "recommended"),
        (19, "absent", "recommended"),
    ],
)
def test_age_under_18(age: int, expected: str, decision: str) -> None:
    result = run(snapshot(**{"patient.age_years": age}))
    finding = only(result, "RC-AGE-UNDER-18")
    assert (finding.kind, finding.status) == ("relative_contraindication", expected)
    assert result.decision == decision
    if expected == "present":
        assert f"Age {age}" in finding.message


def test_age_not_recorded_is_asked_for_without_changing_the_decision() -> None:
    result = run(snapshot(**{"patient.age_years": _DELETE}))
    assert status(snapshot(**{"patient.age_years": _DELETE}), "RC-AGE-UNDER-18") == (
        "precondition",
        "missing",
    )
    assert result.decision == "recommended"


# --- §2.3 IND-PAIN-SEVERITY: NRS ≥ 8 in hospital, ≥ 5 outpatient; ≥ 8 met whatever; ≤ 4 not met


@pytest.mark.parametrize(
    ("nrs", "hospitalized", "expected"),
    [
        (4, False, ("indication", "not_met")),
        (5, False, ("indication", "met")),
        (6, False, ("indication", "met")),
        (4, True, ("indication", "not_met")),
        (5, True, ("indication", "not_met")),
        (7, True, ("indication", "not_met")),
        (8, True, ("indication", "met")),
        (9, True, ("indication", "met")),
        (10, True, ("indication", "met")),
        (4, None, ("indication", "not_met")),
        (5, None, ("missing_information", "missing")),
        (7, None, ("missing_information", "missing")),
        (8, None, ("indication", "met")),
        (1, False, ("indication", "not_met")),
    ],
)
def test_pain_severity(nrs: int, hospitalized: bool | None, expected: tuple[str, str]) -> None:
    data = snapshot(**{"pain.nrs": nrs, "patient.hospitalized": hospitalized})
    result = run(data)
    assert status(data, "IND-PAIN-SEVERITY") == expected
    decision = {
        ("indication", "met"): "recommended",
        ("indication", "not_met"): "not_recommended",
        ("missing_information", "missing"): "incomplete",
    }[expected]
    assert result.decision == decision
    assert f"NRS {nrs}" in only(result, "IND-PAIN-SEVERITY").message


def test_pain_severity_not_recorded_is_missing_information() -> None:
    data = snapshot(**{"pain.nrs": _DELETE})
    assert status(data, "IND-PAIN-SEVERITY") == ("missing_information", "missing")
    assert run(data).decision == "incomplete"


@pytest.mark.parametrize(("nrs", "expected"), [(0, "present"), (1, "absent")])
def test_nrs_0_is_an_asymptomatic_fracture(nrs: int, expected: str) -> None:
    data = snapshot(**{"pain.nrs": nrs})
    assert status(data, "CI-PAIN-NOT-FRACTURE") == ("absolute_contraindication", expected)
    assert run(data).decision == "not_recommended"  # NRS ≤ 4 is not met either


# --- §2.3 IND-PAIN-COURSE with stable pain: NRS ≥ 5 and two of height loss > 25 %, kyphosis,
# RMDQ > 17 -----------------------------------------------------------------------------------

# L1 heights: reference 28; min 21 → 25 % exactly (grade 1), min 20 → 28.6 % (grade 2).
GRADE_1 = {"anterior": 21, "middle": 22, "posterior": 27, "reference": 28}
GRADE_2 = {"anterior": 20, "middle": 22, "posterior": 27, "reference": 28}


def stable(**changes: Any) -> dict[str, Any]:
    """Stable pain, height loss 25 % (not an item), no kyphosis, RMDQ 12: no item present."""
    return snapshot(**{"pain.trend": "stable", "fractures.0.heights_mm": GRADE_1, **changes})


@pytest.mark.parametrize(
    ("rmdq", "expected"),
    [(16, "not_met"), (17, "not_met"), (18, "met"), (24, "met")],
)
def test_course_rmdq_above_17_counts_as_an_item(rmdq: int, expected: str) -> None:
    # Kyphosis present; height loss 25 % exactly (grade 1, not > 25 %): RMDQ decides.
    data = stable(
        **{
            "function.rmdq": rmdq,
            "fractures.0.kyphotic_deformity": True,
            "fractures.0.heights_mm": GRADE_1,
        }
    )
    assert status(data, "IND-PAIN-COURSE") == ("indication", expected)
    assert run(data).decision == ("recommended" if expected == "met" else "not_recommended")


@pytest.mark.parametrize(
    ("heights", "expected"),
    [(GRADE_1, "not_met"), (GRADE_2, "met")],
)
def test_course_height_loss_above_25_percent_counts_as_an_item(
    heights: dict[str, int], expected: str
) -> None:
    data = stable(**{"fractures.0.kyphotic_deformity": True, "fractures.0.heights_mm": heights})
    assert status(data, "IND-PAIN-COURSE") == ("indication", expected)


@pytest.mark.parametrize(("nrs", "expected"), [(4, "not_met"), (5, "met"), (6, "met")])
def test_course_stable_pain_needs_nrs_5(nrs: int, expected: str) -> None:
    data = stable(
        **{
            "pain.nrs": nrs,
            "function.rmdq": 18,
            "fractures.0.kyphotic_deformity": True,
        }
    )
    assert status(data, "IND-PAIN-COURSE") == ("indication", expected)


def test_course_items_one_present_one_unknown_is_missing_and_none_is_not_met() -> None:
    one_and_unknown = stable(**{"function.rmdq": 18, "fractures.0.kyphotic_deformity": _DELETE})
    assert status(one_and_unknown, "IND-PAIN-COURSE") == ("missing_information", "missing")
    assert run(one_and_unknown).decision == "incomplete"
    two_unknown = stable(**{"function.rmdq": _DELETE, "fractures.0.kyphotic_deformity": _DELETE})
    assert status(two_unknown, "IND-PAIN-COURSE") == ("missing_information", "missing")
    one_only = stable(**{"function.rmdq": 18})
    assert status(one_only, "IND-PAIN-COURSE") == ("indication", "not_met")
    three = stable(
        **{
            "function.rmdq": 18,
            "fractures.0.kyphotic_deformity": True,
            "fractures.0.heights_mm": GRADE_2,
        }
    )
    finding = only(run(three), "IND-PAIN-COURSE")
    assert (finding.kind, finding.status) == ("indication", "met")
    for item in ("height loss > 25 %", "kyphotic deformity", "RMDQ > 17"):
        assert item in finding.message
    no_nrs = stable(
        **{"pain.nrs": _DELETE, "function.rmdq": 18, "fractures.0.kyphotic_deformity": True}
    )
    assert status(no_nrs, "IND-PAIN-COURSE") == ("missing_information", "missing")


@pytest.mark.parametrize(
    ("trend", "course", "improving"),
    [
        ("worsening", ("indication", "met"), ("absolute_contraindication", "absent")),
        ("improving", ("indication", "not_met"), ("absolute_contraindication", "present")),
        (None, ("missing_information", "missing"), ("precondition", "missing")),
    ],
)
def test_pain_trend(trend: str | None, course: tuple[str, str], improving: tuple[str, str]) -> None:
    data = snapshot(**{"pain.trend": trend})
    assert status(data, "IND-PAIN-COURSE") == course
    assert status(data, "CI-IMPROVING") == improving


def test_course_is_not_applied_to_a_metastasis() -> None:
    data = snapshot(
        **{
            "pain.trend": "stable",
            "fractures.0.etiology": "metastasis",
            "fractures.0.lesion": "lytic",
            "fractures.0.sins": {
                "pain": "none",
                "alignment": "normal",
                "collapse": "none",
                "posterolateral": "none",
            },
        }
    )
    assert listed(run(data), "IND-PAIN-COURSE") == []


# --- §2.3 IND-CONSERVATIVE-CARE --------------------------------------------------------------


@pytest.mark.parametrize(
    ("tried", "failure", "expected"),
    [
        (True, None, ("indication", "met")),
        (False, None, ("indication", "not_met")),
        (None, None, ("missing_information", "missing")),
        (False, "non_ambulatory_due_to_pain", ("indication", "met")),
        (False, "physical_therapy_intolerable", ("indication", "met")),
        (False, "analgesic_side_effects", ("indication", "met")),
        (None, "analgesic_side_effects", ("indication", "met")),
    ],
)
def test_conservative_care(
    tried: bool | None, failure: str | None, expected: tuple[str, str]
) -> None:
    changes: dict[str, Any] = {"conservative_care.tried": tried}
    if failure:
        changes[f"conservative_care.{failure}"] = True
    data = snapshot(**changes)
    assert status(data, "IND-CONSERVATIVE-CARE") == expected
    message = only(run(data), "IND-CONSERVATIVE-CARE").message
    if failure and tried is not True:
        assert "Confirm that analgesia was given" in message


def test_conservative_care_absent_failures_with_tried_unknown_is_missing() -> None:
    data = snapshot(
        **{
            "conservative_care.tried": None,
            "conservative_care.non_ambulatory_due_to_pain": None,
            "conservative_care.physical_therapy_intolerable": None,
            "conservative_care.analgesic_side_effects": None,
        }
    )
    assert status(data, "IND-CONSERVATIVE-CARE") == ("missing_information", "missing")
    assert run(data).decision == "incomplete"


# --- §2.4 CI-COAGULOPATHY and §2.5 PRE-COAG: INR ≤ 1.5 (setting 1.5–1.8), platelets ≥ 50 -------


@pytest.mark.parametrize(
    ("inr", "platelets", "expected"),
    [
        (D("1.4"), 50, "absent"),
        (D("1.5"), 50, "absent"),
        (D("1.50"), 51, "absent"),
        (D("1.51"), 50, "present"),
        (D("1.6"), 250, "present"),
        (D("1.0"), 49, "present"),
        (D("1.0"), D("49.9"), "present"),
        (D("1.0"), 50, "absent"),
        (None, 250, "missing"),
        (D("1.0"), None, "missing"),
        (D("2.0"), None, "present"),
    ],
)
def test_pre_coag_targets(inr: Decimal | None, platelets: Any, expected: str) -> None:
    data = snapshot(**{"coagulation.inr": inr, "coagulation.platelets_10e9_per_l": platelets})
    result = run(data)
    finding = only(result, "PRE-COAG")
    assert (finding.kind, finding.status) == ("precondition", expected)
    assert result.decision == "recommended"  # preconditions never change the decision
    if expected == "present" and inr is not None and inr > D("1.5"):
        assert f"INR {inr} (target ≤ 1.5)" in finding.message
    if expected == "present" and platelets is not None and platelets < 50:
        assert f"platelets {platelets} ×10⁹/L (target ≥ 50)" in finding.message
    if inr is None:
        assert "Order INR" in finding.message
    if platelets is None:
        assert "Order platelets" in finding.message


@pytest.mark.parametrize(
    ("inr", "inr_max", "expected"),
    [
        (D("1.8"), D("1.8"), "absent"),
        (D("1.81"), D("1.8"), "present"),
        (D("1.6"), D("1.5"), "present"),
    ],
)
def test_pre_coag_inr_setting(inr: Decimal, inr_max: Decimal, expected: str) -> None:
    data = snapshot(**{"coagulation.inr": inr})
    finding = only(run(data, RuleSettings(inr_max=inr_max)), "PRE-COAG")
    assert finding.status == expected


@pytest.mark.parametrize(
    ("inr", "platelets", "expected"),
    [
        (D("1.5"), 50, ("absolute_contraindication", "absent")),
        (D("1.51"), 50, ("precondition", "missing")),
        (D("1.5"), 49, ("precondition", "missing")),
        (None, 50, ("precondition", "missing")),
        (D("1.0"), None, ("precondition", "missing")),
    ],
)
def test_coagulopathy_correctability_unknown(
    inr: Decimal | None, platelets: int | None, expected: tuple[str, str]
) -> None:
    data = snapshot(
        **{
            "coagulation.correctable": None,
            "coagulation.inr": inr,
            "coagulation.platelets_10e9_per_l": platelets,
        }
    )
    assert status(data, "CI-COAGULOPATHY") == expected


@pytest.mark.parametrize(
    ("correctable", "expected", "decision"),
    [
        (False, ("absolute_contraindication", "present"), "not_recommended"),
        (True, ("absolute_contraindication", "absent"), "recommended"),
    ],
)
def test_coagulopathy(correctable: bool, expected: tuple[str, str], decision: str) -> None:
    data = snapshot(**{"coagulation.correctable": correctable, "coagulation.inr": D("2.5")})
    assert status(data, "CI-COAGULOPATHY") == expected
    assert run(data).decision == decision


# --- §2.4 yes/no contraindications and their settings -----------------------------------------


@pytest.mark.parametrize(
    ("path", "rule", "kind", "decision"),
    [
        ("infection.local", "CI-INFECTION", "absolute_contraindication", "not_recommended"),
        ("infection.systemic", "CI-INFECTION", "absolute_contraindication", "not_recommended"),
        ("allergies.pmma", "CI-ALLERGY", "absolute_contraindication", "not_recommended"),
        ("pain.radicular", "RC-NEURO", "relative_contraindication", "specialist_review"),
        ("neuro.deficit", "RC-NEURO", "relative_contraindication", "specialist_review"),
        ("neuro.myelopathy", "RC-NEURO", "relative_contraindication", "specialist_review"),
    ],
)
def test_yes_no_contraindications(path: str, rule: str, kind: str, decision: str) -> None:
    yes = snapshot(**{path: True})
    assert status(yes, rule) == (kind, "present")
    assert run(yes).decision == decision
    assert status(snapshot(), rule) == (kind, "absent")
    unknown = snapshot(**{path: None})
    assert status(unknown, rule) == ("precondition", "missing")
    assert run(unknown).decision == "recommended"


def test_infection_messages_say_where() -> None:
    local = only(run(snapshot(**{"infection.local": True})), "CI-INFECTION").message
    systemic = only(run(snapshot(**{"infection.systemic": True})), "CI-INFECTION").message
    assert "target level" in local
    assert "systemic" in systemic


def test_pregnancy_and_allergy_settings_change_the_kind() -> None:
    pregnant = snapshot(**{"patient.pregnant": True, "patient.age_years": 30})
    assert status(pregnant, "CI-PREGNANCY") == ("absolute_contraindication", "present")
    assert run(pregnant).decision == "not_recommended"
    relative = run(pregnant, RuleSettings(pregnancy_contraindication="relative"))
    finding = only(relative, "CI-PREGNANCY")
    assert (finding.kind, finding.status) == ("relative_contraindication", "present")
    assert relative.decision == "specialist_review"
    allergic = snapshot(**{"allergies.pmma": True})
    relative = run(allergic, RuleSettings(pmma_allergy_contraindication="relative"))
    finding = only(relative, "CI-ALLERGY")
    assert (finding.kind, finding.status) == ("relative_contraindication", "present")
    assert relative.decision == "specialist_review"
    not_pregnant = run(snapshot(), RuleSettings(pregnancy_contraindication="relative"))
    assert only(not_pregnant, "CI-PREGNANCY").kind == "relative_contraindication"


def test_surgical_backup() -> None:
    none = snapshot(surgical_backup_available=False)
    assert status(none, "RC-NO-BACKUP") == ("relative_contraindication", "present")
    assert run(none).decision == "specialist_review"
    assert status(snapshot(), "RC-NO-BACKUP") == ("relative_contraindication", "absent")
    unknown = snapshot(surgical_backup_available=None)
    assert status(unknown, "RC-NO-BACKUP") == ("precondition", "missing")
    not_required = run(none, RuleSettings(surgical_backup_required=False))
    assert listed(not_required, "RC-NO-BACKUP") == []
    assert not_required.decision == "recommended"


def test_pain_not_attributable() -> None:
    no = snapshot(**{"pain.attributable_to_fracture": False})
    assert status(no, "CI-PAIN-NOT-FRACTURE") == ("absolute_contraindication", "present")
    assert run(no).decision == "not_recommended"
    unknown = snapshot(**{"pain.attributable_to_fracture": None})
    assert status(unknown, "CI-PAIN-NOT-FRACTURE") == ("missing_information", "missing")
    assert run(unknown).decision == "incomplete"


# --- §2.5 PRE-PREGNANCY-TEST: sex not male, age < 55 or unknown, pregnancy unknown -------------


@pytest.mark.parametrize(
    ("sex", "age", "test", "pregnancy"),
    [
        ("female", 54, "present", "missing"),
        ("female", 55, "absent", "absent"),
        ("female", 56, "absent", "absent"),
        ("female", None, "present", "missing"),
        ("other", 40, "present", "missing"),
        (None, 40, "present", "missing"),
        ("male", 30, "absent", "absent"),
    ],
)
def test_pregnancy_test_below_55(
    sex: str | None, age: int | None, test: str, pregnancy: str
) -> None:
    data = snapshot(**{"patient.sex": sex, "patient.age_years": age, "patient.pregnant": None})
    result = run(data)
    assert only(result, "PRE-PREGNANCY-TEST").status == test
    assert only(result, "CI-PREGNANCY").status == pregnancy
    if pregnancy == "missing":
        assert only(result, "CI-PREGNANCY").kind == "precondition"


def test_pregnancy_recorded_needs_no_test() -> None:
    data = snapshot(**{"patient.age_years": 30, "patient.pregnant": False})
    assert only(run(data), "PRE-PREGNANCY-TEST").status == "absent"


# --- §2.4 RC-LEVELS: more than 3 target levels ------------------------------------------------


def _levels(names: list[str], unknown: list[str] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    base = BASE["fractures"][0]
    fractures = [{**copy.deepcopy(base), "level": name} for name in names]
    for name in unknown:
        fractures.append({**copy.deepcopy(base), "level": name, "mri_oedema": None})
    return snapshot(fractures=fractures)


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["T12", "L1", "L2"], ("relative_contraindication", "absent")),
        (["T11", "T12", "L1", "L2"], ("relative_contraindication", "present")),
    ],
)
def test_more_than_three_target_levels(names: list[str], expected: tuple[str, str]) -> None:
    data = _levels(names)
    assert status(data, "RC-LEVELS") == expected
    message = only(run(data), "RC-LEVELS").message
    assert str(len(names)) in message


def test_levels_of_unknown_acuity_may_exceed_three() -> None:
    data = _levels(["T12", "L1", "L2"], unknown=["L3"])
    assert status(data, "RC-LEVELS") == ("precondition", "missing")
    data = _levels(["T12", "L1"], unknown=["L3"])
    assert status(data, "RC-LEVELS") == ("relative_contraindication", "absent")
    single = only(run(_levels(["L1"])), "RC-LEVELS").message
    assert "1 target level " in single


# --- §2.4 RC-RETROPULSION: canal compromise above the setting (default 0) ----------------------


@pytest.mark.parametrize(
    ("percent", "setting", "expected"),
    [
        (0, D(0), "absent"),
        (D("0.1"), D(0), "present"),
        (5, D(0), "present"),
        (10, D(10), "absent"),
        (D("10.1"), D(10), "present"),
    ],
)
def test_canal_compromise(percent: Any, setting: Decimal, expected: str) -> None:
    data = snapshot(**{"fractures.0.canal_compromise_percent": percent})
    result = run(data, RuleSettings(canal_compromise_max_percent=setting))
    finding = only(result, "RC-RETROPULSION", "L1")
    assert (finding.kind, finding.status) == ("relative_contraindication", expected)
    assert result.decision == ("specialist_review" if expected == "present" else "recommended")


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("fractures.0.retropulsion", True, "present"),
        ("fractures.0.posterior_wall", "distinct", "present"),
        ("fractures.0.posterior_wall", "minor", "absent"),
    ],
)
def test_retropulsion_items(path: str, value: Any, expected: str) -> None:
    assert status(snapshot(**{path: value}), "RC-RETROPULSION", "L1")[1] == expected


# --- §2.4 RC-SEVERE-COLLAPSE: height loss ≥ 2/3, exactly -------------------------------------


@pytest.mark.parametrize(
    ("smallest", "expected"),
    [(D("10.1"), "absent"), (D(10), "present"), (D("9.9"), "present")],
)
def test_severe_collapse_two_thirds(smallest: Decimal, expected: str) -> None:
    heights = {"anterior": smallest, "middle": 22, "posterior": 27, "reference": 30}
    data = snapshot(**{"fractures.0.heights_mm": heights})
    assert status(data, "RC-SEVERE-COLLAPSE", "L1") == ("relative_contraindication", expected)


def test_severe_collapse_setting() -> None:
    heights = {"anterior": 15, "middle": 22, "posterior": 27, "reference": 30}  # loss 1/2
    data = snapshot(**{"fractures.0.heights_mm": heights})
    assert status(data, "RC-SEVERE-COLLAPSE", "L1")[1] == "absent"
    finding = only(
        run(data, RuleSettings(severe_collapse_fraction=(1, 2))), "RC-SEVERE-COLLAPSE", "L1"
    )
    assert finding.status == "present"


# --- §3.1 Genant grades: < 20 % normal, 20–25 mild, > 25–40 moderate, > 40 severe ------------


@pytest.mark.parametrize(
    ("smallest", "grade", "label"),
    [
        (D("80.1"), 0, "normal"),
        (D(80), 1, "mild"),  # 20 % exactly
        (D(75), 1, "mild"),  # 25 % exactly
        (D("74.9"), 2, "moderate"),
        (D(60), 2, "moderate"),  # 40 % exactly
        (D("59.9"), 3, "severe"),
        (D(100), 0, "normal"),
        (D(120), 0, "normal"),  # above the reference: loss 0
    ],
)
def test_genant_bands(smallest: Decimal, grade: int, label: str) -> None:
    heights = {"anterior": smallest, "middle": 100, "posterior": 100, "reference": 100}
    level = run(snapshot(**{"fractures.0.heights_mm": heights})).levels[0]
    assert level.genant is not None
    assert (level.genant.grade, level.genant.label) == (grade, label)
    assert level.genant.at_least is False


def test_genant_boundary_is_exact_not_floating_point() -> None:
    # 1 − 20/25 is below 0.2 in binary floating point; exactly it is 20 %: grade 1.
    heights = {"anterior": 20, "middle": 25, "posterior": 25, "reference": 25}
    level = run(snapshot(**{"fractures.0.heights_mm": heights})).levels[0]
    assert level.genant is not None
    assert level.genant.grade == 1
    assert level.genant.height_loss_percent == 20.0


@pytest.mark.parametrize(
    ("heights", "morphology"),
    [
        ({"anterior": 70, "middle": 90, "posterior": 100, "reference": 100}, "wedge"),
        ({"anterior": 90, "middle": 70, "posterior": 100, "reference": 100}, "biconcave"),
        (
            {"anterior": 90, "middle": 90, "posterior": 80, "reference": 100},
            "crush",
        ),  # Hp loss 20 %
        (
            {"anterior": 70, "middle": 80, "posterior": 81, "reference": 100},
            "wedge",
        ),  # Hp loss 19 %
        ({"anterior": 74, "middle": 76, "posterior": 82, "reference": 100}, "crush"),  # 74 ≥ 73.8
        ({"anterior": 73, "middle": 76, "posterior": 82, "reference": 100}, "wedge"),  # 73 < 73.8
        ({"anterior": 85, "middle": 90, "posterior": 100, "reference": 100}, None),  # grade 0
    ],
)
def test_genant_morphology(heights: dict[str, int], morphology: str | None) -> None:
    level = run(snapshot(**{"fractures.0.heights_mm": heights})).levels[0]
    assert level.genant is not None
    assert level.genant.morphology == morphology


def test_genant_without_reference_is_at_least() -> None:
    heights = {"anterior": 70, "middle": 90, "posterior": 100}
    level = run(snapshot(**{"fractures.0.heights_mm": heights})).levels[0]
    assert level.genant is not None
    assert (level.genant.grade, level.genant.at_least) == (2, True)
    assert level.genant.morphology == "wedge"


# --- §3.2 OF type ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "of_type"),
    [
        ({"fractures.0.tension_band_failure": True}, "OF5"),
        ({"fractures.0.both_endplates": True}, "OF4"),
        ({"fractures.0.posterior_wall": "distinct"}, "OF3"),
        ({}, "OF2"),  # grade 2 (28.6 %) and an intact wall
        (
            {
                "fractures.0.heights_mm": {
                    "anterior": 27,
                    "middle": 27,
                    "posterior": 27,
                    "reference": 28,
                }
            },
            "OF1",
        ),
        (
            {
                "fractures.0.heights_mm": {
                    "anterior": 27,
                    "middle": 27,
                    "posterior": 27,
                    "reference": 28,
                },
                "fractures.0.mri_oedema": False,
                "fractures.0.bone_scan_uptake": True,
            },
            "none",
        ),
        ({"fractures.0.tension_band_failure": None}, None),
        ({"fractures.0.both_endplates": None}, None),
    ],
)
def test_of_type(changes: dict[str, Any], of_type: str | None) -> None:
    assert run(snapshot(**changes)).levels[0].of_type == of_type


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"fractures.0.tension_band_failure": True}, "present"),
        ({"fractures.0.both_endplates": True}, "present"),
        ({"fractures.0.posterior_wall": "distinct"}, "absent"),
        ({}, "absent"),
    ],
)
def test_instability_of_4_and_5(changes: dict[str, Any], expected: str) -> None:
    assert status(snapshot(**changes), "RC-INSTABILITY", "L1") == (
        "relative_contraindication",
        expected,
    )


# --- §3.4 SINS bands and RC-INSTABILITY at a neoplastic level ----------------------------------

# L1 is junctional (3 points), a blastic lesion 0: the four components make up the rest.
SINS_CASES = [
    # (lesion, pain, alignment, collapse, posterolateral) → total, band
    (("blastic", "occasional", "normal", "none", "unilateral"), 5, "stable"),
    (("blastic", "occasional", "de_novo_deformity", "none", "none"), 6, "stable"),
    (("mixed", "occasional", "de_novo_deformity", "none", "none"), 7, "indeterminate"),
    (
        ("lytic", "mechanical", "de_novo_deformity", "none_over_50_involved", "unilateral"),
        12,
        "indeterminate",
    ),
    (("lytic", "mechanical", "de_novo_deformity", "under_50", "unilateral"), 13, "unstable"),
    (("lytic", "mechanical", "subluxation", "over_50", "bilateral"), 18, "unstable"),
]


@pytest.mark.parametrize(("components", "total", "band"), SINS_CASES)
def test_sins_bands_and_instability(components: tuple[str, ...], total: int, band: str) -> None:
    lesion, pain, alignment, collapse, posterolateral = components
    data = snapshot(
        **{
            "fractures.0.etiology": "metastasis",
            "fractures.0.lesion": lesion,
            "fractures.0.mri_oedema": True,
            "fractures.0.sins": {
                "pain": pain,
                "alignment": alignment,
                "collapse": collapse,
                "posterolateral": posterolateral,
            },
        }
    )
    result = run(data)
    sins = result.levels[0].sins
    assert sins is not None
    assert (sins.total, sins.minimum, sins.maximum, sins.band) == (total, total, total, band)
    expected = "present" if total >= 7 else "absent"
    assert status(data, "RC-INSTABILITY", "L1") == ("relative_contraindication", expected)


@pytest.mark.parametrize(
    ("level", "points"),
    [("C1", 3), ("C2", 3), ("C3", 2), ("C6", 2), ("C7", 3), ("T1", 3), ("T2", 3), ("T3", 1),
     ("T10", 1), ("T11", 3), ("T12", 3), ("L1", 3), ("L2", 2), ("L4", 2), ("L5", 3), ("S1", 3)],
)  # fmt: skip
def test_sins_location(level: str, points: int) -> None:
    data = snapshot(
        **{
            "fractures.0.level": level,
            "fractures.0.etiology": "myeloma",
            "fractures.0.lesion": "blastic",
            "fractures.0.sins": {
                "pain": "none",
                "alignment": "normal",
                "collapse": "none",
                "posterolateral": "none",
            },
        }
    )
    sins = run(data).levels[0].sins
    assert sins is not None
    assert sins.total == points


@pytest.mark.parametrize(
    ("known", "minimum", "maximum", "band", "expected"),
    [
        # lesion lytic (2) + L1 (3); pain missing (0–3) + others none: 5–8 → missing
        ({"alignment": "normal", "collapse": "none", "posterolateral": "none"},
         5, 8, None, "missing"),
        # + subluxation 4: 9–12 → indeterminate, present
        ({"alignment": "subluxation", "collapse": "none", "posterolateral": "none"},
         9, 12, "indeterminate", "present"),
    ],
)  # fmt: skip
def test_sins_with_a_missing_component(
    known: dict[str, str], minimum: int, maximum: int, band: str | None, expected: str
) -> None:
    data = snapshot(
        **{
            "fractures.0.etiology": "metastasis",
            "fractures.0.lesion": "lytic",
            "fractures.0.sins": known,
        }
    )
    result = run(data)
    sins = result.levels[0].sins
    assert sins is not None
    assert (sins.total, sins.minimum, sins.maximum, sins.band) == (None, minimum, maximum, band)
    finding = only(result, "RC-INSTABILITY", "L1")
    assert finding.status == expected
    if expected == "missing":
        assert finding.kind == "missing_information"
        assert result.decision == "incomplete"


def test_sins_minimum_at_most_six_is_absent() -> None:
    # blastic (0) + L3 mobile (2); pain missing (0–3); the rest none: 2–5 → stable, absent.
    data = snapshot(
        **{
            "fractures.0.level": "L3",
            "fractures.0.etiology": "metastasis",
            "fractures.0.lesion": "blastic",
            "fractures.0.sins": {
                "alignment": "normal",
                "collapse": "none",
                "posterolateral": "none",
            },
        }
    )
    result = run(data)
    sins = result.levels[0].sins
    assert sins is not None
    assert (sins.minimum, sins.maximum, sins.band) == (2, 5, "stable")
    assert only(result, "RC-INSTABILITY", "L3").status == "absent"


# --- §2.6 risks: embolism ≥ 3 levels, < 2 weeks; new fracture T ≤ −2.5 ---------------------------


@pytest.mark.parametrize(
    ("onset", "recent"),
    [("2026-11-27", True), ("2026-11-26", False), ("2026-11-25", False)],
)
def test_embolism_procedure_within_two_weeks_of_the_fracture(onset: str, recent: bool) -> None:
    # One lumbar level: recency is the only possible factor. Planned 2026-12-10.
    data = snapshot(**{"fractures.0.onset_date": onset})
    findings = listed(run(data), "RISK-CEMENT-EMBOLISM")
    days = (dt.date(2026, 12, 10) - dt.date.fromisoformat(onset)).days
    assert bool(findings) == recent == (days < 14)
    if recent:
        assert "procedure < 2 weeks after the fracture at L1" in findings[0].message


@pytest.mark.parametrize(("count", "factor"), [(2, False), (3, True), (4, True)])
def test_embolism_three_or_more_levels(count: int, factor: bool) -> None:
    names = ["L2", "L3", "L4", "L5"][:count]
    data = _levels(names)
    data["fractures"] = [{**f, "onset_date": "2026-10-01"} for f in data["fractures"]]
    findings = listed(run(data), "RISK-CEMENT-EMBOLISM")
    text = findings[0].message if findings else ""
    assert ("OR 2.41" in text) == factor
    if factor:
        assert f"{count} treated levels" in text
    else:
        assert findings == []  # lumbar, not recent, fewer than 3: no factor


@pytest.mark.parametrize(
    ("t_score", "factor"),
    [(D("-2.4"), False), (D("-2.5"), True), (D("-2.6"), True)],
)
def test_new_fracture_low_bone_density(t_score: Decimal, factor: bool) -> None:
    # A man with an L4 fracture (outside T11–L2) and no other factor: the T-score decides.
    data = snapshot(
        **{"bone_health.t_score": t_score, "patient.sex": "male", "fractures.0.level": "L4"}
    )
    findings = listed(run(data), "RISK-NEW-FRACTURE")
    assert bool(findings) == factor
    if factor:
        assert f"low bone density (T-score {t_score}" in findings[0].message


def test_new_fracture_factors() -> None:
    data = snapshot(
        **{
            "patient.sex": "female",
            "bone_health.prior_vertebral_fractures": 2,
            "bone_health.chronic_corticosteroids": True,
            "fractures.0.intravertebral_cleft": True,
            "fractures.0.kyphotic_deformity": True,
        }
    )
    (finding,) = listed(run(data), "RISK-NEW-FRACTURE")
    for text in (
        "2 prior vertebral fractures",
        "OR 1.43",
        "female sex (OR 1.34)",
        "intravertebral cleft at L1",
        "kyphosis at L1",
        "thoracolumbar junction (T11–L2): L1",
        "chronic corticosteroids",
        "13.4 %",
        "Age 70",
    ):
        assert text in finding.message
    assert finding.kind == "risk"
    assert finding.status == "present"


# --- The same expectations asked one after the other in one process ---------------------------
# Asked in one process, two snapshots that differ in one deciding fact must never share an
# answer (a guard against any cache of the rules). Each case: changes to BASE, the rule,
# its level, and the (kind, status) the reference gives.

REL, ABS, PRE, IND, MISS = (
    "relative_contraindication",
    "absolute_contraindication",
    "precondition",
    "indication",
    "missing_information",
)
REPLAY: list[tuple[dict[str, Any], str, str | None, tuple[str, str]]] = [
    ({"patient.age_years": 17}, "RC-AGE-UNDER-18", None, (REL, "present")),
    ({"patient.age_years": 18}, "RC-AGE-UNDER-18", None, (REL, "absent")),
    ({"patient.age_years": None}, "RC-AGE-UNDER-18", None, (PRE, "missing")),
    ({"pain.nrs": 4}, "IND-PAIN-SEVERITY", None, (IND, "not_met")),
    ({"pain.nrs": 5}, "IND-PAIN-SEVERITY", None, (IND, "met")),
    ({"pain.nrs": 5, "patient.hospitalized": True}, "IND-PAIN-SEVERITY", None, (IND, "not_met")),
    ({"pain.nrs": 5, "patient.hospitalized": None}, "IND-PAIN-SEVERITY", None, (MISS, "missing")),
    ({"pain.nrs": 8, "patient.hospitalized": True}, "IND-PAIN-SEVERITY", None, (IND, "met")),
    ({"pain.nrs": 7, "patient.hospitalized": True}, "IND-PAIN-SEVERITY", None, (IND, "not_met")),
    ({"pain.nrs": 0}, "CI-PAIN-NOT-FRACTURE", None, (ABS, "present")),
    ({"pain.attributable_to_fracture": False}, "CI-PAIN-NOT-FRACTURE", None, (ABS, "present")),
    ({"pain.attributable_to_fracture": None}, "CI-PAIN-NOT-FRACTURE", None, (MISS, "missing")),
    ({}, "CI-PAIN-NOT-FRACTURE", None, (ABS, "absent")),
    ({"pain.trend": "improving"}, "CI-IMPROVING", None, (ABS, "present")),
    ({"pain.trend": "stable"}, "CI-IMPROVING", None, (ABS, "absent")),
    ({"pain.trend": None}, "CI-IMPROVING", None, (PRE, "missing")),
    ({"conservative_care.tried": False}, "IND-CONSERVATIVE-CARE", None, (IND, "not_met")),
    ({"conservative_care.tried": None}, "IND-CONSERVATIVE-CARE", None, (MISS, "missing")),
    (
        {"conservative_care.tried": False, "conservative_care.analgesic_side_effects": True},
        "IND-CONSERVATIVE-CARE",
        None,
        (IND, "met"),
    ),
    ({"coagulation.inr": D("1.51")}, "PRE-COAG", None, (PRE, "present")),
    ({"coagulation.inr": D("1.5")}, "PRE-COAG", None, (PRE, "absent")),
    ({"coagulation.inr": None}, "PRE-COAG", None, (PRE, "missing")),
    ({"coagulation.platelets_10e9_per_l": 49}, "PRE-COAG", None, (PRE, "present")),
    ({"coagulation.platelets_10e9_per_l": 50}, "PRE-COAG", None, (PRE, "absent")),
    ({"coagulation.correctable": False}, "CI-COAGULOPATHY", None, (ABS, "present")),
    ({"coagulation.correctable": None}, "CI-COAGULOPATHY", None, (ABS, "absent")),
    (
        {"coagulation.correctable": None, "coagulation.inr": D("1.6")},
        "CI-COAGULOPATHY",
        None,
        (PRE, "missing"),
    ),
    ({"infection.local": True}, "CI-INFECTION", None, (ABS, "present")),
    ({"infection.systemic": True}, "CI-INFECTION", None, (ABS, "present")),
    ({"infection.local": None}, "CI-INFECTION", None, (PRE, "missing")),
    ({"allergies.pmma": True}, "CI-ALLERGY", None, (ABS, "present")),
    ({"allergies.pmma": None}, "CI-ALLERGY", None, (PRE, "missing")),
    ({"allergies.contrast": True}, "PRE-ALLERGY-CONTRAST", None, (PRE, "present")),
    ({"allergies.contrast": None}, "PRE-ALLERGY-CONTRAST", None, (PRE, "missing")),
    ({}, "PRE-ALLERGY-CONTRAST", None, (PRE, "absent")),
    ({"allergies.local_anaesthetic": True}, "PRE-ALLERGY-LA", None, (PRE, "present")),
    ({"allergies.local_anaesthetic": None}, "PRE-ALLERGY-LA", None, (PRE, "missing")),
    ({}, "PRE-ALLERGY-LA", None, (PRE, "absent")),
    ({"patient.pregnant": True}, "CI-PREGNANCY", None, (ABS, "present")),
    (
        {"patient.pregnant": None, "patient.age_years": 54},
        "PRE-PREGNANCY-TEST",
        None,
        (PRE, "present"),
    ),
    (
        {"patient.pregnant": None, "patient.age_years": 55},
        "PRE-PREGNANCY-TEST",
        None,
        (PRE, "absent"),
    ),
    (
        {"patient.pregnant": None, "patient.sex": "male", "patient.age_years": 30},
        "CI-PREGNANCY",
        None,
        (ABS, "absent"),
    ),
    ({"patient.pregnant": None, "patient.age_years": 30}, "CI-PREGNANCY", None, (PRE, "missing")),
    ({"pain.radicular": True}, "RC-NEURO", None, (REL, "present")),
    ({"neuro.deficit": True}, "RC-NEURO", None, (REL, "present")),
    ({"neuro.myelopathy": True}, "RC-NEURO", None, (REL, "present")),
    ({"neuro.myelopathy": None}, "RC-NEURO", None, (PRE, "missing")),
    ({"pain.radicular": None, "neuro.deficit": True}, "RC-NEURO", None, (REL, "present")),
    ({}, "RC-NEURO", None, (REL, "absent")),
    ({"surgical_backup_available": False}, "RC-NO-BACKUP", None, (REL, "present")),
    ({"surgical_backup_available": None}, "RC-NO-BACKUP", None, (PRE, "missing")),
    ({"fractures.0.canal_compromise_percent": D("0.1")}, "RC-RETROPULSION", "L1", (REL, "present")),
    ({"fractures.0.retropulsion": True}, "RC-RETROPULSION", "L1", (REL, "present")),
    ({}, "RC-RETROPULSION", "L1", (REL, "absent")),
    ({"fractures.0.epidural_extension": True}, "RC-EPIDURAL", "L1", (REL, "present")),
    ({}, "RC-EPIDURAL", "L1", (REL, "absent")),
    ({"fractures.0.high_energy_trauma": True}, "RC-HIGH-ENERGY-TRAUMA", "L1", (REL, "present")),
    ({}, "RC-HIGH-ENERGY-TRAUMA", "L1", (REL, "absent")),
    (
        {
            "fractures.0.heights_mm": {
                "anterior": 10,
                "middle": 22,
                "posterior": 27,
                "reference": 30,
            }
        },
        "RC-SEVERE-COLLAPSE",
        "L1",
        (REL, "present"),
    ),
    (
        {
            "fractures.0.heights_mm": {
                "anterior": 11,
                "middle": 22,
                "posterior": 27,
                "reference": 30,
            }
        },
        "RC-SEVERE-COLLAPSE",
        "L1",
        (REL, "absent"),
    ),
    ({"fractures.0.both_endplates": True}, "RC-INSTABILITY", "L1", (REL, "present")),
    ({}, "RC-INSTABILITY", "L1", (REL, "absent")),
    ({"fractures.0.level": "C5"}, "RC-LEVEL-RANGE", "C5", (REL, "present")),
    ({"fractures.0.mri_oedema": False}, "CI-NO-ACUTE-FRACTURE", None, (ABS, "present")),
    ({"fractures.0.mri_oedema": None}, "IND-ACUTE-FRACTURE", None, (MISS, "missing")),
    ({"fractures.0.mri_oedema": False}, "IND-ACUTE-FRACTURE", None, (IND, "not_met")),
    ({}, "IND-ACUTE-FRACTURE", None, (IND, "met")),
    ({"fractures": []}, "IND-ACUTE-FRACTURE", None, (MISS, "missing")),
    (
        {"pain.trend": "stable", "function.rmdq": 18, "fractures.0.kyphotic_deformity": True},
        "IND-PAIN-COURSE",
        None,
        (IND, "met"),
    ),
    (
        {
            "pain.trend": "stable",
            "function.rmdq": 17,
            "fractures.0.kyphotic_deformity": True,
            "fractures.0.heights_mm": GRADE_1,
        },
        "IND-PAIN-COURSE",
        None,
        (IND, "not_met"),
    ),
    (
        {
            "pain.trend": "stable",
            "pain.nrs": 4,
            "function.rmdq": 18,
            "fractures.0.kyphotic_deformity": True,
        },
        "IND-PAIN-COURSE",
        None,
        (IND, "not_met"),
    ),
]


def _replay(cases: list[tuple[dict[str, Any], str, str | None, tuple[str, str]]]) -> None:
    for changes, rule, level, expected in cases:
        result = run(snapshot(**changes))
        finding = only(result, rule, level)
        assert (finding.kind, finding.status) == expected, (changes, rule)
        for listed_finding in result.findings:  # every finding cites its source (§1 keys)
            assert _cites(listed_finding), listed_finding


SOURCE_KEYS = (
    "LCD", "CCP2018", "SIR2014", "ACRPP", "CIRSE2017", "SIR2019COAG", "ASRA2018", "GENANT1993",
    "OF2018", "OFSCORE2018", "SINS2010", "YEOM2003", "LEAK2017", "PCE2021", "REFX2022", "VERTOS2",
    "WHO1994",
)  # fmt: skip


def _cites(finding: Finding) -> bool:
    source = finding.source
    if not isinstance(source, str) or not source.startswith("["):
        return False
    keys = [key.strip("[]") for key in source.split(", ")]
    return all(key in SOURCE_KEYS for key in keys) and finding.message.endswith(f" {source}")


def test_answers_are_never_shared_between_different_facts() -> None:
    _replay(REPLAY)
    _replay(REPLAY[::-1])
    _replay(REPLAY[1::2] + REPLAY[::2])


def test_messages_follow_their_facts_when_remembered() -> None:
    """The text of a remembered finding belongs to its own facts (values as recorded)."""
    for inr in ("1.6", "1.60", "2.0", "1.6"):
        finding = only(run(snapshot(**{"coagulation.inr": D(inr)})), "PRE-COAG")
        assert f"INR {inr} (target ≤ 1.5)" in finding.message
    for age in (16, 17, 16):
        finding = only(run(snapshot(**{"patient.age_years": age})), "RC-AGE-UNDER-18")
        assert finding.message.startswith(f"Age {age}: under 18")
    for nrs in (5, 6, 7, 5):
        finding = only(run(snapshot(**{"pain.nrs": nrs})), "IND-PAIN-SEVERITY")
        assert f"NRS {nrs}" in finding.message


def _message(changes: dict[str, Any], rule: str, level: str | None = None) -> str:
    finding = only(run(snapshot(**changes)), rule, level)
    assert _cites(finding)
    return finding.message.removesuffix(f" {finding.source}")


def test_messages_of_the_patient_level_flags() -> None:
    assert _message({}, "RC-NEURO") == "No radicular pain, deficit or myelopathy."
    assert _message({"pain.radicular": True, "neuro.myelopathy": True}, "RC-NEURO") == (
        "Radicular pain, myelopathy attributable to the fracture: surgical opinion."
    )
    assert _message({"neuro.deficit": None, "neuro.myelopathy": None}, "RC-NEURO") == (
        "Examine for neurological deficit, myelopathy."
    )
    assert _message({"pain.trend": "stable"}, "CI-IMPROVING") == "Pain stable, not improving."
    assert _message({}, "CI-IMPROVING") == "Pain worsening, not improving."
    two = {**BASE["fractures"][0], "level": "L2", "mri_oedema": False}
    one = {**BASE["fractures"][0], "mri_oedema": False}
    assert _message({"fractures": [one, two]}, "CI-NO-ACUTE-FRACTURE") == (
        "No acute fracture (L1, L2 not acute): prophylactic augmentation is not an indication."
    )
    assert _message({}, "RC-LEVELS") == "1 target level (at most 3)."


@pytest.mark.parametrize(
    ("names", "unknown", "message"),
    [
        (["T12", "L1", "L2"], [], "3 target levels (at most 3)."),
        (
            ["T11", "T12", "L1", "L2"],
            [],
            "4 target levels: more than 3 in one session needs a reason and a specialist opinion.",
        ),
        (
            ["T12", "L1", "L2"],
            ["L3"],
            "3 target levels known, up to 4 if the levels of unknown acuity prove acute: "
            "image them.",
        ),
        (["T12", "L1"], ["L3"], "2 target levels (at most 3)."),
    ],
)
def test_messages_of_rc_levels(names: list[str], unknown: list[str], message: str) -> None:
    finding = only(run(_levels(names, unknown)), "RC-LEVELS")
    assert finding.message == f"{message} {finding.source}"
    assert finding.source == "[LCD]"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"pain.nrs": 8}, "Pain NRS 8: severe (≥ 8 meets the criterion in or out of hospital)."),
        ({"pain.nrs": 4}, "Pain NRS 4: below the threshold (≥ 5 outpatient, ≥ 8 in hospital)."),
        (
            {"pain.nrs": 5, "patient.hospitalized": None},
            "Pain NRS 5: record whether the patient is hospitalised (threshold ≥ 8 in hospital, "
            "≥ 5 outpatient).",
        ),
        (
            {"pain.nrs": 7, "patient.hospitalized": True},
            "Pain NRS 7 in hospital: the threshold for inpatients is ≥ 8.",
        ),
        ({"pain.nrs": 5}, "Pain NRS 5 as an outpatient: meets the threshold of ≥ 5."),
    ],
)
def test_messages_of_pain_severity(changes: dict[str, Any], message: str) -> None:
    assert _message(changes, "IND-PAIN-SEVERITY") == message


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({}, "Optimal non-surgical management was given."),
        (
            {
                "conservative_care.non_ambulatory_due_to_pain": True,
                "conservative_care.analgesic_side_effects": True,
            },
            "Optimal non-surgical management was given. Failure of medical therapy: "
            "non-ambulatory because of pain despite 24 h of analgesia; unacceptable analgesic "
            "side effects.",
        ),
        (
            {
                "conservative_care.tried": False,
                "conservative_care.physical_therapy_intolerable": True,
            },
            "Failure of medical therapy: physical therapy intolerable because of pain. Confirm "
            "that analgesia was given.",
        ),
        (
            {"conservative_care.tried": False},
            "Optimal non-surgical management not yet tried (analgesics, activity modification, "
            "bracing, physical therapy) and no failure of medical therapy recorded.",
        ),
        (
            {"conservative_care.tried": None},
            "Record whether optimal non-surgical management was tried, or which failure of "
            "medical therapy occurred.",
        ),
    ],
)
def test_messages_of_conservative_care(changes: dict[str, Any], message: str) -> None:
    assert _message(changes, "IND-CONSERVATIVE-CARE") == message


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"pain.nrs": 5},
            "Stable pain without two of height loss > 25 %, kyphosis, RMDQ > 17 (present: none).",
        ),
        (
            {"pain.nrs": 4, "function.rmdq": 18},
            "Stable pain with NRS 4: stable pain needs NRS ≥ 5.",
        ),
        (
            {"pain.nrs": 5, "function.rmdq": 18, "fractures.0.kyphotic_deformity": True},
            "Stable pain, NRS 5, with two or more items (present: kyphotic deformity, RMDQ > 17).",
        ),
        (
            {"pain.nrs": 6, "function.rmdq": 18, "fractures.0.kyphotic_deformity": None},
            "Stable pain: complete the items (present: RMDQ > 17; not known: kyphotic deformity).",
        ),
        (
            {"pain.nrs": None, "function.rmdq": 18, "fractures.0.kyphotic_deformity": True},
            "Stable pain: record the pain NRS; complete the items (present: kyphotic deformity, "
            "RMDQ > 17).",
        ),
        (
            {"pain.nrs": 5, "function.rmdq": None, "fractures.0.kyphotic_deformity": None},
            "Stable pain: complete the items (present: none; not known: kyphotic deformity, "
            "RMDQ > 17).",
        ),
        (
            {
                "pain.nrs": 5,
                "function.rmdq": 18,
                "fractures.0.kyphotic_deformity": True,
                "fractures.0.heights_mm": GRADE_2,
            },
            "Stable pain, NRS 5, with two or more items (present: height loss > 25 %, kyphotic "
            "deformity, RMDQ > 17).",
        ),
    ],
)
def test_messages_of_stable_pain_course(changes: dict[str, Any], message: str) -> None:
    assert _message(stable(**changes), "IND-PAIN-COURSE") == message


def test_messages_of_acute_fracture() -> None:
    one = {**BASE["fractures"][0]}
    two = {**BASE["fractures"][0], "level": "L2"}
    assert _message({"fractures": [one, two]}, "IND-ACUTE-FRACTURE") == (
        "Acute fracture on imaging at L1, L2."
    )
    unknown = [{**one, "mri_oedema": None}, {**two, "mri_oedema": None}]
    assert _message({"fractures": unknown}, "IND-ACUTE-FRACTURE") == (
        "Acuity unknown at L1, L2: obtain MRI with STIR (bone scan, SPECT/CT or CT when MRI is "
        "impossible)."
    )


def test_pain_course_applies_when_no_level_is_recorded() -> None:
    # §2.2: with no level recorded the etiology is unknown, so criterion 4 applies.
    assert status(snapshot(fractures=[]), "IND-PAIN-COURSE") == ("indication", "met")
    assert status(snapshot(fractures=[], **{"pain.trend": None}), "IND-PAIN-COURSE") == (
        "missing_information",
        "missing",
    )


def test_stable_course_with_the_height_unknown() -> None:
    no_heights = {"fractures.0.heights_mm": _DELETE}
    assert _message(
        stable(**no_heights, **{"fractures.0.kyphotic_deformity": None}), "IND-PAIN-COURSE"
    ) == (
        "Stable pain: complete the items (present: none; not known: height loss > 25 %, "
        "kyphotic deformity)."
    )
    assert status(stable(**no_heights, **{"function.rmdq": 18}), "IND-PAIN-COURSE") == (
        "missing_information",
        "missing",
    )
    assert status(stable(**no_heights), "IND-PAIN-COURSE") == ("indication", "not_met")


def test_every_failure_of_medical_therapy_is_listed() -> None:
    all_three = {
        "conservative_care.tried": None,
        "conservative_care.non_ambulatory_due_to_pain": True,
        "conservative_care.physical_therapy_intolerable": True,
        "conservative_care.analgesic_side_effects": True,
    }
    assert _message(all_three, "IND-CONSERVATIVE-CARE") == (
        "Failure of medical therapy: non-ambulatory because of pain despite 24 h of analgesia; "
        "physical therapy intolerable because of pain; unacceptable analgesic side effects. "
        "Confirm that analgesia was given."
    )


# --- §2.5/§2.6 work-up and risk texts ----------------------------------------------------------


def _at(level: str, **changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(BASE["fractures"][0]), "level": level, **changes}


def test_messages_of_the_embolism_risk() -> None:
    three = [_at("T10"), _at("T11"), _at("T12", onset_date="2026-12-01")]
    assert _message({"fractures": three}, "RISK-CEMENT-EMBOLISM") == (
        "Pulmonary cement embolism risk factors: 3 treated levels (≥ 3: OR 2.41); thoracic "
        "levels T10, T11, T12; procedure < 2 weeks after the fracture at T12. Reported "
        "CT-screened incidence 1.9 %."
    )
    assert _message({"fractures": [_at("T8")]}, "RISK-CEMENT-EMBOLISM") == (
        "Pulmonary cement embolism risk factors: thoracic level T8. Reported CT-screened "
        "incidence 1.9 %."
    )
    recent = [_at("L2", onset_date="2026-12-01"), _at("L3", onset_date="2026-12-02")]
    assert _message({"fractures": recent}, "RISK-CEMENT-EMBOLISM") == (
        "Pulmonary cement embolism risk factors: procedure < 2 weeks after the fracture at "
        "L2, L3. Reported CT-screened incidence 1.9 %."
    )
    for levels in (["T8"], ["L3"], ["T8"]):  # asked again: never another level's answer
        listed_risks = listed(
            run(snapshot(fractures=[_at(name) for name in levels])), "RISK-CEMENT-EMBOLISM"
        )
        assert bool(listed_risks) == (levels == ["T8"])


@pytest.mark.parametrize(
    ("treated", "note"),
    [
        (True, " (currently on treatment: document it)"),
        (False, " (not on treatment)"),
        (None, ""),
    ],
)
def test_messages_of_pre_bmd(treated: bool | None, note: str) -> None:
    data = {"bone_health.osteoporosis_treatment": treated, "fractures": [_at("T12"), _at("L1")]}
    expected = (
        "Osteoporotic fracture at T12, L1: document the referral for bone-density evaluation "
        f"and osteoporosis education and treatment{note}."
    )
    assert _message(data, "PRE-BMD") == expected


def test_pre_bmd_remembered_per_treatment_and_levels() -> None:
    for treated in (True, False, None, True):
        message = _message({"bone_health.osteoporosis_treatment": treated}, "PRE-BMD")
        assert message.endswith(
            {
                True: "(currently on treatment: document it).",
                False: "(not on treatment).",
                None: "treatment.",
            }[treated]
        )
    assert (
        listed(
            run(snapshot(**{"fractures.0.etiology": "metastasis", "fractures.0.lesion": "lytic"})),
            "PRE-BMD",
        )
        == []
    )


@pytest.mark.parametrize(
    ("inr", "platelets", "message"),
    [
        (D("1.6"), 250, "Out of range: INR 1.6 (target ≤ 1.5): correct before the procedure."),
        (
            D("2.0"),
            None,
            "Out of range: INR 2.0 (target ≤ 1.5): correct before the procedure. Order platelets.",
        ),
        (
            D("1.0"),
            40,
            "Out of range: platelets 40 ×10⁹/L (target ≥ 50): correct before the procedure.",
        ),
        (
            D("1.6"),
            40,
            "Out of range: INR 1.6 (target ≤ 1.5); platelets 40 ×10⁹/L (target ≥ 50): correct "
            "before the procedure.",
        ),
        (
            None,
            None,
            "High bleeding-risk procedure: Order INR and platelets (targets INR ≤ 1.5, "
            "platelets ≥ 50 ×10⁹/L).",
        ),
        (D("1.0"), 250, "INR 1.0 and platelets 250 ×10⁹/L within target."),
    ],
)
def test_messages_of_pre_coag(inr: Decimal | None, platelets: int | None, message: str) -> None:
    changes = {"coagulation.inr": inr, "coagulation.platelets_10e9_per_l": platelets}
    assert _message(changes, "PRE-COAG") == message


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {},
            "New adjacent fracture risk factors: female sex (OR 1.34); thoracolumbar junction "
            "(T11–L2): L1. Pooled incidence 13.4 %. Age 70 (risk rises with age).",
        ),
        (
            {
                "patient.sex": "male",
                "patient.age_years": None,
                "bone_health.t_score": D("-2.5"),
                "bone_health.prior_vertebral_fractures": 1,
                "fractures.0.level": "L4",
            },
            "New adjacent fracture risk factors: low bone density (T-score -2.5; lower is worse); "
            "1 prior vertebral fracture (OR 1.43 per fracture [VERTOS2]). Pooled incidence 13.4 %.",
        ),
    ],
)
def test_messages_of_the_new_fracture_risk(changes: dict[str, Any], message: str) -> None:
    assert _message(changes, "RISK-NEW-FRACTURE") == message


def test_no_new_fracture_risk_without_a_factor() -> None:
    data = {
        "patient.sex": "male",
        "fractures.0.level": "L4",
        "bone_health.chronic_corticosteroids": None,
    }
    assert listed(run(snapshot(**data)), "RISK-NEW-FRACTURE") == []
    for prior, count in ((2, "2 prior vertebral fractures"), (1, "1 prior vertebral fracture ")):
        message = _message(
            {**data, "bone_health.prior_vertebral_fractures": prior}, "RISK-NEW-FRACTURE"
        )
        assert count in message


def test_each_new_fracture_factor_alone_is_listed() -> None:
    # A man at L4 (outside T11–L2), T-score -2.0, no prior fracture: each factor alone.
    alone = {"patient.sex": "male", "fractures.0.level": "L4"}
    for changes, text in (
        ({"fractures.0.kyphotic_deformity": True}, "kyphosis at L4"),
        ({"fractures.0.intravertebral_cleft": True}, "intravertebral cleft at L4"),
        ({"bone_health.chronic_corticosteroids": True}, "chronic corticosteroids"),
        ({"fractures.0.level": "T12"}, "thoracolumbar junction (T11–L2): T12"),
    ):
        assert _message({**alone, **changes}, "RISK-NEW-FRACTURE") == (
            f"New adjacent fracture risk factors: {text}. Pooled incidence 13.4 %. "
            "Age 70 (risk rises with age)."
        )
    both = [
        _at("T12", kyphotic_deformity=True, intravertebral_cleft=True),
        _at("L1", kyphotic_deformity=True, intravertebral_cleft=True),
    ]
    message = _message({"patient.sex": "male", "fractures": both}, "RISK-NEW-FRACTURE")
    assert "intravertebral cleft at T12, L1; kyphosis at T12, L1; thoracolumbar junction " in (
        message
    )
    assert "(T11–L2): T12, L1." in message


def test_two_thoracic_levels_are_plural() -> None:
    assert _message({"fractures": [_at("T8"), _at("T9")]}, "RISK-CEMENT-EMBOLISM") == (
        "Pulmonary cement embolism risk factors: thoracic levels T8, T9. Reported CT-screened "
        "incidence 1.9 %."
    )
