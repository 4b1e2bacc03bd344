"""Per-level grades and scores: Genant grade and morphology [GENANT1993], AO Spine–DGOU
osteoporotic fracture type [OF2018], OF score [OFSCORE2018], SINS [SINS2010]
(clinical-reference §3.1–§3.4).

Height comparisons are exact: the parser keeps heights as Decimals and Heights.scaled holds them
as integers on one decimal scale, so every boundary is an integer comparison (5 × loss ≥
reference for 20 %). Rounding happens only in the display properties.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal
from functools import lru_cache
from typing import NamedTuple

from vertebra.evaluation.rules import thresholds as th
from vertebra.evaluation.rules.model import Heights

# Display arithmetic only (percentages and ratios shown to people); the comparisons that
# decide grades use exact integers (Heights.scaled).
_DISPLAY = Context(prec=60)
_ONE_DECIMAL = Decimal("0.1")
_TWO_DECIMALS = Decimal("0.01")
# Below this denominator the 60-digit division cannot round a ratio across a half-tenth
# boundary (another ratio lies at least 1 / (20 × denominator) from one), so half-up rounding
# of the exact ratio in integers gives the same tenths. Parsed heights stay far below it.
_EXACT_TENTHS_BELOW = 10**50

GENANT_LABELS = ("normal", "mild", "moderate", "severe")


@dataclass(frozen=True, slots=True)
class GenantResult:
    """Genant grade of one vertebra [GENANT1993].

    ``loss`` is reference − min(Ha, Hm, Hp) (0 when no height is below the reference) and
    ``denominator`` the reference height, or the largest of the three when no reference was
    measured, in which case ``at_least`` is true and grade and loss are lower bounds. Both are
    integers on the common scale of ``Heights.scaled``, so their ratio is exact.
    """

    grade: int
    morphology: str | None
    at_least: bool
    loss: int
    denominator: int
    heights: Heights

    @property
    def label(self) -> str:
        return GENANT_LABELS[self.grade]

    @property
    def height_loss_fraction(self) -> Decimal:
        """Exact where the decimal expansion ends; display and reporting only."""
        return _DISPLAY.divide(Decimal(self.loss), Decimal(self.denominator))

    @property
    def height_loss_percent(self) -> float:
        """Display only: percent, one decimal, half-up."""
        loss, denominator = self.loss, self.denominator
        if loss >= 0 and 0 < denominator < _EXACT_TENTHS_BELOW:
            # Tenths of a percent rounded half-up in integers: the same value as the Decimal
            # division and quantize below at a fraction of the cost (RC-SEVERE-COLLAPSE
            # prints it), and int / 10 is the float nearest to it, as float(Decimal) is.
            tenths = (2000 * loss + denominator) // (2 * denominator)
            return tenths / 10
        percent = _DISPLAY.divide(Decimal(loss * 100), Decimal(denominator))
        return float(percent.quantize(_ONE_DECIMAL, rounding=ROUND_HALF_UP, context=_DISPLAY))

    @property
    def ratio_anterior_posterior(self) -> Decimal | None:
        return _ratio(self.heights.anterior, self.heights.posterior)

    @property
    def ratio_middle_posterior(self) -> Decimal | None:
        return _ratio(self.heights.middle, self.heights.posterior)

    def loss_at_least(self, numerator: int, denominator: int) -> bool:
        """Exactly: is the height loss ≥ numerator/denominator of the (reference) height?"""
        return self.loss * denominator >= self.denominator * numerator


def _ratio(top: Decimal | None, bottom: Decimal | None) -> Decimal | None:
    if top is None or bottom is None or bottom.is_zero():
        return None
    return _DISPLAY.divide(top, bottom).quantize(
        _TWO_DECIMALS, rounding=ROUND_HALF_UP, context=_DISPLAY
    )


def genant(heights: Heights | None) -> GenantResult | None:
    """Grade from the three heights and the reference [GENANT1993]; None when a height is missing.

    Grades: 0 loss < 20 %; 1 20–25 %; 2 > 25–40 %; 3 > 40 %, compared exactly in integers
    (5 × loss ≥ reference is "≥ 20 %"). Without a reference the largest height stands in and
    the result is "at least" (a uniform collapse is invisible that way).
    """
    if heights is None:
        return None
    anterior, middle, posterior, reference = heights.scaled
    if anterior is None or middle is None or posterior is None:
        return None
    # Written out: min() and max() of three ints cost more than the comparisons.
    smallest = anterior if anterior < middle else middle
    if posterior < smallest:
        smallest = posterior
    largest = anterior if anterior > middle else middle
    if posterior > largest:
        largest = posterior
    at_least = reference is None
    denominator = largest if reference is None else reference
    if denominator == 0:
        return None  # three zero heights and no reference: nothing to compare against
    loss = denominator - smallest if smallest < denominator else 0
    if 5 * loss < denominator:  # loss < 20 %
        grade = 0
    elif 4 * loss <= denominator:  # 20 % ≤ loss ≤ 25 %
        grade = 1
    elif 5 * loss <= 2 * denominator:  # 25 % < loss ≤ 40 %
        grade = 2
    else:  # loss > 40 %
        grade = 3
    morphology: str | None = None
    if grade >= 1:
        if reference is not None and (
            # crush: posterior loss ≥ 20 %, or all heights within 10 % of each other
            5 * (reference - posterior) >= reference or 10 * smallest >= 9 * largest
        ):
            morphology = "crush"
        elif anterior <= middle:
            morphology = "wedge"
        else:
            morphology = "biconcave"
    return GenantResult(grade, morphology, at_least, loss, denominator, heights)


def is_deformed(result: GenantResult | None) -> bool | None:
    """Genant grade ≥ 1 [OF2018 uses "deformed endplate"]; None when it cannot be known."""
    if result is None:
        return None
    if result.grade >= 1:
        return True
    return None if result.at_least else False


# --- OF type [OF2018] ---------------------------------------------------------------------------

OF_TYPES = ("OF1", "OF2", "OF3", "OF4", "OF5")


@lru_cache(maxsize=None, typed=True)
def possible_of_types(
    tension_band_failure: bool | None,
    both_endplates: bool | None,
    deformed: bool | None,
    posterior_wall: str | None,
    mri_oedema: bool | None,
) -> frozenset[str]:
    """Every OF type consistent with the known facts, following the §3.2 decision order.

    A single element is the type; more than one means an unknown input could change it.
    """
    types: set[str] = set()
    if tension_band_failure is not False:
        types.add("OF5")
    if tension_band_failure is not True:
        if both_endplates is not False:
            types.add("OF4")
        if both_endplates is not True:
            if deformed is not False:
                if posterior_wall != "distinct":
                    types.add("OF2")
                if posterior_wall not in ("intact", "minor"):
                    types.add("OF3")
            if deformed is not True:
                if mri_oedema is not False:
                    types.add("OF1")
                if mri_oedema is not True:
                    types.add("none")
    return frozenset(types)


def of_type(possible: frozenset[str]) -> str | None:
    """The OF type token, or None when the facts leave more than one possibility [OF2018]."""
    if len(possible) == 1:
        (only,) = possible
        return only
    return None


# --- OF score [OFSCORE2018] (check: pocket-card values, not validated) --------------------------


class OfScoreWeights(NamedTuple):
    """The OF-score points and bands; every value is a setting (settings.py) [OFSCORE2018].

    A named tuple rather than a dataclass: it is a cache key of of_score(), and a tuple hashes
    in C on every evaluation.
    """

    t_score_below: Decimal
    t_score_points: int
    progression_points: int
    pain_cut: int
    pain_points: int
    neuro_points: int
    mobilisation_points: int
    health_points: int
    health_cap: int
    conservative_max: int
    operative_above: int


@dataclass(frozen=True, slots=True)
class OfScoreResult:
    total: int
    band: str  # "conservative" | "either" | "operative"
    unknown_items: tuple[str, ...]


def _signed(fact: bool | None, points: int) -> int:
    """yes → +points, no → −points, unknown → 0 (§3.3: an unknown item scores 0)."""
    if fact is None:
        return 0
    return points if fact else -points


@lru_cache(maxsize=4096, typed=True)
def of_score(
    weights: OfScoreWeights,
    type_token: str,
    t_score_low: bool | None,
    progression: bool | None,
    pain_high: bool | None,
    neuro_deficit: bool | None,
    mobilisation_impossible: bool | None,
    asa_above_3: bool | None,
    anticoagulated: bool | None,
) -> OfScoreResult:
    """§3.3: 2 × OF type, ± items; health items −1 each, at most the cap; unknown items 0."""
    total = 2 * (OF_TYPES.index(type_token) + 1)
    items: tuple[tuple[str, bool | None], ...] = (
        ("T-score", t_score_low),
        ("deformity progression", progression),
        ("pain under analgesia", pain_high),
        ("neurological deficit", neuro_deficit),
        ("mobilisation under analgesia", mobilisation_impossible),
        ("ASA class", asa_above_3),
        ("anticoagulation", anticoagulated),
    )
    unknown = [name for name, fact in items if fact is None]
    unknown.append("frailty")  # not part of the §2.1 snapshot: always scored 0
    if t_score_low:
        total += weights.t_score_points
    total += _signed(progression, weights.progression_points)
    total += _signed(pain_high, weights.pain_points)
    if neuro_deficit:
        total += weights.neuro_points
    total += _signed(mobilisation_impossible, weights.mobilisation_points)
    deductions = weights.health_points * ((asa_above_3 is True) + (anticoagulated is True))
    total -= min(deductions, weights.health_cap)
    if total <= weights.conservative_max:
        band = "conservative"
    elif total <= weights.operative_above:
        band = "either"
    else:
        band = "operative"
    return OfScoreResult(total, band, tuple(unknown))


# --- SINS [SINS2010] ----------------------------------------------------------------------------


def _sins_location(level: str) -> int:
    # junctional occiput–C2, C7–T2, T11–L1, L5–S1: 3; mobile C3–C6, L2–L4: 2; semi-rigid T3–T10: 1
    if level in ("C1", "C2", "C7", "T1", "T2", "T11", "T12", "L1", "L5", "S1"):
        return 3
    if level in ("C3", "C4", "C5", "C6", "L2", "L3", "L4"):
        return 2
    return 1


_SINS_POINTS: dict[str, dict[str, int]] = {
    "pain": {"mechanical": 3, "occasional": 1, "none": 0},
    "lesion": {"lytic": 2, "mixed": 1, "blastic": 0},
    "alignment": {"subluxation": 4, "de_novo_deformity": 2, "normal": 0},
    "collapse": {"over_50": 3, "under_50": 2, "none_over_50_involved": 1, "none": 0},
    "posterolateral": {"bilateral": 3, "unilateral": 1, "none": 0},
}
_SINS_MAX = {name: max(points.values()) for name, points in _SINS_POINTS.items()}


def sins_band(total: int) -> str:
    """0–6 stable; 7–12 indeterminate (possibly impending instability); 13–18 unstable."""
    if total <= th.SINS_STABLE_MAX:
        return "stable"
    if total <= th.SINS_INDETERMINATE_MAX:
        return "indeterminate"
    return "unstable"


@dataclass(frozen=True, slots=True)
class SinsResult:
    total: int | None
    minimum: int
    maximum: int
    band: str | None
    missing: tuple[str, ...]  # components not recorded, in §3.4 order


@lru_cache(maxsize=None, typed=True)
def sins(
    level: str,
    lesion: str | None,
    pain: str | None,
    alignment: str | None,
    collapse: str | None,
    posterolateral: str | None,
) -> SinsResult:
    """SINS: location from the level, lesion from ``lesion``, the rest only from ``sins.*``.

    A missing component contributes its own 0–max range; ``total`` only when none is missing;
    ``band`` is the band of the minimum when minimum and maximum share a band.
    """
    minimum = maximum = _sins_location(level)
    missing: list[str] = []
    for name, value in (
        ("pain", pain),
        ("lesion", lesion),
        ("alignment", alignment),
        ("collapse", collapse),
        ("posterolateral", posterolateral),
    ):
        if value is None:
            missing.append(name)
            maximum += _SINS_MAX[name]
        else:
            points = _SINS_POINTS[name][value]
            minimum += points
            maximum += points
    low_band = sins_band(minimum)
    band = low_band if low_band == sins_band(maximum) else None
    total = None if missing else minimum
    return SinsResult(total, minimum, maximum, band, tuple(missing))
