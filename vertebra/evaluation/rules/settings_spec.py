"""The description of every rule setting (label, default, source, "default, review locally"
flag, type and range) for the admin settings page, and the validation of submitted values.

Sources: [SIR2019COAG], [ASRA2018], [LCD], [ACRPP], [CIRSE2017], [SIR2014], [OF2018],
[OFSCORE2018], [WHO1994].
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from vertebra.evaluation.rules import holds
from vertebra.evaluation.rules.scores import OF_TYPES
from vertebra.evaluation.rules.sources import cite

CONTRAINDICATION_KINDS = ("absolute", "relative")
DEFAULT_HOLDS: tuple[tuple[str, int], ...] = tuple(
    (row.setting, row.default) for row in holds.INTERVALS
)


@dataclass(frozen=True, slots=True)
class SettingSpec:
    """One configurable value as the settings page shows and validates it."""

    key: str
    label: str
    default: Any  # JSON-safe form
    source: str  # "[KEY], [KEY]"
    check: bool  # True: "default, review locally"
    description: str
    value_type: str  # decimal | integer | boolean | choice | choices | fraction
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    choices: tuple[str, ...] = ()


def _spec(
    key: str,
    label: str,
    default: Any,
    source: str,
    description: str,
    value_type: str,
    *,
    check: bool = True,
    minimum: str | int | None = None,
    maximum: str | int | None = None,
    choices: tuple[str, ...] = (),
) -> SettingSpec:
    return SettingSpec(
        key,
        label,
        default,
        source,
        check,
        description,
        value_type,
        None if minimum is None else Decimal(minimum),
        None if maximum is None else Decimal(maximum),
        choices,
    )


_CI_SOURCES = cite("LCD", "SIR2014", "ACRPP", "CIRSE2017")

SETTINGS_SPEC: tuple[SettingSpec, ...] = (
    _spec(
        "inr_max",
        "Highest INR for the procedure",
        "1.5",
        cite("SIR2019COAG", "ASRA2018"),
        "PRE-COAG: INR at or below this value; 1.5–1.8 per [SIR2019COAG].",
        "decimal",
        minimum="1.5",
        maximum="1.8",
    ),
    _spec(
        "platelets_min",
        "Lowest platelet count (×10⁹/L)",
        "50",
        cite("ASRA2018"),
        "PRE-COAG: platelets at or above this value.",
        "decimal",
        check=False,
        minimum=0,
        maximum=1000,
    ),
    _spec(
        "pregnancy_contraindication",
        "Pregnancy is a … contraindication",
        "absolute",
        cite("LCD"),
        "CI-PREGNANCY: absolute in most LCDs, relative in L38213.",
        "choice",
        choices=CONTRAINDICATION_KINDS,
    ),
    _spec(
        "pmma_allergy_contraindication",
        "Allergy to the bone cement is a … contraindication",
        "absolute",
        cite("ACRPP", "CIRSE2017", "LCD"),
        "CI-ALLERGY: absolute in [ACRPP]/[CIRSE2017], relative in [LCD].",
        "choice",
        choices=CONTRAINDICATION_KINDS,
    ),
    _spec(
        "canal_compromise_max_percent",
        "Canal compromise tolerated (%)",
        "0",
        _CI_SOURCES,
        "RC-RETROPULSION: canal compromise above this value is a review flag (0: any).",
        "decimal",
        check=False,
        minimum=0,
        maximum=100,
    ),
    _spec(
        "severe_collapse_fraction",
        "Severe collapse (vertebra plana): height loss at least",
        "2/3",
        _CI_SOURCES,
        "RC-SEVERE-COLLAPSE: fraction of the reference height lost.",
        "fraction",
    ),
    _spec(
        "instability_of_types",
        "OF types that count as instability",
        ["OF4", "OF5"],
        cite("OF2018"),
        "RC-INSTABILITY: these OF types raise the review flag.",
        "choices",
        choices=OF_TYPES,
    ),
    _spec(
        "surgical_backup_required",
        "Surgical back-up required",
        True,
        cite("ACRPP"),
        "RC-NO-BACKUP: flag when no surgical back-up is available.",
        "boolean",
    ),
    _spec(
        "ct_when_posterior_wall_unknown",
        "CT when the posterior wall is unknown",
        True,
        cite("CIRSE2017"),
        "PRE-IMAGING: ask for CT when the posterior wall at a target level is not described.",
        "boolean",
    ),
    _spec(
        "dabigatran_crcl_min_ml_min",
        "Dabigatran: creatinine clearance for the shorter hold (mL/min)",
        "50",
        cite("ASRA2018"),
        "PRE-ANTITHROMBOTIC: the shorter dabigatran hold "
        "applies only when a clearance at or above this value is recorded.",
        "decimal",
        minimum=0,
        maximum=200,
    ),
    *(
        _spec(
            row.setting,
            row.label,
            row.default,
            cite(row.source),
            f"PRE-ANTITHROMBOTIC: hold interval in {row.unit}.",
            "integer",
            minimum=0,
            maximum=60 if row.unit == "days" else 720,
        )
        for row in holds.INTERVALS
    ),
    _spec(
        "fragility_fracture_establishes_osteoporosis",
        "A vertebral fragility fracture establishes clinical osteoporosis",
        True,
        cite("WHO1994"),
        "WHO category (§3.6) whatever the T-score.",
        "boolean",
    ),
    _spec(
        "of_score_t_score_below",
        "OF score: T-score below",
        "-3.0",
        cite("OFSCORE2018"),
        "Bone-density item scores when the T-score is below this.",
        "decimal",
        minimum=-10,
        maximum=0,
    ),
    _spec(
        "of_score_t_score_points",
        "OF score: low T-score points",
        1,
        cite("OFSCORE2018"),
        "Points for the bone-density item.",
        "integer",
        minimum=0,
        maximum=10,
    ),
    _spec(
        "of_score_progression_points",
        "OF score: deformity progression ± points",
        1,
        cite("OFSCORE2018"),
        "Yes +points / no −points.",
        "integer",
        minimum=0,
        maximum=10,
    ),
    _spec(
        "of_score_pain_cut",
        "OF score: pain (VAS/NRS) at least",
        5,
        cite("OFSCORE2018"),
        "Pain under WHO step-II analgesia at or above this scores +, below −.",
        "integer",
        minimum=0,
        maximum=10,
    ),
    _spec(
        "of_score_pain_points",
        "OF score: pain ± points",
        1,
        cite("OFSCORE2018"),
        "Points for the pain item.",
        "integer",
        minimum=0,
        maximum=10,
    ),
    _spec(
        "of_score_neuro_points",
        "OF score: neurological deficit points",
        2,
        cite("OFSCORE2018"),
        "Points for a neurological deficit.",
        "integer",
        minimum=0,
        maximum=10,
    ),
    _spec(
        "of_score_mobilisation_points",
        "OF score: mobilisation ± points",
        1,
        cite("OFSCORE2018"),
        "Not possible under analgesia +points / possible −points.",
        "integer",
        minimum=0,
        maximum=10,
    ),
    _spec(
        "of_score_health_points",
        "OF score: points off per health item",
        1,
        cite("OFSCORE2018"),
        "ASA > 3, frailty, anticoagulation: each.",
        "integer",
        minimum=0,
        maximum=10,
    ),
    _spec(
        "of_score_health_cap",
        "OF score: most points off for health",
        2,
        cite("OFSCORE2018"),
        "At most this many points off for health status.",
        "integer",
        minimum=0,
        maximum=10,
    ),
    _spec(
        "of_score_conservative_max",
        "OF score: conservative up to",
        5,
        cite("OFSCORE2018"),
        "Band: up to this value conservative.",
        "integer",
        minimum=0,
        maximum=30,
    ),
    _spec(
        "of_score_operative_above",
        "OF score: operative above",
        6,
        cite("OFSCORE2018"),
        "Band: above this value operative; between the two, either.",
        "integer",
        minimum=0,
        maximum=30,
    ),
)
SPEC_BY_KEY: Mapping[str, SettingSpec] = {spec.key: spec for spec in SETTINGS_SPEC}
HOLD_SETTING_KEYS = frozenset(row.setting for row in holds.INTERVALS)


def coerce(spec: SettingSpec, raw: object) -> Any:
    value: Any
    if spec.value_type == "decimal":
        value = _to_decimal(spec, raw)
    elif spec.value_type == "integer":
        value = _to_int(spec, raw)
    elif spec.value_type == "boolean":
        if isinstance(raw, bool):
            return raw
        if raw in ("true", "false"):
            return raw == "true"
        raise ValueError(f"{spec.key}: must be true or false")
    elif spec.value_type == "choice":
        if raw not in spec.choices:
            raise ValueError(f"{spec.key}: must be one of {', '.join(spec.choices)}")
        return raw
    elif spec.value_type == "choices":
        items = raw.split(",") if isinstance(raw, str) else raw
        if not isinstance(items, list | tuple) or any(i not in spec.choices for i in items):
            raise ValueError(f"{spec.key}: must be a list drawn from {', '.join(spec.choices)}")
        return tuple(sorted(set(items), key=spec.choices.index))
    else:  # fraction
        return _to_fraction(spec, raw)
    if (spec.minimum is not None and value < spec.minimum) or (
        spec.maximum is not None and value > spec.maximum
    ):
        raise ValueError(f"{spec.key}: must be from {spec.minimum} to {spec.maximum}")
    return value


def _to_decimal(spec: SettingSpec, raw: object) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str | Decimal):
        raise ValueError(f"{spec.key}: must be a number")
    try:
        value = Decimal(str(raw).strip()) if not isinstance(raw, Decimal) else raw
    except InvalidOperation as exc:
        raise ValueError(f"{spec.key}: must be a number") from exc
    if not value.is_finite():
        raise ValueError(f"{spec.key}: must be a finite number")
    return value


_FRACTION_PARTS = 2  # numerator, denominator
_MAX_INPUT_DIGITS = 9  # settings are small numbers; longer text is a typing error


def _to_int(spec: SettingSpec, raw: object) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lstrip("-").isdigit() and len(raw) <= _MAX_INPUT_DIGITS:
        return int(raw)
    raise ValueError(f"{spec.key}: must be a whole number")


def _to_fraction(spec: SettingSpec, raw: object) -> tuple[int, int]:
    if isinstance(raw, list | tuple) and len(raw) == _FRACTION_PARTS:
        parts = [str(part) for part in raw]
    elif isinstance(raw, str) and raw.count("/") == 1:
        parts = raw.split("/")
    else:
        raise ValueError(f"{spec.key}: must be a fraction such as 2/3")
    if not all(part.strip().isdigit() and len(part.strip()) <= _MAX_INPUT_DIGITS for part in parts):
        raise ValueError(f"{spec.key}: must be a fraction such as 2/3")
    numerator, denominator = (int(part) for part in parts)
    if not 0 < numerator <= denominator:
        raise ValueError(f"{spec.key}: must be a fraction between 0 and 1, such as 2/3")
    return numerator, denominator
