"""Per-level grades and scores (clinical-reference §3.1–§3.4), one function per score with its
citation: ``genant`` [GENANT1993], ``possible_of_types`` and ``of_type`` [OF2018], ``of_score``
[OFSCORE2018], ``sins`` [SINS2010]. The rules call these; nothing else computes a score.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import (
    ROUND_HALF_UP,
    Context,
    Decimal,
    Inexact,
    InvalidOperation,
    Rounded,
    localcontext,
)
from typing import NamedTuple

from vertebra.evaluation.rules import holds
from vertebra.evaluation.rules import thresholds as th
from vertebra.evaluation.rules.model import CandidateSnapshot, FractureFacts, Heights

# --- Genant grade [GENANT1993] (clinical-reference §3.1) ----------------------------------------

GENANT_LABELS = ("normal", "mild", "moderate", "severe")

# Exact arithmetic on heights: the parser accepts at most 9 digits before and 20 after the point,
# so 60 digits hold every difference and product below exactly; the traps turn any rounding into
# an error rather than a wrong comparison (§3.1: never binary floats).
_EXACT = Context(prec=60, traps=[Inexact, Rounded, InvalidOperation])
# Display only (percentages and ratios shown to people): then one plain half-up rounding.
_DISPLAY = Context(prec=60)
# The shares of §3.1, built once.
_NO_LOSS = Decimal(0)
_TWENTY_PERCENT = Decimal("0.20")
_TWENTY_FIVE_PERCENT = Decimal("0.25")
_FORTY_PERCENT = Decimal("0.40")
_NINETY_PERCENT = Decimal("0.90")
_TENTH, _HUNDREDTH = Decimal("0.1"), Decimal("0.01")  # display rounding


@dataclass(frozen=True, slots=True)
class GenantResult:
    """Genant grade of one vertebra [GENANT1993].

    ``loss_mm`` is expected − min(Ha, Hm, Hp) (0 when no height is below the expected one) and
    ``expected_mm`` the reference height, or the largest of the three heights when no reference
    was measured; then ``at_least`` is true and grade and loss are lower bounds.
    """

    grade: int
    morphology: str | None
    at_least: bool
    loss_mm: Decimal
    expected_mm: Decimal
    heights: Heights

    @property
    def label(self) -> str:
        return GENANT_LABELS[self.grade]

    @property
    def height_loss_fraction(self) -> Decimal:
        """loss ÷ expected (exact where its expansion ends); display and reporting only."""
        return _DISPLAY.divide(self.loss_mm, self.expected_mm)

    @property
    def height_loss_percent(self) -> float:
        """Display only: percent rounded half-up to one decimal (§3.1: round only for display)."""
        percent = _DISPLAY.divide(_EXACT.multiply(self.loss_mm, 100), self.expected_mm)
        return float(percent.quantize(_TENTH, rounding=ROUND_HALF_UP, context=_DISPLAY))

    @property
    def ratio_anterior_posterior(self) -> Decimal | None:
        return _ratio(self.heights.anterior, self.heights.posterior)

    @property
    def ratio_middle_posterior(self) -> Decimal | None:
        return _ratio(self.heights.middle, self.heights.posterior)

    def loss_at_least(self, numerator: int, denominator: int) -> bool:
        """Exactly: is the height loss ≥ numerator/denominator of the expected height?"""
        loss, expected = self.loss_mm, self.expected_mm
        return _EXACT.multiply(loss, denominator) >= _EXACT.multiply(expected, numerator)


def _ratio(top: Decimal | None, bottom: Decimal | None) -> Decimal | None:
    if top is None or bottom is None or bottom.is_zero():
        return None
    return _DISPLAY.divide(top, bottom).quantize(
        _HUNDREDTH, rounding=ROUND_HALF_UP, context=_DISPLAY
    )


def genant(heights: Heights | None) -> GenantResult | None:
    """Genant semiquantitative grade and morphology [GENANT1993] (clinical-reference §3.1).

    Height loss = (expected − min(Ha, Hm, Hp)) ÷ expected, compared exactly (decimal
    arithmetic without rounding, never binary floats); a height above the expected one is no
    loss. Grade 0 normal: loss < 20 %; 1 mild: 20 % ≤ loss ≤ 25 %; 2 moderate: 25 % < loss ≤
    40 %; 3 severe: loss > 40 %.
    Morphology, for grade ≥ 1 only, in this order: crush when the posterior loss is ≥ 20 % or
    min(Ha, Hm, Hp) ≥ 0.90 × max(Ha, Hm, Hp); otherwise wedge when Ha ≤ Hm; otherwise biconcave.
    Without a reference the largest height stands in: grade and loss are "at least" (a uniform
    collapse is invisible that way) and crush cannot be assessed.
    None when one of the three heights is missing (or all are 0 with no reference).
    """
    if heights is None:
        return None
    anterior, middle, posterior = heights.anterior, heights.middle, heights.posterior
    if anterior is None or middle is None or posterior is None:
        return None
    smallest = min(anterior, middle, posterior)
    largest = max(anterior, middle, posterior)
    at_least = heights.reference is None
    expected = largest if heights.reference is None else heights.reference
    if expected.is_zero():
        return None  # three zero heights and no reference: nothing to compare against
    with localcontext(_EXACT):
        loss = max(expected - smallest, _NO_LOSS)
        # loss ÷ expected against each boundary, as loss against that share of expected
        if loss < _TWENTY_PERCENT * expected:
            grade = 0
        elif loss <= _TWENTY_FIVE_PERCENT * expected:
            grade = 1
        elif loss <= _FORTY_PERCENT * expected:
            grade = 2
        else:
            grade = 3
        morphology: str | None = None
        if grade >= 1:
            if not at_least and (
                expected - posterior >= _TWENTY_PERCENT * expected
                or smallest >= _NINETY_PERCENT * largest
            ):
                morphology = "crush"
            elif anterior <= middle:
                morphology = "wedge"
            else:
                morphology = "biconcave"
    return GenantResult(grade, morphology, at_least, loss, expected, heights)


def is_deformed(result: GenantResult | None) -> bool | None:
    """Genant grade ≥ 1, the "deformed" of the OF type [OF2018]; None when it cannot be known
    (no grade, or a lower bound of 0)."""
    if result is None:
        return None
    if result.grade >= 1:
        return True
    return None if result.at_least else False


def height_loss_over_25(result: GenantResult | None) -> bool | None:
    """The IND-PAIN-COURSE item "height loss > 25 %", i.e. Genant grade ≥ 2 [GENANT1993];
    without a reference it is present when the lower bound exceeds 25 %, otherwise unknown."""
    if result is None:
        return None
    if result.grade >= th.HEIGHT_ITEM_GRADE:
        return True
    return None if result.at_least else False


# --- OF type [OF2018] ---------------------------------------------------------------------------

OF_TYPES = ("OF1", "OF2", "OF3", "OF4", "OF5")


def possible_of_types(
    tension_band_failure: bool | None,
    both_endplates: bool | None,
    deformed: bool | None,
    posterior_wall: str | None,
    mri_oedema: bool | None,
) -> frozenset[str]:
    """AO Spine–DGOU osteoporotic fracture type [OF2018] (clinical-reference §3.2): every type
    consistent with the known facts, in the decision order tension-band failure → OF5; both
    endplates → OF4; deformed (Genant grade ≥ 1) with distinct posterior-wall involvement → OF3,
    otherwise OF2; marrow oedema only → OF1; nothing → "none".

    A single element is the type (``of_type``); more than one means an unknown input could
    change it. RC-INSTABILITY reads the whole set.
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


# --- OF score [OFSCORE2018] (clinical-reference §3.3; check: pocket-card values, not validated)


class OfScoreWeights(NamedTuple):
    """The OF-score points and bands; every value is a setting (settings.py) [OFSCORE2018]."""

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


_ASA_ABOVE = 3  # health-status item: ASA > 3 [OFSCORE2018]


def _signed(fact: bool | None, points: int) -> int:
    """yes → +points, no → −points, unknown → 0 (§3.3: an unknown item scores 0)."""
    if fact is None:
        return 0
    return points if fact else -points


def _yes_no(value: bool | None) -> bool | None:
    return None if value is None else bool(value)


def _anticoagulated(snapshot: CandidateSnapshot) -> bool | None:
    """An anticoagulant among the listed drugs; unknown when the list is not recorded or holds
    a drug the table does not know."""
    entries = snapshot.coagulation.anticoagulants
    if entries is None:
        return None
    unknown = False
    for entry in entries:
        drug = holds.match_drug(entry.drug)
        if drug is None:
            unknown = True
        elif drug.drug_class == "anticoagulant":
            return True
    return None if unknown else False


def of_score(
    type_token: str, fracture: FractureFacts, snapshot: CandidateSnapshot, weights: OfScoreWeights
) -> OfScoreResult:
    """OF score [OFSCORE2018] (clinical-reference §3.3), for a level of OF type OF1–OF5.

    2 × OF type; T-score < −3.0 +1; deformity progression yes +1 / no −1; pain ≥ 5 +1 / < 5 −1
    (the snapshot's NRS, pain despite optimal non-surgical management, stands in for VAS under
    WHO step-II analgesia); neurological deficit +2; mobilisation under analgesia not possible
    +1 / possible −1 (read from "non-ambulatory despite analgesia"); ASA > 3 and anticoagulation
    −1 each, at most −2 (frailty is not in the snapshot); an unknown item scores 0. Bands:
    ≤ 5 conservative, 6 either, > 6 operative. Every value is a setting (``weights``).
    """
    t_score = snapshot.bone_health.t_score
    nrs = snapshot.pain.nrs
    asa = snapshot.patient.asa_class
    t_score_low = None if t_score is None else t_score < weights.t_score_below
    progression = _yes_no(fracture.height_loss_progression)
    pain_high = None if nrs is None else nrs >= weights.pain_cut
    neuro_deficit = _yes_no(snapshot.neuro.deficit)
    mobilisation_impossible = _yes_no(snapshot.conservative_care.non_ambulatory_due_to_pain)
    asa_above_3 = None if asa is None else asa > _ASA_ABOVE
    anticoagulated = _anticoagulated(snapshot)

    total = 2 * (OF_TYPES.index(type_token) + 1)
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


def sins(
    level: str,
    lesion: str | None,
    pain: str | None,
    alignment: str | None,
    collapse: str | None,
    posterolateral: str | None,
) -> SinsResult:
    """SINS, Spinal Instability Neoplastic Score [SINS2010] (clinical-reference §3.4).

    Location from the level (junctional 3, mobile 2, semi-rigid 1, rigid 0), bone lesion from
    ``lesion`` (lytic 2, mixed 1, blastic 0), pain, alignment, collapse and posterolateral
    involvement only from ``sins.*`` (points in _SINS_POINTS). Total 0–18: 0–6 stable, 7–12
    indeterminate, 13–18 unstable. A missing component contributes its own 0–max range;
    ``total`` only when none is missing; ``band`` is the band of the minimum when minimum and
    maximum share a band.
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
