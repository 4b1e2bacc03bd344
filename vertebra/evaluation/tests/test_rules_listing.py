"""Listing, deciding and printing: the engine's listing order and ladder agree with their
plain definitions, and values print as recorded whatever was evaluated before."""

from __future__ import annotations

import dataclasses
import random
from decimal import Decimal

import pytest

from vertebra.evaluation.rules import RuleSettings, evaluate, parse_snapshot, results, scores
from vertebra.evaluation.tests.test_rules_regression import _bench_module


def test_settings_as_printed_reach_the_messages() -> None:
    """Equal settings that print differently (1.8 and 1.80) give their own texts."""
    snapshot = parse_snapshot({"coagulation": {"inr": Decimal("2.0"), "platelets_10e9_per_l": 100}})

    def coag_message(inr_max: str) -> str:
        result = evaluate(snapshot, RuleSettings(inr_max=Decimal(inr_max)))
        (item,) = [f for f in result.findings if f.rule == "PRE-COAG"]
        return item.message

    assert "target ≤ 1.8)" in coag_message("1.8")
    assert "target ≤ 1.80)" in coag_message("1.80")
    assert "target ≤ 1.8)" in coag_message("1.8")


def test_results_are_immutable_values() -> None:
    """Level results, Genant grades and the result are what the dataclass constructor builds,
    equal and hashed alike, and stay frozen; a finding is an immutable named tuple."""
    snapshot = parse_snapshot(
        {
            "fractures": [
                {
                    "level": "L1",
                    "mri_oedema": True,
                    "heights_mm": {"anterior": 15, "middle": 20, "posterior": 25},
                }
            ]
        }
    )
    result = evaluate(snapshot)
    (level,) = result.levels
    genant = level.genant
    assert genant is not None
    for built in (result, level, genant):
        cls = type(built)
        assert cls in (results.EvaluationResult, results.LevelResult, scores.GenantResult)
        values = {f.name: getattr(built, f.name) for f in dataclasses.fields(built) if f.init}
        assert built == cls(**values)
        assert hash(built) == hash(cls(**values))
        with pytest.raises(dataclasses.FrozenInstanceError):
            built.__setattr__(dataclasses.fields(built)[0].name, None)
    item = result.findings[0]
    assert item == results.Finding(**item._asdict())
    assert hash(item) == hash(results.Finding(**item._asdict()))
    with pytest.raises(AttributeError):
        item.__setattr__("status", "absent")


def test_listing_groups_agree_with_a_stable_sort() -> None:
    """listed_and_decided is a stable sort by Finding.order plus decide()."""
    bench = _bench_module()
    rng = random.Random(bench.SEED + 3)
    pool = [
        item for _ in range(200) for item in evaluate(parse_snapshot(bench.snapshot(rng))).findings
    ]
    for _ in range(200):
        emitted = rng.sample(pool, rng.randrange(0, 60))
        listed, decision = results.listed_and_decided(emitted)
        assert listed == tuple(sorted(emitted, key=lambda item: item.order))
        assert decision == results.decide(emitted)


def test_hold_texts_follow_each_settings_object() -> None:
    """The antithrombotic hold texts follow the settings of each evaluation: other intervals or
    thresholds (even equal ones that print differently) give their own texts."""
    snapshot = parse_snapshot(
        {
            "coagulation": {
                "crcl_ml_min": 60,
                "anticoagulants": [
                    {"drug": "dabigatran", "last_dose_date": "2026-12-01"},
                    {"drug": "warfarin", "last_dose_date": "2026-12-01"},
                ],
            },
            "planned_procedure_date": "2026-12-06",
        }
    )

    def holds(settings: RuleSettings) -> list[str]:
        found = evaluate(snapshot, settings).findings
        return [f.message for f in found if f.rule == "PRE-ANTITHROMBOTIC"]

    default = holds(RuleSettings())
    other = RuleSettings.from_dict(
        {"dabigatran_crcl_min_ml_min": "80", "inr_max": "1.50", "hold_warfarin_days": 6}
    )
    for _ in range(2):
        assert holds(RuleSettings()) == default
        dabigatran, warfarin = holds(other)
        assert "creatinine clearance ≥ 80 mL/min" in dabigatran
        assert "Hold warfarin 6 days" in warfarin
        assert "(≤ 1.50)" in warfarin
        assert "respects it" not in warfarin
