"""§3 scores and classifications, and the hold arithmetic, asserted with exact values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from vertebra.evaluation.rules import evaluate, holds, parse_snapshot, result_to_text, scores
from vertebra.evaluation.rules.model import Heights
from vertebra.evaluation.rules.screening import VcfSigns, vcf_probability, who_bone_density
from vertebra.evaluation.rules.settings import RuleSettings


def _heights(a: str, m: str, p: str, ref: str | None) -> Heights:
    return Heights(Decimal(a), Decimal(m), Decimal(p), None if ref is None else Decimal(ref))


@pytest.mark.parametrize(
    ("anterior", "reference", "grade", "percent"),
    [
        ("80.1", "100", 0, 19.9),
        ("80", "100", 1, 20.0),
        ("75", "100", 1, 25.0),
        ("74.9", "100", 2, 25.1),
        ("60", "100", 2, 40.0),
        ("59.9", "100", 3, 40.1),
        ("20", "25", 1, 20.0),  # 1 - 20/25 < 0.2 in binary floats
        ("22.4", "28", 1, 20.0),
        ("21", "28", 1, 25.0),  # exactly 25 %
        ("16.8", "28", 2, 40.0),  # exactly 40 %
        ("0.3", "0.375", 1, 20.0),
        ("19.99999999999999999999", "25", 1, 20.0),  # loss a hair above 20 %
    ],
)
def test_genant_grade_is_exact_at_the_boundaries(
    anterior: str, reference: str, grade: int, percent: float
) -> None:
    result = scores.genant(_heights(anterior, reference, reference, reference))
    assert result is not None
    assert (result.grade, result.height_loss_percent, result.at_least) == (grade, percent, False)


@pytest.mark.parametrize(
    ("smallest", "reference", "percent"),
    [
        ("1599", "2000", 20.1),  # exactly 20.05 %: half-up (half-even would print 20.0)
        ("1601", "2000", 20.0),  # exactly 19.95 %: half-up to 20.0, still grade 0
        ("2", "3", 33.3),  # 33.33… %
        ("1", "3", 66.7),  # 66.66… %
        ("19.99999999999999999999", "25", 20.0),
    ],
)
def test_height_loss_percent_rounds_half_up_to_one_decimal(
    smallest: str, reference: str, percent: float
) -> None:
    """§3.1: round only for display, one decimal; half-up."""
    result = scores.genant(_heights(smallest, reference, reference, reference))
    assert result is not None
    assert result.height_loss_percent == percent


def test_genant_just_below_twenty_percent_stays_normal() -> None:
    result = scores.genant(_heights("20.00000000000000000001", "25", "25", "25"))
    assert result is not None
    assert result.grade == 0
    assert result.label == "normal"
    assert result.morphology is None


def test_genant_height_above_reference_is_no_loss() -> None:
    result = scores.genant(_heights("30", "31", "32", "28"))
    assert result is not None
    assert (result.grade, result.height_loss_percent, result.loss_mm) == (0, 0.0, 0)


def test_genant_without_reference_is_a_lower_bound_and_never_crush() -> None:
    result = scores.genant(_heights("20", "20.5", "21", None))
    assert result is not None
    assert (result.grade, result.at_least, result.morphology) == (0, True, None)
    wedge = scores.genant(_heights("10", "12", "20", None))
    assert wedge is not None
    assert (wedge.grade, wedge.at_least, wedge.morphology, wedge.height_loss_percent) == (
        3,
        True,
        "wedge",
        50.0,
    )


def test_genant_needs_all_three_heights() -> None:
    assert scores.genant(Heights(Decimal(20), None, Decimal(25), Decimal(28))) is None
    assert scores.genant(None) is None
    assert scores.genant(_heights("0", "0", "0", None)) is None


@pytest.mark.parametrize(
    ("heights", "morphology"),
    [
        (("18", "19", "20", "25"), "crush"),  # posterior loss exactly 20 %
        (("18", "19", "20.1", "25"), "wedge"),  # posterior loss 19.6 %
        (("18", "19.5", "19.9", "25"), "crush"),  # within 10 %: 18 ≥ 0.9 × 19.9
        (("18", "22", "27", "28"), "wedge"),
        (("22", "18", "27", "28"), "biconcave"),
        (("18", "18", "27", "28"), "wedge"),  # Ha ≤ Hm (equal) is wedge
    ],
)
def test_genant_morphology_order(heights: tuple[str, str, str, str], morphology: str) -> None:
    result = scores.genant(_heights(*heights))
    assert result is not None
    assert result.morphology == morphology


def test_genant_ratios_are_shown() -> None:
    result = scores.genant(_heights("19", "22", "27", "28"))
    assert result is not None
    assert result.ratio_anterior_posterior == Decimal("0.70")
    assert result.ratio_middle_posterior == Decimal("0.81")


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        ((True, None, None, None, None), "OF5"),
        ((False, True, None, None, None), "OF4"),
        ((False, False, True, "distinct", None), "OF3"),
        ((False, False, True, "minor", None), "OF2"),
        ((False, False, True, "intact", None), "OF2"),
        ((False, False, False, None, True), "OF1"),
        ((False, False, False, None, False), "none"),
        ((None, False, True, "intact", True), None),  # tension band unknown
        ((False, None, True, "intact", True), None),  # endplates unknown
        ((False, False, None, "intact", False), None),  # deformity unknown
        ((False, False, True, None, True), None),  # OF2 or OF3
    ],
)
def test_of_type(
    facts: tuple[bool | None, bool | None, bool | None, str | None, bool | None],
    expected: str | None,
) -> None:
    assert scores.of_type(scores.possible_of_types(*facts)) == expected


def _of_score(type_token: str, document: dict[str, object]) -> scores.OfScoreResult:
    snapshot = parse_snapshot(document)
    assert snapshot.fractures is not None
    return scores.of_score(type_token, snapshot.fractures[0], snapshot, RuleSettings().of_weights)


def test_of_score_bands_and_items() -> None:
    # OF3: 6; T −3.2 < −3.0 +1; progression yes +1; NRS 7 ≥ 5 +1; no deficit 0; mobilisation
    # impossible +1; ASA 4 > 3 and apixaban (anticoagulant) −2 (cap) → 8 operative
    score = _of_score(
        "OF3",
        {
            "patient": {"asa_class": 4},
            "pain": {"nrs": 7},
            "conservative_care": {"non_ambulatory_due_to_pain": True},
            "neuro": {"deficit": False},
            "bone_health": {"t_score": Decimal("-3.2")},
            "coagulation": {"anticoagulants": [{"drug": "apixaban"}]},
            "fractures": [{"level": "L1", "height_loss_progression": True}],
        },
    )
    assert (score.total, score.band) == (8, "operative")
    assert score.unknown_items == ("frailty",)
    # OF2: 4; T −3.0 not below −3.0 0; progression no −1; NRS 4 < 5 −1; mobilisation possible
    # −1; ASA 3 and aspirin only (not an anticoagulant) 0 → 1 conservative
    low = _of_score(
        "OF2",
        {
            "patient": {"asa_class": 3},
            "pain": {"nrs": 4},
            "conservative_care": {"non_ambulatory_due_to_pain": False},
            "neuro": {"deficit": False},
            "bone_health": {"t_score": Decimal("-3.0")},
            "coagulation": {"anticoagulants": [{"drug": "aspirin"}]},
            "fractures": [{"level": "L1", "height_loss_progression": False}],
        },
    )
    assert (low.total, low.band) == (1, "conservative")
    # OF3 with every item unknown: 6, "either"
    either = _of_score("OF3", {"fractures": [{"level": "L1"}]})
    assert (either.total, either.band) == (6, "either")
    assert either.unknown_items == (
        "T-score",
        "deformity progression",
        "pain under analgesia",
        "neurological deficit",
        "mobilisation under analgesia",
        "ASA class",
        "anticoagulation",
        "frailty",
    )


@pytest.mark.parametrize(
    ("level", "points"),
    [
        ("C1", 3),
        ("C2", 3),
        ("C3", 2),
        ("C6", 2),
        ("C7", 3),
        ("T1", 3),
        ("T2", 3),
        ("T3", 1),
        ("T10", 1),
        ("T11", 3),
        ("T12", 3),
        ("L1", 3),
        ("L2", 2),
        ("L4", 2),
        ("L5", 3),
        ("S1", 3),
    ],
)
def test_sins_location(level: str, points: int) -> None:
    result = scores.sins(level, "blastic", "none", "normal", "none", "none")
    assert (result.total, result.minimum, result.maximum) == (points, points, points)


def test_sins_missing_components_give_a_range() -> None:
    result = scores.sins("T5", None, None, None, None, None)
    assert (result.total, result.minimum, result.maximum, result.band) == (None, 1, 16, None)
    assert result.missing == ("pain", "lesion", "alignment", "collapse", "posterolateral")
    full = scores.sins("L1", "lytic", "mechanical", "subluxation", "over_50", "bilateral")
    assert (full.total, full.band) == (18, "unstable")


def test_vcf_probability_counts_and_imaging() -> None:
    signs = VcfSigns(True, True, True, True, False, False, False, False, False, False)
    result = vcf_probability(signs, severe_symptoms=True)
    assert (result.count, result.unknown, result.category, result.advanced_imaging) == (
        4,
        0,
        "intermediate",
        True,
    )
    low = vcf_probability(VcfSigns(True, True, True), severe_symptoms=True)
    assert (low.count, low.unknown, low.category, low.lowest_category, low.highest_category) == (
        3,
        7,
        None,
        "low",
        "high",
    )
    assert low.advanced_imaging is None
    assert vcf_probability(VcfSigns(*(True,) * 10), severe_symptoms=False).category == "high"
    nothing = vcf_probability(VcfSigns(*(False,) * 10), severe_symptoms=True)
    assert (nothing.category, nothing.advanced_imaging) == ("low", False)


@pytest.mark.parametrize(
    ("t_score", "fracture", "category"),
    [
        ("-1.0", False, "normal"),
        ("-1.1", False, "osteopenia"),
        ("-2.4", False, "osteopenia"),
        ("-2.5", False, "osteoporosis"),
        ("-2.5", True, "severe_osteoporosis"),
        ("-1.5", True, "osteoporosis"),  # a vertebral fragility fracture establishes it (check)
    ],
)
def test_who_category_for_men_over_50(t_score: str, fracture: bool, category: str) -> None:
    result = who_bone_density(
        Decimal(t_score),
        sex="male",
        age_years=60,
        postmenopausal=None,
        fragility_fracture=fracture,
    )
    assert result.category == category


def test_who_category_needs_the_population() -> None:
    young = who_bone_density(
        Decimal("-3"), sex="male", age_years=40, postmenopausal=None, fragility_fracture=None
    )
    assert young.category is None
    woman = who_bone_density(
        Decimal("-3"), sex="female", age_years=70, postmenopausal=None, fragility_fracture=None
    )
    assert woman.category is None
    post = who_bone_density(
        Decimal("-3"), sex="female", age_years=70, postmenopausal=True, fragility_fracture=None
    )
    assert post.category == "osteoporosis"


@pytest.mark.parametrize(
    ("sex", "age", "reason"),
    [
        # Sex and age recorded: only the menopausal status is missing, and the note says so.
        (
            "female",
            70,
            "menopausal status is not recorded in the snapshot; the T-score is reported "
            "without a category",
        ),
        (
            "male",
            40,
            "a man under 50 is outside the WHO population (postmenopausal women, men aged 50 "
            "or more)",
        ),
        ("male", None, "age not recorded (the WHO categories apply to men aged 50 or more)"),
        (
            None,
            70,
            "sex not recorded (the WHO categories apply to postmenopausal women and men aged 50 "
            "or more)",
        ),
    ],
)
def test_who_note_names_the_missing_fact(sex: str | None, age: int | None, reason: str) -> None:
    result = who_bone_density(
        Decimal("-3"), sex=sex, age_years=age, postmenopausal=None, fragility_fracture=None
    )
    assert result.category is None
    assert result.t_score == Decimal("-3")
    assert result.note == f"no WHO category: {reason} [WHO1994]"


def test_who_note_for_a_woman_without_t_score() -> None:
    result = who_bone_density(
        None, sex="female", age_years=70, postmenopausal=None, fragility_fracture=None
    )
    assert result.note == (
        "no WHO category: menopausal status is not recorded in the snapshot [WHO1994]"
    )


def test_who_note_in_the_text_result() -> None:
    snapshot = parse_snapshot(
        {"patient": {"sex": "female", "age_years": 72}, "bone_health": {"t_score": Decimal("-2.8")}}
    )
    text = result_to_text(evaluate(snapshot))
    assert (
        "Bone density: T-score -2.8: no category (no WHO category: menopausal status is not "
        "recorded in the snapshot; the T-score is reported without a category [WHO1994])"
    ) in text
    assert "sex or age not recorded" not in text


@pytest.mark.parametrize(
    ("date", "time", "unit", "amount", "expected", "at"),
    [
        ("2026-12-07", None, "days", 3, "2026-12-10", None),
        ("2026-12-31", None, "days", 1, "2027-01-01", None),
        ("2026-12-08", None, "hours", 24, "2026-12-10", None),  # ceil(24/24) + 1
        ("2026-12-08", None, "hours", 12, "2026-12-10", None),  # ceil(12/24) + 1
        ("2026-12-08", None, "hours", 25, "2026-12-11", None),
        ("2026-12-09", "20:00", "hours", 12, "2026-12-10", "08:00"),
        ("2026-12-09", "23:30", "hours", 24, "2026-12-10", "23:30"),
    ],
)
def test_earliest_after(
    date: str, time: str | None, unit: str, amount: int, expected: str, at: str | None
) -> None:
    day, moment = holds.earliest_after(
        dt.date.fromisoformat(date),
        None if time is None else dt.time.fromisoformat(time),
        unit,
        amount,
    )
    assert day.isoformat() == expected
    assert (None if moment is None else moment.strftime("%H:%M")) == at


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Apixaban", "apixaban"),
        ("ELIQUIS 5 mg bd", "apixaban"),
        ("acetylsalicylic acid", "aspirin"),
        ("Low-molecular-weight heparin", "lmwh"),
        ("Heparin", "ufh_subcutaneous"),
        ("Brilique", "ticagrelor"),
        ("diclofenac", "other_nsaid"),
        ("vorapaxar", None),
        ("apixabanx", None),
    ],
)
def test_drug_matching(name: str, key: str | None) -> None:
    drug = holds.match_drug(name)
    assert (None if drug is None else drug.key) == key


def test_every_hold_row_cites_a_source() -> None:
    assert all(row.source == "ASRA2018" for row in holds.INTERVALS)
    assert all(drug.source == "ASRA2018" for drug in holds.DRUGS)
