"""Configurable rule values (clinical-reference §2.4–§3.6): every value the reference marks
"(check)" and every value where sources disagree, each with its citation.

``RuleSettings`` is what the engine reads; ``SETTINGS_SPEC`` describes each value for the admin
settings page (label, default, source, "default, review locally" flag, type and allowed range).
``to_dict``/``from_dict`` give a JSON-safe form for storage with each evaluation, so a past
result can be reproduced exactly. Sources: [SIR2019COAG], [ASRA2018], [LCD], [ACRPP],
[CIRSE2017], [SIR2014], [OF2018], [OFSCORE2018], [WHO1994].
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from vertebra.evaluation.rules import holds
from vertebra.evaluation.rules.scores import OfScoreWeights
from vertebra.evaluation.rules.settings_spec import (
    DEFAULT_HOLDS,
    HOLD_SETTING_KEYS,
    SETTINGS_SPEC,
    SPEC_BY_KEY,
    SettingSpec,
    coerce,
)

__all__ = ["SETTINGS_SPEC", "SPEC_BY_KEY", "RuleSettings", "SettingSpec"]


@dataclass(frozen=True, slots=True)
class RuleSettings:
    """The values the rules read. Defaults are the reference's; see SETTINGS_SPEC for sources."""

    inr_max: Decimal = Decimal("1.5")  # [SIR2019COAG] 1.5–1.8 (check)
    platelets_min: Decimal = Decimal(50)  # [ASRA2018]
    pregnancy_contraindication: str = "absolute"  # [LCD]; L38213 relative
    pmma_allergy_contraindication: str = "absolute"  # [ACRPP]/[CIRSE2017]; [LCD] relative
    canal_compromise_max_percent: Decimal = Decimal(0)  # RC-RETROPULSION: any compromise
    severe_collapse_fraction: tuple[int, int] = (2, 3)  # vertebra plana (check)
    instability_of_types: tuple[str, ...] = ("OF4", "OF5")  # [OF2018] (check)
    surgical_backup_required: bool = True  # [ACRPP] (check)
    ct_when_posterior_wall_unknown: bool = True  # [CIRSE2017] (check)
    dabigatran_crcl_min_ml_min: Decimal = Decimal(50)  # [ASRA2018] (check)
    hold_intervals: tuple[tuple[str, int], ...] = DEFAULT_HOLDS  # [ASRA2018] (check)
    fragility_fracture_establishes_osteoporosis: bool = True  # [WHO1994] (check)
    of_score_t_score_below: Decimal = Decimal("-3.0")  # [OFSCORE2018] (check, all below)
    of_score_t_score_points: int = 1
    of_score_progression_points: int = 1
    of_score_pain_cut: int = 5
    of_score_pain_points: int = 1
    of_score_neuro_points: int = 2
    of_score_mobilisation_points: int = 1
    of_score_health_points: int = 1
    of_score_health_cap: int = 2
    of_score_conservative_max: int = 5
    of_score_operative_above: int = 6
    # Derived once per settings object so that evaluate() does no set-up work.
    hold_amounts: Mapping[str, int] = field(init=False, repr=False, compare=False, hash=False)
    instability_types: frozenset[str] = field(init=False, repr=False, compare=False, hash=False)
    of_weights: OfScoreWeights = field(init=False, repr=False, compare=False, hash=False)
    # Settings as the messages print them (str of a Decimal, the fraction as "n/d"), so that no
    # rule converts them per evaluation.
    inr_max_text: str = field(init=False, repr=False, compare=False, hash=False)
    platelets_min_text: str = field(init=False, repr=False, compare=False, hash=False)
    canal_compromise_text: str = field(init=False, repr=False, compare=False, hash=False)
    severe_collapse_text: str = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        amounts = dict(holds.default_amounts())
        amounts.update(self.hold_intervals)
        object.__setattr__(self, "hold_amounts", amounts)
        object.__setattr__(self, "instability_types", frozenset(self.instability_of_types))
        object.__setattr__(self, "inr_max_text", str(self.inr_max))
        object.__setattr__(self, "platelets_min_text", str(self.platelets_min))
        object.__setattr__(self, "canal_compromise_text", str(self.canal_compromise_max_percent))
        numerator, denominator = self.severe_collapse_fraction
        object.__setattr__(self, "severe_collapse_text", f"{numerator}/{denominator}")
        object.__setattr__(
            self,
            "of_weights",
            OfScoreWeights(
                self.of_score_t_score_below,
                self.of_score_t_score_points,
                self.of_score_progression_points,
                self.of_score_pain_cut,
                self.of_score_pain_points,
                self.of_score_neuro_points,
                self.of_score_mobilisation_points,
                self.of_score_health_points,
                self.of_score_health_cap,
                self.of_score_conservative_max,
                self.of_score_operative_above,
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe values keyed as in SETTINGS_SPEC (decimals as strings, fraction "n/d")."""
        out: dict[str, Any] = {}
        for spec in SETTINGS_SPEC:
            if spec.key in HOLD_SETTING_KEYS:
                out[spec.key] = self.hold_amounts[spec.key]
                continue
            value = getattr(self, spec.key)
            if isinstance(value, Decimal):
                out[spec.key] = str(value)
            elif spec.value_type == "fraction":
                out[spec.key] = f"{value[0]}/{value[1]}"
            elif isinstance(value, tuple):
                out[spec.key] = list(value)
            else:
                out[spec.key] = value
        return out

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> RuleSettings:
        """Build from stored or submitted values; absent keys take the default. Raises
        ValueError naming the setting for an unknown key or an invalid value."""
        if not isinstance(values, Mapping):
            raise TypeError("settings must be an object")
        kwargs: dict[str, Any] = {}
        hold_values: dict[str, int] = {}
        for key, raw in values.items():
            spec = SPEC_BY_KEY.get(key)
            if spec is None:
                raise ValueError(f"{key}: unknown setting")
            value = coerce(spec, raw)
            if key in HOLD_SETTING_KEYS:
                hold_values[key] = value
            else:
                kwargs[key] = value
        if hold_values:
            merged = dict(DEFAULT_HOLDS)
            merged.update(hold_values)
            kwargs["hold_intervals"] = tuple(merged.items())
        return cls(**kwargs)


def check_consistent(settings: RuleSettings) -> None:
    """Refuse values valid one by one that contradict each other, or switch a rule off unseen
    (ValueError naming the setting). Checked when settings are saved, not when stored ones are
    read, so that no stored version ever stops evaluations."""
    if settings.of_score_operative_above < settings.of_score_conservative_max:
        raise ValueError(
            "of_score_operative_above: must be at least the conservative maximum "
            f"({settings.of_score_conservative_max}), or the two bands overlap"
        )
    if not settings.instability_of_types:
        raise ValueError(
            "instability_of_types: choose at least one OF type (the reference's are OF4 and "
            "OF5); with none, no OF type would ever raise RC-INSTABILITY"
        )
