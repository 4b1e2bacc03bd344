"""Rule settings: defaults from the reference, citations, storage round trip, validation."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from vertebra.evaluation.rules import SETTINGS_SPEC, SOURCES, RuleSettings, check_consistent
from vertebra.evaluation.rules.settings import SPEC_BY_KEY


def _keys(source: str) -> list[str]:
    return [part.strip(" []") for part in source.split(",")]


def test_every_setting_cites_a_known_source() -> None:
    for spec in SETTINGS_SPEC:
        assert spec.source, spec.key
        for key in _keys(spec.source):
            assert key in SOURCES, (spec.key, key)


def test_required_settings_and_their_flags() -> None:
    expected = {
        "inr_max": ("1.5", True, "[SIR2019COAG]"),
        "platelets_min": ("50", False, "[ASRA2018]"),
        "pregnancy_contraindication": ("absolute", True, "[LCD]"),
        "pmma_allergy_contraindication": ("absolute", True, "[ACRPP]"),
        "severe_collapse_fraction": ("2/3", True, "[LCD]"),
        "canal_compromise_max_percent": ("0", False, "[LCD]"),
        "instability_of_types": (["OF4", "OF5"], True, "[OF2018]"),
        "surgical_backup_required": (True, True, "[ACRPP]"),
        "ct_when_posterior_wall_unknown": (True, True, "[CIRSE2017]"),
        "hold_apixaban_days": (3, True, "[ASRA2018]"),
        "hold_lmwh_prophylactic_hours": (12, True, "[ASRA2018]"),
    }
    for key, (default, check, source) in expected.items():
        spec = SPEC_BY_KEY[key]
        assert (spec.default, spec.check) == (default, check), key
        assert source in spec.source, key
    inr = SPEC_BY_KEY["inr_max"]
    assert (inr.minimum, inr.maximum) == (Decimal("1.5"), Decimal("1.8"))


def test_defaults_match_the_spec() -> None:
    assert RuleSettings().to_dict() == {spec.key: spec.default for spec in SETTINGS_SPEC}


def test_round_trip_is_json_safe() -> None:
    settings = RuleSettings.from_dict(
        {
            "inr_max": "1.8",
            "pregnancy_contraindication": "relative",
            "severe_collapse_fraction": "3/4",
            "instability_of_types": ["OF5", "OF3"],
            "hold_apixaban_days": 2,
            "surgical_backup_required": False,
        }
    )
    stored = json.loads(json.dumps(settings.to_dict()))
    again = RuleSettings.from_dict(stored)
    assert again == settings
    assert again.inr_max == Decimal("1.8")
    assert again.severe_collapse_fraction == (3, 4)
    assert again.instability_of_types == ("OF3", "OF5")
    assert again.hold_amounts["hold_apixaban_days"] == 2
    assert again.hold_amounts["hold_aspirin_days"] == 6


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"inr_max": "1.9"}, "inr_max: must be from 1.5 to 1.8"),
        ({"inr_max": "abc"}, "inr_max: must be a number"),
        (
            {"pregnancy_contraindication": "sometimes"},
            "pregnancy_contraindication: must be one of absolute, relative",
        ),
        (
            {"severe_collapse_fraction": "3/2"},
            "severe_collapse_fraction: must be a fraction between 0 and 1, such as 2/3",
        ),
        (
            {"instability_of_types": ["OF6"]},
            "instability_of_types: must be a list drawn from OF1, OF2, OF3, OF4, OF5",
        ),
        ({"hold_aspirin_days": -1}, "hold_aspirin_days: must be from 0 to 60"),
        ({"hold_aspirin_days": True}, "hold_aspirin_days: must be a whole number"),
        ({"nonsense": 1}, "nonsense: unknown setting"),
    ],
)
def test_invalid_settings_name_the_setting(values: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        RuleSettings.from_dict(values)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"of_score_conservative_max": 10, "of_score_operative_above": 2},
            "of_score_operative_above: must be at least the conservative maximum (10), or the "
            "two bands overlap",
        ),
        ({"instability_of_types": []}, "instability_of_types: choose at least one OF type"),
    ],
)
def test_contradictory_settings_are_refused_when_saved_not_when_read(
    values: dict[str, object], message: str
) -> None:
    settings = RuleSettings.from_dict(values)  # a stored version still reads
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        check_consistent(settings)
    check_consistent(RuleSettings())
