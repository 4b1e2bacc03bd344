"""§3.5 probability of a vertebral compression fracture [CCP2018] and §3.6 WHO bone density
[WHO1994], at their boundaries, with expectations read from clinical-reference.md."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from vertebra.evaluation.rules import (
    VcfSigns,
    vcf_probability,
    who_bone_density,
)
from vertebra.evaluation.rules.screening import VCF_SIGN_NAMES, vcf_category
from vertebra.evaluation.tests.rule_caches import clear_rule_caches

D = Decimal


@pytest.fixture(autouse=True)
def _cold_caches() -> Iterator[None]:
    clear_rule_caches()
    yield
    clear_rule_caches()


# --- §3.6 WHO: T ≥ −1.0 normal; −2.5 < T < −1.0 osteopenia; T ≤ −2.5 osteoporosis -------------


@pytest.mark.parametrize(
    ("t_score", "category"),
    [
        (D("0.5"), "normal"),
        (D("-0.9"), "normal"),
        (D("-1.0"), "normal"),
        (D("-1.1"), "osteopenia"),
        (D("-2.4"), "osteopenia"),
        (D("-2.5"), "osteoporosis"),
        (D("-2.6"), "osteoporosis"),
        (D("-4.0"), "osteoporosis"),
    ],
)
def test_who_t_score_bands(t_score: Decimal, category: str) -> None:
    for sex, age, postmenopausal in (("female", 60, True), ("male", 50, None)):
        result = who_bone_density(
            t_score, sex=sex, age_years=age, postmenopausal=postmenopausal, fragility_fracture=False
        )
        assert (result.t_score, result.category) == (t_score, category)
        assert result.note.endswith("[WHO1994]")


@pytest.mark.parametrize(
    ("t_score", "category"),
    [
        (D("-2.5"), "severe_osteoporosis"),
        (D("-3.0"), "severe_osteoporosis"),
        (D("-2.4"), "osteoporosis"),  # a fragility fracture establishes it (check; a setting)
        (D("-0.5"), "osteoporosis"),
        (None, "osteoporosis"),
    ],
)
def test_who_with_a_fragility_fracture(t_score: Decimal | None, category: str) -> None:
    result = who_bone_density(
        t_score, sex="female", age_years=70, postmenopausal=True, fragility_fracture=True
    )
    assert result.category == category
    if category == "osteoporosis":
        assert "fragility fracture establishes it" in result.note


@pytest.mark.parametrize(
    ("t_score", "category"),
    [(D("-2.4"), "osteopenia"), (D("-0.5"), "normal"), (D("-2.5"), "severe_osteoporosis")],
)
def test_who_fragility_rule_is_a_setting(t_score: Decimal, category: str) -> None:
    result = who_bone_density(
        t_score,
        sex="female",
        age_years=70,
        postmenopausal=True,
        fragility_fracture=True,
        fracture_establishes_osteoporosis=False,
    )
    assert result.category == category


@pytest.mark.parametrize(
    ("sex", "age", "postmenopausal", "in_population", "note"),
    [
        ("male", 49, None, False, "a man under 50 is outside the WHO population"),
        ("male", 50, None, True, "T-score ≤ −2.5"),
        ("male", 51, None, True, "T-score ≤ −2.5"),
        ("male", None, None, False, "age not recorded"),
        ("female", 70, False, False, "outside the WHO population (postmenopausal women"),
        ("female", 70, None, False, "menopausal status is not recorded in the snapshot"),
        ("female", 70, True, True, "T-score ≤ −2.5"),
        (None, 70, None, False, "sex not recorded"),
        ("other", 70, None, False, "sex recorded as other"),
    ],
)
def test_who_population(
    sex: str | None, age: int | None, postmenopausal: bool | None, in_population: bool, note: str
) -> None:
    result = who_bone_density(
        D("-3.0"), sex=sex, age_years=age, postmenopausal=postmenopausal, fragility_fracture=False
    )
    assert (result.category is not None) == in_population
    assert note in result.note
    if not in_population:
        assert result.t_score == D("-3.0")  # reported without a category
        assert result.note.startswith("no WHO category: ")


def test_who_without_a_t_score() -> None:
    result = who_bone_density(
        None, sex="female", age_years=70, postmenopausal=True, fragility_fracture=False
    )
    assert (result.t_score, result.category) == (None, None)
    assert "order DXA" in result.note
    woman = who_bone_density(
        None, sex="female", age_years=70, postmenopausal=None, fragility_fracture=None
    )
    assert "reported without a category" not in woman.note


def test_who_prints_the_t_score_as_recorded() -> None:
    one = who_bone_density(
        D("-3"), sex="male", age_years=70, postmenopausal=None, fragility_fracture=False
    )
    two = who_bone_density(
        D("-3.0"), sex="male", age_years=70, postmenopausal=None, fragility_fracture=False
    )
    assert str(one.t_score) == "-3"
    assert str(two.t_score) == "-3.0"


# --- §3.5 VCF probability: 0–3 low, 4–6 intermediate, ≥ 7 high ---------------------------------


@pytest.mark.parametrize(
    ("count", "category"),
    [(0, "low"), (3, "low"), (4, "intermediate"), (6, "intermediate"), (7, "high"), (10, "high")],
)
def test_vcf_bands(count: int, category: str) -> None:
    assert vcf_category(count) == category
    values = {name: index < count for index, name in enumerate(VCF_SIGN_NAMES)}
    result = vcf_probability(VcfSigns(**values), severe_symptoms=True)
    assert (result.count, result.unknown, result.category) == (count, 0, category)
    assert (result.lowest_category, result.highest_category) == (category, category)
    # Intermediate or high probability with severe symptoms → advanced imaging (MRI).
    assert result.advanced_imaging is (category != "low")
    without = vcf_probability(VcfSigns(**values), severe_symptoms=False)
    assert without.advanced_imaging is False


def test_vcf_has_ten_signs() -> None:
    assert len(VCF_SIGN_NAMES) == 10


@pytest.mark.parametrize(
    ("present", "unknown", "category", "lowest", "highest", "advanced"),
    [
        (3, 0, "low", "low", "low", False),
        (3, 1, None, "low", "intermediate", None),
        (4, 2, "intermediate", "intermediate", "intermediate", True),
        (6, 1, None, "intermediate", "high", True),
        (0, 3, "low", "low", "low", False),
    ],
)
def test_vcf_unknown_signs(
    present: int,
    unknown: int,
    category: str | None,
    lowest: str,
    highest: str,
    advanced: bool | None,
) -> None:
    values: dict[str, bool | None] = {}
    for index, name in enumerate(VCF_SIGN_NAMES):
        values[name] = True if index < present else None if index < present + unknown else False
    result = vcf_probability(VcfSigns(**values), severe_symptoms=True)
    assert (result.count, result.unknown) == (present, unknown)
    assert (result.category, result.lowest_category, result.highest_category) == (
        category,
        lowest,
        highest,
    )
    assert result.advanced_imaging is advanced
    unknown_symptoms = vcf_probability(VcfSigns(**values), severe_symptoms=None)
    assert unknown_symptoms.advanced_imaging is (False if highest == "low" else None)


LOW = D("-3.0")


def who(t_score: Decimal | None = LOW, **facts: object) -> tuple[object, ...]:
    defaults: dict[str, object] = {
        "sex": "female",
        "age_years": 70,
        "postmenopausal": True,
        "fragility_fracture": False,
    }
    result = who_bone_density(t_score, **{**defaults, **facts})  # type: ignore[arg-type]
    return result.t_score, result.category


def test_every_fact_that_decides_the_category_is_told_apart() -> None:
    """Asked one after the other in one process (the answers are remembered), inputs that
    differ in one deciding fact keep their own category."""
    for order in ((True, False, None), (None, False, True), (False, True, None)):
        for postmenopausal in order:
            expected = "osteoporosis" if postmenopausal is True else None
            assert who(postmenopausal=postmenopausal)[1] == expected
    for fragility in (False, True, None, True, False):
        expected = "severe_osteoporosis" if fragility is True else "osteoporosis"
        assert who(fragility_fracture=fragility)[1] == expected
    for rule in (True, False, True):
        expected = "osteoporosis" if rule else "osteopenia"
        assert (
            who(D("-2.0"), fragility_fracture=True, fracture_establishes_osteoporosis=rule)[1]
            == expected
        )
    for age, expected in ((50, "osteoporosis"), (49, None), (None, None), (50, "osteoporosis")):
        assert who(sex="male", age_years=age)[1] == expected
    assert who(D("-3"))[0] == D("-3")
    assert str(who(D("-3.0"))[0]) == "-3.0"


@pytest.mark.parametrize(
    ("t_score", "facts", "note"),
    [
        (D("-0.5"), {}, "T-score ≥ −1.0 [WHO1994]"),
        (D("-2.0"), {}, "−2.5 < T-score < −1.0 [WHO1994]"),
        (D("-3.0"), {}, "T-score ≤ −2.5 [WHO1994]"),
        (
            D("-3.0"),
            {"fragility_fracture": True},
            "T-score ≤ −2.5 with a fragility fracture: severe (established) osteoporosis [WHO1994]",
        ),
        (
            D("-2.0"),
            {"fragility_fracture": True},
            "clinical osteoporosis: a vertebral fragility fracture establishes it whatever the "
            "T-score [WHO1994] (check)",
        ),
        (None, {}, "no T-score recorded: order DXA [WHO1994]"),
        (
            D("-3.0"),
            {"sex": "male", "age_years": 49},
            "no WHO category: a man under 50 is outside the WHO population (postmenopausal "
            "women, men aged 50 or more) [WHO1994]",
        ),
        (
            D("-3.0"),
            {"postmenopausal": False},
            "no WHO category: outside the WHO population (postmenopausal women, men aged 50 or "
            "more) [WHO1994]",
        ),
        (
            D("-3.0"),
            {"postmenopausal": None},
            "no WHO category: menopausal status is not recorded in the snapshot; the T-score is "
            "reported without a category [WHO1994]",
        ),
        (
            None,
            {"postmenopausal": None},
            "no WHO category: menopausal status is not recorded in the snapshot [WHO1994]",
        ),
        (
            D("-3.0"),
            {"sex": "male", "age_years": None},
            "no WHO category: age not recorded (the WHO categories apply to men aged 50 or "
            "more) [WHO1994]",
        ),
        (
            D("-3.0"),
            {"sex": None},
            "no WHO category: sex not recorded (the WHO categories apply to postmenopausal "
            "women and men aged 50 or more) [WHO1994]",
        ),
        (
            D("-3.0"),
            {"sex": "other"},
            "no WHO category: sex recorded as other: the WHO categories apply to "
            "postmenopausal women and men aged 50 or more [WHO1994]",
        ),
    ],
)
def test_who_notes(t_score: Decimal | None, facts: dict[str, object], note: str) -> None:
    defaults: dict[str, object] = {
        "sex": "female",
        "age_years": 70,
        "postmenopausal": True,
        "fragility_fracture": False,
    }
    result = who_bone_density(t_score, **{**defaults, **facts})  # type: ignore[arg-type]
    assert result.note == note
    assert result.t_score == t_score  # the value is always reported as recorded
