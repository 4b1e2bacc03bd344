"""The §3 score helpers at the boundaries the reference states: Genant without a reference height
(the largest of the three stands in, §3.1), the 90 % crush rule, exact comparison beyond the
default decimal precision, "deformed" = grade ≥ 1 (§3.2), the > 25 % item unknown on a lower
bound (§3.1), the OF-score items and bands (§3.3), anticoagulation from the drug list, and SINS
location for the mobile cervical levels (§3.4). Expectations are written from the reference.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from vertebra.evaluation.rules import RuleSettings, parse_snapshot, scores
from vertebra.evaluation.rules.model import Heights
from vertebra.evaluation.tests.rule_caches import clear_rule_caches

D = Decimal


@pytest.fixture(autouse=True)
def _cold_caches() -> Iterator[None]:
    clear_rule_caches()
    yield
    clear_rule_caches()


def heights(a: str, m: str, p: str, ref: str | None = None) -> Heights:
    return Heights(D(a), D(m), D(p), None if ref is None else D(ref))


def genant(a: str, m: str, p: str, ref: str | None = None) -> scores.GenantResult:
    result = scores.genant(heights(a, m, p, ref))
    assert result is not None
    return result


# --- §3.1 Genant [GENANT1993] -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "m", "p", "grade", "percent"),
    [
        # the anterior height is the largest: (30 − 20) / 30 = 33.3 %, grade 2
        ("30", "25", "20", 2, 33.3),
        # the middle height is the largest: (30 − 20) / 30 = 33.3 %
        ("20", "30", "25", 2, 33.3),
        # the posterior height is the largest: (30 − 24) / 30 = 20.0 %, grade 1
        ("24", "26", "30", 1, 20.0),
    ],
)
def test_without_reference_the_largest_height_stands_in(
    a: str, m: str, p: str, grade: int, percent: float
) -> None:
    result = genant(a, m, p)
    assert (result.grade, result.height_loss_percent, result.at_least) == (grade, percent, True)
    assert result.morphology != "crush"


def test_loss_just_below_twenty_percent_beyond_28_digits_is_normal() -> None:
    # expected 25.00000000000000000000000000005, smallest 20.00000000000000000000000000005:
    # loss 5 exactly, 20 % of expected 5.00000000000000000000000000001: loss < 20 % → grade 0.
    # (At 28 significant digits the two round to the same number.)
    expected = "25.00000000000000000000000000005"
    result = genant("20.00000000000000000000000000005", expected, expected, expected)
    assert result.grade == 0
    assert result.morphology is None
    at = genant("20.00000000000000000000000000004", expected, expected, expected)
    assert at.grade == 1


@pytest.mark.parametrize(
    ("a", "m", "p", "morphology"),
    [
        # posterior loss 15 % (< 20 %); 76.5 = 0.90 × 85 exactly → within 10 %: crush
        ("76.5", "80", "85", "crush"),
        # 76.4 < 0.90 × 85 → not within 10 %; Ha ≤ Hm → wedge
        ("76.4", "80", "85", "wedge"),
    ],
)
def test_crush_when_all_heights_within_ten_percent(a: str, m: str, p: str, morphology: str) -> None:
    result = genant(a, m, p, "100")
    assert result.grade == 1
    assert result.morphology == morphology


@pytest.mark.parametrize(
    ("a", "p", "ratio"),
    [
        ("9", "8", D("1.13")),  # 1.125 rounded half-up for display
        ("7", "8", D("0.88")),  # 0.875
        ("10", "8", D("1.25")),
    ],
)
def test_ratios_round_half_up(a: str, p: str, ratio: Decimal) -> None:
    result = genant(a, "8", p, "12")
    assert result.ratio_anterior_posterior == ratio


def test_no_ratio_against_a_zero_posterior_height() -> None:
    result = genant("10", "10", "0", "20")
    assert result.grade == 3
    assert result.ratio_anterior_posterior is None
    assert result.ratio_middle_posterior is None


@pytest.mark.parametrize(
    ("a", "ref", "deformed"),
    [
        ("81", "100", False),  # 19 %: grade 0
        ("80", "100", True),  # 20 %: grade 1, deformed (OF2 rather than OF1)
        ("76", "100", True),  # 24 %: grade 1
        ("70", "100", True),  # 30 %: grade 2
    ],
)
def test_deformed_is_grade_one_or_more(a: str, ref: str, deformed: bool) -> None:
    assert scores.is_deformed(genant(a, ref, ref, ref)) is deformed


def test_deformed_unknown_on_a_lower_bound_of_grade_zero() -> None:
    # no reference: (100 − 90) / 100 = 10 % at least: the real loss may be larger
    assert scores.is_deformed(genant("90", "100", "100")) is None
    assert scores.is_deformed(genant("80", "100", "100")) is True
    assert scores.is_deformed(None) is None


def test_height_item_without_reference() -> None:
    # > 25 % counts as present when the lower bound exceeds it, otherwise unknown (§3.1)
    assert scores.height_loss_over_25(genant("80", "100", "100")) is None
    assert scores.height_loss_over_25(genant("74", "100", "100")) is True
    assert scores.height_loss_over_25(genant("80", "100", "100", "100")) is False
    assert scores.height_loss_over_25(genant("74", "100", "100", "100")) is True


# --- §3.3 OF score [OFSCORE2018] --------------------------------------------------------------

# Every item recorded and neutral-to-low: OF2 4; T −2.0 0; no progression −1; mobilisation
# possible −1; no deficit 0; ASA 2 0; no drug 0. NRS, deficit and drugs vary per test.
BASE_SCORE: dict[str, Any] = {
    "patient": {"asa_class": 2},
    "pain": {"nrs": 4},
    "conservative_care": {"non_ambulatory_due_to_pain": False},
    "neuro": {"deficit": False},
    "bone_health": {"t_score": D("-2.0")},
    "coagulation": {"anticoagulants": []},
    "fractures": [{"level": "L1", "height_loss_progression": False}],
}


def of_score(
    morphology: str = "OF2",
    nrs: int = 4,
    deficit: bool = False,
    drugs: list[str] | None = None,
    progression: bool = False,
) -> scores.OfScoreResult:
    document: dict[str, Any] = {
        **BASE_SCORE,
        "pain": {"nrs": nrs},
        "neuro": {"deficit": deficit},
        "coagulation": {"anticoagulants": [{"drug": name} for name in drugs or []]},
        "fractures": [{"level": "L1", "height_loss_progression": progression}],
    }
    snapshot = parse_snapshot(document)
    assert snapshot.fractures is not None
    return scores.of_score(morphology, snapshot.fractures[0], snapshot, RuleSettings().of_weights)


@pytest.mark.parametrize(
    ("nrs", "total"),
    [
        (4, 4 - 1 - 1 - 1),  # NRS < 5: −1
        (5, 4 - 1 + 1 - 1),  # NRS ≥ 5: +1
        (6, 4 - 1 + 1 - 1),
    ],
)
def test_of_score_pain_cut(nrs: int, total: int) -> None:
    assert of_score(nrs=nrs).total == total


def test_of_score_neurological_deficit_adds_two() -> None:
    # OF3 6, progression no −1, NRS 4 −1, mobilisation possible −1 = 3; deficit +2 = 5
    assert of_score("OF3").total == 3
    assert of_score("OF3", deficit=True).total == 5


@pytest.mark.parametrize(
    ("type_token", "nrs", "progression", "total", "band"),
    [
        # OF3 6 −1 (progression no) +1 (NRS 5) −1 (mobilisation possible) = 5: conservative
        ("OF3", 5, False, 5, "conservative"),
        # progression yes: 6 +1 +1 −1 = 7: operative
        ("OF3", 5, True, 7, "operative"),
        # OF3 6 +1 −1 −1 = 5 with NRS 4 and progression: conservative
        ("OF3", 4, True, 5, "conservative"),
        # OF4 8 −1 −1 −1 = 5: conservative; with NRS 5: 7 operative
        ("OF4", 4, False, 5, "conservative"),
        ("OF4", 5, False, 7, "operative"),
        # OF4 8 +1 (progression yes) −1 (NRS 4) −1 (mobilisation possible) = 7
        ("OF4", 4, True, 7, "operative"),
        # OF2 4 +1 (progression yes) +1 (NRS 5) −1 (mobilisation possible) = 5
        ("OF2", 5, True, 5, "conservative"),
    ],
)
def test_of_score_bands(
    type_token: str, nrs: int, progression: bool, total: int, band: str
) -> None:
    result = of_score(type_token, nrs=nrs, progression=progression)
    assert (result.total, result.band) == (total, band)


def test_of_score_band_six_is_either() -> None:
    # OF2 4, deficit +2, progression yes +1, NRS 5 +1, mobilisation possible −1, apixaban −1 = 6
    result = of_score("OF2", nrs=5, deficit=True, drugs=["apixaban"], progression=True)
    assert (result.total, result.band) == (6, "either")


@pytest.mark.parametrize(
    ("drugs", "total", "anticoagulation_unknown"),
    [
        ([], 1, False),  # none listed: no deduction, known
        (["aspirin"], 1, False),  # an antiplatelet is not anticoagulation
        (["warfarin"], 0, False),  # −1
        (["aspirin", "rivaroxaban"], 0, False),
        (["mystery-drug"], 1, True),  # a drug the table does not know: unknown, scored 0
        (["mystery-drug", "aspirin"], 1, True),
        (["mystery-drug", "apixaban"], 0, False),  # an anticoagulant is listed: −1
        (["apixaban", "mystery-drug"], 0, False),
    ],
)
def test_of_score_anticoagulation(
    drugs: list[str], total: int, anticoagulation_unknown: bool
) -> None:
    # OF2 4, progression no −1, NRS 4 −1, mobilisation possible −1 = 1
    result = of_score(drugs=drugs)
    assert result.total == total
    assert ("anticoagulation" in result.unknown_items) is anticoagulation_unknown
    assert result.unknown_items[-1] == "frailty"


# --- §3.4 SINS location [SINS2010] --------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "points"),
    [("C3", 2), ("C4", 2), ("C5", 2), ("C6", 2), ("L2", 2), ("L3", 2), ("L4", 2), ("T3", 1)],
)
def test_sins_location_mobile(level: str, points: int) -> None:
    result = scores.sins(level, "blastic", "none", "normal", "none", "none")
    assert (result.total, result.minimum, result.maximum) == (points, points, points)
