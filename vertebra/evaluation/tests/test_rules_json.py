"""The JSON result carries the qualifiers the reference requires (issue 13 §6): Genant "at least"
without a reference height (§3.1), each level's OF score (§3.3), and the earliest time of an
hour-based hold with a last-dose time (§2.5). Expectations are worked out from the reference."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from vertebra.evaluation.rules import evaluate, parse_snapshot, result_to_json


def _json(document: dict[str, Any]) -> dict[str, Any]:
    return result_to_json(evaluate(parse_snapshot(document)))


def _level(document: dict[str, Any]) -> dict[str, Any]:
    (level,) = _json(document)["levels"]
    return level


def _holds(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in _json(document)["findings"] if f["rule"] == "PRE-ANTITHROMBOTIC"]


def test_genant_without_reference_is_at_least() -> None:
    # §3.1: no reference → the largest height (25) stands in: loss (25 − 15) ÷ 25 = 40 %,
    # grade 2 "at least".
    level = _level(
        {
            "fractures": [
                {"level": "L1", "heights_mm": {"anterior": 15, "middle": 20, "posterior": 25}}
            ]
        }
    )
    assert level["genant"]["grade"] == 2
    assert level["genant"]["height_loss_percent"] == 40.0
    assert level["genant"]["at_least"] is True


def test_genant_with_reference_is_exact() -> None:
    # (28 − 21) ÷ 28 = 25 % exactly: grade 1, not a bound.
    level = _level(
        {
            "fractures": [
                {
                    "level": "L1",
                    "heights_mm": {"anterior": 21, "middle": 26, "posterior": 27, "reference": 28},
                }
            ]
        }
    )
    assert (level["genant"]["grade"], level["genant"]["at_least"]) == (1, False)


def test_of_score_per_level() -> None:
    # §3.2: no tension-band failure, one endplate, grade 3 (loss (30 − 12) ÷ 30 = 60 %) with
    # distinct posterior-wall involvement → OF3.
    # §3.3: 2 × 3 = 6; T-score −3.5 < −3.0 +1; progression +1; NRS 9 ≥ 5 +1; deficit +2;
    # non-ambulatory despite analgesia +1; ASA 4 and rivaroxaban −1 each → 6 + 6 − 2 = 10,
    # > 6: operative. Frailty is not in the snapshot: unknown, scored 0.
    level = _level(
        {
            "patient": {"asa_class": 4},
            "pain": {"nrs": 9},
            "conservative_care": {"non_ambulatory_due_to_pain": True},
            "neuro": {"deficit": True},
            "bone_health": {"t_score": Decimal("-3.5")},
            "coagulation": {"anticoagulants": [{"drug": "rivaroxaban"}]},
            "fractures": [
                {
                    "level": "L2",
                    "etiology": "osteoporotic",
                    "mri_oedema": True,
                    "tension_band_failure": False,
                    "both_endplates": False,
                    "posterior_wall": "distinct",
                    "height_loss_progression": True,
                    "heights_mm": {"anterior": 12, "middle": 20, "posterior": 28, "reference": 30},
                }
            ],
        }
    )
    assert level["of_type"] == "OF3"
    assert level["of_score"] == {"total": 10, "band": "operative", "unknown_items": ["frailty"]}


def test_of_score_is_null_without_an_of_type() -> None:
    # Metastasis: no OF type (§2.2), so no OF score; an undeterminable type: no score either.
    metastasis = _level({"fractures": [{"level": "L2", "etiology": "metastasis"}]})
    assert (metastasis["of_type"], metastasis["of_score"]) == (None, None)
    unknown = _level({"fractures": [{"level": "L2", "etiology": "osteoporotic"}]})
    assert (unknown["of_type"], unknown["of_score"]) == (None, None)


def test_hour_based_hold_with_a_dose_time_gives_the_earliest_time() -> None:
    # §2.5: LMWH therapeutic 24 h from 2026-12-08 14:30 → 2026-12-09 from 14:30.
    (hold,) = _holds(
        {
            "coagulation": {
                "anticoagulants": [
                    {
                        "drug": "enoxaparin",
                        "intensity": "therapeutic",
                        "last_dose_date": "2026-12-08",
                        "last_dose_time": "14:30",
                    }
                ]
            },
            "planned_procedure_date": "2026-12-12",
        }
    )
    assert (hold["earliest_date"], hold["earliest_time"]) == ("2026-12-09", "14:30")
    assert hold["status"] == "absent"


def test_hour_based_hold_without_a_time_and_day_based_holds_have_no_time() -> None:
    # §2.5: hour-based with only a date: date + ceil(24/24) + 1 = 2 days; day-based: apixaban
    # 3 days. Neither has a time.
    lmwh, apixaban = _holds(
        {
            "coagulation": {
                "anticoagulants": [
                    {"drug": "enoxaparin", "last_dose_date": "2026-12-08"},
                    {"drug": "apixaban", "last_dose_date": "2026-12-08"},
                ]
            }
        }
    )
    assert (lmwh["earliest_date"], lmwh["earliest_time"]) == ("2026-12-10", None)
    assert (apixaban["earliest_date"], apixaban["earliest_time"]) == ("2026-12-11", None)


def test_undated_hold_has_neither_date_nor_time() -> None:
    (hold,) = _holds({"coagulation": {"anticoagulants": [{"drug": "apixaban"}]}})
    assert (hold["status"], hold["earliest_date"], hold["earliest_time"]) == ("missing", None, None)
